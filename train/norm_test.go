package train

import (
	"math/rand/v2"
	"testing"
)

func TestNormKernelsMatchScalar(t *testing.T) {
	rng := rand.New(rand.NewPCG(51, 52))
	for _, n := range elemLens {
		x, w, dy, base := randFloats(rng, n, 1), randFloats(rng, n, 1), randFloats(rng, n, 1), randFloats(rng, n, 1)
		const r, c = 1.3, 0.21
		got, want := make([]float32, n), make([]float32, n)
		normScale(got, x, w, r)
		normScaleGo(want, x, w, r)
		if i, ok := closeTo(got, want, 0); !ok {
			t.Errorf("normScale n %d: [%d] = %v, want %v", n, i, got[i], want[i])
		}
		if e := relErr([]float32{dot3(dy, w, x)}, []float64{float64(dot3Go(dy, w, x))}); e > 1e-5 {
			t.Errorf("dot3 n %d: relative error %g", n, e)
		}
		got, want = clone32(base), clone32(base)
		normBack(got, dy, x, w, r, c)
		normBackGo(want, dy, x, w, r, c)
		if i, ok := closeTo(got, want, 1e-6); !ok {
			t.Errorf("normBack n %d: [%d] = %v, want %v", n, i, got[i], want[i])
		}
		got, want = clone32(base), clone32(base)
		normWeight(got, dy, x, r)
		normWeightGo(want, dy, x, r)
		if i, ok := closeTo(got, want, 0); !ok {
			t.Errorf("normWeight n %d: [%d] = %v, want %v", n, i, got[i], want[i])
		}
		got, want = clone32(base), clone32(base)
		addTo(got, x)
		addToGo(want, x)
		if i, ok := closeTo(got, want, 0); !ok {
			t.Errorf("addTo n %d: [%d] = %v, want %v", n, i, got[i], want[i])
		}
	}
}
