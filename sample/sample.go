// Package sample turns a model's logits into the next token.
//
// Each step of the chain is a small pure function over a slice of
// candidates (Penalize, TopK, TopP, MinP, Temperature, Pick), applied in
// llama.cpp's order: penalties, top-k, top-p, min-p, temperature, then a
// seeded draw. A Sampler strings them together with one seeded random
// source, so the same seed and the same logits give the same token on any
// machine and thread count. LogProbs reports the log-probability of a token
// and its top alternatives over the raw logits.
package sample

import (
	"math/rand/v2"
)

// Options selects the sampling chain. The zero value is greedy decoding
// (Temperature 0) with no penalties; Defaults returns llama.cpp's defaults.
type Options struct {
	// Temperature divides the logits before the draw; 0 or less picks the
	// most likely token (greedy).
	Temperature float32
	// TopK keeps the K most likely tokens; 0 or less keeps all.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probability
	// sums to at least TopP; 1 or more keeps all.
	TopP float32
	// MinP drops tokens whose probability is below MinP times the most
	// likely token's; 0 or less keeps all.
	MinP float32
	// RepeatPenalty divides positive (multiplies negative) logits of tokens
	// seen in the last RepeatLastN tokens; 1 disables it.
	RepeatPenalty float32
	// RepeatLastN is the penalty window in tokens; 0 disables the
	// penalties, -1 uses the whole history.
	RepeatLastN int
	// PresencePenalty is subtracted from the logit of every token present
	// in the window.
	PresencePenalty float32
	// FrequencyPenalty is subtracted once per occurrence in the window.
	FrequencyPenalty float32
	// Seed seeds the random draw.
	Seed uint64
	// MinKeep is the fewest candidates top-k, top-p and min-p leave; values
	// below 1 mean 1.
	MinKeep int
}

// Defaults returns llama.cpp's default sampling options: temperature 0.8,
// top-k 40, top-p 0.95, min-p 0.05, no repetition penalty over a 64-token
// window.
func Defaults() Options {
	return Options{
		Temperature:   0.8,
		TopK:          40,
		TopP:          0.95,
		MinP:          0.05,
		RepeatPenalty: 1,
		RepeatLastN:   64,
	}
}

// Greedy reports whether the options always pick the most likely token.
func (o Options) Greedy() bool { return o.Temperature <= 0 }

// Sampler applies a chain of sampling steps with its own seeded random
// source. It is not safe for concurrent use.
type Sampler struct {
	opts  Options
	rng   *rand.Rand
	cands []Candidate
}

// New returns a Sampler for opts, its random source seeded with opts.Seed.
func New(opts Options) *Sampler {
	return &Sampler{opts: opts, rng: rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15))}
}

// Options returns the options the sampler was made with.
func (s *Sampler) Options() Options { return s.opts }

// Sample picks the next token from logits (one value per vocabulary id),
// given the tokens so far (prompt and generated, oldest first) for the
// penalties. It does not modify logits. It returns -1 for empty logits.
func (s *Sampler) Sample(logits []float32, history []int) int {
	if len(logits) == 0 {
		return -1
	}
	o := s.opts
	penalized := penalizes(o, history)
	if o.Greedy() && !penalized {
		return argmaxLogits(logits)
	}
	recent := Window(history, o.RepeatLastN)
	c, ok := s.shortlist(logits, recent, penalized)
	if !ok {
		s.cands = Candidates(logits, s.cands)
		c = s.cands
	}
	c = Penalize(c, recent, o.RepeatPenalty, o.FrequencyPenalty, o.PresencePenalty)
	if o.Greedy() {
		return Argmax(c)
	}
	c = TopK(c, o.TopK, o.MinKeep)
	c = TopP(c, o.TopP, o.MinKeep)
	c = MinP(c, o.MinP, o.MinKeep)
	c = Temperature(c, o.Temperature)
	return Pick(c, s.rng.Float64())
}
