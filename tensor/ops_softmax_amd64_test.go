//go:build amd64 && !purego

package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestSoftmaxAsmMatchesGo checks Softmax's assembly steps against their Go
// forms bit for bit on every length up to 40 and a few longer ones, with
// masked (-Inf) entries and canaries past the end.
func TestSoftmaxAsmMatchesGo(t *testing.T) {
	if softmaxShiftAccel == nil {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(12, 34))
	canary := float32(-7.25)
	lengths := []int{100, 255, 256, 257, 1000}
	for n := 1; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		x := kernelRandFloats(rng, n, float64(1+n%4*10))
		if n > 3 {
			x[n/2] = float32(math.Inf(-1))
		}
		run := func(accel bool) []float32 {
			shift, sum, scale := softmaxShiftAccel, sumLanes64Accel, scaleAccel
			defer func() { softmaxShiftAccel, sumLanes64Accel, scaleAccel = shift, sum, scale }()
			if !accel {
				softmaxShiftAccel, sumLanes64Accel, scaleAccel = nil, nil, nil
			}
			y := append(append([]float32(nil), x...), canary, canary)
			Softmax(y[:n])
			return y
		}
		want, got := run(false), run(true)
		for i := range want {
			if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d: element %d = %v, Go %v", n, i, got[i], want[i])
			}
		}
	}
}
