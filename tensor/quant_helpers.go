package tensor

import "math"

// nearestInt rounds f to the nearest integer, ties to even, the way ggml's
// nearest_int does: by adding 1.5·2^23 in float32 and reading the mantissa.
// Like ggml it is meant for |f| ≤ 4194303; outside that range (and for NaN)
// it returns the same bits-derived value ggml would.
func nearestInt(f float32) int {
	// The conversion keeps a caller's product from fusing into the add.
	val := float32(f) + 12582912
	return int(math.Float32bits(val)&0x007fffff) - 0x00400000
}

// groupMaxEps is ggml's GROUP_MAX_EPS: groups whose largest magnitude is
// below it quantize to zero.
const groupMaxEps = float32(1e-15)

// clampInt limits v to [lo, hi].
func clampInt(v, lo, hi int) int { return max(lo, min(hi, v)) }

// sqrt32 is sqrtf: the correctly rounded float32 square root.
func sqrt32(f float32) float32 { return float32(math.Sqrt(float64(f))) }

// makeQXQuants is ggml's make_qx_quants for rmse_type 1 without importance
// weights (each element weighted by x²): it picks signed quants L[i] in
// [0, 2·nmax) (stored with the +nmax offset) and returns the scale that
// minimizes the weighted squared error, trying 18 scales around -nmax/max.
// All arithmetic keeps ggml's float32 order of operations.
func makeQXQuants(nmax int, x []float32, L []int8) float32 {
	var max, amax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, max = a, v
		}
	}
	if amax < groupMaxEps {
		for i := range x {
			L[i] = 0
		}
		return 0
	}
	fnmax := float32(nmax)
	iscale := -fnmax / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l + nmax)
		w := v * v
		fl := float32(l)
		sumlx += float32(float32(w*v) * fl)
		suml2 += float32(float32(w*fl) * fl)
	}
	var scale float32
	if suml2 != 0 {
		scale = sumlx / suml2
	}
	best := scale * sumlx
	for is := -9; is <= 9; is++ {
		if is == 0 {
			continue
		}
		iscale = -(fnmax + float32(0.1*float32(is))) / max
		sumlx, suml2 = 0, 0
		for _, v := range x {
			l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
			w := v * v
			fl := float32(l)
			sumlx += float32(float32(w*v) * fl)
			suml2 += float32(float32(w*fl) * fl)
		}
		if suml2 > 0 && float32(sumlx*sumlx) > float32(best*suml2) {
			for i, v := range x {
				l := nearestInt(iscale * v)
				L[i] = int8(nmax + clampInt(l, -nmax, nmax-1))
			}
			scale = sumlx / suml2
			best = scale * sumlx
		}
	}
	return scale
}

// makeQ3Quants is ggml's make_q3_quants with do_rmse: signed quants in
// [-nmax, nmax) chosen by a few rounds of coordinate descent on the x²-weighted
// squared error; L gets them offset by +nmax. It returns the scale.
func makeQ3Quants(nmax int, x []float32, L []int8) float32 {
	var max, amax float32
	for _, v := range x {
		if a := abs32(v); a > amax {
			amax, max = a, v
		}
	}
	if amax < groupMaxEps {
		for i := range x {
			L[i] = 0
		}
		return 0
	}
	iscale := -float32(nmax) / max
	var sumlx, suml2 float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*v), -nmax, nmax-1)
		L[i] = int8(l)
		w := v * v
		fl := float32(l)
		sumlx += float32(float32(w*v) * fl)
		suml2 += float32(float32(w*fl) * fl)
	}
	for range 5 {
		changed := false
		for i, v := range x {
			w := v * v
			li := float32(L[i])
			slx := sumlx - float32(float32(w*v)*li)
			if !(slx > 0) {
				continue
			}
			sl2 := suml2 - float32(float32(w*li)*li)
			newL := clampInt(nearestInt(float32(v*sl2)/slx), -nmax, nmax-1)
			if newL == int(L[i]) {
				continue
			}
			fl := float32(newL)
			slx += float32(float32(w*v) * fl)
			sl2 += float32(float32(w*fl) * fl)
			if sl2 > 0 && float32(float32(slx*slx)*suml2) > float32(float32(sumlx*sumlx)*sl2) {
				L[i] = int8(newL)
				sumlx, suml2 = slx, sl2
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	for i := range x {
		L[i] += int8(nmax)
	}
	if suml2 > 0 {
		return sumlx / suml2
	}
	return 0
}

// makeQKX2Quants is ggml's make_qkx2_quants: unsigned quants L[i] in
// [0, nmax] for x ≈ scale·L - theMin, fitted by weighted least squares over
// nstep+1 trial scales (rmin + rdelta·is + nmax)/(max - min). useMAD selects
// absolute instead of squared error. laux is scratch of len(x). It returns
// scale and theMin (≥ 0).
func makeQKX2Quants(nmax int, x, weights []float32, L, laux []uint8, rmin, rdelta float32, nstep int, useMAD bool) (scale, theMin float32) {
	n := len(x)
	min, max := x[0], x[0]
	sumW := weights[0]
	sumX := float32(sumW * x[0])
	for i := 1; i < n; i++ {
		v := x[i]
		if v < min {
			min = v
		}
		if v > max {
			max = v
		}
		w := weights[i]
		sumW += w
		sumX += float32(w * v)
	}
	if min > 0 {
		min = 0
	}
	if max == min {
		for i := range x {
			L[i] = 0
		}
		return 0, -min
	}
	fnmax := float32(nmax)
	iscale := fnmax / (max - min)
	scale = 1 / iscale
	var bestError float32
	for i, v := range x {
		l := clampInt(nearestInt(iscale*(v-min)), 0, nmax)
		L[i] = uint8(l)
		diff := float32(float32(scale*float32(l))+min) - v
		if useMAD {
			diff = abs32(diff)
		} else {
			diff = diff * diff
		}
		bestError += float32(weights[i] * diff)
	}
	if nstep < 1 {
		return scale, -min
	}
	for is := 0; is <= nstep; is++ {
		iscale = (float32(rmin+float32(rdelta*float32(is))) + fnmax) / (max - min)
		var sumL, sumL2, sumXL float32
		for i, v := range x {
			l := clampInt(nearestInt(iscale*(v-min)), 0, nmax)
			laux[i] = uint8(l)
			w := weights[i]
			fl := float32(l)
			wl := float32(w * fl)
			sumL += wl
			sumL2 += float32(wl * fl)
			sumXL += float32(wl * v)
		}
		D := float32(sumW*sumL2) - float32(sumL*sumL)
		if !(D > 0) {
			continue
		}
		thisScale := (float32(sumW*sumXL) - float32(sumX*sumL)) / D
		thisMin := (float32(sumL2*sumX) - float32(sumL*sumXL)) / D
		if thisMin > 0 {
			thisMin = 0
			thisScale = sumXL / sumL2
		}
		var curError float32
		for i, v := range x {
			diff := float32(float32(thisScale*float32(laux[i]))+thisMin) - v
			if useMAD {
				diff = abs32(diff)
			} else {
				diff = diff * diff
			}
			curError += float32(weights[i] * diff)
		}
		if curError < bestError {
			copy(L, laux[:n])
			bestError = curError
			scale, min = thisScale, thisMin
		}
	}
	return scale, -min
}

// scaleMinK4 unpacks the 6-bit scale and min of sub-block j from the 12
// packed scale bytes of a Q4_K or Q5_K block (ggml's get_scale_min_k4).
func scaleMinK4(j int, q []byte) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}
