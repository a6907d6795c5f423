package train

import (
	"sync/atomic"
	"testing"
)

func TestPoolRunCoversRangeOnce(t *testing.T) {
	for _, p := range []*Pool{nil, NewPool(1), NewPool(3)} {
		for _, n := range []int{0, 1, 2, 5, 100} {
			seen := make([]int32, n)
			p.Run(n, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("threads %d, n %d: index %d visited %d times", p.Threads(), n, i, c)
				}
			}
		}
		p.Close()
	}
}

func TestPoolRunChunksCoversRangeOnce(t *testing.T) {
	p := NewPool(2)
	defer p.Close()
	for _, chunks := range []int{0, 1, 2, 3, 7, 200} {
		for _, n := range []int{1, 5, 100} {
			seen := make([]int32, n)
			p.RunChunks(n, chunks, func(lo, hi int) {
				for i := lo; i < hi; i++ {
					atomic.AddInt32(&seen[i], 1)
				}
			})
			for i, c := range seen {
				if c != 1 {
					t.Fatalf("chunks %d, n %d: index %d visited %d times", chunks, n, i, c)
				}
			}
		}
	}
}
