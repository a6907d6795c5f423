package engine

import (
	"sync"
	"sync/atomic"
	"time"
)

// SchedulerStats is a snapshot of a Scheduler's activity since it started.
type SchedulerStats struct {
	Parallel int // sequences that can run together
	Active   int // sequences running now
	Queued   int // requests waiting for a sequence

	Requests uint64 // requests accepted
	Rejected uint64 // requests refused because the queue was full

	PromptTokens    uint64 // prompt tokens computed (reused ones excluded)
	ReusedTokens    uint64 // prompt tokens taken from the cache instead
	GeneratedTokens uint64 // tokens sampled
	DecodeTokens    uint64 // tokens fed back through the model while decoding
	Steps           uint64 // forward passes

	PrefillTime time.Duration // forward time spent on prompt tokens
	DecodeTime  time.Duration // forward time spent on decoding tokens

	KVUsed     int // positions the cache holds over all sequences
	KVCapacity int // positions the cache can hold (Parallel × context)
}

// PrefillTokensPerSecond is the prompt processing rate over the forward
// passes so far.
func (st SchedulerStats) PrefillTokensPerSecond() float64 {
	return rate(int(st.PromptTokens), st.PrefillTime)
}

// DecodeTokensPerSecond is the aggregate decoding rate over the forward
// passes so far.
func (st SchedulerStats) DecodeTokensPerSecond() float64 {
	return rate(int(st.DecodeTokens), st.DecodeTime)
}

// counters are the statistics the loop and Submit update.
type counters struct {
	active, queued     atomic.Int64
	requests, rejected atomic.Uint64
	reused, generated  atomic.Uint64

	mu                    sync.Mutex
	prompt, decode, steps uint64
	prefillTime, decTime  time.Duration
	kvUsed                int
}

// addStep accounts one forward pass of prefill prompt tokens and decode
// tokens, splitting its time between them by token count.
func (c *counters) addStep(prefill, decode int, d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.prompt += uint64(prefill)
	c.decode += uint64(decode)
	c.steps++
	if total := prefill + decode; total > 0 {
		pf := d * time.Duration(prefill) / time.Duration(total)
		c.prefillTime += pf
		c.decTime += d - pf
	}
}

// Stats returns a snapshot of the scheduler's activity.
func (s *Scheduler) Stats() SchedulerStats {
	c := &s.stats
	st := SchedulerStats{
		Parallel:        len(s.slots),
		Active:          int(c.active.Load()),
		Queued:          int(c.queued.Load()),
		Requests:        c.requests.Load(),
		Rejected:        c.rejected.Load(),
		ReusedTokens:    c.reused.Load(),
		GeneratedTokens: c.generated.Load(),
		KVCapacity:      len(s.slots) * s.m.ctxLen,
	}
	c.mu.Lock()
	st.PromptTokens, st.DecodeTokens, st.Steps = c.prompt, c.decode, c.steps
	st.PrefillTime, st.DecodeTime = c.prefillTime, c.decTime
	st.KVUsed = c.kvUsed
	c.mu.Unlock()
	return st
}
