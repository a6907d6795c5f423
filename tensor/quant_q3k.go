package tensor

// Q3_K super-block (110 bytes): hmask[32] (the high bit of each 3-bit quant:
// bit b of hmask[m] belongs to element 32·b + m), qs[64] (low 2 bits),
// scales[12] (sixteen 6-bit signed scales, offset by 32), d f16.
// x = d·(scale-32)·(q-4).

const q3KBlock = 110

// q3KScale unpacks the 6-bit scale of group j (still offset by 32).
func q3KScale(scales []byte, j int) int {
	var lo byte
	if j < 8 {
		lo = scales[j] & 0xf
	} else {
		lo = scales[j-8] >> 4
	}
	return int(lo | (scales[8+j%4]>>(2*(j/4))&3)<<4)
}

func quantizeQ3K(src []float32, dst []byte) {
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q3KBlock*i : q3KBlock*(i+1)]
		hmask, qs, sc := y[0:32], y[32:96], y[96:108]
		var maxScale, amax float32
		for j := range QK_K / 16 {
			scales[j] = makeQ3Quants(4, x[16*j:16*j+16], L[16*j:16*j+16])
			if a := abs32(scales[j]); a > amax {
				amax, maxScale = a, scales[j]
			}
		}
		clear(sc)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for j := range QK_K / 16 {
				l := int(int8(nearestInt(iscale * scales[j])))
				l = clampInt(l, -32, 31) + 32
				if j < 8 {
					sc[j] = byte(l & 0xf)
				} else {
					sc[j-8] |= byte(l&0xf) << 4
				}
				sc[j%4+8] |= byte(l>>4) << (2 * (j / 4))
			}
			putHalf(y[108:], 1/iscale)
		} else {
			putHalf(y[108:], 0)
		}
		dAll := halfAt(y[108:])
		for j := range QK_K / 16 {
			d := dAll * float32(int8(q3KScale(sc, j)-32))
			if d == 0 {
				continue
			}
			for ii := range 16 {
				l := clampInt(nearestInt(x[16*j+ii]/d), -4, 3)
				L[16*j+ii] = int8(l + 4)
			}
		}
		clear(hmask)
		m, hm := 0, byte(1)
		for j := range QK_K {
			if L[j] > 3 {
				hmask[m] |= hm
				L[j] -= 4
			}
			if m++; m == QK_K/8 {
				m, hm = 0, hm<<1
			}
		}
		for j := 0; j < QK_K; j += 128 {
			for l := range 32 {
				qs[j/4+l] = byte(L[j+l]) | byte(L[j+l+32])<<2 | byte(L[j+l+64])<<4 | byte(L[j+l+96])<<6
			}
		}
	}
}

func dequantQ3K(src []byte, dst []float32) {
	var scales [16]float32
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q3KBlock*i : q3KBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		hm, q, sc := b[0:32], b[32:96], b[96:108]
		dAll := halfAt(b[108:])
		for j := range scales {
			scales[j] = dAll * float32(q3KScale(sc, j)-32)
		}
		is := 0
		m := byte(1)
		for n := 0; n < QK_K; n += 128 {
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					dl := scales[is]
					is++
					ql, hl := q[16*half:16*half+16], hm[16*half:16*half+16]
					out := y[:16]
					for l := range out {
						v := int(ql[l] >> shift & 3)
						if hl[l]&m == 0 {
							v -= 4
						}
						out[l] = dl * float32(v)
					}
					y = y[16:]
				}
				m <<= 1
			}
			q = q[32:]
		}
	}
}
