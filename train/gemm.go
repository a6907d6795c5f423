package train

// The float32 matrix products of the linear layers, all on the packed
// product (gemm), which reads either operand in either orientation, and
// the dot products of the row-by-row loops.

// matMulNT sets C[M×N] = A[M×K]·B[N×K]ᵀ, or adds to C when acc is true.
func matMulNT(p *Pool, c, a, b []float32, m, n, k int, acc bool) {
	gemm(p, c, n, rowMajor(a, k), colMajor(b, k), m, n, k, acc)
}

// dot returns Σ a[i]·b[i] over len(a).
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// axpy adds alpha·x to y.
func axpy(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += alpha * v
	}
}

// linearForward sets y[n×out] = x[n×in]·Wᵀ for W [out×in].
func linearForward(p *Pool, y, x, w []float32, n, in, out int) {
	gemm(p, y, out, rowMajor(x, in), colMajor(w, in), n, out, in, false)
}

// linearBackwardInput adds dy[n×out]·W to dx[n×in].
func linearBackwardInput(p *Pool, dx, dy, w []float32, n, in, out int) {
	gemm(p, dx, in, rowMajor(dy, out), rowMajor(w, in), n, in, out, true)
}

// linearBackwardWeight adds dyᵀ·x to dw [out×in].
func linearBackwardWeight(p *Pool, dw, dy, x []float32, n, in, out int) {
	gemm(p, dw, in, colMajor(dy, out), rowMajor(x, in), out, in, n, true)
}
