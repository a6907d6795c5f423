package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/herdllm/herd/engine"
)

// StreamResult is the aggregate decoding speed of several concurrent
// generations sharing one model through the continuous-batching scheduler.
type StreamResult struct {
	Model   string `json:"model"`
	Threads int    `json:"threads"`
	Streams int    `json:"streams"`
	Tokens  int    `json:"tokens_per_stream"`
	// TokensPerSecond is all streams' generated tokens over the wall time
	// from the first submission to the last completion.
	TokensPerSecond Stats `json:"tokens_per_second"`
	// Speedup is TokensPerSecond over the single-stream figure of the same
	// run (1 for the single stream itself; 0 when none was measured).
	Speedup float64 `json:"speedup,omitempty"`
}

// RunStreams loads the model at path and, for each count in streams,
// generates gen tokens in that many concurrent requests (each from its own
// two-token prompt, so no prefix is shared) through one engine.Scheduler.
func RunStreams(ctx context.Context, path string, streams []int, gen, reps, threads int) ([]StreamResult, error) {
	reps = max(reps, 1)
	most := 1
	for _, s := range streams {
		most = max(most, s)
	}
	m, info, threads, err := load(path, threads, gen)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	sched := m.NewScheduler(engine.SchedulerOptions{Parallel: most, QueueSize: most})
	defer sched.Close()
	vocab, bos := m.Config().VocabSize, m.Tokenizer().BOS()
	rng := rand.New(rand.NewPCG(3, 4))
	run := func(n, tokens int) (float64, error) {
		var wg sync.WaitGroup
		errs := make([]error, n)
		start := time.Now()
		for i := range n {
			prompt := []int{max(bos, 0), rng.IntN(vocab)}
			wg.Go(func() {
				req := engine.BatchRequest{GenerateRequest: engine.GenerateRequest{Tokens: prompt, MaxTokens: tokens, IgnoreEOG: true}}
				_, errs[i] = sched.Submit(ctx, req, nil)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return 0, fmt.Errorf("bench: %d streams: %w", n, err)
			}
		}
		return float64(n*tokens) / time.Since(start).Seconds(), nil
	}
	if _, err := run(min(most, 2), 2); err != nil { // warm-up
		return nil, err
	}
	var results []StreamResult
	single := 0.0
	for _, n := range streams {
		var speeds []float64
		for range reps {
			s, err := run(n, gen)
			if err != nil {
				return results, err
			}
			speeds = append(speeds, s)
		}
		r := StreamResult{Model: info.name, Threads: threads, Streams: n, Tokens: gen, TokensPerSecond: Summarize(speeds)}
		if n == 1 {
			single = r.TokensPerSecond.Mean
		}
		if single > 0 {
			r.Speedup = r.TokensPerSecond.Mean / single
		}
		results = append(results, r)
	}
	return results, nil
}
