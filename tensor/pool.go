package tensor

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Pool is a fixed set of worker goroutines that run parallel-for loops. It
// is created once (one worker per thread) and reused for every operation, so
// a parallel step costs a few hand-offs rather than new goroutines.
//
// A loop is cut into a few chunks per thread that the caller and the
// workers take in turn, so a worker that starts late (woken from sleep) or
// runs slower (other load on the machine) leaves its remaining chunks to
// the others instead of holding up the loop. A worker that has just
// finished a loop watches for the next one for a short while before it
// sleeps: the steps of a forward pass follow each other within
// microseconds, and waking a sleeping thread takes longer than that.
//
// A nil *Pool is valid and runs everything inline on the calling goroutine.
type Pool struct {
	threads int
	mu      sync.Mutex // serializes Run: one parallel loop at a time
	work    []chan *poolJob
	closed  bool
}

// poolChunksPerThread is how many chunks Run cuts a loop into per thread.
const poolChunksPerThread = 4

// poolSpin is how long a worker watches for the next loop before it blocks,
// and how long Run waits for the last chunks before it blocks.
const poolSpin = 50 * time.Microsecond

// poolJob is one parallel loop: fn over [0, n) in chunks of size.
type poolJob struct {
	fn           func(lo, hi int)
	n, size, cnt int
	next         atomic.Int64 // the next chunk to take
	left         atomic.Int64 // chunks not finished
	done         chan struct{}
	failure      atomic.Pointer[poolFailure]
}

// poolFailure is a panic recovered from a chunk.
type poolFailure struct{ value any }

// NewPool starts a pool that runs loops on threads goroutines: the caller
// of Run plus threads-1 workers. threads < 1 is treated as 1.
func NewPool(threads int) *Pool {
	threads = max(threads, 1)
	p := &Pool{threads: threads}
	p.work = make([]chan *poolJob, threads-1)
	for i := range p.work {
		// Room for a few jobs, so that Run does not wait on a worker that
		// has not yet picked up loops it came too late for.
		ch := make(chan *poolJob, 4)
		p.work[i] = ch
		go p.worker(ch)
	}
	return p
}

// worker takes chunks of the loops it is handed until its channel is
// closed.
func (p *Pool) worker(ch chan *poolJob) {
	for {
		j, ok := poolReceive(ch)
		if !ok {
			return
		}
		j.take()
	}
}

// poolReceive returns the next job on ch, watching for it for up to
// poolSpin (yielding to other goroutines meanwhile) before it blocks.
func poolReceive(ch chan *poolJob) (*poolJob, bool) {
	var deadline time.Time
	for i := 1; ; i++ {
		select {
		case j, ok := <-ch:
			return j, ok
		default:
		}
		if i%64 == 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(poolSpin)
			} else if now.After(deadline) {
				j, ok := <-ch
				return j, ok
			}
			runtime.Gosched()
		}
	}
}

// take runs chunks of j until none is left to take.
func (j *poolJob) take() {
	for {
		c := int(j.next.Add(1) - 1)
		if c >= j.cnt {
			return
		}
		if r := poolRun(j.fn, c*j.size, min((c+1)*j.size, j.n)); r != nil {
			j.failure.CompareAndSwap(nil, &poolFailure{r})
		}
		if j.left.Add(-1) == 0 {
			close(j.done)
		}
	}
}

// wait returns when every chunk of j has finished.
func (j *poolJob) wait() {
	var deadline time.Time
	for i := 1; j.left.Load() > 0; i++ {
		if i%64 == 0 {
			now := time.Now()
			if deadline.IsZero() {
				deadline = now.Add(poolSpin)
			} else if now.After(deadline) {
				<-j.done
				return
			}
		}
	}
}

// poolRun runs fn over [lo, hi) and returns the value of a panic in it, or
// nil.
func poolRun(fn func(lo, hi int), lo, hi int) (recovered any) {
	defer func() {
		if r := recover(); r != nil {
			recovered = r
		}
	}()
	fn(lo, hi)
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

// Chunks returns the most chunks Run cuts a loop into: a caller that splits
// its work itself (into pieces of equal cost rather than equal count) cuts
// it into this many.
func (p *Pool) Chunks() int {
	if p == nil || p.threads == 1 {
		return 1
	}
	return p.threads * poolChunksPerThread
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

// Run calls fn over [0, n) split into contiguous chunks [lo, hi) of about
// equal size, at most Chunks() of them, which the calling goroutine and the
// workers take in turn; it returns when all are done. A panic in fn is
// re-raised on the calling goroutine after every chunk has finished. Calls
// from several goroutines take turns; fn must not call Run on the same
// pool.
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	p.RunChunks(n, p.Chunks(), fn)
}

// RunChunks is Run with [0, n) cut into at most chunks pieces: fewer for
// loops whose pieces carry a fixed cost (such as packing a shared operand),
// more where pieces of equal count differ in cost.
func (p *Pool) RunChunks(n, chunks int, fn func(lo, hi int)) {
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
	chunks = max(1, min(n, chunks))
	size := (n + chunks - 1) / chunks
	j := &poolJob{fn: fn, n: n, size: size, cnt: (n + size - 1) / size, done: make(chan struct{})}
	j.left.Store(int64(j.cnt))
	for _, ch := range p.work[:min(p.threads, j.cnt)-1] {
		ch <- j
	}
	j.take()
	j.wait()
	if f := j.failure.Load(); f != nil {
		panic(f.value)
	}
}
