package tensor

// Kernels for the 32-element block formats. Each decodes a weight block to
// int8 once, then for every activation row of the tile forms the block's
// integer dot product and adds it, scaled, to that row's float32 sum with
// the same operations in the same order as ggml's generic C.
//
// Activation blocks: Q8_0 is d (f16) + 32 int8; Q8_1 is d (f16), s = d·Σq
// (f16) + 32 int8.

// kernelIQ4NLValues is the IQ4_NL/IQ4_XS codebook (ggml's kvalues_iq4nl).
var kernelIQ4NLValues = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// kernelQ8Quants returns the 32 quants of the activation block at off.
func kernelQ8Quants(x []byte, off int) *[32]byte { return (*[32]byte)(x[off : off+32]) }

// dotQ4_0Q8_0 is ggml_vec_dot_q4_0_q8_0.
func dotQ4_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ4_1Q8_1 is ggml_vec_dot_q4_1_q8_1.
func dotQ4_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ5_0Q8_0 is ggml_vec_dot_q5_0_q8_0.
func dotQ5_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ5_1Q8_1 is ggml_vec_dot_q5_1_q8_1.
func dotQ5_1Q8_1(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotQ8_0Q8_0 is ggml_vec_dot_q8_0_q8_0.
func dotQ8_0Q8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// dotIQ4_NLQ8_0 is ggml_vec_dot_iq4_nl_q8_0.
func dotIQ4_NLQ8_0(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
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

// kernelStore writes the per-token sums to out with the given stride.
func kernelStore(acc []float32, out []float32, outStride int) {
	for t, v := range acc {
		out[t*outStride] = v
	}
}
