package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestKernelExpRounding checks kernelExp against e^x correctly rounded
// (float32 of the float64 exp, whose own error is far smaller) on a sweep of
// the float32 range that matters and on random values: at most a few
// differences, each of one unit in the last place.
func TestKernelExpRounding(t *testing.T) {
	rng := rand.New(rand.NewPCG(71, 3))
	var xs []float32
	for x := float32(-110); x < 95; x += 0.0137 {
		xs = append(xs, x)
	}
	for range 100000 {
		xs = append(xs, float32(rng.NormFloat64()*10))
	}
	xs = append(xs, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), -1e30, 1e30, 88.72, 88.73, -103.9, -104)
	diff := 0
	for _, x := range xs {
		got, want := kernelExp(x), float32(math.Exp(float64(x)))
		if math.Float32bits(got) == math.Float32bits(want) {
			continue
		}
		diff++
		if u := math.Float32bits(got) - math.Float32bits(want); u != 1 && u != ^uint32(0) || diff > 3 {
			t.Fatalf("kernelExp(%v) = %v, e^x rounds to %v (%d differences so far)", x, got, want, diff)
		}
	}
	if v := kernelExp(float32(math.NaN())); v == v {
		t.Errorf("kernelExp(NaN) = %v", v)
	}
}

// TestExpFloatsMatchesKernelExp checks the vector exponential (assembly
// where the CPU has it) against kernelExp bit for bit, with canaries.
func TestExpFloatsMatchesKernelExp(t *testing.T) {
	rng := rand.New(rand.NewPCG(72, 4))
	for _, n := range []int{0, 1, 7, 8, 9, 64, 1000} {
		x := make([]float32, n+2)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * 30)
		}
		if n > 3 {
			x[1], x[2], x[3] = float32(math.Inf(-1)), float32(math.Inf(1)), -200
		}
		want := append([]float32(nil), x...)
		for i := 1; i <= n; i++ {
			want[i] = kernelExp(want[i])
		}
		expFloats(x[1 : n+1])
		for i := range x {
			if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
				t.Fatalf("n=%d: x[%d] = %v, want %v", n, i-1, x[i], want[i])
			}
		}
	}
}
