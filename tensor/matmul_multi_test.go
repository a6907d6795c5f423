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

// TestMatMulSplitBalancesBytes checks that the per-thread row ranges cover
// the stacked rows in order and carry about equal weight bytes.
func TestMatMulSplitBalancesBytes(t *testing.T) {
	mk := func(typ Type, rows int) matmulPart {
		return matmulPart{w: Matrix{Type: typ, Rows: rows, Cols: 256}}
	}
	stacks := [][]matmulPart{
		{mk(Q4_K, 2048), mk(Q4_K, 256), mk(Q6_K, 256)},
		{mk(Q4_0, 7)},
		{mk(Q8_0, 3), mk(Q4_0, 1000), mk(F32, 5)},
		{mk(Q4_0, 2), mk(Q4_0, 1)},
	}
	for _, parts := range stacks {
		rows, total := 0, 0
		for j := range parts {
			parts[j].first = rows
			rows += parts[j].w.Rows
			total += parts[j].w.Rows * parts[j].w.RowBytes()
		}
		for threads := 1; threads <= 5; threads++ {
			b := matmulSplit(parts, rows, threads)
			if b[0] != 0 || b[len(b)-1] != rows || len(b)-1 != max(1, min(threads, rows)) {
				t.Fatalf("threads %d: bounds %v for %d rows", threads, b, rows)
			}
			most := 0
			for _, part := range parts {
				most = max(most, part.w.RowBytes())
			}
			for k := 0; k+1 < len(b); k++ {
				if b[k] > b[k+1] {
					t.Fatalf("threads %d: bounds %v not increasing", threads, b)
				}
				bytes := 0
				for _, part := range parts {
					lo, hi := max(b[k]-part.first, 0), min(b[k+1]-part.first, part.w.Rows)
					if lo < hi {
						bytes += (hi - lo) * part.w.RowBytes()
					}
				}
				if share := total / (len(b) - 1); bytes > share+2*most || bytes < share-2*most {
					t.Errorf("threads %d: range %d has %d bytes, want about %d (bounds %v)", threads, k, bytes, share, b)
				}
			}
		}
	}
}
