package tensor

import "encoding/binary"

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

// dotQ2_KQ8_K is ggml_vec_dot_q2_K_q8_K.
func dotQ2_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ3_KQ8_K is ggml_vec_dot_q3_K_q8_K.
func dotQ3_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ4_KQ8_K is ggml_vec_dot_q4_K_q8_K.
func dotQ4_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ5_KQ8_K is ggml_vec_dot_q5_K_q8_K.
func dotQ5_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ6_KQ8_K is ggml_vec_dot_q6_K_q8_K.
func dotQ6_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotIQ4_XSQ8_K is ggml_vec_dot_iq4_xs_q8_K.
func dotIQ4_XSQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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
