package tensor

import (
	"encoding/binary"
	"math"
)

// kernelTile is the most activation rows one vec-dot call handles: a weight
// block is decoded once and used for up to kernelTile tokens.
const kernelTile = 8

// vecDotFunc computes the dot products of one weight row with up to
// kernelTile activation rows. w holds the n weights of the row in the weight
// format; activation row t (t < nx) starts at x[t*xStride] in the kernel's
// activation format. The result for row t goes to out[t*outStride].
type vecDotFunc func(n int, w, x []byte, xStride, nx int, out []float32, outStride int)

// vecDotKernel pairs a weight format's dot product with the format that
// activations are converted to before it, as ggml's CPU backend pairs them
// (its vec_dot_type).
type vecDotKernel struct {
	act Type
	dot vecDotFunc
}

// kernelTypeLimit bounds the type ids the kernel table is indexed by.
const kernelTypeLimit = 64

// vecDotGo holds the portable Go kernels, each mirroring ggml's generic C
// ggml_vec_dot_<weight>_<activation>.
var vecDotGo = [kernelTypeLimit]vecDotKernel{
	F32:    {F32, dotF32F32},
	F16:    {F16, dotF16F16},
	BF16:   {BF16, dotBF16BF16},
	Q4_0:   {Q8_0, dotQ4_0Q8_0},
	Q4_1:   {Q8_1, dotQ4_1Q8_1},
	Q5_0:   {Q8_0, dotQ5_0Q8_0},
	Q5_1:   {Q8_1, dotQ5_1Q8_1},
	Q8_0:   {Q8_0, dotQ8_0Q8_0},
	Q2_K:   {Q8_K, dotQ2_KQ8_K},
	Q3_K:   {Q8_K, dotQ3_KQ8_K},
	Q4_K:   {Q8_K, dotQ4_KQ8_K},
	Q5_K:   {Q8_K, dotQ5_KQ8_K},
	Q6_K:   {Q8_K, dotQ6_KQ8_K},
	IQ4_NL: {Q8_0, dotIQ4_NLQ8_0},
	IQ4_XS: {Q8_K, dotIQ4_XSQ8_K},
}

// vecDot is the kernel table MatMul uses. It starts as vecDotGo; on builds
// without the purego tag, kernelInstallAccelerated may replace entries with
// assembly versions after checking the CPU's features. A replacement must
// use the same activation format and produce the same results up to float
// rounding order.
var vecDot = vecDotGo

func init() { kernelInstallAccelerated(&vecDot) }

// MatMulSupported reports whether MatMul handles weights of type t.
func MatMulSupported(t Type) bool {
	return t < kernelTypeLimit && vecDot[t].dot != nil
}

// MatMulActivationType returns the format MatMul converts activations to
// before multiplying them with weights of type t, as ggml does (its
// vec_dot_type): Q8_0, Q8_1, Q8_K, F16, BF16 or F32. ok is false when MatMul
// does not handle t.
func MatMulActivationType(t Type) (act Type, ok bool) {
	if !MatMulSupported(t) {
		return 0, false
	}
	return vecDot[t].act, true
}

// kernelF16 converts half-precision bits to float32 with a branch-light fast
// path for normal numbers; zeros, subnormals, infinities and NaNs go through
// F16ToF32.
func kernelF16(h uint16) float32 {
	if e := h & 0x7c00; e == 0 || e == 0x7c00 {
		return F16ToF32(h)
	}
	return math.Float32frombits(uint32(h&0x8000)<<16 | (uint32(h&0x7fff)<<13 + 0x38000000))
}

// kernelF16At reads the little-endian half at b[0:2] as float32.
func kernelF16At(b []byte) float32 { return kernelF16(binary.LittleEndian.Uint16(b)) }

// kernelF32At reads the little-endian float32 at b[0:4].
func kernelF32At(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }

// kernelDot32 is the integer dot product of 32 decoded weights with 32 int8
// activations.
func kernelDot32(a *[32]int8, b *[32]byte) int32 {
	var s0, s1, s2, s3 int32
	for i := 0; i < 32; i += 4 {
		s0 += int32(a[i]) * int32(int8(b[i]))
		s1 += int32(a[i+1]) * int32(int8(b[i+1]))
		s2 += int32(a[i+2]) * int32(int8(b[i+2]))
		s3 += int32(a[i+3]) * int32(int8(b[i+3]))
	}
	return s0 + s1 + s2 + s3
}

// kernelDot16 is the integer dot product of 16 decoded weights with 16 int8
// activations.
func kernelDot16(a *[16]int8, b *[16]byte) int32 {
	var s0, s1, s2, s3 int32
	for i := 0; i < 16; i += 4 {
		s0 += int32(a[i]) * int32(int8(b[i]))
		s1 += int32(a[i+1]) * int32(int8(b[i+1]))
		s2 += int32(a[i+2]) * int32(int8(b[i+2]))
		s3 += int32(a[i+3]) * int32(int8(b[i+3]))
	}
	return s0 + s1 + s2 + s3
}

// kernelDot32Int8 is the integer dot product of two blocks of 32 int8 values.
func kernelDot32Int8(a, b *[32]byte) int32 {
	var s0, s1, s2, s3 int32
	for i := 0; i < 32; i += 4 {
		s0 += int32(int8(a[i])) * int32(int8(b[i]))
		s1 += int32(int8(a[i+1])) * int32(int8(b[i+1]))
		s2 += int32(int8(a[i+2])) * int32(int8(b[i+2]))
		s3 += int32(int8(a[i+3])) * int32(int8(b[i+3]))
	}
	return s0 + s1 + s2 + s3
}
