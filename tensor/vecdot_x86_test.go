package tensor

import (
	"encoding/binary"
	"math"
)

// Scalar transcriptions of ggml's x86 (AVX2) kernels, for the types whose
// production kernels follow that order: each block's integer products go to
// eight lanes (lane l: elements 4l..4l+3 of every 32-element vector), each
// lane is fused into a float32 accumulator with the block scale, and the
// lanes are added as hsum_float_8 adds them. Weights are decoded element by
// element straight from ggml's block definitions.

// x86Acc is the eight float32 lanes of an AVX2 accumulator.
type x86Acc [8]float32

// fma adds d·float(p[l]) to every lane with one rounding.
func (a *x86Acc) fma(d float32, p *[8]int64) {
	for l := range a {
		a[l] = float32(math.FMA(float64(d), float64(float32(p[l])), float64(a[l])))
	}
}

// hsum is hsum_float_8.
func (a *x86Acc) hsum() float32 {
	return ((a[0] + a[4]) + (a[2] + a[6])) + ((a[1] + a[5]) + (a[3] + a[7]))
}

// x86Lanes32 returns the lane sums Σ s[e]·q[e]·y[e] of n elements.
func x86Lanes32(q, s []int64, y []int8) (p [8]int64) {
	for e := range q {
		p[(e%32)/4] += s[e] * q[e] * int64(y[e])
	}
	return p
}

// x86Half reads an f16 at b.
func x86Half(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// x86Reference computes the x86 dot product of one weight row with one row
// of unpacked activations (Q8_0, Q8_1 or Q8_K blocks). ok is false for types
// without an x86-order kernel.
func x86Reference(typ Type, n int, w, x []byte) (r float32, ok bool) {
	ones := make([]int64, QK_K)
	for i := range ones {
		ones[i] = 1
	}
	var acc x86Acc
	switch typ {
	case Q4_0:
		// ggml_gemv_q4_0_8x8_q8_0: llama.cpp repacks Q4_0 and keeps one sum
		// per row, one fused multiply-add per block.
		var sum float32
		for ib := 0; ib < n/32; ib++ {
			b := w[18*ib : 18*ib+18]
			yb := x[34*ib : 34*ib+34]
			var sumi int64
			for j := 0; j < 16; j++ {
				sumi += (int64(b[2+j]&15) - 8) * int64(int8(yb[2+j]))
				sumi += (int64(b[2+j]>>4) - 8) * int64(int8(yb[18+j]))
			}
			sum = float32(math.FMA(float64(float32(sumi)), float64(x86Half(b)*x86Half(yb)), float64(sum)))
		}
		return sum, true
	case Q4_1, Q5_0, Q5_1, Q8_0, IQ4_NL:
		var summs float32
		var odd x86Acc
		nb := n / 32
		var tail float32
		for ib := 0; ib < nb; ib++ {
			bs := typ.TypeSize()
			b := w[bs*ib : bs*(ib+1)]
			ys := 34
			if typ == Q4_1 || typ == Q5_1 {
				ys = 36
			}
			yb := x[ys*ib : ys*(ib+1)]
			y := make([]int8, 32)
			for j := range y {
				y[j] = int8(yb[ys-32+j])
			}
			q := make([]int64, 32)
			for j := 0; j < 16; j++ {
				switch typ {
				case Q4_1:
					q[j], q[j+16] = int64(b[4+j]&15), int64(b[4+j]>>4)
				case Q5_0, Q5_1:
					off, qs := 2, 6
					if typ == Q5_1 {
						off, qs = 4, 8
					}
					qh := binary.LittleEndian.Uint32(b[off:])
					q[j] = int64(b[qs+j]&15) | int64(qh>>j&1)<<4
					q[j+16] = int64(b[qs+j]>>4) | int64(qh>>(j+16)&1)<<4
					if typ == Q5_0 {
						q[j] -= 16
						q[j+16] -= 16
					}
				case Q8_0:
					q[j], q[j+16] = int64(int8(b[2+j])), int64(int8(b[18+j]))
				case IQ4_NL:
					q[j], q[j+16] = int64(kernelIQ4NLValues[b[2+j]&15]), int64(kernelIQ4NLValues[b[2+j]>>4])
				}
			}
			p := x86Lanes32(q, ones[:32], y)
			d := x86Half(b) * x86Half(yb)
			switch {
			case typ != IQ4_NL:
				acc.fma(d, &p)
			case ib%2 == 1:
				odd.fma(d, &p)
			case ib+1 < nb:
				acc.fma(d, &p)
			default:
				var s int64
				for _, v := range p {
					s += v
				}
				tail = d * float32(s)
			}
			if typ == Q4_1 || typ == Q5_1 {
				summs += x86Half(b[2:]) * x86Half(yb[2:])
			}
		}
		for l := range acc {
			acc[l] += odd[l]
		}
		return acc.hsum() + summs + tail, true
	case Q2_K, Q3_K, Q5_K, Q6_K, IQ4_XS:
		var summs float32
		for i := 0; i < n/QK_K; i++ {
			bs := typ.TypeSize()
			b := w[bs*i : bs*(i+1)]
			yb := x[292*i : 292*(i+1)]
			yd := math.Float32frombits(binary.LittleEndian.Uint32(yb))
			y := make([]int8, QK_K)
			for j := range y {
				y[j] = int8(yb[4+j])
			}
			bsum := func(j int) int64 { return int64(int16(binary.LittleEndian.Uint16(yb[260+2*j:]))) }
			q := make([]int64, QK_K)
			s := make([]int64, QK_K)
			var dw float32
			switch typ {
			case Q2_K:
				for e := range q {
					k, j, l := e/128, e%128/32, e%32
					q[e] = int64(b[16+32*k+l] >> (2 * j) & 3)
					s[e] = int64(b[e/16] & 15)
				}
				var prod [8]int64
				for l := range prod {
					prod[l] = int64(b[2*l]>>4)*bsum(2*l) + int64(b[2*l+1]>>4)*bsum(2*l+1)
				}
				acc.fma(-yd*x86Half(b[82:]), &prod)
				dw = x86Half(b[80:])
			case Q3_K:
				var sc [16]int64
				for j := 0; j < 16; j++ {
					lo := b[96+j%8] >> (4 * (j / 8)) & 15
					hi := b[104+j%4] >> (2 * (j / 4)) & 3
					sc[j] = int64(lo|hi<<4) - 32
				}
				for e := range q {
					c, j, l := e/128, e%128/32, e%32
					v := int64(b[32+32*c+l] >> (2 * j) & 3)
					if b[l]>>(4*c+j)&1 == 0 {
						v -= 4
					}
					q[e], s[e] = v, sc[e/16]
				}
				dw = x86Half(b[108:])
			case Q5_K:
				var sc [16]int32
				var mins [8]int32
				kernelScalesK4(b[4:16], &sc, &mins)
				for e := range q {
					j, h, l := e/64, e%64/32, e%32
					v := int64(b[48+32*j+l] >> (4 * h) & 15)
					v |= int64(b[16+l]>>(2*j+h)&1) << 4
					q[e], s[e] = v, int64(sc[e/16])
				}
				var m int64
				for j := 0; j < 8; j++ {
					m += int64(mins[j]) * (bsum(2*j) + bsum(2*j+1))
				}
				summs = float32(math.FMA(float64(-yd*x86Half(b[2:])), float64(float32(m)), float64(summs)))
				dw = x86Half(b)
			case Q6_K:
				for e := range q {
					c, r, l := e/128, e%128/32, e%32
					lo := b[64*c+32*(r%2)+l] >> (4 * (r / 2)) & 15
					hi := b[128+32*c+l] >> (2 * r) & 3
					q[e], s[e] = int64(lo|hi<<4)-32, int64(int8(b[192+e/16]))
				}
				dw = x86Half(b[208:])
			case IQ4_XS:
				h := binary.LittleEndian.Uint16(b[2:])
				for e := range q {
					ib, j := e/32, e%32
					v := b[8+16*ib+j%16] >> (4 * (j / 16)) & 15
					ls := int64(b[4+ib/2]>>(4*(ib%2))&15) | int64(h>>(2*ib)&3)<<4
					q[e], s[e] = int64(kernelIQ4NLValues[v]), ls-32
				}
				dw = x86Half(b)
			}
			p := x86Lanes32(q, s, y)
			acc.fma(yd*dw, &p)
		}
		return acc.hsum() + summs, true
	}
	return 0, false
}
