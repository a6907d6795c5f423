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
			c = randFloats(rng, tileRows*ldc, 1)
			want = clone32(c)
			microKernelHalf(ap, bp, c, ldc, k, load)
			microKernelHalfGo(ap, bp, want, ldc, k, load)
			if e := relErr(c, to64(want)); e > 1e-6 {
				t.Errorf("half, k %d load %v: relative error %g", k, load, e)
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
	for _, sh := range [][3]int{{1, 1, 1}, {3, 40, 0}, {8, 32, 5}, {9, 33, 17}, {16, 48, 30}, {130, 70, 200}, {20, 600, 40}, {300, 36, 401}} {
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
					gemmLoops(p, c2, n+ldc, a, b, m, n, k, acc)
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

// BenchmarkMicroKernel runs the 8×32 tile on panels that sit in L1, the
// product's best case, in GFLOP/s of one goroutine.
func BenchmarkMicroKernel(b *testing.B) {
	rng := rand.New(rand.NewPCG(47, 48))
	const k = kcMax
	ap, bp := randFloats(rng, k*tileRows, 1), randFloats(rng, k*tileCols, 1)
	c := make([]float32, tileRows*tileCols)
	for b.Loop() {
		microKernel(ap, bp, c, tileCols, k, true)
	}
	b.ReportMetric(2*tileRows*tileCols*k*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
}

func TestPackingMatchesGo(t *testing.T) {
	rng := rand.New(rand.NewPCG(49, 50))
	for _, k := range []int{1, 7, 8, 9, 64, 250} {
		const lds = 300
		src := randFloats(rng, max(31*lds+k, k*lds+32), 1)
		for _, ldd := range []int{8, 32} {
			got, want := make([]float32, k*ldd), make([]float32, k*ldd)
			transpose8(got, ldd, src, lds, k)
			transpose8Go(want, ldd, src, lds, k)
			if i, ok := closeTo(got, want, 0); !ok {
				t.Errorf("transpose8 k %d ldd %d: [%d] = %v, want %v", k, ldd, i, got[i], want[i])
			}
			got, want = make([]float32, k*ldd), make([]float32, k*ldd)
			copyRows(got, src, lds, k, ldd)
			copyRowsGo(want, src, lds, k, ldd)
			if i, ok := closeTo(got, want, 0); !ok {
				t.Errorf("copyRows k %d width %d: [%d] = %v, want %v", k, ldd, i, got[i], want[i])
			}
		}
	}
}
