package engine

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/sample/grammar"
)

// slot is one sequence of a Scheduler's cache. Slots belong to the
// scheduler's loop goroutine.
type slot struct {
	seq    int
	tokens []int // the tokens whose keys and values the cache holds
	job    *job  // the request using the slot; nil when free
	used   int64 // step of last use, to pick the least recently used slot
}

// job is one submitted request: its progress, owned by the loop goroutine,
// and the events it hands to the submitting goroutine.
type job struct {
	ctx    context.Context
	req    BatchRequest
	prompt []int
	res    Result

	fed      int // prompt tokens in the cache
	next     int // sampled token to feed at the next step; -1 before the first
	smp      *sample.Sampler
	grammar  *grammar.State
	vocab    *grammar.Vocab
	text     *textStream
	history  []int
	started  time.Time
	decoding time.Time

	aborted atomic.Pointer[error] // set by the submitter when fn fails

	mu     sync.Mutex
	events []TokenEvent
	err    error
	notify chan struct{}
	done   chan struct{}
}

// push hands an event to the submitter.
func (j *job) push(ev TokenEvent) {
	j.mu.Lock()
	j.events = append(j.events, ev)
	j.mu.Unlock()
	select {
	case j.notify <- struct{}{}:
	default:
	}
}

// finishErr ends the job with err; the Result is whatever it holds.
func (j *job) finishErr(err error) {
	j.mu.Lock()
	j.err = err
	j.mu.Unlock()
	close(j.done)
}

// stopErr returns why the job must stop now, if it must: its context was
// cancelled or its callback failed.
func (j *job) stopErr() error {
	if p := j.aborted.Load(); p != nil {
		return *p
	}
	return j.ctx.Err()
}

// wait delivers events to fn until the job ends, then returns its result.
func (j *job) wait(fn func(TokenEvent) error) (Result, error) {
	var batch []TokenEvent
	failed := false
	defer func() {
		if r := recover(); r != nil {
			// fn panicked: stop the request before passing the panic on.
			err := fmt.Errorf("engine: token callback panicked: %v", r)
			j.aborted.Store(&err)
			panic(r)
		}
	}()
	deliver := func() {
		j.mu.Lock()
		batch, j.events = j.events, batch[:0]
		j.mu.Unlock()
		for _, ev := range batch {
			if failed || fn == nil {
				break
			}
			if err := fn(ev); err != nil {
				failed = true
				j.aborted.Store(&err)
			}
		}
	}
	for {
		select {
		case <-j.notify:
			deliver()
		case <-j.done:
			deliver()
			j.mu.Lock()
			defer j.mu.Unlock()
			if p := j.aborted.Load(); p != nil && j.err == nil {
				return j.res, *p
			}
			return j.res, j.err
		}
	}
}
