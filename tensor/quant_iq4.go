package tensor

import "encoding/binary"

// IQ4_NL block (18 bytes): d f16, qs[16]; each 4-bit index picks one of 16
// non-linear levels, x = d·iq4Values[q]; elements j and j+16 share byte j.
// IQ4_XS super-block (136 bytes): d f16, scales_h u16, scales_l[4],
// qs[128]; each 32-element group has a 6-bit scale ls (low 4 bits in
// scales_l, high 2 in scales_h) and x = d·(ls-32)·iq4Values[q].

const (
	iq4NLBlock = 18
	iq4XSBlock = 136
)

// iq4Values are ggml's kvalues_iq4nl.
var iq4Values = [16]int8{-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113}

// iq4Floats holds iq4Values as float32.
var iq4Floats = func() (f [16]float32) {
	for i, v := range iq4Values {
		f[i] = float32(v)
	}
	return f
}()

// iq4BestIndex returns the index of the level in iq4Values nearest to x,
// exactly as ggml's best_index_int8 picks it: find the bracketing levels,
// then compare the two float32 distances (a tie picks the upper level). NaN
// gives 15, as there.
func iq4BestIndex(x float32) int {
	f := &iq4Floats
	if x <= f[0] {
		return 0
	}
	if !(x < f[15]) {
		return 15
	}
	// hi = the number of levels ≤ x, found by a branch-free search over
	// f[0:15] (f[15] > x acts as the sentinel).
	hi := 0
	if f[7] <= x {
		hi = 8
	}
	if f[hi+3] <= x {
		hi += 4
	}
	if f[hi+1] <= x {
		hi += 2
	}
	if f[hi] <= x {
		hi++
	}
	if x-f[hi-1] < f[hi]-x {
		return hi - 1
	}
	return hi
}

// iq4GroupScale fits one 32-element group as ggml's quantize_row_iq4_nl_impl
// does with ntry 7 and no importance matrix (weights x²): it tries 16 scales
// and returns the one with the best weighted fit; L gets the level indices of
// the first trial.
func iq4GroupScale(xb []float32, L []uint8) float32 {
	const ntry = 7
	var weight [32]float32
	var amax, max float32
	for j, v := range xb {
		weight[j] = v * v
		if a := abs32(v); a > amax {
			amax, max = a, v
		}
	}
	if amax < groupMaxEps {
		for j := range xb {
			L[j] = 0
		}
		return 0
	}
	v0 := float32(iq4Values[0])
	d := -max / v0
	id := 1 / d
	var sumqx, sumq2 float32
	for j, v := range xb {
		l := iq4BestIndex(id * v)
		L[j] = uint8(l)
		q := float32(iq4Values[l])
		w := weight[j]
		sumqx += float32(float32(w*q) * v)
		sumq2 += float32(float32(w*q) * q)
	}
	d = 0
	if sumq2 > 0 {
		d = sumqx / sumq2
	}
	best := d * sumqx
	for itry := -ntry; itry <= ntry; itry++ {
		id = float32(itry+int(iq4Values[0])) / max
		sumqx, sumq2 = 0, 0
		for j, v := range xb {
			q := float32(iq4Values[iq4BestIndex(id*v)])
			w := weight[j]
			sumqx += float32(float32(w*q) * v)
			sumq2 += float32(float32(w*q) * q)
		}
		if sumq2 > 0 && float32(sumqx*sumqx) > float32(best*sumq2) {
			d = sumqx / sumq2
			best = d * sumqx
		}
	}
	return d
}

// packIQ4 stores 32 level indices per 16 bytes (j and j+16 share byte j).
func packIQ4(L []uint8, q []byte) {
	for i := 0; i < len(L)/32; i++ {
		for j := range 16 {
			q[16*i+j] = L[32*i+j] | L[32*i+16+j]<<4
		}
	}
}

func quantizeIQ4NL(src []float32, dst []byte) {
	var L [32]uint8
	for i := 0; i < len(src)/32; i++ {
		x := src[32*i : 32*i+32]
		y := dst[iq4NLBlock*i : iq4NLBlock*(i+1)]
		scale := iq4GroupScale(x, L[:])
		putHalf(y, scale)
		id := inverse(scale)
		for j, v := range x {
			L[j] = uint8(iq4BestIndex(id * v))
		}
		packIQ4(L[:], y[2:18])
	}
}

func dequantIQ4NL(src []byte, dst []float32) {
	for i := 0; i < len(dst)/32; i++ {
		b := src[iq4NLBlock*i : iq4NLBlock*(i+1)]
		d := halfAt(b)
		y := dst[32*i : 32*i+32]
		for j, q := range b[2:18] {
			y[j] = d * iq4Floats[q&0xf]
			y[j+16] = d * iq4Floats[q>>4]
		}
	}
}

func quantizeIQ4XS(src []float32, dst []byte) {
	var L [QK_K]uint8
	var scales [QK_K / 32]float32
	for i := 0; i < len(src)/QK_K; i++ {
		x := src[QK_K*i : QK_K*(i+1)]
		y := dst[iq4XSBlock*i : iq4XSBlock*(i+1)]
		var maxScale, amaxScale float32
		for ib := range scales {
			d := iq4GroupScale(x[32*ib:32*ib+32], L[32*ib:32*ib+32])
			scales[ib] = d
			if a := abs32(d); a > amaxScale {
				amaxScale, maxScale = a, d
			}
		}
		d := -maxScale / 32
		putHalf(y, d)
		id := inverse(d)
		var scalesH uint16
		scalesL := y[4:8]
		for ib := range scales {
			l := clampInt(nearestInt(id*scales[ib]), -32, 31)
			idl := inverse(d * float32(l))
			for j, v := range x[32*ib : 32*ib+32] {
				L[32*ib+j] = uint8(iq4BestIndex(idl * v))
			}
			l += 32
			if ib%2 == 0 {
				scalesL[ib/2] = byte(l & 0xf)
			} else {
				scalesL[ib/2] |= byte(l&0xf) << 4
			}
			scalesH |= uint16(l>>4) << (2 * (ib % 8))
		}
		binary.LittleEndian.PutUint16(y[2:], scalesH)
		packIQ4(L[:], y[8:136])
	}
}

func dequantIQ4XS(src []byte, dst []float32) {
	for i := 0; i < len(dst)/QK_K; i++ {
		b := src[iq4XSBlock*i : iq4XSBlock*(i+1)]
		y := dst[QK_K*i : QK_K*(i+1)]
		d := halfAt(b)
		scalesH := binary.LittleEndian.Uint16(b[2:])
		scalesL, qs := b[4:8], b[8:136]
		for ib := range QK_K / 32 {
			ls := int(scalesL[ib/2]>>(4*(ib%2))&0xf) | int(scalesH>>(2*ib)&3)<<4
			dl := d * float32(ls-32)
			out := y[32*ib : 32*ib+32]
			for j, q := range qs[16*ib : 16*ib+16] {
				out[j] = dl * iq4Floats[q&0xf]
				out[j+16] = dl * iq4Floats[q>>4]
			}
		}
	}
}
