//go:build !amd64 || purego

package train

// normScale sets y = (x·r)·w.
func normScale(y, x, w []float32, r float32) { normScaleGo(y, x, w, r) }

// dot3 is Σ (a·b)·c.
func dot3(a, b, c []float32) float32 { return dot3Go(a, b, c) }

// normBack adds (dy·w)·r − c·x to dx.
func normBack(dx, dy, x, w []float32, r, c float32) { normBackGo(dx, dy, x, w, r, c) }

// normWeight adds (dy·x)·r to dw.
func normWeight(dw, dy, x []float32, r float32) { normWeightGo(dw, dy, x, r) }

// addTo adds src to dst.
func addTo(dst, src []float32) { addToGo(dst, src) }
