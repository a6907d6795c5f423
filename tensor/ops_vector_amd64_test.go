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

// TestSiLUMulAsmMatchesGo checks the assembly SiLUMul against the Go loop
// bit for bit, in place and not, with canaries past the end.
func TestSiLUMulAsmMatchesGo(t *testing.T) {
	if siluMulAccel == nil {
		t.Skip("no AVX-512 on this CPU")
	}
	rng := rand.New(rand.NewPCG(56, 78))
	lengths := []int{100, 8192}
	for n := 1; n <= 40; n++ {
		lengths = append(lengths, n)
	}
	for _, n := range lengths {
		gate := kernelRandFloats(rng, n, float64(1+n%3*20))
		up := kernelRandFloats(rng, n, 3)
		if n > 5 {
			gate[3], gate[4] = 100, -100 // exp under- and overflow
		}
		run := func(accel, inPlace bool) []float32 {
			defer func(f func(out, gate, up []float32)) { siluMulAccel = f }(siluMulAccel)
			if !accel {
				siluMulAccel = nil
			}
			g := append(append([]float32(nil), gate...), -7.25)
			out := make([]float32, n+1)
			out[n] = -7.25
			if inPlace {
				out = g
			}
			SiLUMul(out[:n], g[:n], up)
			return out
		}
		for _, inPlace := range []bool{false, true} {
			want, got := run(false, inPlace), run(true, inPlace)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
					t.Fatalf("n=%d in place %v: element %d = %v, Go %v", n, inPlace, i, got[i], want[i])
				}
			}
		}
	}
}
