//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// AVX2 versions of Dot and Axpy (ops_amd64.s) with the same results bit
// for bit: Dot's lanes and reduction are ggml's x86 ones, which x86Dot
// emulates, and Axpy rounds each product before adding it. They are meant
// for Dot and Axpy to call on whole multiples of 32 elements when opsAVX2
// is true, which they do through dotAccel and axpyAccel.

// opsAVX2 reports whether the CPU runs dotAVX2 and axpyAVX2.
var opsAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA

// Dot and Axpy run the assembly when the CPU has it.
var _ = func() bool {
	if opsAVX2 {
		dotAccel, axpyAccel = opsDot, opsAxpy
		dotRowsAccel, axpyRowsAccel = opsDotRows, opsAxpyRows
	}
	return true
}()

// opsDot is Dot through dotAVX2 (the tail of fewer than 32 elements in Go,
// as Dot adds it).
func opsDot(a, b []float32) float32 {
	b = b[:len(a)]
	body := len(a) &^ 31
	var s float32
	if body > 0 {
		s = dotAVX2(&a[0], &b[0], body)
	}
	for i := body; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// opsAxpy is Axpy through axpyAVX2.
func opsAxpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	body := len(x) &^ 31
	if body > 0 {
		axpyAVX2(alpha, &x[0], &y[0], body)
	}
	for i := body; i < len(x); i++ {
		y[i] += x[i] * alpha
	}
}

// dotAVX2 returns Σ a[i]·b[i] over n elements, n a multiple of 32, as Dot:
//
//	var acc [4][8]float32
//	for i := 0; i < n; i++ {
//		acc[i/8%4][i%8] = fma(a[i], b[i], acc[i/8%4][i%8])
//	}
//	return x86Dot(acc).sum()
//
//go:noescape
func dotAVX2(a, b *float32, n int) float32

// axpyAVX2 adds alpha·x to y over n elements, n a multiple of 32:
//
//	for i := 0; i < n; i++ {
//		y[i] += x[i] * alpha
//	}
//
//go:noescape
func axpyAVX2(alpha float32, x, y *float32, n int)

// opsDotRows is DotRows through dotRowsAVX2 (lengths checked by DotRows).
func opsDotRows(out, q, rows []float32, stride int, scale float32) {
	dotRowsAVX2(&q[0], &rows[0], stride, len(out), len(q), scale, &out[0])
}

// opsAxpyRows is AxpyRows through axpyRowsAVX2 (lengths checked by
// AxpyRows).
func opsAxpyRows(y, w, rows []float32, stride int) {
	axpyRowsAVX2(&w[0], &rows[0], stride, len(w), len(y), &y[0])
}

// dotRowsAVX2 sets out[p] = dotAVX2(q, rows+p*stride, n)·scale for p < m,
// n a multiple of 32: dotAVX2's loop and reduction for each row in turn.
//
//go:noescape
func dotRowsAVX2(q, rows *float32, stride, m, n int, scale float32, out *float32)

// axpyRowsAVX2 adds w[p]·(rows+p*stride)[:n] to y for p < m in order, n a
// multiple of 32, each product rounded before the sum as in axpyAVX2; y is
// kept in registers 32 elements at a time.
//
//go:noescape
func axpyRowsAVX2(w, rows *float32, stride, m, n int, y *float32)
