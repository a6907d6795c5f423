package tensor

import "math"

// F16ToF32 converts an IEEE 754 half-precision value (its bits) to float32.
// The conversion is exact; a NaN keeps its sign and payload and comes back
// quiet, as the x86 conversion instructions ggml relies on return it.
func F16ToF32(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	man := uint32(h & 0x3ff)
	switch {
	case exp == 0x1f: // Inf or NaN
		bits := sign | 0x7f800000 | man<<13
		if man != 0 {
			bits |= 0x400000 // quiet
		}
		return math.Float32frombits(bits)
	case exp == 0:
		if man == 0 {
			return math.Float32frombits(sign)
		}
		// Subnormal: value = man · 2^-24, exact in float32.
		v := float32(man) * (1.0 / (1 << 24))
		return math.Float32frombits(sign | math.Float32bits(v))
	}
	return math.Float32frombits(sign | (exp+(127-15))<<23 | man<<13)
}

// F32ToF16 converts a float32 to IEEE 754 half precision (its bits), rounding
// to nearest with ties to even as ggml's GGML_FP32_TO_FP16 does. Values too
// large for half precision become ±Inf, values below half its smallest
// subnormal become ±0, and NaN becomes 0x7E00 with the input's sign.
func F32ToF16(f float32) uint16 {
	b := math.Float32bits(f)
	sign := uint16(b>>16) & 0x8000
	exp := int(b>>23) & 0xff
	man := b & 0x7fffff
	if exp == 0xff {
		if man != 0 {
			return sign | 0x7e00
		}
		return sign | 0x7c00
	}
	e := exp - 127 + 15 // biased half-precision exponent
	if e >= 0x1f {
		return sign | 0x7c00
	}
	if e <= 0 {
		// Result is subnormal (or zero): keep 10 mantissa bits of
		// (1.man) · 2^(e-1) measured in units of 2^-24.
		if e < -10 {
			return sign
		}
		man |= 0x800000
		shift := uint(14 - e)
		q := man >> shift
		rem := man & (1<<shift - 1)
		half := uint32(1) << (shift - 1)
		if rem > half || (rem == half && q&1 == 1) {
			q++
		}
		return sign | uint16(q)
	}
	q := uint32(e)<<10 | man>>13
	rem := man & 0x1fff
	if rem > 0x1000 || (rem == 0x1000 && q&1 == 1) {
		q++ // a carry into the exponent is correct, up to Inf
	}
	return sign | uint16(q)
}

// BF16ToF32 converts a bfloat16 value (its bits) to float32; it is exact.
func BF16ToF32(h uint16) float32 { return math.Float32frombits(uint32(h) << 16) }

// F32ToBF16 converts a float32 to bfloat16 (its bits) as ggml does: round to
// nearest with ties to even, subnormals kept, and NaN made quiet by setting
// bit 6 of the truncated value.
func F32ToBF16(f float32) uint16 {
	u := math.Float32bits(f)
	if u&0x7fffffff > 0x7f800000 {
		return uint16(u>>16) | 64
	}
	return uint16((u + 0x7fff + (u>>16)&1) >> 16)
}
