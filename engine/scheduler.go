package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/sample/grammar"
)

// ErrQueueFull is returned by Scheduler.Submit when every sequence is busy
// and the waiting queue is full; the caller may retry later.
var ErrQueueFull = errors.New("engine: request queue is full")

// ErrSchedulerClosed is returned by Scheduler.Submit after Close.
var ErrSchedulerClosed = errors.New("engine: scheduler is closed")

// SchedulerOptions are the settings of a Scheduler.
type SchedulerOptions struct {
	// Parallel is the number of sequences that decode together; 0 means 4.
	Parallel int
	// QueueSize is the number of requests that may wait for a free
	// sequence; further requests fail with ErrQueueFull. 0 means 64;
	// negative means none may wait.
	QueueSize int
	// StepTokens is the most tokens one forward pass carries (one per
	// decoding sequence plus chunks of prompts being read), so that a long
	// prompt joining does not stall the others; 0 means the smaller of
	// the model's batch size and 128.
	StepTokens int
}

// BatchRequest is one generation run by a Scheduler.
type BatchRequest struct {
	GenerateRequest
	// Grammar, when set, constrains the generated text to it: only tokens
	// that keep the text a valid prefix are sampled, and generation ends
	// once the grammar is complete and allows nothing more.
	Grammar *grammar.Grammar
}

// Scheduler runs many generations on one model with continuous batching:
// every step, all active sequences advance together in one forward pass,
// each decoding one token or reading a chunk of its prompt, against one
// shared KV cache. New requests join between steps; finished or cancelled
// ones leave at once. A request whose prompt begins with tokens another
// sequence already holds in the cache (a shared system prompt, the earlier
// turns of a chat) starts from a copy of them instead of recomputing them.
// Its methods are safe for concurrent use.
type Scheduler struct {
	m     *Model
	opts  SchedulerOptions
	cache *model.Cache
	slots []*slot

	mu      sync.Mutex
	pending []*job
	closed  bool
	wake    chan struct{}
	stopped chan struct{}

	vocabOnce sync.Once
	vocab     *grammar.Vocab
	vocabErr  error

	stats   counters
	stepNum int64
	rr      int // round-robin start for prompt chunks
}

// NewScheduler starts a scheduler for m. Close it before closing m.
func (m *Model) NewScheduler(opts SchedulerOptions) *Scheduler {
	if opts.Parallel <= 0 {
		opts.Parallel = 4
	}
	if opts.QueueSize == 0 {
		opts.QueueSize = 64
	}
	if opts.QueueSize < 0 {
		opts.QueueSize = 0
	}
	if opts.StepTokens <= 0 {
		opts.StepTokens = min(m.batch, 128)
	}
	s := &Scheduler{m: m, opts: opts, cache: m.net.NewCache(m.ctxLen),
		wake: make(chan struct{}, 1), stopped: make(chan struct{})}
	for i := range opts.Parallel {
		s.slots = append(s.slots, &slot{seq: i})
	}
	go s.loop()
	return s
}

// Model returns the model the scheduler runs.
func (s *Scheduler) Model() *Model { return s.m }

// Options returns the scheduler's settings, defaults filled in.
func (s *Scheduler) Options() SchedulerOptions { return s.opts }

// Close stops accepting requests, cancels those still waiting or running
// and waits for the scheduler to stop.
func (s *Scheduler) Close() {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		s.signal()
	}
	s.mu.Unlock()
	<-s.stopped
}

// Submit runs req, calling fn (when not nil) on the calling goroutine with
// each token as it is chosen, and returns when generation ends. It fails at
// once with ErrQueueFull when the queue is full, and with an error for a
// prompt that is empty, holds unknown ids or does not fit the context (and
// req.Truncate is false). A cancelled ctx, or an error from fn, ends the
// request at the next step and frees its cache slots; the error is returned
// with the partial Result, as Model.Generate does.
func (s *Scheduler) Submit(ctx context.Context, req BatchRequest, fn func(TokenEvent) error) (Result, error) {
	j, err := s.newJob(ctx, req)
	if err != nil {
		return Result{}, err
	}
	s.mu.Lock()
	switch {
	case s.closed:
		s.mu.Unlock()
		return Result{}, ErrSchedulerClosed
	case s.busySlots()+len(s.pending) >= len(s.slots)+s.opts.QueueSize:
		s.mu.Unlock()
		s.stats.rejected.Add(1)
		return Result{}, ErrQueueFull
	}
	s.pending = append(s.pending, j)
	s.stats.queued.Store(int64(len(s.pending)))
	s.signal()
	s.mu.Unlock()
	s.stats.requests.Add(1)
	return j.wait(fn)
}

// busySlots counts the sequences in use; s.mu must be held. It reads the
// admitted counter the loop keeps, since slots belong to the loop.
func (s *Scheduler) busySlots() int { return int(s.stats.active.Load()) }

// signal wakes the loop; s.mu must be held.
func (s *Scheduler) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// newJob checks and tokenizes a request's prompt.
func (s *Scheduler) newJob(ctx context.Context, req BatchRequest) (*job, error) {
	m := s.m
	prompt, err := m.promptTokens(req.GenerateRequest)
	if err != nil {
		return nil, err
	}
	j := &job{ctx: ctx, req: req, notify: make(chan struct{}, 1), done: make(chan struct{}), next: -1}
	if len(prompt) > m.ctxLen {
		if !req.Truncate {
			return nil, &ContextError{Tokens: len(prompt), Context: m.ctxLen}
		}
		prompt, j.res.Truncated = truncate(prompt, m.ctxLen, req.MaxTokens, m.tok.BOS())
	}
	j.prompt = prompt
	j.res.PromptTokens = len(prompt)
	if req.Grammar != nil {
		v, err := s.grammarVocab()
		if err != nil {
			return nil, err
		}
		j.grammar = req.Grammar.NewState()
		j.vocab = v
	}
	return j, nil
}

// ContextError reports a prompt longer than the context.
type ContextError struct {
	Tokens, Context int
}

func (e *ContextError) Error() string {
	return fmt.Sprintf("engine: the prompt has %d tokens but the context holds %d", e.Tokens, e.Context)
}

// grammarVocab prepares the model's vocabulary for grammar masking, once.
func (s *Scheduler) grammarVocab() (*grammar.Vocab, error) {
	s.vocabOnce.Do(func() {
		tok := s.m.tok
		tokens := make([][]byte, s.m.net.Config().VocabSize)
		for id := range min(tok.VocabSize(), len(tokens)) {
			if !tok.IsSpecial(id) {
				tokens[id] = tok.TokenBytes(id)
			}
		}
		var eog []int
		for id := range tokens {
			if s.m.IsEOG(id) {
				eog = append(eog, id)
			}
		}
		s.vocab, s.vocabErr = grammar.NewVocab(tokens, eog)
		if s.vocabErr != nil {
			s.vocabErr = fmt.Errorf("engine: grammar vocabulary: %w", s.vocabErr)
		}
	})
	return s.vocab, s.vocabErr
}

// loop admits waiting requests and runs steps until Close.
func (s *Scheduler) loop() {
	defer close(s.stopped)
	for {
		s.mu.Lock()
		closed := s.closed
		var admit, gone []*job
		waiting := s.pending[:0]
		for _, j := range s.pending {
			if j.stopErr() != nil {
				gone = append(gone, j)
			} else {
				waiting = append(waiting, j)
			}
		}
		clear(s.pending[len(waiting):])
		s.pending = waiting
		free := len(s.slots) - s.busySlots()
		for len(s.pending) > 0 && (free > 0 || closed) {
			admit = append(admit, s.pending[0])
			s.pending = s.pending[1:]
			s.stats.active.Add(1)
			free--
		}
		s.stats.queued.Store(int64(len(s.pending)))
		s.mu.Unlock()

		for _, j := range gone {
			j.res.StopReason = StopCancelled
			j.finishErr(j.stopErr())
		}
		for _, j := range admit {
			if closed {
				s.stats.active.Add(-1)
				j.finishErr(ErrSchedulerClosed)
				continue
			}
			s.admit(j)
		}
		if closed {
			for _, sl := range s.slots {
				if sl.job != nil {
					s.release(sl, StopCancelled, ErrSchedulerClosed)
				}
			}
			return
		}
		if s.busySlots() == 0 {
			<-s.wake
			continue
		}
		s.step()
	}
}
