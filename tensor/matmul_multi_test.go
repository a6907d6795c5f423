package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestMatMulMultiMatchesMatMul checks that stacking matrices of mixed types
// (as a layer's q/k/v or gate/up projections) changes no bit of any output.
func TestMatMulMultiMatchesMatMul(t *testing.T) {
	pool := NewPool(3)
	defer pool.Close()
	rng := rand.New(rand.NewPCG(5, 9))
	cols := 512
	mixes := [][]Type{
		{Q4_0, Q4_0, Q4_0},
		{Q4_K, Q4_K, Q6_K},
		{Q8_0, Q4_1, F16, Q4_K},
		{F32},
	}
	for _, mix := range mixes {
		ws := make([]Matrix, len(mix))
		for j, typ := range mix {
			rows := 3 + 17*j
			w, err := NewMatrix(typ, rows, cols, kernelRandWeights(rng, typ, rows, cols))
			if err != nil {
				t.Fatal(err)
			}
			ws[j] = w
		}
		for _, n := range []int{1, 2, 9, 20} {
			x := kernelRandFloats(rng, n*cols, 1)
			for _, p := range []*Pool{nil, pool} {
				outs := make([][]float32, len(ws))
				for j, w := range ws {
					outs[j] = make([]float32, n*w.Rows)
				}
				MatMulMulti(p, outs, ws, x, n)
				for j, w := range ws {
					want := make([]float32, n*w.Rows)
					MatMul(nil, want, w, x, n)
					for i := range want {
						if math.Float32bits(outs[j][i]) != math.Float32bits(want[i]) {
							t.Fatalf("%v n=%d %d threads: matrix %d out[%d] = %v, MatMul %v", mix, n, p.Threads(), j, i, outs[j][i], want[i])
						}
					}
				}
			}
		}
	}
}

func TestMatMulMultiPanicsOnMismatch(t *testing.T) {
	a, _ := NewMatrix(F32, 2, 4, make([]byte, 32))
	b, _ := NewMatrix(F32, 2, 8, make([]byte, 64))
	for name, f := range map[string]func(){
		"columns": func() {
			MatMulMulti(nil, [][]float32{make([]float32, 2), make([]float32, 2)}, []Matrix{a, b}, make([]float32, 8), 1)
		},
		"outputs": func() { MatMulMulti(nil, [][]float32{make([]float32, 2)}, []Matrix{a, a}, make([]float32, 4), 1) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			f()
		}()
	}
}
