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
// (its vec_dot_type), and with the packed layout the kernel reads them in.
type vecDotKernel struct {
	act    Type
	dot    vecDotFunc
	pack   *swarPacking  // nil: dot reads rows of act blocks as they are
	rows   vecRowsFunc   // nil: MatMul calls dot once per weight row
	repack *repackFormat // non-nil: activations in the layout of this repacked format's kernels
}

// vecRowsFunc computes the dot products of nw weight rows with up to
// kernelTile activation rows in one call, so a kernel can keep a tile of
// several weight rows and tokens in registers. Weight row i starts at
// w[i*wStride]; activation rows are laid out as for vecDotFunc; the result
// for activation row t and weight row i goes to out[t*outStride+i]. It
// must compute what nw calls of the same kernel's vecDotFunc compute.
type vecRowsFunc func(n int, w []byte, wStride, nw int, x []byte, xStride, nx int, out []float32, outStride int)

// kernelTypeLimit bounds the type ids the kernel table is indexed by.
const kernelTypeLimit = 64

// vecDotGo holds the portable Go kernels. Each computes what one of ggml's
// ggml_vec_dot_<weight>_<activation> computes, bit for bit: the same
// integer block sums (exact, in packed words) and the same float32
// operations in the same order. The quantized kernels follow the AVX2 code
// llama.cpp's x86 build runs (its vec_dot kernels, and for Q4_0, whose
// weights it repacks, ggml_gemv_q4_0_8x8_q8_0), so that herd's numbers match
// the reference numbers that build produces and an AVX2 assembly version can
// match them bit for bit; Q4_K, F32, F16 and BF16 follow the generic C,
// which the shared llama.cpp goldens agree with about as well.
var vecDotGo = [kernelTypeLimit]vecDotKernel{
	F32:    {act: F32, dot: dotF32F32},
	F16:    {act: F16, dot: dotF16F16},
	BF16:   {act: BF16, dot: dotBF16BF16},
	Q4_0:   {act: Q8_0, dot: dotQ4_0Q8_0, pack: swarQ8_0Four},
	Q4_1:   {act: Q8_1, dot: dotQ4_1Q8_1, pack: swarQ8_1Four},
	Q5_0:   {act: Q8_0, dot: dotQ5_0Q8_0, pack: swarQ8_0Four},
	Q5_1:   {act: Q8_1, dot: dotQ5_1Q8_1, pack: swarQ8_1Four},
	Q8_0:   {act: Q8_0, dot: dotQ8_0Q8_0, pack: swarQ8_0Two},
	IQ4_NL: {act: Q8_0, dot: dotIQ4_NLQ8_0, pack: swarQ8_0Two},
	Q2_K:   {act: Q8_K, dot: dotQ2_KQ8_K, pack: swarQ8KFour},
	Q3_K:   {act: Q8_K, dot: dotQ3_KQ8_K, pack: swarQ8KFour},
	Q4_K:   {act: Q8_K, dot: dotQ4_KQ8_K, pack: swarQ8KStrided},
	Q5_K:   {act: Q8_K, dot: dotQ5_KQ8_K, pack: swarQ8KFour},
	Q6_K:   {act: Q8_K, dot: dotQ6_KQ8_K, pack: swarQ8KFour},
	IQ4_XS: {act: Q8_K, dot: dotIQ4_XSQ8_K, pack: swarQ8KTwo},
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

// kernelF16 converts half-precision bits to float32 with an inlinable fast
// path for normal numbers; zeros, subnormals, infinities and NaNs go through
// F16ToF32.
func kernelF16(h uint16) float32 {
	if h&0x7c00-0x400 < 0x7800 { // the exponent is neither 0 nor 31
		u := uint32(h)
		return math.Float32frombits(u&0x8000<<16 | (u&0x7fff<<13 + 0x38000000))
	}
	return kernelF16Special(h)
}

// kernelF16Special is F16ToF32 kept out of line, so kernelF16 stays small.
//
//go:noinline
func kernelF16Special(h uint16) float32 { return F16ToF32(h) }

// kernelF16At reads the little-endian half at b[0:2] as float32.
func kernelF16At(b []byte) float32 { return kernelF16(binary.LittleEndian.Uint16(b)) }

// kernelF32At reads the little-endian float32 at b[0:4].
func kernelF32At(b []byte) float32 { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }

// kernelIQ4NLValues is the IQ4_NL/IQ4_XS codebook (ggml's kvalues_iq4nl).
var kernelIQ4NLValues = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// kernelStore writes the per-token sums to out with the given stride.
func kernelStore(acc []float32, out []float32, outStride int) {
	for t, v := range acc {
		out[t*outStride] = v
	}
}

// kernelLaneSums holds the per-token float32 state of the lane-wise kernels:
// sumf and the eight lane sums of ggml's generic C.
type kernelLaneSums struct {
	sumf [kernelTile]float32
	sums [kernelTile][8]float32
}

// add adds d·lanes to token t's lane sums.
func (s *kernelLaneSums) add(t int, d float32, lanes *[8]int32) {
	p := &s.sums[t]
	for l, v := range lanes {
		p[l] += d * float32(v)
	}
}

// store finishes each token's sum (sumf, then the lanes in order) into out.
func (s *kernelLaneSums) store(nx int, out []float32, outStride int) {
	for t := 0; t < nx; t++ {
		v := s.sumf[t]
		for _, l := range s.sums[t] {
			v += l
		}
		out[t*outStride] = v
	}
}

// kernelScalesK4 unpacks the twelve bytes of 6-bit scales and mins of a
// Q4_K/Q5_K super-block into 16 per-group scales (each 32-element scale
// repeated for its two 16-element groups) and the 8 mins.
func kernelScalesK4(b []byte, sc *[16]int32, mins *[8]int32) {
	const kmask1, kmask2, kmask3 = 0x3f3f3f3f, 0x0f0f0f0f, 0x03030303
	u0 := binary.LittleEndian.Uint32(b[0:])
	u1 := binary.LittleEndian.Uint32(b[4:])
	u2 := binary.LittleEndian.Uint32(b[8:])
	u3 := ((u2 >> 4) & kmask2) | (((u1 >> 6) & kmask3) << 4)
	uaux := u1 & kmask1
	u1 = (u2 & kmask2) | (((u0 >> 6) & kmask3) << 4)
	u2 = uaux
	u0 &= kmask1
	for j := 0; j < 4; j++ {
		s0, s1 := int32(u0>>(8*j)&0xff), int32(u1>>(8*j)&0xff)
		sc[2*j], sc[2*j+1] = s0, s0
		sc[8+2*j], sc[8+2*j+1] = s1, s1
		mins[j], mins[4+j] = int32(u2>>(8*j)&0xff), int32(u3>>(8*j)&0xff)
	}
}

// kernelFMA32 is a float32 fused multiply-add. The product of two float32 values
// is exact in float64, so float64 arithmetic rounds a·b+c only once (fused
// or not), then once more to float32; that differs from a true float32 FMA
// only when the float64 result lands exactly on a float32 tie, about once in
// 2^29 operations.
func kernelFMA32(a, b, c float32) float32 {
	return float32(float64(a)*float64(b) + float64(c))
}
