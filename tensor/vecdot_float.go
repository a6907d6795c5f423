package tensor

import (
	"encoding/binary"
	"math"
)

// The float kernels take activations as little-endian float32 values. For
// F16 and BF16 weights MatMul first rounds each activation through F16 or
// BF16 (as ggml converts src1 to the weight's vec_dot_type), so the values
// are exactly the halves ggml multiplies.
//
// They follow ggml's x86 ggml_vec_dot_f32/f16/bf16 (see x86Dot): four
// vectors of eight float32 lanes take fused multiply-adds over steps of 32
// elements and are added up at the end; the tail of a row not a multiple of
// 32 is added one product at a time, in float32 for F32 and in float64 for
// F16 and BF16, as there.

// x86Dot is the accumulator of ggml's AVX2 float dot products: sum[j][l]
// collects the products of elements 32i+8j+l.
type x86Dot [4][8]float32

// add accumulates a·b over len(a) elements, a multiple of 32.
func (s *x86Dot) add(a, b []float32) {
	b = b[:len(a)]
	for i := 0; i+32 <= len(a); i += 32 {
		x := (*[32]float32)(a[i : i+32])
		y := (*[32]float32)(b[i : i+32])
		for j := 0; j < 4; j++ {
			v := &s[j]
			for l := 0; l < 8; l++ {
				v[l] = fma32(x[8*j+l], y[8*j+l], v[l])
			}
		}
	}
}

// sum reduces the accumulator as GGML_F32x8_REDUCE does: the four vectors
// pairwise, then the eight lanes of what is left.
func (s *x86Dot) sum() float32 {
	var v [8]float32
	for l := range v {
		v[l] = (s[0][l] + s[2][l]) + (s[1][l] + s[3][l])
	}
	t0, t1, t2, t3 := v[0]+v[4], v[1]+v[5], v[2]+v[6], v[3]+v[7]
	return (t0 + t1) + (t2 + t3)
}

// dotF32F32 is ggml_vec_dot_f32: F32 weights times F32 activations.
func dotF32F32(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	dotFloatRows(n, w, x, xStride, nx, out, outStride, 4, kernelF32Row, false)
}

// dotF16F16 is ggml_vec_dot_f16: F16 weights times activations rounded to F16.
func dotF16F16(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	dotFloatRows(n, w, x, xStride, nx, out, outStride, 2, kernelF16Row, true)
}

// dotBF16BF16 is ggml_vec_dot_bf16: BF16 weights times activations rounded to BF16.
func dotBF16BF16(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	dotFloatRows(n, w, x, xStride, nx, out, outStride, 2, kernelBF16Row, true)
}

// kernelFloatChunk is how many weights are decoded to float32 at a time, so
// a chunk is reused from L1 for every token of the tile; a multiple of 32.
const kernelFloatChunk = 256

// dotFloatRows decodes a weight row (size bytes per element) chunk by chunk
// and multiplies each chunk with every activation row of the tile, keeping
// one x86Dot per token across chunks. wideTail adds the tail products in
// float64 (F16, BF16) rather than float32 (F32).
func dotFloatRows(n int, w, x []byte, xStride, nx int, out []float32, outStride int,
	size int, decode func(src []byte, dst []float32), wideTail bool) {
	var wbuf, xbuf [kernelFloatChunk]float32
	var acc [kernelTile]x86Dot
	body := n &^ 31
	for c := 0; c < body; c += kernelFloatChunk {
		m := min(kernelFloatChunk, body-c)
		decode(w[size*c:size*(c+m)], wbuf[:m])
		for t := 0; t < nx; t++ {
			kernelF32Row(x[t*xStride+4*c:t*xStride+4*(c+m)], xbuf[:m])
			acc[t].add(wbuf[:m], xbuf[:m])
		}
	}
	tail := n - body
	if tail > 0 {
		decode(w[size*body:size*n], wbuf[:tail])
	}
	for t := 0; t < nx; t++ {
		s := acc[t].sum()
		if tail > 0 {
			kernelF32Row(x[t*xStride+4*body:t*xStride+4*n], xbuf[:tail])
			if wideTail {
				sd := float64(s)
				for i := 0; i < tail; i++ {
					sd += float64(wbuf[i] * xbuf[i])
				}
				s = float32(sd)
			} else {
				for i := 0; i < tail; i++ {
					s += wbuf[i] * xbuf[i]
				}
			}
		}
		out[t*outStride] = s
	}
}

// kernelF32Row decodes len(dst) little-endian float32 values from src.
func kernelF32Row(src []byte, dst []float32) {
	src = src[:4*len(dst)]
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

// kernelF16Row decodes len(dst) little-endian halves from src.
func kernelF16Row(src []byte, dst []float32) {
	src = src[:2*len(dst)]
	for i := range dst {
		h := uint16(src[2*i]) | uint16(src[2*i+1])<<8
		if h&0x7c00-0x400 >= 0x7800 { // exponent 0 or 31: zero, subnormal, Inf, NaN
			dst[i] = F16ToF32(h)
			continue
		}
		u := uint32(h)
		dst[i] = math.Float32frombits(u&0x8000<<16 | (u&0x7fff<<13 + 0x38000000))
	}
}

// kernelBF16Row decodes len(dst) little-endian bfloat16 values from src.
func kernelBF16Row(src []byte, dst []float32) {
	src = src[:2*len(dst)]
	for i := range dst {
		dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(src[2*i:])) << 16)
	}
}
