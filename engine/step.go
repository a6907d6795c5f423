package engine

import (
	"fmt"
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
	var ready []*slot
	var logits [][]float32
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
		ready = append(ready, sl)
		logits = append(logits, out[e.hi-1])
	}
	for i, c := range chooseAll(ready, logits) {
		s.safeAdvance(ready[i], c)
	}
	s.noteKV()
}

// safeAdvance runs advance, ending only this request if it panics (a bug
// in a decoder must not take the others down).
func (s *Scheduler) safeAdvance(sl *slot, c choice) {
	defer func() {
		if r := recover(); r != nil && sl.job != nil {
			s.release(sl, "", fmt.Errorf("engine: sampling failed: %v", r))
		}
	}()
	s.advance(sl, c)
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
