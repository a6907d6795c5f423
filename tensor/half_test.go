package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refF32ToF16 is ggml's scalar ggml_compute_fp32_to_fp16 (the FP16 library's
// branch-free algorithm), used as the reference for F32ToF16.
func refF32ToF16(f float32) uint16 {
	const scaleToInf = float32(0x1.0p+112)
	const scaleToZero = float32(0x1.0p-110)
	base := float32(float32(abs32(f)*scaleToInf) * scaleToZero)
	w := math.Float32bits(f)
	shl1w := w + w
	sign := w & 0x80000000
	bias := shl1w & 0xff000000
	if bias < 0x71000000 {
		bias = 0x71000000
	}
	base = float32(math.Float32frombits((bias>>1)+0x07800000) + base)
	bits := math.Float32bits(base)
	expBits := (bits >> 13) & 0x00007c00
	mantBits := bits & 0x00000fff
	nonsign := expBits + mantBits
	if shl1w > 0xff000000 {
		nonsign = 0x7e00
	}
	return uint16(sign>>16) | uint16(nonsign)
}

func TestF32ToF16MatchesGGML(t *testing.T) {
	check := func(b uint32) {
		f := math.Float32frombits(b)
		if got, want := F32ToF16(f), refF32ToF16(f); got != want {
			t.Fatalf("F32ToF16(%g = %#08x) = %#04x, ggml gives %#04x", f, b, got, want)
		}
	}
	// Every exponent with mantissas around the rounding boundaries.
	for e := uint32(0); e < 256; e++ {
		for _, m := range []uint32{0, 1, 0xfff, 0x1000, 0x1001, 0x2000, 0x3000, 0x7fffff, 0x7ff000, 0x400000} {
			for _, s := range []uint32{0, 1 << 31} {
				check(s | e<<23 | m)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1 << 20 {
		check(r.Uint32())
	}
}

func TestF16RoundTrip(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		if math.IsNaN(float64(f)) {
			if h&0x7c00 != 0x7c00 || h&0x3ff == 0 {
				t.Fatalf("F16ToF32(%#04x) = NaN", h)
			}
			continue
		}
		if got := F32ToF16(f); got != uint16(h) {
			t.Fatalf("F32ToF16(F16ToF32(%#04x) = %g) = %#04x", h, f, got)
		}
		// Value check against float64 arithmetic.
		e, m := h>>10&0x1f, h&0x3ff
		var want float64
		switch {
		case e == 0x1f:
			want = math.Inf(1)
		case e == 0:
			want = math.Ldexp(float64(m), -24)
		default:
			want = math.Ldexp(float64(m|0x400), int(e)-25)
		}
		if h&0x8000 != 0 {
			want = -want
		}
		if float64(f) != want || math.Signbit(float64(f)) != (h&0x8000 != 0) {
			t.Fatalf("F16ToF32(%#04x) = %g, want %g", h, f, want)
		}
	}
}

func TestF16Edges(t *testing.T) {
	cases := []struct {
		f float32
		h uint16
	}{
		{0, 0},
		{float32(math.Copysign(0, -1)), 0x8000},
		{1, 0x3c00},
		{-2, 0xc000},
		{65504, 0x7bff},
		{65519.99, 0x7bff},                    // below the midpoint to Inf
		{65520, 0x7c00},                       // ties to even: rounds to Inf
		{float32(math.Inf(1)), 0x7c00},        // Inf
		{float32(math.Inf(-1)), 0xfc00},       // -Inf
		{1e10, 0x7c00},                        // overflow
		{float32(math.Ldexp(1, -24)), 0x0001}, // smallest subnormal
		{float32(math.Ldexp(1, -25)), 0x0000}, // tie between 0 and 2^-24: even
		{float32(math.Ldexp(1.5, -25)), 0x0001},
		{float32(math.Ldexp(3, -25)), 0x0002},     // tie 1.5 ulp → even (2)
		{float32(math.Ldexp(5, -25)), 0x0002},     // tie 2.5 ulp → even (2)
		{float32(math.Ldexp(1, -14)), 0x0400},     // smallest normal
		{1 + float32(math.Ldexp(1, -11)), 0x3c00}, // tie → even
		{1 + float32(math.Ldexp(3, -11)), 0x3c02}, // tie → even (up)
		{1e-8, 0},
		{float32(math.Ldexp(1, -149)), 0}, // f32 subnormal
	}
	for _, c := range cases {
		if got := F32ToF16(c.f); got != c.h {
			t.Errorf("F32ToF16(%g) = %#04x, want %#04x", c.f, got, c.h)
		}
	}
	nan := math.Float32frombits(0x7fc00001)
	if got := F32ToF16(nan); got != 0x7e00 {
		t.Errorf("F32ToF16(NaN) = %#04x, want 0x7e00", got)
	}
	if got := F32ToF16(-nan); got != 0xfe00 {
		t.Errorf("F32ToF16(-NaN) = %#04x, want 0xfe00", got)
	}
	if got := math.Float32bits(F16ToF32(0x7c01)); got != 0x7fc02000 {
		t.Errorf("F16ToF32(0x7c01) = %#08x, want quiet NaN 0x7fc02000", got)
	}
}

func TestBF16(t *testing.T) {
	cases := []struct {
		bits uint32
		h    uint16
	}{
		{0x00000000, 0x0000},
		{0x80000000, 0x8000},
		{0x3f800000, 0x3f80},
		{0x3f808000, 0x3f80}, // tie, even stays
		{0x3f818000, 0x3f82}, // tie, odd rounds up
		{0x3f808001, 0x3f81},
		{0x7f7fffff, 0x7f80}, // max float rounds to Inf
		{0x7f800000, 0x7f80}, // Inf
		{0xff800000, 0xff80},
		{0x7f800001, 0x7fc0}, // signalling NaN made quiet
		{0xffc00000, 0xffc0},
		{0x00000001, 0x0000}, // subnormals kept and rounded
		{0x00008000, 0x0000},
		{0x00018000, 0x0002},
		{0x007fffff, 0x0080},
	}
	for _, c := range cases {
		if got := F32ToBF16(math.Float32frombits(c.bits)); got != c.h {
			t.Errorf("F32ToBF16(%#08x) = %#04x, want %#04x", c.bits, got, c.h)
		}
	}
	for h := 0; h < 1<<16; h++ {
		f := BF16ToF32(uint16(h))
		if math.Float32bits(f) != uint32(h)<<16 {
			t.Fatalf("BF16ToF32(%#04x) = %#08x", h, math.Float32bits(f))
		}
		if math.IsNaN(float64(f)) {
			continue
		}
		if got := F32ToBF16(f); got != uint16(h) {
			t.Fatalf("F32ToBF16(BF16ToF32(%#04x)) = %#04x", h, got)
		}
	}
}
