package tensor

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// benchElems is the number of elements each benchmark converts: 64 rows of
// 4096, a typical weight-matrix slice.
const benchElems = 64 * 4096

func benchTypes() []Type {
	var ts []Type
	for t := range codecs {
		ts = append(ts, t)
	}
	slices.Sort(ts)
	return ts
}

func benchData(b *testing.B, typ Type) ([]float32, []byte) {
	r := rand.New(rand.NewPCG(11, 12))
	x := randomFloats(r, benchElems, 0.02)
	size, err := typ.RowSize(benchElems)
	if err != nil {
		b.Fatal(err)
	}
	q := make([]byte, size)
	if CanQuantize(typ) {
		if err := Quantize(typ, x, q); err != nil {
			b.Fatal(err)
		}
	}
	return x, q
}

// BenchmarkDequantize measures Dequantize per format; MB/s counts the float32
// bytes produced.
func BenchmarkDequantize(b *testing.B) {
	for _, typ := range benchTypes() {
		b.Run(typ.String(), func(b *testing.B) {
			_, q := benchData(b, typ)
			y := make([]float32, benchElems)
			b.SetBytes(4 * benchElems)
			for b.Loop() {
				if err := Dequantize(typ, q, y); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQuantize measures Quantize per format; MB/s counts the float32
// bytes consumed.
func BenchmarkQuantize(b *testing.B) {
	for _, typ := range benchTypes() {
		if !CanQuantize(typ) {
			continue
		}
		b.Run(typ.String(), func(b *testing.B) {
			x, q := benchData(b, typ)
			b.SetBytes(4 * benchElems)
			for b.Loop() {
				if err := Quantize(typ, x, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
