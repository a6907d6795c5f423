//go:build amd64 && !purego

package train

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// fmaChunk is how many loop iterations one call of an FMA loop runs.
const fmaChunk = 1 << 16

// fmaLoops are the peak loops this machine can run, with their FLOPs per iteration.
func fmaLoops() map[string]struct {
	loop  func(int)
	flops float64
} {
	loops := map[string]struct {
		loop  func(int)
		flops float64
	}{"ymm": {fmaLoopYMM, 24 * 8 * 2}}
	if hasAVX512 {
		loops["zmm"] = struct {
			loop  func(int)
			flops float64
		}{fmaLoopZMM, 24 * 16 * 2}
	}
	return loops
}

// BenchmarkPeakFMA measures the float32 multiply-add peak in GFLOP/s with
// 8- and 16-lane registers, on one goroutine and on two.
func BenchmarkPeakFMA(b *testing.B) {
	for _, name := range []string{"ymm", "zmm"} {
		l, ok := fmaLoops()[name]
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%s/threads=%d", name, threads), func(b *testing.B) {
				if !ok {
					b.Skip("no AVX-512")
				}
				for b.Loop() {
					var wg sync.WaitGroup
					for range threads {
						wg.Go(func() { l.loop(fmaChunk) })
					}
					wg.Wait()
				}
				b.ReportMetric(float64(b.N*threads)*fmaChunk*l.flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}

// peakGFLOPS is threads times the best single-goroutine multiply-add rate
// over a few short runs: what the cores can do, which other load on a
// shared machine does not lower.
func peakGFLOPS(threads int) float64 {
	var best float64
	for _, l := range fmaLoops() {
		for range 20 {
			t0 := time.Now()
			l.loop(fmaChunk / 4)
			best = max(best, fmaChunk/4*l.flops/time.Since(t0).Seconds()/1e9)
		}
	}
	return best * float64(threads)
}

func TestFMALoopsRun(t *testing.T) {
	for _, l := range fmaLoops() {
		l.loop(3)
	}
}
