package sample

import (
	"math"
	"testing"
)

// TestGreedyFastPathMatchesArgmax checks that greedy sampling without
// penalties picks what Argmax over the candidates picks, ties and NaNs
// included, and that penalties still apply.
func TestGreedyFastPathMatchesArgmax(t *testing.T) {
	nan := float32(math.NaN())
	cases := [][]float32{
		{1, 3, 3, 2},
		{nan, 1, 5, nan, 5},
		{1, nan, 5},
		{-1, -1, -1},
		{float32(math.Inf(-1)), float32(math.Inf(-1))},
		{nan, nan},
	}
	s := New(Options{})
	for _, logits := range cases {
		want := Argmax(Candidates(logits, nil))
		if got := s.Sample(logits, []int{0, 1}); got != want {
			t.Errorf("%v: Sample = %d, Argmax = %d", logits, got, want)
		}
	}
	p := New(Options{RepeatPenalty: 4, RepeatLastN: -1})
	if got := p.Sample([]float32{1, 2, 1.5}, []int{1}); got != 2 {
		t.Errorf("penalized greedy picked %d, want 2", got)
	}
}

// BenchmarkGreedy128k is one greedy choice over a Llama 3 sized vocabulary.
func BenchmarkGreedy128k(b *testing.B) {
	logits := make([]float32, 128256)
	for i := range logits {
		logits[i] = float32((i * 7919) % 1000)
	}
	s := New(Options{})
	for b.Loop() {
		s.Sample(logits, nil)
	}
}
