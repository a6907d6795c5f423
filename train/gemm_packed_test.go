package train

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func TestMicroKernelMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(41, 42))
	for _, k := range []int{1, 7, 192} {
		for _, load := range []bool{false, true} {
			ap, bp := randFloats(rng, k*tileRows, 1), randFloats(rng, k*tileCols, 1)
			const ldc = 40
			c := randFloats(rng, tileRows*ldc, 1)
			want := clone32(c)
			microKernel(ap, bp, c, ldc, k, load)
			microKernelGo(ap, bp, want, ldc, k, load)
			if e := relErr(c, to64(want)); e > 1e-6 {
				t.Errorf("k %d load %v: relative error %g", k, load, e)
			}
		}
	}
}

// TestGemmMatchesReference runs the packed product and the plain loops on
// every orientation of A and B, at sizes with edge tiles and several blocks
// along each dimension.
func TestGemmMatchesReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(43, 44))
	p := NewPool(3)
	defer p.Close()
	for _, sh := range [][3]int{{1, 1, 1}, {8, 32, 5}, {9, 33, 17}, {130, 70, 200}, {20, 600, 40}, {300, 36, 401}} {
		m, n, k := sh[0], sh[1], sh[2]
		a64, b64 := randVec(rng, m*k, 1), randVec(rng, k*n, 1)
		want0 := make([]float64, m*n)
		for i := 0; i < m; i++ {
			for j := 0; j < n; j++ {
				for q := 0; q < k; q++ {
					want0[i*n+j] += a64[i*k+q] * b64[q*n+j]
				}
			}
		}
		aT, bT := make([]float64, m*k), make([]float64, k*n)
		for i := 0; i < m; i++ {
			for q := 0; q < k; q++ {
				aT[q*m+i] = a64[i*k+q]
			}
		}
		for q := 0; q < k; q++ {
			for j := 0; j < n; j++ {
				bT[j*k+q] = b64[q*n+j]
			}
		}
		as := map[string]operand{"A": rowMajor(to32(a64), k), "Aᵀ": colMajor(to32(aT), m)}
		bs := map[string]operand{"B": rowMajor(to32(b64), n), "Bᵀ": colMajor(to32(bT), k)}
		for an, a := range as {
			for bn, b := range bs {
				for _, acc := range []bool{false, true} {
					const ldc = 3 // C's rows are ldc+n apart
					c0 := randVec(rng, m*(n+ldc), 1)
					c, c2 := to32(c0), to32(c0)
					gemmPacked(p, c, n+ldc, a, b, m, n, k, acc)
					gemmLoops(c2, n+ldc, a, b, m, n, k, acc)
					want := append([]float64(nil), c0...)
					for i := 0; i < m; i++ {
						for j := 0; j < n; j++ {
							w := want0[i*n+j]
							if acc {
								w += c0[i*(n+ldc)+j]
							}
							want[i*(n+ldc)+j] = w
						}
					}
					name := fmt.Sprintf("%v %s·%s acc=%v", sh, an, bn, acc)
					if e := relErr(c, want); e > 1e-5 {
						t.Errorf("%s: relative error %g", name, e)
					}
					if e := relErr(c2, want); e > 1e-5 {
						t.Errorf("%s, loops: relative error %g", name, e)
					}
				}
			}
		}
	}
}
