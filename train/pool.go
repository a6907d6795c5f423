package train

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// Pool is a fixed set of worker goroutines that runs parallel-for loops.
// A nil *Pool runs every loop inline on the calling goroutine.
type Pool struct {
	threads int
	jobs    chan poolJob
	once    sync.Once
}

type poolJob struct {
	work func()
	wg   *sync.WaitGroup
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
		j.work()
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

// chunksPerThread is how many pieces each worker's share of a loop is cut
// into, so that a worker that gets less CPU (other load on the machine)
// hands its remaining pieces to the others.
const chunksPerThread = 4

// Run calls fn over [0,n) split into contiguous chunks and returns when
// every chunk is done. The workers and the calling goroutine take chunks
// in turn until none is left.
func (p *Pool) Run(n int, fn func(lo, hi int)) {
	p.RunChunks(n, p.Threads()*chunksPerThread, fn)
}

// RunChunks is Run with [0,n) cut into at most chunks pieces (for loops
// whose pieces carry a fixed cost, such as packing a shared operand).
func (p *Pool) RunChunks(n, chunks int, fn func(lo, hi int)) {
	if n <= 0 {
		return
	}
	t := min(p.Threads(), n, max(chunks, 1))
	if t <= 1 {
		fn(0, n)
		return
	}
	size := (n + chunks - 1) / chunks
	chunks = (n + size - 1) / size
	var next atomic.Int64
	work := func() {
		for {
			c := int(next.Add(1) - 1)
			if c >= chunks {
				return
			}
			fn(c*size, min((c+1)*size, n))
		}
	}
	var wg sync.WaitGroup
	wg.Add(t - 1)
	for range t - 1 {
		p.jobs <- poolJob{work: work, wg: &wg}
	}
	work()
	wg.Wait()
}
