package train

import "math"

// rmsNormForward sets y = x·r·w row by row (rows of len(w)), r = 1/√(mean(x²)+eps),
// and records r per row in rs.
func rmsNormForward(p *Pool, y, rs, x, w []float32, n int, eps float32) {
	d := len(w)
	p.Run(n, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			xr := x[t*d : t*d+d]
			r := float32(1 / math.Sqrt(sumSquares(xr)/float64(d)+float64(eps)))
			rs[t] = r
			normScale(y[t*d:t*d+d], xr, w, r)
		}
	})
}

// rmsNormBackward adds the input gradient to dx and, when dw is not nil, the
// weight gradient to dw.
func rmsNormBackward(p *Pool, dx, dw, dy, x, rs, w []float32, n int) {
	d := len(w)
	p.Run(n, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			xr, dyr := x[t*d:t*d+d], dy[t*d:t*d+d]
			r := rs[t]
			c := dot3(dyr, w, xr) * r * r * r / float32(d)
			normBack(dx[t*d:t*d+d], dyr, xr, w, r, c)
		}
	})
	if dw == nil {
		return
	}
	// Columns split in multiples of 16 so that each worker's part stays
	// on the vector kernel.
	p.Run((d+15)/16, func(lo, hi int) {
		lo, hi = lo*16, min(hi*16, d)
		for t := 0; t < n; t++ {
			normWeight(dw[lo:hi], dy[t*d+lo:t*d+hi], x[t*d+lo:t*d+hi], rs[t])
		}
	})
}

// addRows adds src to dst in parallel.
func addRows(p *Pool, dst, src []float32) {
	p.Run((len(dst)+elemBlock-1)/elemBlock, func(lo, hi int) {
		lo, hi = lo*elemBlock, min(hi*elemBlock, len(dst))
		addTo(dst[lo:hi], src[lo:hi])
	})
}

// normScaleGo sets y = (x·r)·w.
func normScaleGo(y, x, w []float32, r float32) {
	x, w = x[:len(y)], w[:len(y)]
	for i, v := range x {
		y[i] = v * r * w[i]
	}
}

// dot3Go is Σ (a·b)·c.
func dot3Go(a, b, c []float32) float32 {
	b, c = b[:len(a)], c[:len(a)]
	var s float32
	for i, v := range a {
		s += v * b[i] * c[i]
	}
	return s
}

// normBackGo adds (dy·w)·r − c·x to dx.
func normBackGo(dx, dy, x, w []float32, r, c float32) {
	dy, x, w = dy[:len(dx)], x[:len(dx)], w[:len(dx)]
	for i, v := range x {
		dx[i] += dy[i]*w[i]*r - c*v
	}
}

// normWeightGo adds (dy·x)·r to dw.
func normWeightGo(dw, dy, x []float32, r float32) {
	dy, x = dy[:len(dw)], x[:len(dw)]
	for i, v := range dy {
		dw[i] += v * x[i] * r
	}
}

// addToGo adds src to dst.
func addToGo(dst, src []float32) {
	src = src[:len(dst)]
	for i, v := range src {
		dst[i] += v
	}
}
