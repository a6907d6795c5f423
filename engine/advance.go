package engine

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/herdllm/herd/sample"
)

// choice is the token sampled for a request, or why sampling failed.
type choice struct {
	id  int
	ev  TokenEvent // with log-probabilities when asked for
	err error
}

// chooseAll samples the next token of every ready request, in parallel
// when there are several: sampling over a large vocabulary costs about as
// much as a small model's forward pass, and each request's sampler and
// grammar state are its own.
func chooseAll(ready []*slot, logits [][]float32) []choice {
	out := make([]choice, len(ready))
	if len(ready) == 1 {
		out[0] = ready[0].job.choose(logits[0])
		return out
	}
	var wg sync.WaitGroup
	for i := range ready {
		wg.Go(func() { out[i] = ready[i].job.choose(logits[i]) })
	}
	wg.Wait()
	return out
}

// choose samples j's next token from logits: the grammar's mask, the
// sampler, the grammar's advance and the log-probabilities. It touches only
// j's own state.
func (j *job) choose(logits []float32) (c choice) {
	defer func() {
		if r := recover(); r != nil {
			c.err = fmt.Errorf("engine: sampling failed: %v", r)
		}
	}()
	picked := logits
	if j.grammar != nil {
		picked = append([]float32(nil), logits...)
		if err := j.grammar.MaskLogits(j.vocab, picked); err != nil {
			return choice{err: fmt.Errorf("engine: grammar: %w", err)}
		}
	}
	id := j.smp.Sample(picked, j.history)
	if j.grammar != nil {
		if id < 0 || math.IsInf(float64(picked[id]), -1) {
			return choice{err: fmt.Errorf("engine: grammar: no token can continue %q", j.text.text)}
		}
		if err := j.grammar.AcceptToken(j.vocab, id); err != nil {
			return choice{err: fmt.Errorf("engine: grammar: %w", err)}
		}
	}
	c = choice{id: id, ev: TokenEvent{ID: id}}
	if j.req.LogProbs > 0 {
		c.ev.LogProb, c.ev.TopLogProbs = sample.LogProbs(logits, id, j.req.LogProbs)
	}
	return c
}

// advance hands sl's request its sampled token and decides whether it
// goes on.
func (s *Scheduler) advance(sl *slot, c choice) {
	j := sl.job
	m := s.m
	req := &j.req
	if c.err != nil {
		s.release(sl, "", c.err)
		return
	}
	id, ev := c.id, c.ev
	if (!req.IgnoreEOG || j.grammar != nil) && m.IsEOG(id) {
		s.finish(sl, StopEOG)
		return
	}
	j.res.Tokens = append(j.res.Tokens, id)
	j.history = append(j.history, id)
	chunk, stopped := j.text.add(id)
	ev.Text = chunk
	s.stats.generated.Add(1)
	if stopped {
		j.push(ev)
		j.res.Text = j.text.text
		s.finish(sl, StopString)
		return
	}
	j.push(ev)
	switch {
	case j.grammar != nil && j.grammar.Done():
		s.finish(sl, StopEOG)
	case req.MaxTokens > 0 && len(j.res.Tokens) >= req.MaxTokens:
		s.finish(sl, StopLength)
	case len(sl.tokens) >= m.ctxLen:
		s.finish(sl, StopContext)
	default:
		j.next = id
	}
}

// finish ends sl's request normally, releasing text held back. The slot
// keeps its cache for later requests that share its prefix.
func (s *Scheduler) finish(sl *slot, reason StopReason) {
	j := sl.job
	if reason != StopString {
		if rest, _ := j.text.flush(); rest != "" {
			j.push(TokenEvent{ID: -1, Text: rest})
		}
		j.res.Text = j.text.text
	}
	j.res.StopReason = reason
	j.res.GenerateDuration = time.Since(j.decoding)
	sl.job = nil
	s.stats.active.Add(-1)
	j.finishErr(nil)
}

// release ends sl's request early with err (reason says why, when known)
// and frees the slot's cache at once.
func (s *Scheduler) release(sl *slot, reason StopReason, err error) {
	j := sl.job
	j.res.StopReason = reason
	if j.text != nil {
		j.res.Text = j.text.text[:j.text.emitted]
		j.res.GenerateDuration = time.Since(j.decoding)
	}
	s.cache.Remove(sl.seq)
	sl.tokens = sl.tokens[:0]
	s.noteKV()
	sl.job = nil
	s.stats.active.Add(-1)
	j.finishErr(err)
}
