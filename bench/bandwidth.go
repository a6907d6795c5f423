// Package bench measures how fast herd runs a model (prompt processing and
// decoding tokens per second, in the manner of llama-bench) and how close
// decoding comes to the ceiling this machine's memory bandwidth sets.
package bench

import (
	"sync"
	"time"
)

// bandwidthBytes is the buffer MemoryBandwidth streams through: far larger
// than any cache, small enough for any machine herd runs a model on.
const bandwidthBytes = 256 << 20

// MemoryBandwidth measures the machine's memory read bandwidth in bytes per
// second with the given number of threads, each summing its own contiguous
// part of a large buffer. It reports the best of several passes.
func MemoryBandwidth(threads int) float64 {
	threads = max(threads, 1)
	buf := make([]uint64, bandwidthBytes/8)
	for i := range buf {
		buf[i] = uint64(i) // touch every page so reads hit memory, not the zero page
	}
	best := 0.0
	var sink uint64
	var mu sync.Mutex
	for pass := 0; pass < 5; pass++ {
		var wg sync.WaitGroup
		chunk := len(buf) / threads
		start := time.Now()
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func(part []uint64) {
				defer wg.Done()
				s := sumWords(part)
				mu.Lock()
				sink += s
				mu.Unlock()
			}(buf[t*chunk : (t+1)*chunk])
		}
		wg.Wait()
		if bw := float64(chunk*threads*8) / time.Since(start).Seconds(); bw > best {
			best = bw
		}
	}
	if sink == 1 { // keep the sums observable so they are not optimised away
		best++
	}
	return best
}

// sumWords adds the words of x with eight independent accumulators, so the
// loop is bound by memory rather than by the latency of one add chain.
func sumWords(x []uint64) uint64 {
	var s0, s1, s2, s3, s4, s5, s6, s7 uint64
	for len(x) >= 8 {
		s0 += x[0]
		s1 += x[1]
		s2 += x[2]
		s3 += x[3]
		s4 += x[4]
		s5 += x[5]
		s6 += x[6]
		s7 += x[7]
		x = x[8:]
	}
	for _, v := range x {
		s0 += v
	}
	return s0 + s1 + s2 + s3 + s4 + s5 + s6 + s7
}
