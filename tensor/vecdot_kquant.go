package tensor

import "encoding/binary"

// Kernels for the 256-element super-block formats against Q8_K activations.
// Each builds a weight super-block's packed words once and reuses them for
// every activation row of the tile.
//
// Q4_K follows ggml's generic C (llama.cpp's x86 build repacks
// Q4_K weights for other kernels). Its Q4_K kernel keeps eight float32
// partial sums, one per lane (element index mod 8), and adds them up at the
// end; the packed words here never mix lanes, so the eight integer lane sums
// are the generic C's aux32 and the float32 operations that follow are its
// own. Q2_K, Q3_K, Q5_K and Q6_K are in vecdot_kx86.go.
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

// stridedWords is a Q4_K super-block as 64 words of four 16-bit lanes:
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

// dot finishes ggml_vec_dot_q4_K_q8_K: per token, the lane
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

// dotIQ4_XSQ8_K is ggml_vec_dot_iq4_xs_q8_K (AVX2): eight lanes of four
// consecutive elements of each 32-element sub-block, scaled by the
// sub-block scale, fused into float32 lanes per super-block.
func dotIQ4_XSQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var a [8]pairWords
	var ls [8]int32
	size := swarQ8KTwo.packed
	for i := 0; i < n/QK_K; i++ {
		b := w[136*i : 136*i+136]
		dw := kernelF16At(b)
		h := binary.LittleEndian.Uint16(b[2:])
		for ib := 0; ib < 8; ib += 2 {
			sl := b[4+ib/2]
			ls[ib] = int32(sl&0xf|byte(h<<4)&0x30) - 32
			ls[ib+1] = int32(sl>>4|byte(h<<2)&0x30) - 32
			h >>= 4
		}
		for ib := range a {
			a[ib].codebook((*[16]byte)(b[8+16*ib:8+16*ib+16]), &kernelIQ4NLValues)
		}
		for t := 0; t < nx; t++ {
			y := kPacked(x, t*xStride, i, size)
			var p [8]int32
			for ib := range a {
				q := a[ib].lanes2((*[128]byte)(y[kHeader+128*ib : kHeader+128*ib+128]))
				for l, v := range q {
					p[l] += ls[ib] * v
				}
			}
			acc.add(t, dw*kernelF32At(y), &p)
		}
	}
	for t := 0; t < nx; t++ {
		out[t*outStride] = acc.sum(t)
	}
}
