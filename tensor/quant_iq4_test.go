package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

// refIQ4BestIndex is ggml's best_index_int8 as written: a binary search on
// the level table, then a comparison of the two distances.
func refIQ4BestIndex(x float32) int {
	v := &iq4Values
	if x <= float32(v[0]) {
		return 0
	}
	if x >= float32(v[15]) {
		return 15
	}
	lo, hi := 0, 15
	for hi-lo > 1 {
		mid := (lo + hi) / 2
		if x < float32(v[mid]) {
			hi = mid
		} else {
			lo = mid
		}
	}
	if x-float32(v[hi-1]) < float32(v[hi])-x {
		return hi - 1
	}
	return hi
}

func TestIQ4BestIndex(t *testing.T) {
	var xs []float32
	for i, v := range iq4Values {
		f := float32(v)
		xs = append(xs, f, math.Nextafter32(f, -200), math.Nextafter32(f, 200))
		if i > 0 {
			mid := (float32(iq4Values[i-1]) + f) / 2 // exact tie
			xs = append(xs, mid, math.Nextafter32(mid, -200), math.Nextafter32(mid, 200))
		}
	}
	r := rand.New(rand.NewPCG(13, 14))
	for range 100000 {
		xs = append(xs, float32(r.Float64()*300-150))
	}
	xs = append(xs, float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 0, 1e-30)
	for _, x := range xs {
		if got, want := iq4BestIndex(x), refIQ4BestIndex(x); got != want {
			t.Fatalf("iq4BestIndex(%g) = %d, ggml's search gives %d", x, got, want)
		}
	}
	if got := iq4BestIndex(-4.5); got != 8 { // midway between -10 and 1
		t.Errorf("iq4BestIndex(-4.5) = %d, want 8 (tie picks the upper level)", got)
	}
}
