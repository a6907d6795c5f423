package tensor

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"
)

func randomFloats(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

func TestSizeErrors(t *testing.T) {
	if err := Dequantize(Q8_0, make([]byte, 34), make([]float32, 31)); err == nil {
		t.Error("Dequantize accepted 31 elements of Q8_0")
	}
	if err := Dequantize(Q8_0, make([]byte, 33), make([]float32, 32)); err == nil {
		t.Error("Dequantize accepted 33 bytes for one Q8_0 block")
	}
	if err := Quantize(Q8_0, make([]float32, 32), make([]byte, 35)); err == nil {
		t.Error("Quantize accepted 35 bytes for one Q8_0 block")
	}
	if err := Quantize(IQ2_XXS, make([]float32, 256), make([]byte, 66)); err == nil {
		t.Error("Quantize accepted IQ2_XXS")
	}
	if err := Dequantize(Type(99), nil, nil); err == nil {
		t.Error("Dequantize accepted an unknown type")
	}
	if err := Dequantize(Q4_0, nil, nil); err != nil {
		t.Errorf("Dequantize of nothing: %v", err)
	}
}

func TestQ8_1Sum(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	x := randomFloats(r, 64, 1)
	q := make([]byte, 72)
	if err := Quantize(Q8_1, x, q); err != nil {
		t.Fatal(err)
	}
	for b := range 2 {
		blk := q[36*b:]
		d := halfAt(blk)
		sum := 0
		for _, v := range blk[4:36] {
			sum += int(int8(v))
		}
		if got, want := binary.LittleEndian.Uint16(blk[2:]), F32ToF16(float32(sum)*d); got != want {
			t.Errorf("block %d: s = %#04x, want %#04x", b, got, want)
		}
	}
}

func TestQ8KSums(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	x := randomFloats(r, 512, 3)
	q := make([]byte, 2*292)
	if err := Quantize(Q8_K, x, q); err != nil {
		t.Fatal(err)
	}
	for b := range 2 {
		blk := q[292*b:]
		for j := range 16 {
			sum := 0
			for _, v := range blk[4+16*j : 4+16*j+16] {
				sum += int(int8(v))
			}
			if got := int16(binary.LittleEndian.Uint16(blk[260+2*j:])); int(got) != sum {
				t.Errorf("block %d group %d: bsum %d, want %d", b, j, got, sum)
			}
		}
	}
}

func TestZerosQuantizeToZeros(t *testing.T) {
	for typ, c := range codecs {
		if c.quant == nil {
			continue
		}
		n := 2 * QK_K
		size, _ := typ.RowSize(int64(n))
		q := make([]byte, size)
		for i := range q {
			q[i] = 0xa5 // every byte must be written
		}
		if err := Quantize(typ, make([]float32, n), q); err != nil {
			t.Fatal(err)
		}
		y := make([]float32, n)
		if err := Dequantize(typ, q, y); err != nil {
			t.Fatal(err)
		}
		for i, v := range y {
			if v != 0 {
				t.Fatalf("%s: zeros come back as %g at %d", typ, v, i)
			}
		}
	}
}

// errorBound returns the largest error Quantize→Dequantize may make on a
// block (the f16 scales add a relative 2^-11 and, when subnormal, an absolute
// 2^-25 per quant step) whose largest magnitude is amax and whose value range is span, or -1
// when the format has no simple bound checked here.
func errorBound(typ Type, amax, span float64) float64 {
	switch typ {
	case F32:
		return 0
	case F16:
		return amax*0x1p-11 + 0x1p-25
	case BF16:
		return amax * 0x1p-8
	case Q8_0, Q8_1:
		return amax/127/2*1.01 + amax*0x1p-11 + 127*0x1p-25
	case Q8_K:
		return amax / 127 / 2 * 1.01
	case Q4_0:
		return amax/8*1.01 + 8*0x1p-25 // the side opposite the largest may clip by a step
	case Q5_0:
		return amax/16*1.01 + 16*0x1p-25
	case Q4_1:
		return span/15/2*1.1 + (span+amax)*0x1p-10 + 16*0x1p-25
	case Q5_1:
		return span/31/2*1.1 + (span+amax)*0x1p-10 + 32*0x1p-25
	}
	return -1
}

func TestRoundTripErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for typ, c := range codecs {
		if c.quant == nil {
			continue
		}
		bs := typ.BlockSize()
		for trial := range 20 {
			x := randomFloats(r, QK_K, math.Pow(10, float64(trial%7-3)))
			checkRoundTrip(t, typ, bs, x)
		}
	}
}

func checkRoundTrip(t *testing.T, typ Type, bs int, x []float32) {
	t.Helper()
	size, err := typ.RowSize(int64(len(x)))
	if err != nil {
		t.Fatal(err)
	}
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
		bound := errorBound(typ, amax, hi-lo)
		if bound < 0 {
			bound = rmsBound(typ) * amax
		}
		for i := range xb {
			if e := math.Abs(float64(xb[i]) - float64(yb[i])); e > bound || math.IsNaN(float64(yb[i])) {
				t.Fatalf("%s block %d elem %d: %g → %g, error %g > bound %g", typ, b, i, xb[i], yb[i], e, bound)
			}
		}
	}
}

// rmsBound is a loose per-element error bound, relative to the block's
// largest magnitude, for formats whose exact bound depends on their scale
// search.
func rmsBound(typ Type) float64 {
	switch typ {
	case Q2_K:
		return 0.75
	case Q3_K:
		return 0.5
	case Q4_K, IQ4_NL, IQ4_XS:
		return 0.25
	case Q5_K:
		return 0.125
	case Q6_K:
		return 0.07
	}
	return 1
}

func TestNearestIntTiesToEven(t *testing.T) {
	cases := map[float32]int{
		0: 0, 0.5: 0, 1.5: 2, 2.5: 2, -0.5: 0, -1.5: -2, -2.5: -2,
		0.49999997: 0, 0.50000006: 1, 4194303: 4194303, -4194303: -4194303, 7.4: 7, -7.6: -8,
	}
	for f, want := range cases {
		if got := nearestInt(f); got != want {
			t.Errorf("nearestInt(%g) = %d, want %d", f, got, want)
		}
	}
}

func TestRoundHalfAway(t *testing.T) {
	cases := map[float32]float32{0.5: 1, 1.5: 2, 2.5: 3, -0.5: -1, -2.5: -3, 0.49999997: 0, 126.5: 127}
	for f, want := range cases {
		if got := roundHalfAway(f); got != want {
			t.Errorf("roundHalfAway(%g) = %g, want %g", f, got, want)
		}
	}
}

// TestQ8_0Ties quantizes a block whose scaled values fall exactly halfway
// between integers: Q8_0 rounds them away from zero, as roundf does.
func TestQ8_0Ties(t *testing.T) {
	x := make([]float32, 32)
	x[0] = 127 // d = 1, id = 1
	x[1], x[2], x[3], x[4] = 2.5, -2.5, 0.5, -0.5
	q := make([]byte, 34)
	if err := Quantize(Q8_0, x, q); err != nil {
		t.Fatal(err)
	}
	want := []int8{127, 3, -3, 1, -1, 0}
	for i, w := range want {
		if got := int8(q[2+i]); got != w {
			t.Errorf("q[%d] = %d, want %d", i, got, w)
		}
	}
	if d := halfAt(q); d != 1 {
		t.Errorf("d = %g, want 1", d)
	}
}

// TestSubnormalScales quantizes values so small that the f16 block scale is
// subnormal; the round trip must stay within the absolute error of the
// scale's last bit.
func TestSubnormalScales(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 10))
	for _, typ := range []Type{Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, F16} {
		checkRoundTrip(t, typ, typ.BlockSize(), randomFloats(r, QK_K, 1e-6))
	}
}

func TestRoundToInt8(t *testing.T) {
	r := rand.New(rand.NewPCG(15, 16))
	xs := []float32{0, 0.5, -0.5, 1.5, -2.5, 0.49999997, -0.49999997, 126.5, 127.49, 128, -129, 300.5, 1 << 29, 1<<29 + 64, 1 << 31, -(1 << 31), 3e38, float32(math.NaN()), float32(math.Inf(-1))}
	for range 100000 {
		xs = append(xs, float32(r.NormFloat64()*100), float32(r.NormFloat64()*1e9))
	}
	for _, x := range xs {
		if got, want := roundToInt8(x), toInt8(roundHalfAway(x)); got != want {
			t.Fatalf("roundToInt8(%g) = %d, want %d", x, got, want)
		}
	}
}
