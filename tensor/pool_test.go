package tensor

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// kernelCheckCover runs one loop over [0, n) and checks that every index is
// visited exactly once, in contiguous chunks no more numerous than
// p.Chunks().
func kernelCheckCover(t *testing.T, p *Pool, n int) {
	t.Helper()
	hits := make([]int32, n)
	var chunks atomic.Int32
	p.Run(n, func(lo, hi int) {
		if lo < 0 || hi > n || lo >= hi {
			t.Errorf("n=%d: bad chunk [%d,%d)", n, lo, hi)
			return
		}
		chunks.Add(1)
		for i := lo; i < hi; i++ {
			atomic.AddInt32(&hits[i], 1)
		}
	})
	for i, h := range hits {
		if h != 1 {
			t.Fatalf("%d threads, n=%d: index %d visited %d times", p.Threads(), n, i, h)
		}
	}
	if c := int(chunks.Load()); c > p.Chunks() || (n > 0 && c == 0) {
		t.Fatalf("%d threads, n=%d: %d chunks", p.Threads(), n, c)
	}
}

func TestPoolRunCoversRange(t *testing.T) {
	kernelCheckCover(t, nil, 10)
	for threads := 1; threads <= 4; threads++ {
		p := NewPool(threads)
		if p.Threads() != threads {
			t.Fatalf("Threads() = %d, want %d", p.Threads(), threads)
		}
		for n := 0; n <= 9; n++ {
			kernelCheckCover(t, p, n)
		}
		for i := 0; i < 2000; i++ {
			kernelCheckCover(t, p, 1+i%97)
		}
		p.Close()
	}
}

func TestPoolChunksAreBalanced(t *testing.T) {
	p := NewPool(4)
	defer p.Close()
	for _, n := range []int{10, 16, 100, 1001} {
		var mu sync.Mutex
		var sizes []int
		p.Run(n, func(lo, hi int) {
			mu.Lock()
			sizes = append(sizes, hi-lo)
			mu.Unlock()
		})
		want := min(n, p.Chunks())
		size := (n + want - 1) / want
		if len(sizes) > want || len(sizes) < (n+size-1)/size {
			t.Fatalf("n=%d: %d chunks, want %d", n, len(sizes), (n+size-1)/size)
		}
		short := 0
		for _, s := range sizes {
			if s != size {
				short++
			}
			if s > size || s < 1 {
				t.Errorf("n=%d: chunk sizes %v; want %d each but the last", n, sizes, size)
			}
		}
		if short > 1 {
			t.Errorf("n=%d: chunk sizes %v; want %d each but the last", n, sizes, size)
		}
	}
}

// TestPoolSlowChunk checks that Run waits for a chunk that takes long (the
// caller runs out of chunks first and must not return early), and that a
// worker that misses a loop entirely does no harm.
func TestPoolSlowChunk(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for i := 0; i < 20; i++ {
		var sum atomic.Int64
		p.Run(16, func(lo, hi int) {
			if lo == 15 {
				time.Sleep(time.Duration(i%3) * time.Millisecond)
			}
			for j := lo; j < hi; j++ {
				sum.Add(int64(j))
			}
		})
		if sum.Load() != 120 {
			t.Fatalf("run %d: sum %d when Run returned, want 120", i, sum.Load())
		}
		time.Sleep(time.Duration(i%2) * 200 * time.Microsecond) // let the worker fall asleep
	}
}

func TestPoolNilAndClosed(t *testing.T) {
	var p *Pool
	if p.Threads() != 1 {
		t.Errorf("nil pool Threads() = %d", p.Threads())
	}
	p.Close()
	q := NewPool(0)
	if q.Threads() != 1 {
		t.Errorf("NewPool(0).Threads() = %d", q.Threads())
	}
	r := NewPool(3)
	r.Close()
	r.Close()
	kernelCheckCover(t, r, 50) // inline after Close
}

func TestPoolConcurrentCallers(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	done := make(chan bool)
	for g := 0; g < 4; g++ {
		go func() {
			for i := 0; i < 200; i++ {
				var sum atomic.Int64
				p.Run(100, func(lo, hi int) {
					for j := lo; j < hi; j++ {
						sum.Add(int64(j))
					}
				})
				if sum.Load() != 4950 {
					t.Errorf("sum = %d", sum.Load())
				}
			}
			done <- true
		}()
	}
	for g := 0; g < 4; g++ {
		<-done
	}
}

func TestPoolPanicReachesCaller(t *testing.T) {
	p := NewPool(3)
	defer p.Close()
	for _, bad := range []int{0, 2} { // the caller's chunk and a worker's
		func() {
			defer func() {
				if r := recover(); r != "boom" {
					t.Errorf("chunk %d: recovered %v, want boom", bad, r)
				}
			}()
			p.Run(3, func(lo, hi int) {
				if lo == bad {
					panic("boom")
				}
			})
		}()
	}
	kernelCheckCover(t, p, 30) // still usable
}

// BenchmarkPoolRun measures the fixed cost of one parallel step.
func BenchmarkPoolRun(b *testing.B) {
	for _, threads := range []int{1, 2, 4} {
		b.Run(fmt.Sprintf("threads=%d", threads), func(b *testing.B) {
			p := NewPool(threads)
			defer p.Close()
			var sink atomic.Int64
			fn := func(lo, hi int) { sink.Add(int64(hi - lo)) }
			for b.Loop() {
				p.Run(64, fn)
			}
		})
	}
}
