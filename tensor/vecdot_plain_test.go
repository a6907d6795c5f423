package tensor

import "encoding/binary"

// Plain transcriptions of ggml's generic C vec-dot kernels (quants.c), kept
// as the references the packed production kernels must match bit for bit.
// Their helpers (kernelLanes16, kernelLaneSums, kernelScalesK4, ...) are
// shared with the production code.

// Kernels for the 32-element block formats. Each decodes a weight block to
// int8 once, then for every activation row of the tile forms the block's
// integer dot product and adds it, scaled, to that row's float32 sum with
// the same operations in the same order as ggml's generic C.
//
// Activation blocks: Q8_0 is d (f16) + 32 int8; Q8_1 is d (f16), s = d·Σq
// (f16) + 32 int8.

// kernelQ8Quants returns the 32 quants of the activation block at off.
func kernelQ8Quants(x []byte, off int) *[32]byte { return (*[32]byte)(x[off : off+32]) }

// plainDotQ4_0Q8_0 is ggml_vec_dot_q4_0_q8_0.
func plainDotQ4_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var q [32]int8
	for ib := 0; ib < n/32; ib++ {
		b := w[18*ib : 18*ib+18]
		dw := kernelF16At(b)
		qs := (*[16]byte)(b[2:18])
		for j, v := range qs {
			q[j] = int8(v&0x0f) - 8
			q[j+16] = int8(v>>4) - 8
		}
		for t := 0; t < nx; t++ {
			off := t*xStride + 34*ib
			sumi := kernelDot32(&q, kernelQ8Quants(x, off+2))
			acc[t] += float32(sumi) * dw * kernelF16At(x[off:])
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// plainDotQ4_1Q8_1 is ggml_vec_dot_q4_1_q8_1.
func plainDotQ4_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var q [32]int8
	for ib := 0; ib < n/32; ib++ {
		b := w[20*ib : 20*ib+20]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		qs := (*[16]byte)(b[4:20])
		for j, v := range qs {
			q[j] = int8(v & 0x0f)
			q[j+16] = int8(v >> 4)
		}
		for t := 0; t < nx; t++ {
			off := t*xStride + 36*ib
			sumi := kernelDot32(&q, kernelQ8Quants(x, off+4))
			acc[t] += (dw*kernelF16At(x[off:]))*float32(sumi) + mw*kernelF16At(x[off+2:])
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// kernelQ5Decode decodes the 32 five-bit values of a Q5_0/Q5_1 block (high
// bits qh, low nibbles qs) minus bias.
func kernelQ5Decode(q *[32]int8, qh uint32, qs *[16]byte, bias int8) {
	for j, v := range qs {
		h0 := int8((qh>>uint(j))&1) << 4
		h1 := int8((qh>>uint(j+16))&1) << 4
		q[j] = (int8(v&0x0f) | h0) - bias
		q[j+16] = (int8(v>>4) | h1) - bias
	}
}

// plainDotQ5_0Q8_0 is ggml_vec_dot_q5_0_q8_0.
func plainDotQ5_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var q [32]int8
	for ib := 0; ib < n/32; ib++ {
		b := w[22*ib : 22*ib+22]
		dw := kernelF16At(b)
		qh := uint32(b[2]) | uint32(b[3])<<8 | uint32(b[4])<<16 | uint32(b[5])<<24
		kernelQ5Decode(&q, qh, (*[16]byte)(b[6:22]), 16)
		for t := 0; t < nx; t++ {
			off := t*xStride + 34*ib
			sumi := kernelDot32(&q, kernelQ8Quants(x, off+2))
			acc[t] += (dw * kernelF16At(x[off:])) * float32(sumi)
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// plainDotQ5_1Q8_1 is ggml_vec_dot_q5_1_q8_1.
func plainDotQ5_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var q [32]int8
	for ib := 0; ib < n/32; ib++ {
		b := w[24*ib : 24*ib+24]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		qh := uint32(b[4]) | uint32(b[5])<<8 | uint32(b[6])<<16 | uint32(b[7])<<24
		kernelQ5Decode(&q, qh, (*[16]byte)(b[8:24]), 0)
		for t := 0; t < nx; t++ {
			off := t*xStride + 36*ib
			sumi := kernelDot32(&q, kernelQ8Quants(x, off+4))
			acc[t] += (dw*kernelF16At(x[off:]))*float32(sumi) + mw*kernelF16At(x[off+2:])
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// plainDotQ8_0Q8_0 is ggml_vec_dot_q8_0_q8_0.
func plainDotQ8_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	for ib := 0; ib < n/32; ib++ {
		b := w[34*ib : 34*ib+34]
		dw := kernelF16At(b)
		q := (*[32]byte)(b[2:34])
		for t := 0; t < nx; t++ {
			off := t*xStride + 34*ib
			sumi := kernelDot32Int8(q, kernelQ8Quants(x, off+2))
			acc[t] += float32(sumi) * (dw * kernelF16At(x[off:]))
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// plainDotIQ4_NLQ8_0 is ggml_vec_dot_iq4_nl_q8_0.
func plainDotIQ4_NLQ8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var q [32]int8
	for ib := 0; ib < n/32; ib++ {
		b := w[18*ib : 18*ib+18]
		dw := kernelF16At(b)
		qs := (*[16]byte)(b[2:18])
		for j, v := range qs {
			q[j] = kernelIQ4NLValues[v&0x0f]
			q[j+16] = kernelIQ4NLValues[v>>4]
		}
		for t := 0; t < nx; t++ {
			off := t*xStride + 34*ib
			sumi := kernelDot32(&q, kernelQ8Quants(x, off+2))
			acc[t] += (kernelF16At(x[off:]) * dw) * float32(sumi)
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// Kernels for the 256-element super-block formats against Q8_K activations
// (d as float32, 256 int8 quants, 16 int16 sums of 16 quants each). Each
// decodes a weight super-block to int8 once and reuses it for every
// activation row of the tile.
//
// ggml's generic Q3_K..Q6_K kernels keep eight float32 partial sums, one per
// lane (element index mod 8), and add them up at the end; the lane sums here
// are built the same way so the float32 operations match.

const q8KSize = 292 // bytes of one Q8_K block

// kernelQ8K returns the parts of the Q8_K activation block at off: its
// scale, its quants and its group sums.
func kernelQ8K(x []byte, off int) (d float32, q *[256]byte, bsums *[32]byte) {
	b := x[off : off+q8KSize]
	return kernelF32At(b), (*[256]byte)(b[4:260]), (*[32]byte)(b[260:292])
}

// kernelBsum returns the j-th group sum of a Q8_K block.
func kernelBsum(bsums *[32]byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(bsums[2*j:])))
}

// kernelLanes16 returns, for each lane l, Σ_g sc[g]·Σ a[e]·q[e] over groups
// g of 16 elements and the elements e ≡ l (mod 8) of each group.
func kernelLanes16(a *[256]int8, q *[256]byte, sc *[16]int32) [8]int32 {
	var l0, l1, l2, l3, l4, l5, l6, l7 int32
	for g := 0; g < 16; g++ {
		c := sc[g]
		x := (*[16]int8)(a[16*g : 16*g+16])
		y := (*[16]byte)(q[16*g : 16*g+16])
		l0 += c * (int32(x[0])*int32(int8(y[0])) + int32(x[8])*int32(int8(y[8])))
		l1 += c * (int32(x[1])*int32(int8(y[1])) + int32(x[9])*int32(int8(y[9])))
		l2 += c * (int32(x[2])*int32(int8(y[2])) + int32(x[10])*int32(int8(y[10])))
		l3 += c * (int32(x[3])*int32(int8(y[3])) + int32(x[11])*int32(int8(y[11])))
		l4 += c * (int32(x[4])*int32(int8(y[4])) + int32(x[12])*int32(int8(y[12])))
		l5 += c * (int32(x[5])*int32(int8(y[5])) + int32(x[13])*int32(int8(y[13])))
		l6 += c * (int32(x[6])*int32(int8(y[6])) + int32(x[14])*int32(int8(y[14])))
		l7 += c * (int32(x[7])*int32(int8(y[7])) + int32(x[15])*int32(int8(y[15])))
	}
	return [8]int32{l0, l1, l2, l3, l4, l5, l6, l7}
}

// plainDotQ2_KQ8_K is ggml_vec_dot_q2_K_q8_K.
func plainDotQ2_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var a [256]int8
	for i := 0; i < n/QK_K; i++ {
		b := w[84*i : 84*i+84]
		sc := (*[16]byte)(b[0:16])
		qs := (*[64]byte)(b[16:80])
		dw, mw := kernelF16At(b[80:]), kernelF16At(b[82:])
		for k := 0; k < 2; k++ {
			for j := 0; j < 4; j++ {
				dst := (*[32]int8)(a[128*k+32*j : 128*k+32*j+32])
				src := (*[32]byte)(qs[32*k : 32*k+32])
				for l, v := range src {
					dst[l] = int8(v>>(2*j)) & 3
				}
			}
		}
		for t := 0; t < nx; t++ {
			yd, q8, bsums := kernelQ8K(x, t*xStride+q8KSize*i)
			var summs, isum int32
			for j := 0; j < 16; j++ {
				summs += kernelBsum(bsums, j) * int32(sc[j]>>4)
			}
			for g := 0; g < 16; g++ {
				isum += int32(sc[g]&0xf) * kernelDot16((*[16]int8)(a[16*g:16*g+16]), (*[16]byte)(q8[16*g:16*g+16]))
			}
			dall, dmin := yd*dw, yd*mw
			acc[t] += dall*float32(isum) - dmin*float32(summs)
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// plainDotQ3_KQ8_K is ggml_vec_dot_q3_K_q8_K.
func plainDotQ3_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	const kmask1, kmask2 = 0x03030303, 0x0f0f0f0f
	var s kernelLaneSums
	var a [256]int8
	var sc [16]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[110*i : 110*i+110]
		hm := (*[32]byte)(b[0:32])
		qs := (*[64]byte)(b[32:96])
		dw := kernelF16At(b[108:])
		for c := 0; c < 2; c++ {
			q3 := (*[32]byte)(qs[32*c : 32*c+32])
			for j := 0; j < 4; j++ {
				m := byte(1) << (4*c + j)
				dst := (*[32]int8)(a[128*c+32*j : 128*c+32*j+32])
				for l, v := range q3 {
					d := int8(v>>(2*j)) & 3
					if hm[l]&m == 0 {
						d -= 4
					}
					dst[l] = d
				}
			}
		}
		a0 := binary.LittleEndian.Uint32(b[96:])
		a1 := binary.LittleEndian.Uint32(b[100:])
		tmp := binary.LittleEndian.Uint32(b[104:])
		aux := [4]uint32{
			(a0 & kmask2) | (((tmp >> 0) & kmask1) << 4),
			(a1 & kmask2) | (((tmp >> 2) & kmask1) << 4),
			((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4),
			((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4),
		}
		for j := range sc {
			sc[j] = int32(int8(aux[j/4]>>(8*(j%4)))) - 32
		}
		for t := 0; t < nx; t++ {
			yd, q8, _ := kernelQ8K(x, t*xStride+q8KSize*i)
			lanes := kernelLanes16(&a, q8, &sc)
			s.add(t, dw*yd, &lanes)
		}
	}
	s.store(nx, out, outStride)
}

// plainDotQ4_KQ8_K is ggml_vec_dot_q4_K_q8_K.
func plainDotQ4_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var a [256]int8
	var sc [16]int32
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[144*i : 144*i+144]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		kernelScalesK4(b[4:16], &sc, &mins)
		for j := 0; j < 4; j++ {
			q4 := (*[32]byte)(b[16+32*j : 16+32*j+32])
			lo := (*[32]int8)(a[64*j : 64*j+32])
			hi := (*[32]int8)(a[64*j+32 : 64*j+64])
			for l, v := range q4 {
				lo[l] = int8(v & 0xf)
				hi[l] = int8(v >> 4)
			}
		}
		for t := 0; t < nx; t++ {
			yd, q8, bsums := kernelQ8K(x, t*xStride+q8KSize*i)
			var sumi int32
			for j := 0; j < 16; j++ {
				sumi += kernelBsum(bsums, j) * mins[j/2]
			}
			lanes := kernelLanes16(&a, q8, &sc)
			s.add(t, dw*yd, &lanes)
			s.sumf[t] -= (mw * yd) * float32(sumi)
		}
	}
	s.store(nx, out, outStride)
}

// plainDotQ5_KQ8_K is ggml_vec_dot_q5_K_q8_K.
func plainDotQ5_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var a [256]int8
	var sc [16]int32
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[176*i : 176*i+176]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		kernelScalesK4(b[4:16], &sc, &mins)
		hm := (*[32]byte)(b[16:48])
		for j := 0; j < 4; j++ {
			q4 := (*[32]byte)(b[48+32*j : 48+32*j+32])
			lo := (*[32]int8)(a[64*j : 64*j+32])
			hi := (*[32]int8)(a[64*j+32 : 64*j+64])
			m1, m2 := byte(1)<<(2*j), byte(2)<<(2*j)
			for l, v := range q4 {
				h := hm[l]
				lo[l] = int8(v & 0xf)
				hi[l] = int8(v >> 4)
				if h&m1 != 0 {
					lo[l] += 16
				}
				if h&m2 != 0 {
					hi[l] += 16
				}
			}
		}
		for t := 0; t < nx; t++ {
			yd, q8, bsums := kernelQ8K(x, t*xStride+q8KSize*i)
			var sumi int32
			for j := 0; j < 16; j++ {
				sumi += kernelBsum(bsums, j) * mins[j/2]
			}
			lanes := kernelLanes16(&a, q8, &sc)
			s.add(t, dw*yd, &lanes)
			s.sumf[t] -= (mw * yd) * float32(sumi)
		}
	}
	s.store(nx, out, outStride)
}

// plainDotQ6_KQ8_K is ggml_vec_dot_q6_K_q8_K.
func plainDotQ6_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var a [256]int8
	var sc [16]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[210*i : 210*i+210]
		dw := kernelF16At(b[208:])
		for c := 0; c < 2; c++ {
			ql := (*[64]byte)(b[64*c : 64*c+64])
			qh := (*[32]byte)(b[128+32*c : 128+32*c+32])
			dst := (*[128]int8)(a[128*c : 128*c+128])
			for l, h := range qh {
				dst[l] = int8(ql[l]&0xf|(h&3)<<4) - 32
				dst[l+32] = int8(ql[l+32]&0xf|((h>>2)&3)<<4) - 32
				dst[l+64] = int8(ql[l]>>4|((h>>4)&3)<<4) - 32
				dst[l+96] = int8(ql[l+32]>>4|((h>>6)&3)<<4) - 32
			}
		}
		for j := range sc {
			sc[j] = int32(int8(b[192+j]))
		}
		for t := 0; t < nx; t++ {
			yd, q8, _ := kernelQ8K(x, t*xStride+q8KSize*i)
			lanes := kernelLanes16(&a, q8, &sc)
			s.add(t, dw*yd, &lanes)
		}
	}
	s.store(nx, out, outStride)
}

// plainDotIQ4_XSQ8_K is ggml_vec_dot_iq4_xs_q8_K.
func plainDotIQ4_XSQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var a [256]int8
	var ls [8]float32
	for i := 0; i < n/QK_K; i++ {
		b := w[136*i : 136*i+136]
		dw := kernelF16At(b)
		h := binary.LittleEndian.Uint16(b[2:])
		for ib := 0; ib < 8; ib += 2 {
			sl := b[4+ib/2]
			ls[ib] = float32(int32(sl&0xf|byte(h<<4)&0x30) - 32)
			ls[ib+1] = float32(int32(sl>>4|byte(h<<2)&0x30) - 32)
			h >>= 4
		}
		for ib := 0; ib < 8; ib++ {
			qs := (*[16]byte)(b[8+16*ib : 8+16*ib+16])
			dst := (*[32]int8)(a[32*ib : 32*ib+32])
			for j, v := range qs {
				dst[j] = kernelIQ4NLValues[v&0xf]
				dst[j+16] = kernelIQ4NLValues[v>>4]
			}
		}
		for t := 0; t < nx; t++ {
			yd, q8, _ := kernelQ8K(x, t*xStride+q8KSize*i)
			d4d8 := dw * yd
			v := acc[t]
			for ib := 0; ib < 8; ib++ {
				sumi := kernelDot32((*[32]int8)(a[32*ib:32*ib+32]), (*[32]byte)(q8[32*ib:32*ib+32]))
				v += (d4d8 * ls[ib]) * float32(sumi)
			}
			acc[t] = v
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

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
