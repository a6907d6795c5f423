package tensor

import "fmt"

// Attention runs one query against a run of cached keys and values: many
// short products whose call overhead, not their arithmetic, dominated. The
// row forms below do a whole run in one call and compute exactly what the
// loops over Dot and Axpy in their doc comments compute.

// dotRowsAccel and axpyRowsAccel, when set by an assembly file, run whole
// runs of rows whose length is a multiple of 32.
var (
	dotRowsAccel  func(out, q, rows []float32, stride int, scale float32)
	axpyRowsAccel func(y, w, rows []float32, stride int)
)

// DotRows sets the attention scores of a query against len(out) rows:
//
//	for p := range out {
//		out[p] = Dot(q, rows[p*stride:p*stride+len(q)]) * scale
//	}
func DotRows(out, q, rows []float32, stride int, scale float32) {
	if len(out) == 0 {
		return
	}
	if need := (len(out)-1)*stride + len(q); len(rows) < need || stride < len(q) {
		panic(fmt.Sprintf("tensor: DotRows: %d rows of %d with stride %d need %d elements, have %d", len(out), len(q), stride, need, len(rows)))
	}
	if dotRowsAccel != nil && len(q)%32 == 0 && len(q) > 0 {
		dotRowsAccel(out, q, rows, stride, scale)
		return
	}
	for p := range out {
		out[p] = Dot(q, rows[p*stride:p*stride+len(q)]) * scale
	}
}

// AxpyRows adds the weighted rows to y, in order:
//
//	for p, a := range w {
//		Axpy(a, rows[p*stride:p*stride+len(y)], y)
//	}
func AxpyRows(y, w, rows []float32, stride int) {
	if len(w) == 0 {
		return
	}
	if need := (len(w)-1)*stride + len(y); len(rows) < need || stride < len(y) {
		panic(fmt.Sprintf("tensor: AxpyRows: %d rows of %d with stride %d need %d elements, have %d", len(w), len(y), stride, need, len(rows)))
	}
	if axpyRowsAccel != nil && len(y)%32 == 0 && len(y) > 0 {
		axpyRowsAccel(y, w, rows, stride)
		return
	}
	for p, a := range w {
		Axpy(a, rows[p*stride:p*stride+len(y)], y)
	}
}
