package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"
)

// BenchmarkServeStreams measures aggregate generated tokens per second
// over HTTP with 1, 4, 8 and 16 concurrent greedy streaming clients on the
// built-in model (one sequence per client).
func BenchmarkServeStreams(b *testing.B) {
	const maxTokens = 128
	for _, streams := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			srv, ts := newTestServer(b, Config{Parallel: streams, Threads: -1})
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 2 * streams}}
			if _, err := streamCompletion(context.Background(), client, ts.URL, "Once upon a time", 1, 0); err != nil {
				b.Fatal(err)
			}
			st0, _ := srv.Stats("stories260K")
			start := time.Now()
			for b.Loop() {
				var wg sync.WaitGroup
				for i := range streams {
					wg.Go(func() {
						prompt := fmt.Sprintf("Once upon a time, %d", i)
						if _, err := streamCompletion(context.Background(), client, ts.URL, prompt, maxTokens, 0); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			st, _ := srv.Stats("stories260K")
			b.ReportMetric(float64(st.GeneratedTokens-st0.GeneratedTokens)/time.Since(start).Seconds(), "tok/s")
		})
	}
}
