package tensor

import "encoding/binary"

// Kernels for the 256-element super-block formats against Q8_K activations.
// Each builds a weight super-block's packed words once and reuses them for
// every activation row of the tile.
//
// ggml's generic Q3_K..Q6_K kernels keep eight float32 partial sums, one per
// lane (element index mod 8), and add them up at the end. The packed words
// of those kernels never mix lanes, so the eight integer lane sums here are
// the generic C's aux32 and the float32 operations that follow are its own.
//
// Packed activation blocks (see swarPacking) start with d (float32) and the
// 16 group sums (int16); the words follow at byte 36.

const kHeader = 36 // bytes before the words in a packed Q8_K block

// kPacked returns the packed activation block i of the token at off.
func kPacked(x []byte, off, i int, size int) []byte {
	return x[off+size*i : off+size*(i+1)]
}

// kBsum returns group sum j of a packed Q8_K block.
func kBsum(y []byte, j int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(y[4+2*j:])))
}

// dotQ2_KQ8_K is ggml_vec_dot_q2_K_q8_K. The 4-bit group scales are folded
// into the words (at most 3·15 per lane), since only the total is needed.
func dotQ2_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var a [64]uint64
	size := swarQ8KFour.packed
	for i := 0; i < n/QK_K; i++ {
		b := w[84*i : 84*i+84]
		sc := (*[16]byte)(b[0:16])
		dw, mw := kernelF16At(b[80:]), kernelF16At(b[82:])
		for k := 0; k < 2; k++ {
			for m := 0; m < 8; m++ {
				v := swarSpread(binary.LittleEndian.Uint32(b[16+32*k+4*m:]))
				for j := 0; j < 4; j++ {
					e := 128*k + 32*j + 4*m // first element of the word
					a[e/4] = (v >> (2 * j) & (3 * swarOnes4)) * uint64(sc[e/16]&15)
				}
			}
		}
		for t := 0; t < nx; t++ {
			y := kPacked(x, t*xStride, i, size)
			yd := kernelF32At(y)
			var summs int32
			for j := 0; j < 16; j++ {
				summs += kBsum(y, j) * int32(sc[j]>>4)
			}
			words := (*[512]byte)(y[kHeader:])
			var s0, s1 int32
			for u := 0; u < 64; u += 2 {
				s0 += swarDot4(a[u], binary.LittleEndian.Uint64(words[8*u:]))
				s1 += swarDot4(a[u+1], binary.LittleEndian.Uint64(words[8*u+8:]))
			}
			dall, dmin := yd*dw, yd*mw
			acc[t] += dall*float32(s0+s1) - dmin*float32(summs)
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// stridedWords is a Q4_K/Q5_K super-block as 64 words of four 16-bit lanes:
// word 8s+l holds elements l, l+8, l+16, l+24 of sub-block s; sc[s] is the
// sub-block's scale.
type stridedWords struct {
	w  [64]uint64
	sc [8]int32
}

// lanes returns ggml's eight lane sums Σ sc·a·q8 with the packed activation
// words of one super-block.
func (k *stridedWords) lanes(words *[512]byte) [8]int32 {
	var l0, l1, l2, l3, l4, l5, l6, l7 int32
	for s := 0; s < 8; s++ {
		a := (*[8]uint64)(k.w[8*s : 8*s+8])
		b := (*[64]byte)(words[64*s : 64*s+64])
		c := k.sc[s]
		l0 += c * swarDot4(a[0], binary.LittleEndian.Uint64(b[0:]))
		l1 += c * swarDot4(a[1], binary.LittleEndian.Uint64(b[8:]))
		l2 += c * swarDot4(a[2], binary.LittleEndian.Uint64(b[16:]))
		l3 += c * swarDot4(a[3], binary.LittleEndian.Uint64(b[24:]))
		l4 += c * swarDot4(a[4], binary.LittleEndian.Uint64(b[32:]))
		l5 += c * swarDot4(a[5], binary.LittleEndian.Uint64(b[40:]))
		l6 += c * swarDot4(a[6], binary.LittleEndian.Uint64(b[48:]))
		l7 += c * swarDot4(a[7], binary.LittleEndian.Uint64(b[56:]))
	}
	return [8]int32{l0, l1, l2, l3, l4, l5, l6, l7}
}

// dot finishes ggml_vec_dot_q4_K_q8_K and _q5_K_q8_K: per token, the lane
// sums scaled by d, minus dmin times the mins against the group sums.
func (k *stridedWords) dot(s *kernelLaneSums, mins *[8]int32, dw, mw float32, x []byte, xStride, nx, i int) {
	size := swarQ8KStrided.packed
	for t := 0; t < nx; t++ {
		y := kPacked(x, t*xStride, i, size)
		yd := kernelF32At(y)
		var sumi int32
		for j := 0; j < 16; j++ {
			sumi += kBsum(y, j) * mins[j/2]
		}
		lanes := k.lanes((*[512]byte)(y[kHeader:]))
		s.add(t, dw*yd, &lanes)
		s.sumf[t] -= (mw * yd) * float32(sumi)
	}
}

// dotQ4_KQ8_K is ggml_vec_dot_q4_K_q8_K.
func dotQ4_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var k stridedWords
	var sc [16]int32
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[144*i : 144*i+144]
		kernelScalesK4(b[4:16], &sc, &mins)
		for j := 0; j < 4; j++ {
			q := (*[32]byte)(b[16+32*j : 16+32*j+32])
			k.sc[2*j], k.sc[2*j+1] = sc[4*j], sc[4*j+2]
			for l := 0; l < 8; l++ {
				v := swarGather(q, l)
				k.w[16*j+l] = v & swarLow4
				k.w[16*j+8+l] = v >> 4 & swarLow4
			}
		}
		k.dot(&s, &mins, kernelF16At(b), kernelF16At(b[2:]), x, xStride, nx, i)
	}
	s.store(nx, out, outStride)
}

// dotQ5_KQ8_K is ggml_vec_dot_q5_K_q8_K.
func dotQ5_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var k stridedWords
	var sc [16]int32
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[176*i : 176*i+176]
		kernelScalesK4(b[4:16], &sc, &mins)
		hm := (*[32]byte)(b[16:48])
		for j := 0; j < 4; j++ {
			q := (*[32]byte)(b[48+32*j : 48+32*j+32])
			k.sc[2*j], k.sc[2*j+1] = sc[4*j], sc[4*j+2]
			for l := 0; l < 8; l++ {
				v := swarGather(q, l)
				h := swarGather(hm, l)
				k.w[16*j+l] = v&swarLow4 | (h>>(2*j)&swarOnes4)<<4
				k.w[16*j+8+l] = v>>4&swarLow4 | (h>>(2*j+1)&swarOnes4)<<4
			}
		}
		k.dot(&s, &mins, kernelF16At(b), kernelF16At(b[2:]), x, xStride, nx, i)
	}
	s.store(nx, out, outStride)
}

// pairedWords is a Q3_K/Q6_K super-block as 128 words of two 32-bit lanes,
// each value already multiplied by its group scale: word 8g+l holds
// elements l and l+8 of 16-element group g.
type pairedWords [128]uint64

// set fills the words from the decoded values u minus off, times the group
// scales. A word times a scalar multiplies both lanes (as integers modulo
// 2⁶⁴, signed lanes included), so each word costs one multiply.
func (k *pairedWords) set(u *[256]byte, off int32, sc *[16]int32) {
	bias := uint64(off) * (1<<32 + 1)
	for g := 0; g < 16; g++ {
		c := uint64(int64(sc[g]))
		v := (*[16]byte)(u[16*g : 16*g+16])
		a := (*[8]uint64)(k[8*g : 8*g+8])
		for l := 0; l < 8; l++ {
			a[l] = (uint64(v[l]) | uint64(v[l+8])<<32 - bias) * c
		}
	}
}

// lanes returns ggml's eight lane sums with the packed activation words of
// one super-block.
func (k *pairedWords) lanes(words *[1024]byte) [8]int32 {
	var l0, l1, l2, l3, l4, l5, l6, l7 int32
	for g := 0; g < 16; g++ {
		a := (*[8]uint64)(k[8*g : 8*g+8])
		b := (*[64]byte)(words[64*g : 64*g+64])
		l0 += swarDot2(a[0], binary.LittleEndian.Uint64(b[0:]))
		l1 += swarDot2(a[1], binary.LittleEndian.Uint64(b[8:]))
		l2 += swarDot2(a[2], binary.LittleEndian.Uint64(b[16:]))
		l3 += swarDot2(a[3], binary.LittleEndian.Uint64(b[24:]))
		l4 += swarDot2(a[4], binary.LittleEndian.Uint64(b[32:]))
		l5 += swarDot2(a[5], binary.LittleEndian.Uint64(b[40:]))
		l6 += swarDot2(a[6], binary.LittleEndian.Uint64(b[48:]))
		l7 += swarDot2(a[7], binary.LittleEndian.Uint64(b[56:]))
	}
	return [8]int32{l0, l1, l2, l3, l4, l5, l6, l7}
}

// dot adds each token's lane sums scaled by dw·d to its running sums.
func (k *pairedWords) dot(s *kernelLaneSums, dw float32, x []byte, xStride, nx, i int) {
	size := swarQ8KPairs.packed
	for t := 0; t < nx; t++ {
		y := kPacked(x, t*xStride, i, size)
		lanes := k.lanes((*[1024]byte)(y[kHeader:]))
		s.add(t, dw*kernelF32At(y), &lanes)
	}
}

// dotQ3_KQ8_K is ggml_vec_dot_q3_K_q8_K.
func dotQ3_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	const kmask1, kmask2 = 0x03030303, 0x0f0f0f0f
	var s kernelLaneSums
	var k pairedWords
	var u [256]byte
	var sc [16]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[110*i : 110*i+110]
		// Eight elements at a time: the 2-bit value plus 4 when the high bit
		// is set, 0..7; the kernel subtracts 4.
		for c := 0; c < 2; c++ {
			for l := 0; l < 32; l += 8 {
				q := binary.LittleEndian.Uint64(b[32+32*c+l:])
				m := binary.LittleEndian.Uint64(b[l:])
				for j := 0; j < 4; j++ {
					v := q>>(2*j)&0x0303030303030303 | (m>>(4*c+j)&0x0101010101010101)<<2
					binary.LittleEndian.PutUint64(u[128*c+32*j+l:], v)
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
		k.set(&u, 4, &sc)
		k.dot(&s, kernelF16At(b[108:]), x, xStride, nx, i)
	}
	s.store(nx, out, outStride)
}

// dotQ6_KQ8_K is ggml_vec_dot_q6_K_q8_K.
func dotQ6_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var s kernelLaneSums
	var k pairedWords
	var u [256]byte
	var sc [16]int32
	const low4, low2 = 0x0f0f0f0f0f0f0f0f, 0x0303030303030303
	for i := 0; i < n/QK_K; i++ {
		b := w[210*i : 210*i+210]
		// Eight 6-bit values (0..63) at a time; the kernel subtracts 32.
		for c := 0; c < 2; c++ {
			for l := 0; l < 32; l += 8 {
				l0 := binary.LittleEndian.Uint64(b[64*c+l:])
				l1 := binary.LittleEndian.Uint64(b[64*c+32+l:])
				h := binary.LittleEndian.Uint64(b[128+32*c+l:])
				e := u[128*c+l:]
				binary.LittleEndian.PutUint64(e[0:], l0&low4|(h&low2)<<4)
				binary.LittleEndian.PutUint64(e[32:], l1&low4|(h>>2&low2)<<4)
				binary.LittleEndian.PutUint64(e[64:], l0>>4&low4|(h>>4&low2)<<4)
				binary.LittleEndian.PutUint64(e[96:], l1>>4&low4|(h>>6&low2)<<4)
			}
		}
		for j := range sc {
			sc[j] = int32(int8(b[192+j]))
		}
		k.set(&u, 32, &sc)
		k.dot(&s, kernelF16At(b[208:]), x, xStride, nx, i)
	}
	s.store(nx, out, outStride)
}

// dotIQ4_XSQ8_K is ggml_vec_dot_iq4_xs_q8_K.
func dotIQ4_XSQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var a [8]pairWords
	var ls [8]float32
	size := swarQ8KTwo.packed
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
		for ib := range a {
			a[ib].codebook((*[16]byte)(b[8+16*ib:8+16*ib+16]), &kernelIQ4NLValues)
		}
		for t := 0; t < nx; t++ {
			y := kPacked(x, t*xStride, i, size)
			d4d8 := dw * kernelF32At(y)
			v := acc[t]
			for ib := range a {
				sumi := a[ib].dot2((*[128]byte)(y[kHeader+128*ib : kHeader+128*ib+128]))
				v += (d4d8 * ls[ib]) * float32(sumi)
			}
			acc[t] = v
		}
	}
	kernelStore(acc[:nx], out, outStride)
}
