package train

// matMulAdd adds A·B to C[m×n], where B is [k×n] row-major (rows ldb apart),
// C's rows are ldc apart, and A(i,p) is a[i*sm+p*sk] — so A may be stored
// either way round, and neither operand is transposed. Tiles of 4×32 run on
// the vector kernel; the edges run on plain loops.
func matMulAdd(p *Pool, c []float32, ldc int, a []float32, sm, sk int, b []float32, ldb int, m, n, k int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	blocks := (m + 3) / 4
	p.Run(blocks, func(lo, hi int) {
		for i := lo * 4; i < min(hi*4, m); i += 4 {
			rows := min(4, m-i)
			j := 0
			if rows == 4 {
				for ; j+32 <= n && axpyTile4x32(a[i*sm:], sm, sk, b[j:], ldb, c[i*ldc+j:], ldc, k); j += 32 {
				}
			}
			if j < n {
				matMulAddScalar(c[i*ldc:], ldc, a[i*sm:], sm, sk, b, ldb, rows, j, n, k)
			}
		}
	})
}

// matMulAddScalar is the reference: columns [j0,n) of the first rows rows.
func matMulAddScalar(c []float32, ldc int, a []float32, sm, sk int, b []float32, ldb int, rows, j0, n, k int) {
	for r := 0; r < rows; r++ {
		crow := c[r*ldc+j0 : r*ldc+n]
		for q := 0; q < k; q++ {
			x := a[r*sm+q*sk]
			if x == 0 {
				continue
			}
			brow := b[q*ldb+j0 : q*ldb+n]
			for j, v := range brow {
				crow[j] += x * v
			}
		}
	}
}
