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
