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
// ggml's generic ggml_vec_dot_f32/f16/bf16 form each product in float32 and
// add it to a double. These kernels do the same, with four double
// accumulators added at the end: the products are exact for F16 and BF16
// and the sum is a double, so the order changes the float32 result only in
// rare last-bit cases. (llama.cpp's x86 build hands these types to its
// llamafile sgemm, whose order differs again; following the generic C keeps
// them fast.)

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
				v[l] = kernelFMA32(x[8*j+l], y[8*j+l], v[l])
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
	w = w[:4*n]
	for t := 0; t < nx; t++ {
		y := x[t*xStride : t*xStride+4*n]
		var s0, s1, s2, s3 float64
		i := 0
		for ; i+16 <= len(w); i += 16 {
			a := w[i : i+16 : i+16]
			b := y[i : i+16 : i+16]
			s0 += float64(kernelF32At(a[0:]) * kernelF32At(b[0:]))
			s1 += float64(kernelF32At(a[4:]) * kernelF32At(b[4:]))
			s2 += float64(kernelF32At(a[8:]) * kernelF32At(b[8:]))
			s3 += float64(kernelF32At(a[12:]) * kernelF32At(b[12:]))
		}
		for ; i < len(w); i += 4 {
			s0 += float64(kernelF32At(w[i:]) * kernelF32At(y[i:]))
		}
		out[t*outStride] = float32((s0 + s1) + (s2 + s3))
	}
}

// dotF16F16 is ggml_vec_dot_f16: F16 weights times activations rounded to F16.
func dotF16F16(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	dotHalfRows(n, w, x, xStride, nx, out, outStride, kernelF16Row)
}

// dotBF16BF16 is ggml_vec_dot_bf16: BF16 weights times activations rounded to BF16.
func dotBF16BF16(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	dotHalfRows(n, w, x, xStride, nx, out, outStride, kernelBF16Row)
}

// kernelHalfChunk is how many 16-bit weights are decoded to float32 at a
// time, so a chunk is reused from L1 for every token of the tile.
const kernelHalfChunk = 256

// dotHalfRows decodes a 16-bit weight row chunk by chunk and multiplies each
// chunk with every activation row of the tile. The per-token double sums run
// over the whole row in the same order as a single dot product would.
func dotHalfRows(n int, w, x []byte, xStride, nx int, out []float32, outStride int, decode func(src []byte, dst []float32)) {
	var buf [kernelHalfChunk]float32
	var acc [kernelTile][4]float64
	for c := 0; c < n; c += kernelHalfChunk {
		m := min(kernelHalfChunk, n-c)
		decode(w[2*c:2*(c+m)], buf[:m])
		for t := 0; t < nx; t++ {
			y := x[t*xStride+4*c : t*xStride+4*(c+m)]
			s0, s1, s2, s3 := acc[t][0], acc[t][1], acc[t][2], acc[t][3]
			i := 0
			for ; i+4 <= m; i += 4 {
				b := y[4*i : 4*i+16 : 4*i+16]
				s0 += float64(buf[i] * kernelF32At(b[0:]))
				s1 += float64(buf[i+1] * kernelF32At(b[4:]))
				s2 += float64(buf[i+2] * kernelF32At(b[8:]))
				s3 += float64(buf[i+3] * kernelF32At(b[12:]))
			}
			for ; i < m; i++ {
				s0 += float64(buf[i] * kernelF32At(y[4*i:]))
			}
			acc[t] = [4]float64{s0, s1, s2, s3}
		}
	}
	for t := 0; t < nx; t++ {
		s := &acc[t]
		out[t*outStride] = float32((s[0] + s[1]) + (s[2] + s[3]))
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
