package train

// The float32 matrix products of training. Every product is written as
// C = A·Bᵀ with A [M×K] and B [N×K] both row-major, so that the inner loop is
// a dot product over contiguous memory; the other orientations transpose a
// (small) operand first.

// matMulNT sets C[M×N] = A[M×K]·B[N×K]ᵀ, or adds to C when acc is true.
func matMulNT(p *Pool, c, a, b []float32, m, n, k int, acc bool) {
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !acc {
			clear(c[:m*n])
		}
		return
	}
	_ = c[m*n-1]
	_ = a[m*k-1]
	_ = b[n*k-1]
	const rowBlock = 64
	if n >= 4*p.Threads() || n >= m {
		blocks := (n + 3) / 4
		// B is taken colBlock rows at a time, which stay in cache while
		// every row block of A passes over them.
		const colBlock = 256
		p.Run(blocks, func(lo, hi int) {
			for j0 := lo * 4; j0 < min(hi*4, n); j0 += colBlock {
				j1 := min(j0+colBlock, hi*4, n)
				for i0 := 0; i0 < m; i0 += rowBlock {
					i1 := min(i0+rowBlock, m)
					gemmTile(c, n, a, k, b, k, i0, i1, j0, j1, k, acc)
				}
			}
		})
		return
	}
	p.Run((m+1)/2, func(lo, hi int) {
		gemmTile(c, n, a, k, b, k, lo*2, min(hi*2, m), 0, n, k, acc)
	})
}

// gemmTile computes rows [i0,i1) and columns [j0,j1) of C = A·Bᵀ over k
// values, for row-major operands whose rows are lda, ldb and ldc apart.
func gemmTile(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, i0, i1, j0, j1, k int, acc bool) {
	j := j0
	for ; j+4 <= j1; j += 4 {
		b0 := b[j*ldb : j*ldb+k]
		b1 := b[(j+1)*ldb : (j+1)*ldb+k]
		b2 := b[(j+2)*ldb : (j+2)*ldb+k]
		b3 := b[(j+3)*ldb : (j+3)*ldb+k]
		i := i0
		var blk [16]float32
		for ; i+4 <= i1 && dot4x4(a[i*lda:], lda, b[j*ldb:], ldb, k, &blk); i += 4 {
			for r := 0; r < 4; r++ {
				store(c[(i+r)*ldc+j:(i+r)*ldc+j+4], blk[4*r:4*r+4], acc)
			}
		}
		for ; i+2 <= i1; i += 2 {
			a0 := a[i*lda : i*lda+k]
			a1 := a[(i+1)*lda : (i+1)*lda+k]
			s := dot2x4(a0, a1, b0, b1, b2, b3)
			store(c[i*ldc+j:i*ldc+j+4], s[0:4], acc)
			store(c[(i+1)*ldc+j:(i+1)*ldc+j+4], s[4:8], acc)
		}
		for ; i < i1; i++ {
			a0 := a[i*lda : i*lda+k]
			s := [4]float32{dot(a0, b0), dot(a0, b1), dot(a0, b2), dot(a0, b3)}
			store(c[i*ldc+j:i*ldc+j+4], s[:], acc)
		}
	}
	for ; j < j1; j++ {
		bj := b[j*ldb : j*ldb+k]
		for i := i0; i < i1; i++ {
			s := dot(a[i*lda:i*lda+k], bj)
			if acc {
				c[i*ldc+j] += s
			} else {
				c[i*ldc+j] = s
			}
		}
	}
}

func store(dst, s []float32, acc bool) {
	if acc {
		for i := range dst {
			dst[i] += s[i]
		}
	} else {
		copy(dst, s)
	}
}

// dot2x4 returns the eight dot products of a0,a1 with b0..b3 (a0·b0 ... a0·b3, a1·b0 ... a1·b3).
func dot2x4(a0, a1, b0, b1, b2, b3 []float32) [8]float32 {
	n := len(a0)
	a1 = a1[:n]
	b0 = b0[:n]
	b1 = b1[:n]
	b2 = b2[:n]
	b3 = b3[:n]
	var s00, s01, s02, s03, s10, s11, s12, s13 float32
	for i := 0; i < n; i++ {
		x, y := a0[i], a1[i]
		p, q, r, s := b0[i], b1[i], b2[i], b3[i]
		s00 += x * p
		s01 += x * q
		s02 += x * r
		s03 += x * s
		s10 += y * p
		s11 += y * q
		s12 += y * r
		s13 += y * s
	}
	return [8]float32{s00, s01, s02, s03, s10, s11, s12, s13}
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

// transpose writes the transpose of src [rows×cols] into dst [cols×rows].
func transpose(p *Pool, dst, src []float32, rows, cols int) {
	const blk = 32
	p.Run((rows+blk-1)/blk, func(lo, hi int) {
		for r0 := lo * blk; r0 < min(hi*blk, rows); r0 += blk {
			r1 := min(r0+blk, rows)
			for c0 := 0; c0 < cols; c0 += blk {
				c1 := min(c0+blk, cols)
				for r := r0; r < r1; r++ {
					row := src[r*cols : r*cols+cols]
					for c := c0; c < c1; c++ {
						dst[c*rows+r] = row[c]
					}
				}
			}
		}
	})
}

// linearForward sets y[n×out] = x[n×in]·Wᵀ for W [out×in].
func linearForward(p *Pool, y, x, w []float32, n, in, out int) {
	matMulNT(p, y, x, w, n, out, in, false)
}

// linearBackwardInput adds dy[n×out]·W to dx[n×in] (scratch holds Wᵀ: in×out floats).
func linearBackwardInput(p *Pool, dx, dy, w, scratch []float32, n, in, out int) {
	if vectorKernel() {
		matMulAdd(p, dx, in, dy, out, 1, w, in, n, in, out)
		return
	}
	transpose(p, scratch[:in*out], w, out, in)
	matMulNT(p, dx, dy, scratch[:in*out], n, in, out, true)
}

// linearBackwardWeight adds dyᵀ·x to dw [out×in] (scratch holds dyᵀ then xᵀ: n×(out+in) floats).
func linearBackwardWeight(p *Pool, dw, dy, x, scratch []float32, n, in, out int) {
	if vectorKernel() {
		// dyᵀ first, so that each 4-row tile reads its rows of dy contiguously.
		matMulAdd(p, dw, in, dy, 1, out, x, in, out, in, n)
		return
	}
	dyT := scratch[:out*n]
	xT := scratch[out*n : out*n+in*n]
	transpose(p, dyT, dy, n, out)
	transpose(p, xT, x, n, in)
	matMulNT(p, dw, dyT, xT, out, in, n, true)
}
