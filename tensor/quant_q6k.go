package tensor

// Q6_K super-block (210 bytes): ql[128] (low 4 bits), qh[64] (high 2 bits),
// scales[16] (int8, one per 16 elements), d f16. Each 128-element half uses
// 64 bytes of ql and 32 of qh; x = d·scale·(q-32).

const q6KBlock = 210

func quantizeQ6K(src []float32, dst []byte) {
	var L [QK_K]int8
	var scales [QK_K / 16]float32
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[q6KBlock*i : q6KBlock*(i+1)]
		var maxScale, maxAbsScale float32
		for ib := range QK_K / 16 {
			s := makeQXQuants(32, x[16*ib:16*ib+16], L[16*ib:16*ib+16])
			scales[ib] = s
			if a := abs32(s); a > maxAbsScale {
				maxAbsScale, maxScale = a, s
			}
		}
		if maxAbsScale < groupMaxEps {
			clear(y)
			continue
		}
		ql, qh, sc := y[0:128], y[128:192], y[192:208]
		iscale := -128 / maxScale
		putHalf(y[208:], 1/iscale)
		for ib := range sc {
			sc[ib] = byte(int8(min(127, nearestInt(iscale*scales[ib]))))
		}
		dAll := halfAt(y[208:])
		for j := range QK_K / 16 {
			d := dAll * float32(int8(sc[j]))
			if d == 0 {
				continue
			}
			for ii := range 16 {
				l := clampInt(nearestInt(x[16*j+ii]/d), -32, 31)
				L[16*j+ii] = int8(l + 32)
			}
		}
		for j := 0; j < QK_K; j += 128 {
			for l := range 32 {
				q1, q2 := byte(L[j+l]), byte(L[j+l+32])
				q3, q4 := byte(L[j+l+64]), byte(L[j+l+96])
				ql[l] = q1&0xf | (q3&0xf)<<4
				ql[l+32] = q2&0xf | (q4&0xf)<<4
				qh[l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
			}
			ql, qh = ql[64:], qh[32:]
		}
	}
}

func dequantQ6K(src []byte, dst []float32) {
	var ds [QK_K / 16]float32
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[q6KBlock*i : q6KBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		d := halfAt(b[208:])
		ql, qh := b[0:128], b[128:192]
		for j, s := range b[192:208] {
			ds[j] = d * float32(int8(s))
		}
		for n := 0; n < 2; n++ {
			sc := ds[8*n : 8*n+8]
			out := y[128*n : 128*n+128]
			for l := range 32 {
				is := l / 16
				h := qh[l]
				a, c := ql[l], ql[l+32]
				out[l] = sc[is] * float32(int(a&0xf|(h&3)<<4)-32)
				out[l+32] = sc[is+2] * float32(int(c&0xf|(h>>2&3)<<4)-32)
				out[l+64] = sc[is+4] * float32(int(a>>4|(h>>4&3)<<4)-32)
				out[l+96] = sc[is+6] * float32(int(c>>4|(h>>6&3)<<4)-32)
			}
			ql, qh = ql[64:], qh[32:]
		}
	}
}
