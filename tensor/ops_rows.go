package tensor

import "fmt"

// Attention runs queries against a run of cached keys and values: many
// short products whose call overhead, not their arithmetic, dominated. The
// row forms below do a whole run in one call, for one query or for the
// group of query heads that share a KV head, and compute exactly what the
// loops over Dot and Axpy in their doc comments compute.

// dotRowsAccel and axpyRowsAccel, when set by an assembly file, are
// DotRowsGroup and AxpyRowsGroup for rows whose length is a multiple of 32
// (arguments checked).
var (
	dotRowsAccel  func(out []float32, m int, q []float32, n, g int, rows []float32, stride int, scale float32)
	axpyRowsAccel func(y []float32, n int, w []float32, m, g int, rows []float32, stride int)
)

// DotRows sets the attention scores of a query against len(out) rows:
//
//	for p := range out {
//		out[p] = Dot(q, rows[p*stride:p*stride+len(q)]) * scale
//	}
func DotRows(out, q, rows []float32, stride int, scale float32) {
	DotRowsGroup(out, len(out), q, len(q), 1, rows, stride, scale)
}

// DotRowsGroup is DotRows for g queries that share their rows (the query
// heads of one KV head in grouped-query attention), each query n long and
// its m scores in turn:
//
//	for h := 0; h < g; h++ {
//		DotRows(out[h*m:(h+1)*m], q[h*n:(h+1)*n], rows, stride, scale)
//	}
//
// The rows are read once for all the queries rather than once per query.
func DotRowsGroup(out []float32, m int, q []float32, n, g int, rows []float32, stride int, scale float32) {
	if m == 0 || g == 0 {
		return
	}
	if len(out) < g*m || len(q) < g*n {
		panic(fmt.Sprintf("tensor: DotRows: %d queries of %d with %d scores each need q of %d and out of %d, have %d and %d", g, n, m, g*n, g*m, len(q), len(out)))
	}
	rowsCheck("DotRows", m, n, stride, len(rows))
	if dotRowsAccel != nil && n%32 == 0 && n > 0 {
		dotRowsAccel(out, m, q, n, g, rows, stride, scale)
		return
	}
	for h := 0; h < g; h++ {
		qh := q[h*n : (h+1)*n]
		for p := 0; p < m; p++ {
			out[h*m+p] = Dot(qh, rows[p*stride:p*stride+n]) * scale
		}
	}
}

// AxpyRows adds the weighted rows to y, in order:
//
//	for p, a := range w {
//		Axpy(a, rows[p*stride:p*stride+len(y)], y)
//	}
func AxpyRows(y, w, rows []float32, stride int) {
	AxpyRowsGroup(y, len(y), w, len(w), 1, rows, stride)
}

// AxpyRowsGroup is AxpyRows for g sets of weights over the same m rows
// (the query heads of one KV head), each output n long:
//
//	for h := 0; h < g; h++ {
//		AxpyRows(y[h*n:(h+1)*n], w[h*m:(h+1)*m], rows, stride)
//	}
//
// The rows are read once for all the sets rather than once per set.
func AxpyRowsGroup(y []float32, n int, w []float32, m, g int, rows []float32, stride int) {
	if m == 0 || g == 0 {
		return
	}
	if len(y) < g*n || len(w) < g*m {
		panic(fmt.Sprintf("tensor: AxpyRows: %d sets of %d weights for outputs of %d need w of %d and y of %d, have %d and %d", g, m, n, g*m, g*n, len(w), len(y)))
	}
	rowsCheck("AxpyRows", m, n, stride, len(rows))
	if axpyRowsAccel != nil && n%32 == 0 && n > 0 {
		axpyRowsAccel(y, n, w, m, g, rows, stride)
		return
	}
	for h := 0; h < g; h++ {
		yh := y[h*n : (h+1)*n]
		for p, a := range w[h*m : (h+1)*m] {
			Axpy(a, rows[p*stride:p*stride+n], yh)
		}
	}
}

// rowsCheck panics unless have elements hold m rows of n, stride apart.
func rowsCheck(name string, m, n, stride, have int) {
	if need := (m-1)*stride + n; have < need || stride < n {
		panic(fmt.Sprintf("tensor: %s: %d rows of %d with stride %d need %d elements, have %d", name, m, n, stride, need, have))
	}
}
