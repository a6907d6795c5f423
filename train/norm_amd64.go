//go:build amd64 && !purego

package train

//go:noescape
func normScaleAVX512(y, x, w *float32, n int, r float32)

//go:noescape
func dot3AVX512(a, b, c *float32, n int) float32

//go:noescape
func normBackAVX512(dx, dy, x, w *float32, n int, r, c float32)

//go:noescape
func normWeightAVX512(dw, dy, x *float32, n int, r float32)

//go:noescape
func addToAVX512(dst, src *float32, n int)

// normScale sets y = (x·r)·w.
func normScale(y, x, w []float32, r float32) {
	n := len(y)
	k := vecLen(n)
	if k > 0 {
		_, _ = x[n-1], w[n-1]
		normScaleAVX512(&y[0], &x[0], &w[0], k, r)
	}
	normScaleGo(y[k:], x[k:], w[k:], r)
}

// dot3 is Σ (a·b)·c.
func dot3(a, b, c []float32) float32 {
	n := len(a)
	k := vecLen(n)
	var s float32
	if k > 0 {
		_, _ = b[n-1], c[n-1]
		s = dot3AVX512(&a[0], &b[0], &c[0], k)
	}
	return s + dot3Go(a[k:], b[k:], c[k:])
}

// normBack adds (dy·w)·r − c·x to dx.
func normBack(dx, dy, x, w []float32, r, c float32) {
	n := len(dx)
	k := vecLen(n)
	if k > 0 {
		_, _, _ = dy[n-1], x[n-1], w[n-1]
		normBackAVX512(&dx[0], &dy[0], &x[0], &w[0], k, r, c)
	}
	normBackGo(dx[k:], dy[k:], x[k:], w[k:], r, c)
}

// normWeight adds (dy·x)·r to dw.
func normWeight(dw, dy, x []float32, r float32) {
	n := len(dw)
	k := vecLen(n)
	if k > 0 {
		_, _ = dy[n-1], x[n-1]
		normWeightAVX512(&dw[0], &dy[0], &x[0], k, r)
	}
	normWeightGo(dw[k:], dy[k:], x[k:], r)
}

// addTo adds src to dst.
func addTo(dst, src []float32) {
	n := len(dst)
	k := vecLen(n)
	if k > 0 {
		_ = src[n-1]
		addToAVX512(&dst[0], &src[0], k)
	}
	addToGo(dst[k:], src[k:])
}
