package engine

import (
	"fmt"
	"math"
	"time"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/sample"
)

// admit gives j a free slot, starting it from the longest prefix of its
// prompt that any sequence in the cache holds.
func (s *Scheduler) admit(j *job) {
	limit := len(j.prompt) - 1 // always run the last prompt token for its logits
	var target, source *slot
	best, bestFree := -1, -1
	for _, sl := range s.slots {
		n := commonPrefix(sl.tokens, j.prompt, limit)
		if sl.job == nil {
			if n > bestFree || (n == bestFree && sl.used < target.used) {
				target, bestFree = sl, n
			}
		}
		if n > best {
			source, best = sl, n
		}
	}
	cached := bestFree
	if bestFree == 0 {
		// Nothing of the prompt in a free slot: take the least recently
		// used one so the caches of recent conversations survive.
		for _, sl := range s.slots {
			if sl.job == nil && sl.used < target.used {
				target = sl
			}
		}
	}
	if best > bestFree && source != target {
		s.copyPrefix(source, target, best)
		cached = best
	}
	s.cache.Truncate(target.seq, cached)
	target.tokens = append(target.tokens[:0], j.prompt[:cached]...)
	target.job = j
	target.used = s.stepNum
	j.fed = cached
	j.res.CachedTokens = cached
	j.started = time.Now()
	j.smp = sample.New(j.req.Sampling)
	s.stats.reused.Add(uint64(cached))
}

// copyPrefix copies the first n cached positions of src into dst.
func (s *Scheduler) copyPrefix(src, dst *slot, n int) {
	c := s.cache
	c.Truncate(dst.seq, 0)
	c.Reserve(dst.seq, n)
	for l := range s.m.net.Config().Layers {
		copy(c.Keys(l, dst.seq, n), c.Keys(l, src.seq, n))
		copy(c.Values(l, dst.seq, n), c.Values(l, src.seq, n))
	}
	c.Extend(dst.seq, n)
	dst.tokens = append(dst.tokens[:0], src.tokens[:n]...)
}

func commonPrefix(a, b []int, limit int) int {
	n := 0
	for n < len(a) && n < len(b) && n < limit && a[n] == b[n] {
		n++
	}
	return n
}

// entry ties a run of batch tokens to the slot they belong to.
type entry struct {
	sl     *slot
	lo, hi int // the run's tokens in the batch
	decode bool
}

// step drops stopped requests, then runs one forward pass over every active
// sequence and hands out the tokens it yields.
func (s *Scheduler) step() {
	s.stepNum++
	for _, sl := range s.slots {
		if sl.job != nil {
			if err := sl.job.stopErr(); err != nil {
				s.release(sl, StopCancelled, err)
			}
		}
	}
	var batch []model.Token
	var want []bool
	var entries []entry
	prefill := 0
	for _, sl := range s.slots {
		if j := sl.job; j != nil && j.next >= 0 {
			batch = append(batch, model.Token{ID: j.next, Pos: len(sl.tokens), Seq: sl.seq})
			want = append(want, true)
			entries = append(entries, entry{sl: sl, lo: len(batch) - 1, hi: len(batch), decode: true})
		}
	}
	n := len(s.slots)
	for k := range n {
		sl := s.slots[(s.rr+k)%n]
		j := sl.job
		room := s.opts.StepTokens - len(batch)
		if j == nil || j.next >= 0 || (room <= 0 && len(batch) > 0) {
			continue
		}
		take := min(len(j.prompt)-j.fed, max(room, 1))
		lo := len(batch)
		for i := range take {
			batch = append(batch, model.Token{ID: j.prompt[j.fed+i], Pos: j.fed + i, Seq: sl.seq})
			want = append(want, false)
		}
		want[len(want)-1] = j.fed+take == len(j.prompt)
		entries = append(entries, entry{sl: sl, lo: lo, hi: len(batch)})
		prefill += take
	}
	s.rr++
	if len(batch) == 0 {
		return
	}
	start := time.Now()
	out, err := s.forward(batch, want)
	elapsed := time.Since(start)
	if err != nil {
		for _, e := range entries {
			s.cache.Truncate(e.sl.seq, len(e.sl.tokens))
			s.release(e.sl, "", err)
		}
		return
	}
	s.stats.addStep(prefill, len(batch)-prefill, elapsed)
	for _, e := range entries {
		sl, j := e.sl, e.sl.job
		sl.used = s.stepNum
		for _, t := range batch[e.lo:e.hi] {
			sl.tokens = append(sl.tokens, t.ID)
		}
		if !e.decode {
			j.fed += e.hi - e.lo
			if j.fed < len(j.prompt) {
				continue
			}
			j.res.PromptDuration = time.Since(j.started)
			j.decoding = time.Now()
			j.history = append([]int(nil), sl.tokens...)
			afterBOS := len(sl.tokens) > 0 && sl.tokens[len(sl.tokens)-1] == s.m.tok.BOS()
			j.text = newTextStream(s.m.tok, j.req.Stop, afterBOS)
		}
		s.safeAdvance(sl, out[e.hi-1])
	}
	s.noteKV()
}

// safeAdvance runs advance, ending only this request if it panics (a bug
// in a sampler, grammar or decoder must not take the others down).
func (s *Scheduler) safeAdvance(sl *slot, logits []float32) {
	defer func() {
		if r := recover(); r != nil && sl.job != nil {
			s.release(sl, "", fmt.Errorf("engine: sampling failed: %v", r))
		}
	}()
	s.advance(sl, logits)
}

// noteKV records how many cache positions the sequences hold.
func (s *Scheduler) noteKV() {
	used := 0
	for _, sl := range s.slots {
		used += s.cache.Len(sl.seq)
	}
	s.stats.mu.Lock()
	s.stats.kvUsed = used
	s.stats.mu.Unlock()
}

// forward runs a batch, turning a panic in the model into an error so that
// one bad step cannot take the process down.
func (s *Scheduler) forward(batch []model.Token, want []bool) (out [][]float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("engine: forward pass failed: %v", r)
		}
	}()
	return s.m.forward(s.cache, batch, want)
}

// advance samples the next token of sl's request from logits and decides
// whether it goes on.
func (s *Scheduler) advance(sl *slot, logits []float32) {
	j := sl.job
	m := s.m
	req := &j.req
	picked := logits
	if j.grammar != nil {
		picked = append([]float32(nil), logits...)
		if err := j.grammar.MaskLogits(j.vocab, picked); err != nil {
			s.release(sl, "", fmt.Errorf("engine: grammar: %w", err))
			return
		}
	}
	id := j.smp.Sample(picked, j.history)
	if j.grammar != nil {
		if id < 0 || math.IsInf(float64(picked[id]), -1) {
			s.release(sl, "", fmt.Errorf("engine: grammar: no token can continue %q", j.text.text))
			return
		}
		if err := j.grammar.AcceptToken(j.vocab, id); err != nil {
			s.release(sl, "", fmt.Errorf("engine: grammar: %w", err))
			return
		}
	}
	if (!req.IgnoreEOG || j.grammar != nil) && m.IsEOG(id) {
		s.finish(sl, StopEOG)
		return
	}
	ev := TokenEvent{ID: id}
	if req.LogProbs > 0 {
		ev.LogProb, ev.TopLogProbs = sample.LogProbs(logits, id, req.LogProbs)
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
