package train

import (
	"runtime"
	"sync"
)

// Pool is a fixed set of worker goroutines that runs parallel-for loops.
// A nil *Pool runs every loop inline on the calling goroutine.
type Pool struct {
	threads int
	jobs    chan poolJob
	once    sync.Once
}

type poolJob struct {
	fn     func(lo, hi int)
	lo, hi int
	wg     *sync.WaitGroup
}

// NewPool starts a pool of threads workers (GOMAXPROCS when threads <= 0).
func NewPool(threads int) *Pool {
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	p := &Pool{threads: threads, jobs: make(chan poolJob, threads)}
	for i := 0; i < threads-1; i++ {
		go p.worker()
	}
	return p
}

func (p *Pool) worker() {
	for j := range p.jobs {
		j.fn(j.lo, j.hi)
		j.wg.Done()
	}
}

// Threads reports how many goroutines share the work of one loop.
func (p *Pool) Threads() int {
	if p == nil {
		return 1
	}
	return p.threads
}

// Close stops the workers. The pool must not be used afterwards.
func (p *Pool) Close() {
	if p != nil {
		p.once.Do(func() { close(p.jobs) })
	}
}

// Run calls fn over [0,n) split into contiguous chunks, one per worker, and
// returns when every chunk is done. The calling goroutine runs one chunk.
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := p.Threads()
	if t > n {
		t = n
	}
	if t <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	chunk := (n + t - 1) / t
	lo0, hi0 := 0, chunk
	for lo := chunk; lo < n; lo += chunk {
		hi := min(lo+chunk, n)
		wg.Add(1)
		p.jobs <- poolJob{fn: fn, lo: lo, hi: hi, wg: &wg}
	}
	fn(lo0, hi0)
	wg.Wait()
}
