package train

// matMulAdd adds A·B to C[m×n], where B is [k×n] row-major (rows ldb apart),
// C's rows are ldc apart, and A(i,p) is a[i*sm+p*sk] — so A may be stored
// either way round, and neither operand is transposed. Tiles of 4×32 run on
// the vector kernel; the edges run on plain loops.
func matMulAdd(p *Pool, c []float32, ldc int, a []float32, sm, sk int, b []float32, ldb int, m, n, k int) {
	if m == 0 || n == 0 || k == 0 {
		return
	}
	// The sum over p runs in chunks so that a chunk of B (kChunk rows) stays
	// in cache while every row tile of this worker uses it.
	const kChunk = 256
	blocks := (m + 3) / 4
	p.Run(blocks, func(lo, hi int) {
		for q0 := 0; q0 < k; q0 += kChunk {
			kc := min(kChunk, k-q0)
			aq, bq := a[q0*sk:], b[q0*ldb:]
			for i := lo * 4; i < min(hi*4, m); i += 4 {
				rows := min(4, m-i)
				j := 0
				if rows == 4 {
					for ; j+32 <= n && axpyTile4x32(aq[i*sm:], sm, sk, bq[j:], ldb, c[i*ldc+j:], ldc, kc); j += 32 {
					}
				}
				if j < n {
					matMulAddScalar(c[i*ldc:], ldc, aq[i*sm:], sm, sk, bq, ldb, rows, j, n, kc)
				}
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
