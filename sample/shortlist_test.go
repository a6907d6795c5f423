package sample

import (
	"math"
	"math/rand/v2"
	"testing"
)

// sampleFull is Sample's chain over a candidate for every token, without
// the shortlist: what the shortlist must reproduce.
func sampleFull(s *Sampler, logits []float32, history []int) int {
	o := s.opts
	c := Candidates(logits, nil)
	c = Penalize(c, Window(history, o.RepeatLastN), o.RepeatPenalty, o.FrequencyPenalty, o.PresencePenalty)
	if o.Greedy() {
		return Argmax(c)
	}
	c = TopK(c, o.TopK, o.MinKeep)
	c = TopP(c, o.TopP, o.MinKeep)
	c = MinP(c, o.MinP, o.MinKeep)
	c = Temperature(c, o.Temperature)
	return Pick(c, s.rng.Float64())
}

// TestShortlistMatchesFullChain checks that sampling through the shortlist
// picks what the chain over every token picks, with the same random draws:
// many ties (logits on a coarse grid), masked (-Inf) tokens, repeated and
// out-of-range history, penalties that lift a token into the top k and that
// sink the best ones, top-k from 1 to beyond the vocabulary, and min-keep.
func TestShortlistMatchesFullChain(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := 0; trial < 3000; trial++ {
		vocab := 1 + rng.IntN(300)
		logits := make([]float32, vocab)
		for i := range logits {
			logits[i] = float32(rng.IntN(12)) / 4
			if rng.IntN(20) == 0 {
				logits[i] = float32(math.Inf(-1))
			}
		}
		history := make([]int, rng.IntN(80))
		for i := range history {
			history[i] = rng.IntN(vocab + 3) // a few ids past the vocabulary
		}
		o := Options{
			Temperature:      []float32{0, 0.7, 1, 1.5}[rng.IntN(4)],
			TopK:             []int{0, 1, 2, 5, 40, 400}[rng.IntN(6)],
			TopP:             []float32{1, 0.9, 0.5}[rng.IntN(3)],
			MinP:             []float32{0, 0.05, 0.3}[rng.IntN(3)],
			RepeatPenalty:    []float32{1, 1.3, 0.5, 4}[rng.IntN(4)],
			RepeatLastN:      []int{0, 8, 64, -1}[rng.IntN(4)],
			FrequencyPenalty: []float32{0, 0.4}[rng.IntN(2)],
			PresencePenalty:  []float32{0, -2, 1}[rng.IntN(3)],
			MinKeep:          rng.IntN(4),
			Seed:             uint64(trial),
		}
		fast, full := New(o), New(o)
		for step := 0; step < 3; step++ {
			got, want := fast.Sample(logits, history), sampleFull(full, logits, history)
			if got != want {
				t.Fatalf("trial %d step %d, %+v, vocab %d: shortlist picked %d, full chain %d", trial, step, o, vocab, got, want)
			}
		}
	}
}

// BenchmarkSampleShortlist is one draw with llama.cpp's defaults and a
// 64-token repetition window over a Llama 3 sized vocabulary, through the
// shortlist and over every token.
func BenchmarkSampleShortlist(b *testing.B) {
	l := testLogits(128256, 5)
	history := make([]int, 64)
	for i := range history {
		history[i] = i * 1999
	}
	o := Defaults()
	o.RepeatPenalty = 1.1
	s := New(o)
	b.Run("shortlist", func(b *testing.B) {
		for b.Loop() {
			s.Sample(l, history)
		}
	})
	b.Run("every-token", func(b *testing.B) {
		for b.Loop() {
			sampleFull(s, l, history)
		}
	})
}
