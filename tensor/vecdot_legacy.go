package tensor

import "encoding/binary"

// Kernels for the 32-element block formats. Each builds a weight block's
// packed words once and, for every activation row of the tile, forms the
// block's integer dot product from them and adds it, scaled, to that row's
// float32 sum with the operations of ggml's generic C in its order.
//
// Packed activation blocks (see swarPacking) start with d (f16) and, for
// Q8_1, s = d·Σq (f16); the words follow at byte 4.

// legacyBlockWords is the packed weight words of one 32-element block.
type legacyBlockWords [8]uint64

// dot4 returns the block's integer dot product with packed activation words
// of four 16-bit lanes.
func (a *legacyBlockWords) dot4(b *[64]byte) int32 {
	return swarDot4(a[0], binary.LittleEndian.Uint64(b[0:])) +
		swarDot4(a[1], binary.LittleEndian.Uint64(b[8:])) +
		swarDot4(a[2], binary.LittleEndian.Uint64(b[16:])) +
		swarDot4(a[3], binary.LittleEndian.Uint64(b[24:])) +
		swarDot4(a[4], binary.LittleEndian.Uint64(b[32:])) +
		swarDot4(a[5], binary.LittleEndian.Uint64(b[40:])) +
		swarDot4(a[6], binary.LittleEndian.Uint64(b[48:])) +
		swarDot4(a[7], binary.LittleEndian.Uint64(b[56:]))
}

// x86Lanes holds, per token, the eight float32 lanes of ggml's AVX2 block
// kernels: lane l accumulates, by fused multiply-add, the block scale times
// the integer sum of elements 4l..4l+3 of every block.
type x86Lanes [kernelTile][8]float32

// add fuses d·p[l] into token t's lanes.
func (a *x86Lanes) add(t int, d float32, p *[8]int32) {
	v := &a[t]
	for l, x := range p {
		v[l] = kernelFMA32(d, float32(x), v[l])
	}
}

// sum returns token t's lanes added as ggml's hsum_float_8 adds them.
func (a *x86Lanes) sum(t int) float32 {
	v := &a[t]
	return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7]))
}

// lanes4 returns the eight lane sums of a block: word l holds elements
// 4l..4l+3, exactly an AVX2 lane.
func (a *legacyBlockWords) lanes4(b *[64]byte) (p [8]int32) {
	for l := range p {
		p[l] = swarDot4(a[l], binary.LittleEndian.Uint64(b[8*l:]))
	}
	return p
}

// nibbles sets the words of a block of 16 bytes of nibble pairs (low
// nibbles are elements 0..15, high nibbles 16..31), adding high[g] to word
// g (the fifth bits) and subtracting bias from every lane.
func (a *legacyBlockWords) nibbles(qs *[16]byte, high *[8]uint64, bias uint64) {
	for g := 0; g < 4; g++ {
		v := swarSpread(binary.LittleEndian.Uint32(qs[4*g:]))
		a[g] = (v & swarLow4) + high[g] - bias
		a[4+g] = (v >> 4 & swarLow4) + high[4+g] - bias
	}
}

// kernelQ5High returns the words holding 16 for every set bit of qh.
func kernelQ5High(qh uint32) (h [8]uint64) {
	for g := range h {
		h[g] = swarBits4[qh>>(4*g)&15]
	}
	return h
}

// legacyPacked returns the packed activation block i of the token at off.
func legacyPacked(x []byte, off, i int, size int) []byte {
	return x[off+size*i : off+size*(i+1)]
}

// dotQ4_0Q8_0 is ggml_gemv_q4_0_8x8_q8_0 (AVX2), which llama.cpp's x86 build
// runs on the Q4_0 weights it repacks: one float32 sum per row, one fused
// multiply-add of the block's integer sum with d·d8 per block.
func dotQ4_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc [kernelTile]float32
	var a legacyBlockWords
	var none [8]uint64
	size := swarQ8_0Four.packed
	for ib := 0; ib < n/32; ib++ {
		b := w[18*ib : 18*ib+18]
		dw := kernelF16At(b)
		a.nibbles((*[16]byte)(b[2:18]), &none, 8*swarOnes4)
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			sumi := a.dot4((*[64]byte)(y[4:68]))
			acc[t] = kernelFMA32(float32(sumi), dw*kernelF16At(y), acc[t])
		}
	}
	kernelStore(acc[:nx], out, outStride)
}

// dotQ4_1Q8_1 is ggml_vec_dot_q4_1_q8_1.
func dotQ4_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var summs [kernelTile]float32
	var a legacyBlockWords
	var none [8]uint64
	size := swarQ8_1Four.packed
	for ib := 0; ib < n/32; ib++ {
		b := w[20*ib : 20*ib+20]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		a.nibbles((*[16]byte)(b[4:20]), &none, 0)
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			summs[t] += mw * kernelF16At(y[2:])
			p := a.lanes4((*[64]byte)(y[4:68]))
			acc.add(t, dw*kernelF16At(y), &p)
		}
	}
	for t := 0; t < nx; t++ {
		out[t*outStride] = acc.sum(t) + summs[t]
	}
}

// dotQ5_0Q8_0 is ggml_vec_dot_q5_0_q8_0.
func dotQ5_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var a legacyBlockWords
	size := swarQ8_0Four.packed
	for ib := 0; ib < n/32; ib++ {
		b := w[22*ib : 22*ib+22]
		dw := kernelF16At(b)
		high := kernelQ5High(binary.LittleEndian.Uint32(b[2:]))
		a.nibbles((*[16]byte)(b[6:22]), &high, 16*swarOnes4)
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			p := a.lanes4((*[64]byte)(y[4:68]))
			acc.add(t, dw*kernelF16At(y), &p)
		}
	}
	for t := 0; t < nx; t++ {
		out[t*outStride] = acc.sum(t)
	}
}

// dotQ5_1Q8_1 is ggml_vec_dot_q5_1_q8_1.
func dotQ5_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var summs [kernelTile]float32
	var a legacyBlockWords
	size := swarQ8_1Four.packed
	for ib := 0; ib < n/32; ib++ {
		b := w[24*ib : 24*ib+24]
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		high := kernelQ5High(binary.LittleEndian.Uint32(b[4:]))
		a.nibbles((*[16]byte)(b[8:24]), &high, 0)
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			summs[t] += mw * kernelF16At(y[2:])
			p := a.lanes4((*[64]byte)(y[4:68]))
			acc.add(t, dw*kernelF16At(y), &p)
		}
	}
	for t := 0; t < nx; t++ {
		out[t*outStride] = acc.sum(t) + summs[t]
	}
}

// pairWords is a 32-element block as 16 words of two 32-bit lanes.
type pairWords [16]uint64

// lanes2 returns the eight lane sums of a block: words 2l and 2l+1 hold
// elements 4l..4l+3, exactly an AVX2 lane.
func (a *pairWords) lanes2(b *[128]byte) (p [8]int32) {
	for l := range p {
		p[l] = swarDot2(a[2*l], binary.LittleEndian.Uint64(b[16*l:])) +
			swarDot2(a[2*l+1], binary.LittleEndian.Uint64(b[16*l+8:]))
	}
	return p
}

// codebook sets the words of 16 bytes of nibble pairs that index values
// (low nibbles are elements 0..15, high nibbles 16..31).
func (a *pairWords) codebook(qs *[16]byte, values *[16]int8) {
	for u := 0; u < 8; u++ {
		v0, v1 := qs[2*u], qs[2*u+1]
		a[u] = swarWord2(int32(values[v0&15]), int32(values[v1&15]))
		a[8+u] = swarWord2(int32(values[v0>>4]), int32(values[v1>>4]))
	}
}

// dotQ8_0Q8_0 is ggml_vec_dot_q8_0_q8_0.
func dotQ8_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var a pairWords
	size := swarQ8_0Two.packed
	for ib := 0; ib < n/32; ib++ {
		b := w[34*ib : 34*ib+34]
		dw := kernelF16At(b)
		q := (*[32]byte)(b[2:34])
		for u := range a {
			a[u] = swarWord2(int32(int8(q[2*u])), int32(int8(q[2*u+1])))
		}
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			p := a.lanes2((*[128]byte)(y[4:132]))
			acc.add(t, dw*kernelF16At(y), &p)
		}
	}
	for t := 0; t < nx; t++ {
		out[t*outStride] = acc.sum(t)
	}
}

// dotIQ4_NLQ8_0 is ggml_vec_dot_iq4_nl_q8_0 (AVX2): even and odd blocks
// go to two sets of lanes, added lane by lane at the end; an odd last block
// is added as a scalar.
func dotIQ4_NLQ8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var even, odd x86Lanes
	var tail [kernelTile]float32
	var a pairWords
	size := swarQ8_0Two.packed
	nb := n / 32
	for ib := 0; ib < nb; ib++ {
		b := w[18*ib : 18*ib+18]
		dw := kernelF16At(b)
		a.codebook((*[16]byte)(b[2:18]), &kernelIQ4NLValues)
		for t := 0; t < nx; t++ {
			y := legacyPacked(x, t*xStride, ib, size)
			p := a.lanes2((*[128]byte)(y[4:132]))
			d := kernelF16At(y) * dw
			switch {
			case ib%2 == 1:
				odd.add(t, d, &p)
			case ib+1 < nb:
				even.add(t, d, &p)
			default:
				tail[t] = d * float32(((p[0]+p[1])+(p[2]+p[3]))+((p[4]+p[5])+(p[6]+p[7])))
			}
		}
	}
	for t := 0; t < nx; t++ {
		for l := range even[t] {
			even[t][l] += odd[t][l]
		}
		out[t*outStride] = even.sum(t) + tail[t]
	}
}
