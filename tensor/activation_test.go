package tensor

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

func TestQuantizeActivationsRoundsLikeX86(t *testing.T) {
	// A block whose largest magnitude is 127 has d = 1 and scale 127/127 = 1,
	// so every value is its own quant before rounding: halves go to even.
	x := make([]float32, 32)
	x[0] = 127
	x[1], x[2], x[3], x[4] = 2.5, -3.5, 0.5, -0.5
	want := []int8{127, 2, -4, 0, 0}
	for _, typ := range []Type{Q8_0, Q8_1} {
		dst := make([]byte, typ.TypeSize())
		if err := QuantizeActivations(typ, x, dst); err != nil {
			t.Fatal(err)
		}
		q := dst[typ.TypeSize()-32:]
		for i, w := range want {
			if int8(q[i]) != w {
				t.Errorf("%s: quant %d of %v = %d, want %d", typ, i, x[i], int8(q[i]), w)
			}
		}
		if d := F16ToF32(binary.LittleEndian.Uint16(dst)); d != 1 {
			t.Errorf("%s: d = %v, want 1", typ, d)
		}
		if typ == Q8_1 {
			if s := F16ToF32(binary.LittleEndian.Uint16(dst[2:])); s != 127+2-4 {
				t.Errorf("Q8_1: s = %v, want %d", s, 127+2-4)
			}
		}
	}
}

func TestQuantizeActivationsNearReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, typ := range []Type{Q8_0, Q8_1, Q8_K, F16, BF16, F32} {
		n := 4 * QK_K
		x := kernelRandFloats(rng, n, 2)
		x[5] = 0
		clear(x[64:96]) // an all-zero block
		size := kernelMust(typ.RowSize(int64(n)))
		got, ref := make([]byte, size), make([]byte, size)
		if err := QuantizeActivations(typ, x, got); err != nil {
			t.Fatal(err)
		}
		if err := Quantize(typ, x, ref); err != nil {
			t.Fatal(err)
		}
		if typ != Q8_0 && typ != Q8_1 {
			if string(got) != string(ref) {
				t.Errorf("%s: differs from Quantize", typ)
			}
			continue
		}
		// Same scales; quants within one of the reference's (the scale
		// differs in the last bit at most, and so does the rounding).
		bs := typ.TypeSize()
		for b := 0; b < n/32; b++ {
			g, r := got[b*bs:(b+1)*bs], ref[b*bs:(b+1)*bs]
			if g[0] != r[0] || g[1] != r[1] {
				t.Fatalf("%s block %d: d differs", typ, b)
			}
			for j := bs - 32; j < bs; j++ {
				if d := int(int8(g[j])) - int(int8(r[j])); d < -1 || d > 1 {
					t.Fatalf("%s block %d: quant %d is %d, reference %d", typ, b, j, int8(g[j]), int8(r[j]))
				}
			}
		}
	}
	if err := QuantizeActivations(Q8_0, make([]float32, 33), make([]byte, 36)); err == nil {
		t.Error("a partial block was accepted")
	}
	if err := QuantizeActivations(Q8_1, make([]float32, 32), make([]byte, 35)); err == nil {
		t.Error("a short destination was accepted")
	}
}
