package tensor

import "encoding/binary"

// The Q2_K, Q3_K, Q5_K and Q6_K kernels follow the float32 operations of
// ggml's x86 (AVX2) kernels rather than its generic C, because llama.cpp's
// reference numbers come from that build: per super-block the integer sums
// of eight lanes (lane l holding elements 4l..4l+3 of every 32-element
// vector) are multiplied by the block scale and fused into eight float32
// accumulators, which are added up at the end as hsum_float_8 adds them.
// The integer sums are exact, so the results match that build bit for bit.

// kWords is a super-block as 64 words of four 16-bit lanes, word w holding
// elements 4w..4w+3 (lane w mod 8 of 32-element vector w/8), with the scale
// of each 16-element group.
type kWords struct {
	w  [64]uint64
	sc [16]int32
}

// set builds the words from decoded unsigned values u minus off.
func (k *kWords) set(u *[256]byte, off uint64) {
	bias := off * swarOnes4
	for w := range k.w {
		k.w[w] = swarSpread(binary.LittleEndian.Uint32(u[4*w:])) - bias
	}
}

// lanes returns the eight lane sums Σ sc·a·q8 with the packed activation
// words of one super-block (consecutive order, see swarQ8KFour).
func (k *kWords) lanes(words *[512]byte) (p [8]int32) {
	var l0, l1, l2, l3, l4, l5, l6, l7 int32
	for v := 0; v < 8; v++ {
		a := (*[8]uint64)(k.w[8*v : 8*v+8])
		b := (*[64]byte)(words[64*v : 64*v+64])
		c0, c1 := k.sc[2*v], k.sc[2*v+1]
		l0 += c0 * swarDot4(a[0], binary.LittleEndian.Uint64(b[0:]))
		l1 += c0 * swarDot4(a[1], binary.LittleEndian.Uint64(b[8:]))
		l2 += c0 * swarDot4(a[2], binary.LittleEndian.Uint64(b[16:]))
		l3 += c0 * swarDot4(a[3], binary.LittleEndian.Uint64(b[24:]))
		l4 += c1 * swarDot4(a[4], binary.LittleEndian.Uint64(b[32:]))
		l5 += c1 * swarDot4(a[5], binary.LittleEndian.Uint64(b[40:]))
		l6 += c1 * swarDot4(a[6], binary.LittleEndian.Uint64(b[48:]))
		l7 += c1 * swarDot4(a[7], binary.LittleEndian.Uint64(b[56:]))
	}
	return [8]int32{l0, l1, l2, l3, l4, l5, l6, l7}
}

// kActivation returns the packed Q8_K block i of token t: its scale d, its
// words, and the block itself (for the group sums, see kBsum).
func kActivation(x []byte, xStride, t, i int) (d float32, words *[512]byte, y []byte) {
	size := swarQ8KFour.packed
	y = x[t*xStride+size*i : t*xStride+size*(i+1)]
	return kernelF32At(y), (*[512]byte)(y[kHeader:]), y
}

// kStore writes hsum of each token's lanes, plus extra[t] when extra is
// not nil.
func kStore(acc *x86Lanes, extra []float32, nx int, out []float32, outStride int) {
	for t := 0; t < nx; t++ {
		v := acc.sum(t)
		if extra != nil {
			v += extra[t]
		}
		out[t*outStride] = v
	}
}

// dotQ2_KQ8_K is ggml_vec_dot_q2_K_q8_K (AVX2).
func dotQ2_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	const low2 = 0x0303030303030303
	var acc x86Lanes
	var k kWords
	var u [256]byte
	var mins [16]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[84*i : 84*i+84]
		for g := 0; g < 16; g++ {
			k.sc[g], mins[g] = int32(b[g]&15), int32(b[g]>>4)
		}
		for c := 0; c < 2; c++ {
			for l := 0; l < 32; l += 8 {
				q := binary.LittleEndian.Uint64(b[16+32*c+l:])
				for j := 0; j < 4; j++ {
					binary.LittleEndian.PutUint64(u[128*c+32*j+l:], q>>(2*j)&low2)
				}
			}
		}
		k.set(&u, 0)
		dw, mw := kernelF16At(b[80:]), kernelF16At(b[82:])
		for t := 0; t < nx; t++ {
			yd, words, y := kActivation(x, xStride, t, i)
			var prod [8]int32
			for l := range prod {
				prod[l] = mins[2*l]*kBsum(y, 2*l) + mins[2*l+1]*kBsum(y, 2*l+1)
			}
			acc.add(t, -yd*mw, &prod)
			p := k.lanes(words)
			acc.add(t, yd*dw, &p)
		}
	}
	kStore(&acc, nil, nx, out, outStride)
}

// dotQ3_KQ8_K is ggml_vec_dot_q3_K_q8_K (AVX2).
func dotQ3_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	const kmask1, kmask2 = 0x03030303, 0x0f0f0f0f
	var acc x86Lanes
	var k kWords
	var u [256]byte
	for i := 0; i < n/QK_K; i++ {
		b := w[110*i : 110*i+110]
		// Eight elements at a time: the 2-bit value plus 4 when the high bit
		// is set, 0..7; set subtracts 4.
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
		k.set(&u, 4)
		a0 := binary.LittleEndian.Uint32(b[96:])
		a1 := binary.LittleEndian.Uint32(b[100:])
		tmp := binary.LittleEndian.Uint32(b[104:])
		aux := [4]uint32{
			(a0 & kmask2) | (((tmp >> 0) & kmask1) << 4),
			(a1 & kmask2) | (((tmp >> 2) & kmask1) << 4),
			((a0 >> 4) & kmask2) | (((tmp >> 4) & kmask1) << 4),
			((a1 >> 4) & kmask2) | (((tmp >> 6) & kmask1) << 4),
		}
		for j := range k.sc {
			k.sc[j] = int32(int8(aux[j/4]>>(8*(j%4)))) - 32
		}
		dw := kernelF16At(b[108:])
		for t := 0; t < nx; t++ {
			yd, words, _ := kActivation(x, xStride, t, i)
			p := k.lanes(words)
			acc.add(t, yd*dw, &p)
		}
	}
	kStore(&acc, nil, nx, out, outStride)
}

// dotQ5_KQ8_K is ggml_vec_dot_q5_K_q8_K (AVX2). The mins go into a separate
// float32 sum, added after the lanes.
func dotQ5_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	const low4, ones = 0x0f0f0f0f0f0f0f0f, 0x0101010101010101
	var acc x86Lanes
	var summs [kernelTile]float32
	var k kWords
	var u [256]byte
	var mins [8]int32
	for i := 0; i < n/QK_K; i++ {
		b := w[176*i : 176*i+176]
		kernelScalesK4(b[4:16], &k.sc, &mins)
		for j := 0; j < 4; j++ {
			for l := 0; l < 32; l += 8 {
				q := binary.LittleEndian.Uint64(b[48+32*j+l:])
				h := binary.LittleEndian.Uint64(b[16+l:])
				binary.LittleEndian.PutUint64(u[64*j+l:], q&low4|(h>>(2*j)&ones)<<4)
				binary.LittleEndian.PutUint64(u[64*j+32+l:], q>>4&low4|(h>>(2*j+1)&ones)<<4)
			}
		}
		k.set(&u, 0)
		dw, mw := kernelF16At(b), kernelF16At(b[2:])
		for t := 0; t < nx; t++ {
			yd, words, y := kActivation(x, xStride, t, i)
			var m int32
			for j := 0; j < 8; j++ {
				m += mins[j] * (kBsum(y, 2*j) + kBsum(y, 2*j+1))
			}
			summs[t] = kernelFMA32(-yd*mw, float32(m), summs[t])
			p := k.lanes(words)
			acc.add(t, yd*dw, &p)
		}
	}
	kStore(&acc, summs[:], nx, out, outStride)
}

// dotQ6_KQ8_K is ggml_vec_dot_q6_K_q8_K (AVX2).
func dotQ6_KQ8_K(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	var acc x86Lanes
	var k kWords
	var u [256]byte
	for i := 0; i < n/QK_K; i++ {
		b := w[210*i : 210*i+210]
		q6KValues(b, &u) // set subtracts 32
		k.set(&u, 32)
		for j := range k.sc {
			k.sc[j] = int32(int8(b[192+j]))
		}
		dw := kernelF16At(b[208:])
		for t := 0; t < nx; t++ {
			yd, words, _ := kActivation(x, xStride, t, i)
			p := k.lanes(words)
			acc.add(t, yd*dw, &p)
		}
	}
	kStore(&acc, nil, nx, out, outStride)
}
