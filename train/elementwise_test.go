package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The element-wise kernels against their scalar versions, at lengths that
// exercise both the vector part and the tail.

var elemLens = []int{1, 15, 16, 17, 100, 1024, 1031}

func randFloats(rng *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * scale)
	}
	return x
}

func closeTo(got, want []float32, tol float64) (int, bool) {
	for i := range want {
		g, w := float64(got[i]), float64(want[i])
		if math.Abs(g-w) > tol*(math.Abs(w)+1e-30) && math.Abs(g-w) > 1e-37 {
			return i, false
		}
	}
	return 0, true
}

func TestMaxMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(31, 32))
	for _, n := range elemLens {
		x := randFloats(rng, n, 10)
		if got, want := maxFloat(x), maxGo(x); got != want {
			t.Errorf("n %d: max %v, want %v", n, got, want)
		}
	}
}

func TestSwiGLUMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(33, 34))
	for _, n := range elemLens {
		g, u, dh := randFloats(rng, n, 6), randFloats(rng, n, 1), randFloats(rng, n, 1)
		g[0] = -100 // e^−100 is below the exp's clamp
		h, want := make([]float32, n), make([]float32, n)
		swiglu(h, g, u)
		swigluGo(want, g, u)
		if i, ok := closeTo(h, want, 1e-5); !ok {
			t.Errorf("n %d: h[%d] = %v, want %v (g %v)", n, i, h[i], want[i], g[i])
		}
		dg, du, wdg, wdu := make([]float32, n), make([]float32, n), make([]float32, n), make([]float32, n)
		swigluBack(dg, du, dh, g, u)
		swigluBackGo(wdg, wdu, dh, g, u)
		if i, ok := closeTo(dg, wdg, 1e-5); !ok {
			t.Errorf("n %d: dg[%d] = %v, want %v", n, i, dg[i], wdg[i])
		}
		if i, ok := closeTo(du, wdu, 1e-5); !ok {
			t.Errorf("n %d: du[%d] = %v, want %v", n, i, du[i], wdu[i])
		}
	}
}

func TestSumSquaresMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(35, 36))
	for _, n := range elemLens {
		x := randFloats(rng, n, 3)
		if got, want := sumSquares(x), sumSquaresGo(x); math.Abs(got-want) > 1e-12*want {
			t.Errorf("n %d: %v, want %v", n, got, want)
		}
	}
}

func TestAdamWKernelMatchesScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(37, 38))
	for _, n := range elemLens {
		for _, store := range []uint32{0, 1} {
			c := adamConsts{b1: 0.9, omb1: 0.1, b2: 0.95, omb2: 0.05, decay: 0.999, step: 1e-3, sc2: 20, eps: 1e-8, gscale: 0.5, store: store}
			w, g := randFloats(rng, n, 1), randFloats(rng, n, 1)
			m, v := randFloats(rng, n, 0.1), randFloats(rng, n, 0.1)
			for i := range v {
				v[i] *= v[i]
			}
			w2, g2, m2, v2 := clone32(w), clone32(g), clone32(m), clone32(v)
			adamw(w, g, m, v, &c)
			adamwGo(w2, g2, m2, v2, &c)
			for _, pair := range [][2][]float32{{w, w2}, {g, g2}, {m, m2}, {v, v2}} {
				if i, ok := closeTo(pair[0], pair[1], 1e-6); !ok {
					t.Errorf("n %d store %d: [%d] = %v, want %v", n, store, i, pair[0][i], pair[1][i])
				}
			}
		}
	}
}

func clone32(x []float32) []float32 { return append([]float32(nil), x...) }
