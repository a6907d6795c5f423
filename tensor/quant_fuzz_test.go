package tensor

import (
	"encoding/binary"
	"math"
	"slices"
	"testing"
)

// quantTypes returns the formats Quantize handles, in id order.
func quantTypes() []Type {
	var ts []Type
	for t, c := range codecs {
		if c.quant != nil {
			ts = append(ts, t)
		}
	}
	slices.Sort(ts)
	return ts
}

// fuzzFloats turns fuzzer bytes into float32 values, zero-padded to a whole
// number of bs-element blocks (at least one).
func fuzzFloats(data []byte, bs int) []float32 {
	n := len(data) / 4
	n = max(bs, (n+bs-1)/bs*bs)
	x := make([]float32, n)
	for i := 0; i < len(data)/4; i++ {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return x
}

func fuzzSeeds(f *testing.F) {
	f.Add(uint8(0), []byte{})
	for i, vals := range [][]float32{
		{1, -2, 3, -4, 0.5, 1e-8, -1e-8, 100},
		{float32(math.Inf(1)), float32(math.NaN()), 0, -1},
		{65504, -65504, 1e30, -1e-30, 3.4e38},
		{0.7, 0.7, 0.7, 0.7},
		{-1e-45, 1e-45, 6e-8, -6e-8, 1e-5},
		{4.4e-39, -1e-40},
	} {
		b := make([]byte, 4*len(vals))
		for j, v := range vals {
			binary.LittleEndian.PutUint32(b[4*j:], math.Float32bits(v))
		}
		f.Add(uint8(i*3), b)
	}
}

// FuzzQuantizeRoundTrip checks that Quantize and Dequantize never panic on
// any float32 input, and that moderate finite inputs come back within the
// format's error bound.
func FuzzQuantizeRoundTrip(f *testing.F) {
	fuzzSeeds(f)
	types := quantTypes()
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		typ := types[int(sel)%len(types)]
		bs := typ.BlockSize()
		x := fuzzFloats(data, bs)
		size, _ := typ.RowSize(int64(len(x)))
		q := make([]byte, size)
		if err := Quantize(typ, x, q); err != nil {
			t.Fatal(err)
		}
		y := make([]float32, len(x))
		if err := Dequantize(typ, q, y); err != nil {
			t.Fatal(err)
		}
		for b := 0; b < len(x)/bs; b++ {
			xb, yb := x[b*bs:(b+1)*bs], y[b*bs:(b+1)*bs]
			amax, lo, hi := 0.0, math.Inf(1), math.Inf(-1)
			for _, v := range xb {
				amax = math.Max(amax, math.Abs(float64(v)))
				lo, hi = math.Min(lo, float64(v)), math.Max(hi, float64(v))
			}
			if math.IsNaN(amax) || amax > 1e4 {
				continue // outside every format's scale range: no bound
			}
			bound := errorBound(typ, amax, hi-lo)
			if bound < 0 {
				// Two-level scales: a group whose scale rounds to
				// zero keeps only its min, so bound by the block's
				// range.
				bound = 3*amax + 64*0x1p-24
			}
			if amax < 1e-30 {
				// Q8_K's -127/max overflows: such blocks become zero.
				bound = math.Max(bound, amax)
			}
			for i := range xb {
				if e := math.Abs(float64(xb[i]) - float64(yb[i])); !(e <= bound) {
					t.Fatalf("%s block %d elem %d: %g → %g, error %g > bound %g", typ, b, i, xb[i], yb[i], e, bound)
				}
			}
		}
	})
}

// FuzzDequantize checks that Dequantize never panics on arbitrary block
// bytes of any format.
func FuzzDequantize(f *testing.F) {
	f.Add(uint8(0), []byte{})
	f.Add(uint8(5), []byte{0xff, 0x7b, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18})
	f.Add(uint8(9), []byte{0x00, 0x7c, 0xff, 0xff, 0x00, 0xfe})
	var types []Type
	for t := range codecs {
		types = append(types, t)
	}
	slices.Sort(types)
	f.Fuzz(func(t *testing.T, sel uint8, data []byte) {
		typ := types[int(sel)%len(types)]
		ts, bs := typ.TypeSize(), typ.BlockSize()
		nb := len(data) / ts
		y := make([]float32, nb*bs)
		if err := Dequantize(typ, data[:nb*ts], y); err != nil {
			t.Fatal(err)
		}
		if nb*ts != len(data) {
			if err := Dequantize(typ, data, y); err == nil {
				t.Fatalf("%s: %d bytes for %d elements accepted", typ, len(data), len(y))
			}
		}
	})
}
