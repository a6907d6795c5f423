package tensor

// Q4_K super-block (144 bytes): d f16, dmin f16, scales[12] (eight 6-bit
// scales and eight 6-bit mins, see scaleMinK4), qs[128]: 4-bit quants, 64
// elements per 32 bytes (low nibbles first, then high nibbles).
// Q5_K (176 bytes) is the same with qh[32] before qs: bit 2k of qh[l] is the
// fifth bit of element 64k+l, bit 2k+1 that of element 64k+32+l.
// x = d·scale·q - dmin·min.

const (
	q4KBlock = 144
	q5KBlock = 176
)

// quantizeKScaleMin runs ggml's shared first half of quantize_row_q4_K_ref
// and quantize_row_q5_K_ref on one super-block: it fits each 32-element group
// with make_qkx2_quants, stores d, dmin and the packed 6-bit scales and mins in
// y[0:16], and returns the final quants (in [0, nmax]) in L.
func quantizeKScaleMin(x []float32, y []byte, L *[QK_K]uint8, nmax int, rmin, rdelta float32, nstep int) {
	var laux [32]uint8
	var weights [32]float32
	var scales, mins [QK_K / 32]float32
	var maxScale, maxMin float32
	for j := range QK_K / 32 {
		xg := x[32*j : 32*j+32]
		var sumX2 float32
		for _, v := range xg {
			sumX2 += float32(v * v)
		}
		avX := sqrt32(sumX2 / 32)
		for l, v := range xg {
			weights[l] = avX + abs32(v)
		}
		scales[j], mins[j] = makeQKX2Quants(nmax, xg, weights[:], L[32*j:32*j+32], laux[:], rmin, rdelta, nstep, false)
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	sc := y[4:16]
	for j := range QK_K / 32 {
		ls := min(63, uint8(nearestInt(invScale*scales[j])))
		lm := min(63, uint8(nearestInt(invMin*mins[j])))
		if j < 4 {
			sc[j] = ls
			sc[j+4] = lm
		} else {
			sc[j+4] = ls&0xf | (lm&0xf)<<4
			sc[j-4] |= (ls >> 4) << 6
			sc[j] |= (lm >> 4) << 6
		}
	}
	putHalf(y[0:], maxScale/63)
	putHalf(y[2:], maxMin/63)
	dAll, mAll := halfAt(y[0:]), halfAt(y[2:])
	for j := range QK_K / 32 {
		s, m := scaleMinK4(j, sc)
		d := dAll * float32(s)
		if d == 0 {
			continue
		}
		dm := float32(mAll * float32(m))
		for ii := range 32 {
			L[32*j+ii] = uint8(clampInt(nearestInt((x[32*j+ii]+dm)/d), 0, nmax))
		}
	}
}

func quantizeQ4K(src []float32, dst []byte) {
	var L [QK_K]uint8
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q4KBlock*i : q4KBlock*(i+1)]
		quantizeKScaleMin(x, y, &L, 15, -1, 0.1, 20)
		q := y[16:144]
		for j := 0; j < QK_K; j += 64 {
			for l := range 32 {
				q[l] = L[j+l] | L[j+l+32]<<4
			}
			q = q[32:]
		}
	}
}

func dequantQ4K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q4KBlock*i : q4KBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		d, min := halfAt(b[0:]), halfAt(b[2:])
		sc, q := b[4:16], b[16:144]
		for is := 0; is < 8; is += 2 {
			s, m := scaleMinK4(is, sc)
			d1, m1 := d*float32(s), float32(min*float32(m))
			s, m = scaleMinK4(is+1, sc)
			d2, m2 := d*float32(s), float32(min*float32(m))
			lo, hi := y[0:32], y[32:64]
			for l, v := range q[:32] {
				lo[l] = float32(d1*float32(v&0xf)) - m1
				hi[l] = float32(d2*float32(v>>4)) - m2
			}
			q, y = q[32:], y[64:]
		}
	}
}

func quantizeQ5K(src []float32, dst []byte) {
	var L [QK_K]uint8
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q5KBlock*i : q5KBlock*(i+1)]
		quantizeKScaleMin(x, y, &L, 31, -0.5, 0.1, 15)
		qh, ql := y[16:48], y[48:176]
		clear(qh)
		m1, m2 := byte(1), byte(2)
		for n := 0; n < QK_K; n += 64 {
			for j := range 32 {
				l1, l2 := L[n+j], L[n+j+32]
				if l1 > 15 {
					l1 -= 16
					qh[j] |= m1
				}
				if l2 > 15 {
					l2 -= 16
					qh[j] |= m2
				}
				ql[j] = l1 | l2<<4
			}
			m1, m2 = m1<<2, m2<<2
			ql = ql[32:]
		}
	}
}

func dequantQ5K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q5KBlock*i : q5KBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		d, min := halfAt(b[0:]), halfAt(b[2:])
		sc, qh, ql := b[4:16], b[16:48], b[48:176]
		u1, u2 := byte(1), byte(2)
		for is := 0; is < 8; is += 2 {
			s, m := scaleMinK4(is, sc)
			d1, m1 := d*float32(s), float32(min*float32(m))
			s, m = scaleMinK4(is+1, sc)
			d2, m2 := d*float32(s), float32(min*float32(m))
			lo, hi := y[0:32], y[32:64]
			for l, v := range ql[:32] {
				q1, q2 := int(v&0xf), int(v>>4)
				if qh[l]&u1 != 0 {
					q1 += 16
				}
				if qh[l]&u2 != 0 {
					q2 += 16
				}
				lo[l] = float32(d1*float32(q1)) - m1
				hi[l] = float32(d2*float32(q2)) - m2
			}
			ql, y = ql[32:], y[64:]
			u1, u2 = u1<<2, u2<<2
		}
	}
}
