//go:build !purego

package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestRepackKernelsMatchGo runs every assembly kernel for repacked groups
// against the Go twin, with canaries around the results and the inputs
// against an unreadable page.
func TestRepackKernelsMatchGo(t *testing.T) {
	if repackKernels == nil {
		t.Skip("no kernels for repacked weights on this CPU or build")
	}
	rng := rand.New(rand.NewPCG(42, 3))
	for _, cols := range []int{32, 64, 4096} {
		nb := cols / 32
		src, _ := NewMatrix(Q4_0, 16, cols, kernelRandBlocks(rng, Q4_0, 16, cols))
		wp := repackQ4_0(src)
		w := legacyFenced(t, len(wp))
		copy(w, wp)
		for nx := 1; nx <= kernelTile; nx++ {
			xStride := nb*q8sBlock + 8
			xs := make([]byte, nx*xStride)
			for tk := 0; tk < nx; tk++ {
				v := kernelRandFloats(rng, cols, math.Pow(10, float64(tk%3)))
				if tk == 1 {
					for i := range v {
						v[i] = float32(1 - 2*(i%2)) // quants of ±127
					}
				}
				convertQ8Sums(v, xs[tk*xStride:])
			}
			x := legacyFenced(t, (nx-1)*xStride+nb*q8sBlock)
			copy(x, xs)
			const outStride = 21
			canary := float32(math.Inf(-1))
			got := make([]float32, (nx-1)*outStride+16+2)
			for i := range got {
				got[i] = canary
			}
			want := make([]float32, (nx-1)*outStride+16)
			q4_0x16Go(w, x, nb, xStride, nx, want, outStride)
			repackGroup(w, x, nb, xStride, nx, got[1:], outStride)
			for i, v := range got {
				j := i - 1
				if j < 0 || j >= len(want) || j%outStride >= 16 {
					if math.Float32bits(v) != math.Float32bits(canary) {
						t.Fatalf("cols %d nx %d: out[%d] = %v: written outside the results", cols, nx, j, v)
					}
					continue
				}
				if math.Float32bits(v) != math.Float32bits(want[j]) {
					if d := math.Abs(float64(v - want[j])); d > 1e-6*math.Abs(float64(want[j])) {
						t.Fatalf("cols %d nx %d: out[%d] = %v, Go %v", cols, nx, j, v, want[j])
					}
				}
			}
		}
	}
}
