package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestDotAxpyRowsMatchLoops checks DotRows and AxpyRows against the loops
// over Dot and Axpy they stand for, bit for bit, with canaries around the
// results.
func TestDotAxpyRowsMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(61, 7))
	canary := float32(math.Inf(-1))
	for _, n := range []int{1, 32, 48, 64, 128, 160} {
		for _, m := range []int{1, 2, 7, 64, 300} {
			stride := n + rng.IntN(3)*32
			rows := kernelRandFloats(rng, (m-1)*stride+n, 1)
			q := kernelRandFloats(rng, n, 1)
			scale := float32(0.125)

			got := make([]float32, m+2)
			for i := range got {
				got[i] = canary
			}
			DotRows(got[1:m+1], q, rows, stride, scale)
			for p := 0; p < m; p++ {
				want := Dot(q, rows[p*stride:p*stride+n]) * scale
				if math.Float32bits(got[p+1]) != math.Float32bits(want) {
					t.Fatalf("DotRows n=%d m=%d row %d: %v, Dot %v", n, m, p, got[p+1], want)
				}
			}
			if got[0] != canary || got[m+1] != canary {
				t.Fatalf("DotRows n=%d m=%d wrote outside out", n, m)
			}

			w := kernelRandFloats(rng, m, 1)
			y := kernelRandFloats(rng, n+2, 1)
			y[0], y[n+1] = canary, canary
			want := append([]float32(nil), y...)
			AxpyRows(y[1:n+1], w, rows, stride)
			for p, a := range w {
				Axpy(a, rows[p*stride:p*stride+n], want[1:n+1])
			}
			for i := range y {
				if math.Float32bits(y[i]) != math.Float32bits(want[i]) {
					t.Fatalf("AxpyRows n=%d m=%d y[%d] = %v, Axpy loop %v", n, m, i-1, y[i], want[i])
				}
			}
		}
	}
}

// TestDotAxpyRowsPanicOnShortRows checks the length checks.
func TestDotAxpyRowsPanicOnShortRows(t *testing.T) {
	for name, f := range map[string]func(){
		"DotRows":  func() { DotRows(make([]float32, 3), make([]float32, 32), make([]float32, 95), 32, 1) },
		"AxpyRows": func() { AxpyRows(make([]float32, 32), make([]float32, 3), make([]float32, 95), 32) },
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

// TestRowsGroupMatchLoops checks DotRowsGroup and AxpyRowsGroup against
// DotRows and AxpyRows query by query, bit for bit, with canaries around
// the results.
func TestRowsGroupMatchLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(62, 8))
	canary := float32(math.Inf(-1))
	for _, n := range []int{32, 48, 64, 128} {
		for _, m := range []int{1, 7, 8, 9, 64, 300} {
			for _, g := range []int{1, 2, 3, 4, 5, 8} {
				stride := n*g + rng.IntN(3)*32
				rows := kernelRandFloats(rng, (m-1)*stride+n, 1)
				q := kernelRandFloats(rng, g*n, 1)
				got := make([]float32, g*m+2)
				for i := range got {
					got[i] = canary
				}
				DotRowsGroup(got[1:g*m+1], m, q, n, g, rows, stride, 0.125)
				want := make([]float32, g*m)
				for h := 0; h < g; h++ {
					DotRows(want[h*m:(h+1)*m], q[h*n:(h+1)*n], rows, stride, 0.125)
				}
				if got[0] != canary || got[g*m+1] != canary {
					t.Fatalf("DotRowsGroup n=%d m=%d g=%d wrote outside out", n, m, g)
				}
				for i, v := range want {
					if math.Float32bits(got[i+1]) != math.Float32bits(v) {
						t.Fatalf("DotRowsGroup n=%d m=%d g=%d score %d: %v, DotRows %v", n, m, g, i, got[i+1], v)
					}
				}

				w := kernelRandFloats(rng, g*m, 1)
				y := kernelRandFloats(rng, g*n+2, 1)
				y[0], y[g*n+1] = canary, canary
				wantY := append([]float32(nil), y...)
				AxpyRowsGroup(y[1:g*n+1], n, w, m, g, rows, stride)
				for h := 0; h < g; h++ {
					AxpyRows(wantY[1+h*n:1+(h+1)*n], w[h*m:(h+1)*m], rows, stride)
				}
				for i := range y {
					if math.Float32bits(y[i]) != math.Float32bits(wantY[i]) {
						t.Fatalf("AxpyRowsGroup n=%d m=%d g=%d y[%d] = %v, AxpyRows %v", n, m, g, i-1, y[i], wantY[i])
					}
				}
			}
		}
	}
}
