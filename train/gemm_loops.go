package train

// gemmLoops is gemm as plain loops, for machines without the vector
// kernel: A is brought to row-major and B to column-major form (copies,
// when they are not already), and every 2×4 block of C is then eight dot
// products over contiguous memory sharing their loads.
func gemmLoops(p *Pool, c []float32, ldc int, a, b operand, m, n, k int, acc bool) {
	if m <= 0 || n <= 0 {
		return
	}
	ar, lda := a.data, a.rs
	if a.cs != 1 {
		ar, lda = make([]float32, m*k), k
		for i := 0; i < m; i++ {
			for q := 0; q < k; q++ {
				ar[i*k+q] = a.data[i*a.rs+q*a.cs]
			}
		}
	}
	bc, ldb := b.data, b.cs
	if b.rs != 1 {
		bc, ldb = make([]float32, n*k), k
		for q := 0; q < k; q++ {
			for j := 0; j < n; j++ {
				bc[j*k+q] = b.data[q*b.rs+j*b.cs]
			}
		}
	}
	p.Run((m+1)/2, func(lo, hi int) {
		dotBlocks(c, ldc, ar, lda, bc, ldb, lo*2, min(hi*2, m), n, k, acc)
	})
}

// dotBlocks sets (or adds to) rows [i0,i1) of C the dot products of A's
// rows with B's columns, both contiguous over k (rows lda and ldb apart).
func dotBlocks(c []float32, ldc int, a []float32, lda int, b []float32, ldb int, i0, i1, n, k int, acc bool) {
	put := func(i, j int, s float32) {
		if acc {
			c[i*ldc+j] += s
		} else {
			c[i*ldc+j] = s
		}
	}
	j := 0
	for ; j+4 <= n; j += 4 {
		b0, b1, b2, b3 := b[j*ldb:j*ldb+k], b[(j+1)*ldb:(j+1)*ldb+k], b[(j+2)*ldb:(j+2)*ldb+k], b[(j+3)*ldb:(j+3)*ldb+k]
		i := i0
		for ; i+2 <= i1; i += 2 {
			s := dot2x4(a[i*lda:i*lda+k], a[(i+1)*lda:(i+1)*lda+k], b0, b1, b2, b3)
			for q := 0; q < 4; q++ {
				put(i, j+q, s[q])
				put(i+1, j+q, s[4+q])
			}
		}
		for ; i < i1; i++ {
			ai := a[i*lda : i*lda+k]
			put(i, j, dot(ai, b0))
			put(i, j+1, dot(ai, b1))
			put(i, j+2, dot(ai, b2))
			put(i, j+3, dot(ai, b3))
		}
	}
	for ; j < n; j++ {
		bj := b[j*ldb : j*ldb+k]
		for i := i0; i < i1; i++ {
			put(i, j, dot(a[i*lda:i*lda+k], bj))
		}
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
