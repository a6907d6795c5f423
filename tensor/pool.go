package tensor

import "sync"

// Pool is a fixed set of worker goroutines that run parallel-for loops. It
// is created once (one worker per thread) and reused for every operation, so
// a parallel step costs a few channel hand-offs rather than new goroutines.
//
// A nil *Pool is valid and runs everything inline on the calling goroutine.
type Pool struct {
	threads int
	mu      sync.Mutex // serializes Run: one parallel loop at a time
	work    []chan poolTask
	done    chan any // one value per finished task: nil or a recovered panic
	closed  bool
}

// poolTask is one contiguous chunk of a parallel loop.
type poolTask struct {
	fn     func(lo, hi int)
	lo, hi int
}

// NewPool starts a pool that runs loops on threads goroutines: the caller
// of Run plus threads-1 workers. threads < 1 is treated as 1.
func NewPool(threads int) *Pool {
	threads = max(threads, 1)
	p := &Pool{threads: threads, done: make(chan any, threads)}
	p.work = make([]chan poolTask, threads-1)
	for i := range p.work {
		ch := make(chan poolTask, 1)
		p.work[i] = ch
		go p.worker(ch)
	}
	return p
}

// worker runs tasks until its channel is closed.
func (p *Pool) worker(ch chan poolTask) {
	for t := range ch {
		p.done <- poolRun(t)
	}
}

// poolRun runs one task and returns the value of a panic in it, or nil.
func poolRun(t poolTask) (recovered any) {
	defer func() {
		if r := recover(); r != nil {
			recovered = r
		}
	}()
	t.fn(t.lo, t.hi)
	return nil
}

// Threads returns the number of goroutines Run spreads work over (1 for a
// nil pool).
func (p *Pool) Threads() int {
	if p == nil {
		return 1
	}
	return p.threads
}

// Close stops the workers. Run still works afterwards, inline.
func (p *Pool) Close() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.closed = true
	for _, ch := range p.work {
		close(ch)
	}
}

// Run calls fn over [0, n) split into one contiguous chunk [lo, hi) per
// thread (fewer when n is small), runs the chunks in parallel and returns
// when all are done. The calling goroutine runs the first chunk. A panic in
// fn is re-raised on the calling goroutine after every chunk has finished.
// Calls from several goroutines take turns; fn must not call Run on the
// same pool.
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	if p == nil || p.threads == 1 || n == 1 {
		fn(0, n)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		fn(0, n)
		return
	}
	chunks := min(p.threads, n)
	for k := 1; k < chunks; k++ {
		p.work[k-1] <- poolTask{fn, k * n / chunks, (k + 1) * n / chunks}
	}
	first := poolRun(poolTask{fn, 0, n / chunks})
	var failure any
	for k := 1; k < chunks; k++ {
		if r := <-p.done; r != nil && failure == nil {
			failure = r
		}
	}
	if first != nil {
		failure = first
	}
	if failure != nil {
		panic(failure)
	}
}
