//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// Assembly kernels for K-quant weights on amd64 (vecdot_kquant_amd64.s).
//
// They read raw Q8_K activation blocks (no packing) and follow ggml's AVX2
// kernels: exact 32-bit integer sums per super-block in eight lanes, fused
// into eight float32 lanes with the super-block scale, added up at the end
// as hsum_float_8 does. For Q5_K and Q6_K that is the order the Go kernels
// follow, so the results agree bit for bit (up to the rare double rounding
// of the Go kernels' emulated fused multiply-add). The Go Q4_K kernel
// follows ggml's generic C instead; the assembly one differs from it by
// float32 rounding order only, within 4·(blocks+8)·2⁻²⁴ of the sum of the
// magnitudes of the terms (the bound MatMul's tests use).

// kquantQ8KBytes is the size of one Q8_K block: d, 256 quants, 16 group sums.
const kquantQ8KBytes = 292

// kquantAVX2 reports whether the CPU runs the AVX2 kernels: they use AVX2
// integer instructions, FMA and F16C (for the half-precision scales).
var kquantAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && hasF16C()

// kquantAVX512 reports whether the CPU runs the AVX-512 kernels: 64-byte
// byte and word instructions (AVX512BW) and VPDPWSSD (AVX512_VNNI).
var kquantAVX512 = kquantAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VNNI

// kquantBMI2 reports whether the CPU also has PDEP (BMI2), which the IQ4_XS
// kernel unpacks its scales with.
var kquantBMI2 = kquantAVX2 && cpu.X86.HasBMI2

var _ = registerAccel(func(table *[kernelTypeLimit]vecDotKernel) {
	if !kquantAVX2 {
		return
	}
	table[Q2_K] = vecDotKernel{act: Q8_K, dot: dotQ2_KQ8_KAVX2}
	table[Q3_K] = vecDotKernel{act: Q8_K, dot: dotQ3_KQ8_KAVX2}
	table[Q4_K] = vecDotKernel{act: Q8_K, dot: dotQ4_KQ8_KAVX2}
	if kquantAVX512 {
		table[Q4_K] = vecDotKernel{act: Q8_K, dot: dotQ4_KQ8_KAVX512}
	}
	table[Q5_K] = vecDotKernel{act: Q8_K, dot: dotQ5_KQ8_KAVX2}
	if kquantAVX512 {
		table[Q5_K] = vecDotKernel{act: Q8_K, dot: dotQ5_KQ8_KAVX512}
	}
	table[Q6_K] = vecDotKernel{act: Q8_K, dot: dotQ6_KQ8_KAVX2}
	if kquantAVX512 {
		table[Q6_K] = vecDotKernel{act: Q8_K, dot: dotQ6_KQ8_KAVX512}
	}
	if kquantBMI2 {
		table[IQ4_XS] = vecDotKernel{act: Q8_K, dot: dotIQ4_XSQ8_KAVX2}
	}
})

// kquantCheck validates a K-quant kernel call (at most kernelTile rows,
// slices long enough: it panics otherwise, as the Go kernels do) and returns
// the number of super-blocks; it writes zeros and returns 0 when there is
// nothing to multiply.
func kquantCheck(n, blockBytes int, w, x []byte, xStride, nx int, out []float32, outStride int) int {
	nb := n / QK_K
	if nx <= 0 {
		return 0
	}
	if nx > kernelTile {
		// The assembly keeps kernelTile rows of sums in its frame.
		panic("tensor: K-quant kernel called with more than kernelTile rows")
	}
	_ = out[(nx-1)*outStride]
	if nb == 0 {
		for t := 0; t < nx; t++ {
			out[t*outStride] = 0
		}
		return 0
	}
	_ = w[blockBytes*nb-1]
	_ = x[(nx-1)*xStride+kquantQ8KBytes*nb-1]
	return nb
}

// dotQ4_KQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_q4_K_q8_K for up to kernelTile
// activation rows.
func dotQ4_KQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 144, w, x, xStride, nx, out, outStride); nb > 0 {
		q4KDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ4_KQ8_KAVX512 is dotQ4_KQ8_KAVX2 with AVX-512: the same results.
func dotQ4_KQ8_KAVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 144, w, x, xStride, nx, out, outStride); nb > 0 {
		q4KDotAVX512(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ5_KQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_q5_K_q8_K for up to kernelTile
// activation rows.
func dotQ5_KQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 176, w, x, xStride, nx, out, outStride); nb > 0 {
		q5KDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ5_KQ8_KAVX512 is dotQ5_KQ8_KAVX2 with AVX-512: the same results.
func dotQ5_KQ8_KAVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 176, w, x, xStride, nx, out, outStride); nb > 0 {
		q5KDotAVX512(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ6_KQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_q6_K_q8_K for up to kernelTile
// activation rows.
func dotQ6_KQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 210, w, x, xStride, nx, out, outStride); nb > 0 {
		q6KDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ6_KQ8_KAVX512 is dotQ6_KQ8_KAVX2 with AVX-512: the same results.
func dotQ6_KQ8_KAVX512(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 210, w, x, xStride, nx, out, outStride); nb > 0 {
		q6KDotAVX512(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotIQ4_XSQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_iq4_xs_q8_K for up to
// kernelTile activation rows.
func dotIQ4_XSQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 136, w, x, xStride, nx, out, outStride); nb > 0 {
		iq4XSDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ2_KQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_q2_K_q8_K for up to kernelTile
// activation rows.
func dotQ2_KQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 84, w, x, xStride, nx, out, outStride); nb > 0 {
		q2KDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// dotQ3_KQ8_KAVX2 is ggml's AVX2 ggml_vec_dot_q3_K_q8_K for up to kernelTile
// activation rows.
func dotQ3_KQ8_KAVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nb := kquantCheck(n, 110, w, x, xStride, nx, out, outStride); nb > 0 {
		q3KDotAVX2(&w[0], &x[0], nb, xStride, nx, &out[0], outStride)
	}
}

// q4KDotAVX2 multiplies nb Q4_K super-blocks at w with nx (1..kernelTile)
// rows of nb Q8_K blocks, xStride bytes apart, as ggml's AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		var accm [4]float32
//		for i := 0; i < nb; i++ {
//			b, y := w[144*i:], x[t*xStride+292*i:]
//			sc, mins := the 6-bit scales and mins of b[4:16]
//			var sumi [8]int32
//			for e := 0; e < 256; e++ {
//				sumi[e%32/4] += sc[e/32] * nibble(b[16:], e) * int8(y[4+e])
//			}
//			for k := 0; k < 4; k++ {
//				prodk := mins[2k]·(bsum[4k]+bsum[4k+1]) + mins[2k+1]·(bsum[4k+2]+bsum[4k+3])
//				accm[k] = fma(-y.d·dmin, float32(prodk), accm[k])
//			}
//			for l := range acc {
//				acc[l] = fma(y.d·d, float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc) + ((accm[0]+accm[2]) + (accm[1]+accm[3]))
//	}
//
//go:noescape
func q4KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q4KDotAVX512 computes what q4KDotAVX2 computes (see there), bit for bit,
// with 64-byte vectors and VPDPWSSD:
//
//	for t := 0; t < nx; t++ {
//		out[t*outStride] = the AVX2 reference loop of q4KDotAVX2 for row t
//	}
//
//go:noescape
func q4KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q5KDotAVX2 multiplies nb Q5_K super-blocks at w with nx (1..kernelTile)
// rows of nb Q8_K blocks, xStride bytes apart, as ggml's AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		var summs float32
//		for i := 0; i < nb; i++ {
//			b, y := w[176*i:], x[t*xStride+292*i:]
//			sc, mins := the 6-bit scales and mins of b[4:16]
//			var sumi [8]int32
//			for e := 0; e < 256; e++ {
//				q := nibble(b[48:], e) | (b[16+e%32]>>(e/32)&1)<<4
//				sumi[e%32/4] += sc[e/32] * q * int8(y[4+e])
//			}
//			m := Σ_j mins[j]·(bsum[2j]+bsum[2j+1])
//			summs = fma(-y.d·dmin, float32(m), summs)
//			for l := range acc {
//				acc[l] = fma(y.d·d, float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc) + summs
//	}
//
//go:noescape
func q5KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q5KDotAVX512 computes what q5KDotAVX2 computes (see there), bit for bit,
// with 64-byte vectors and VPDPWSSD:
//
//	for t := 0; t < nx; t++ {
//		out[t*outStride] = the AVX2 reference loop of q5KDotAVX2 for row t
//	}
//
//go:noescape
func q5KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q6KDotAVX2 multiplies nb Q6_K super-blocks at w with nx (1..kernelTile)
// rows of nb Q8_K blocks, xStride bytes apart, as ggml's AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		for i := 0; i < nb; i++ {
//			b, y := w[210*i:], x[t*xStride+292*i:]
//			var sumi [8]int32
//			for e := 0; e < 256; e++ {
//				q := the 6-bit value e of b (low 4 bits in b[0:128], high 2 in b[128:192])
//				sumi[e%32/4] += int8(b[192+e/16]) * (q-32) * int8(y[4+e])
//			}
//			for l := range acc {
//				acc[l] = fma(y.d·fp16(b[208:]), float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc)
//	}
//
//go:noescape
func q6KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q6KDotAVX512 computes what q6KDotAVX2 computes (see there), bit for bit,
// with 64-byte vectors and VPDPWSSD:
//
//	for t := 0; t < nx; t++ {
//		out[t*outStride] = the AVX2 reference loop of q6KDotAVX2 for row t
//	}
//
//go:noescape
func q6KDotAVX512(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// iq4XSDotAVX2 multiplies nb IQ4_XS super-blocks at w with nx
// (1..kernelTile) rows of nb Q8_K blocks, xStride bytes apart, as ggml's
// AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		for i := 0; i < nb; i++ {
//			b, y := w[136*i:], x[t*xStride+292*i:]
//			var sumi [8]int32
//			for e := 0; e < 256; e++ {
//				ib, j := e/32, e%32
//				ls := (b[4+ib/2]>>(4*(ib%2))&15 | (scales_h>>(2*ib)&3)<<4) - 32
//				v := kvalues_iq4nl[b[8+16*ib+j%16]>>(4*(j/16))&15]
//				sumi[j/4] += ls * v * int8(y[4+e])
//			}
//			for l := range acc {
//				acc[l] = fma(fp16(b[0:])·y.d, float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc)
//	}
//
//go:noescape
func iq4XSDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q2KDotAVX2 multiplies nb Q2_K super-blocks at w with nx (1..kernelTile)
// rows of nb Q8_K blocks, xStride bytes apart, as ggml's AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		for i := 0; i < nb; i++ {
//			b, y := w[84*i:], x[t*xStride+292*i:]
//			var prod, sumi [8]int32
//			for l := range prod {
//				prod[l] = int32(b[2l]>>4)·bsum[2l] + int32(b[2l+1]>>4)·bsum[2l+1]
//			}
//			for e := 0; e < 256; e++ {
//				q := b[16+32*(e/128)+e%32] >> (2*(e%128/32)) & 3
//				sumi[e%32/4] += int32(b[e/16]&15) * q * int8(y[4+e])
//			}
//			for l := range acc {
//				acc[l] = fma(-y.d·fp16(b[82:]), float32(prod[l]), acc[l])
//				acc[l] = fma(y.d·fp16(b[80:]), float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc)
//	}
//
//go:noescape
func q2KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)

// q3KDotAVX2 multiplies nb Q3_K super-blocks at w with nx (1..kernelTile)
// rows of nb Q8_K blocks, xStride bytes apart, as ggml's AVX2 kernel:
//
//	for t := 0; t < nx; t++ {
//		var acc [8]float32 // lane l: elements 4l..4l+3 of each 32
//		for i := 0; i < nb; i++ {
//			b, y := w[110*i:], x[t*xStride+292*i:]
//			sc := the 16 signed 6-bit scales of b[96:108]
//			var sumi [8]int32
//			for e := 0; e < 256; e++ {
//				c, j, l := e/128, e%128/32, e%32
//				q := b[32+32*c+l]>>(2*j)&3 + 4*(b[l]>>(4*c+j)&1)
//				sumi[l/4] += sc[e/16] * (q-4) * int8(y[4+e])
//			}
//			for l := range acc {
//				acc[l] = fma(y.d·fp16(b[108:]), float32(sumi[l]), acc[l])
//			}
//		}
//		out[t*outStride] = hsum_float_8(acc)
//	}
//
//go:noescape
func q3KDotAVX2(w, x *byte, nb, xStride, nx int, out *float32, outStride int)
