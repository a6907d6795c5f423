package tensor

// Q2_K super-block (84 bytes): scales[16] (low nibble: scale, high nibble:
// min of each 16-element group), qs[64] (2-bit quants), d f16, dmin f16.
// x = d·scale·q - dmin·min.

const q2KBlock = 84

func quantizeQ2K(src []float32, dst []byte) {
	var L, laux [QK_K]uint8
	var weights [16]float32
	var scales, mins [QK_K / 16]float32
	const q4scale = 15
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q2KBlock*i : q2KBlock*(i+1)]
		sc, qs := y[0:16], y[16:80]
		var maxScale, maxMin float32
		for j := range QK_K / 16 {
			xg := x[16*j : 16*j+16]
			for l, v := range xg {
				weights[l] = abs32(v)
			}
			scales[j], mins[j] = makeQKX2Quants(3, xg, weights[:], L[16*j:16*j+16], laux[:16], -0.5, 0.1, 15, true)
			if scales[j] > maxScale {
				maxScale = scales[j]
			}
			if mins[j] > maxMin {
				maxMin = mins[j]
			}
		}
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for j := range sc {
				sc[j] = uint8(nearestInt(iscale * scales[j]))
			}
			putHalf(y[80:], maxScale/q4scale)
		} else {
			clear(sc)
			putHalf(y[80:], 0)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for j := range sc {
				sc[j] |= uint8(nearestInt(iscale*mins[j]) << 4)
			}
			putHalf(y[82:], maxMin/q4scale)
		} else {
			putHalf(y[82:], 0)
		}
		dAll, mAll := halfAt(y[80:]), halfAt(y[82:])
		for j := range QK_K / 16 {
			d := dAll * float32(sc[j]&0xf)
			if d == 0 {
				continue
			}
			dm := float32(mAll * float32(sc[j]>>4))
			for ii := range 16 {
				L[16*j+ii] = uint8(clampInt(nearestInt((x[16*j+ii]+dm)/d), 0, 3))
			}
		}
		for j := 0; j < QK_K; j += 128 {
			for l := range 32 {
				qs[j/4+l] = L[j+l] | L[j+l+32]<<2 | L[j+l+64]<<4 | L[j+l+96]<<6
			}
		}
	}
}

func dequantQ2K(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q2KBlock*i : q2KBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		d, min := halfAt(b[80:]), halfAt(b[82:])
		scales, q := b[0:16], b[16:80]
		is := 0
		for n := 0; n < QK_K; n += 128 {
			for shift := uint(0); shift < 8; shift += 2 {
				for half := 0; half < 2; half++ {
					sc := scales[is]
					is++
					dl, ml := d*float32(sc&0xf), float32(min*float32(sc>>4))
					qh := q[16*half : 16*half+16]
					out := y[:16]
					for l := range out {
						out[l] = float32(dl*float32(qh[l]>>shift&3)) - ml
					}
					y = y[16:]
				}
			}
			q = q[32:]
		}
	}
}
