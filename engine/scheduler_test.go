package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/sample/grammar"
)

var schedPrompts = []string{"Once upon a time", "Lily", "The dog", "One day, a little boy", "Tom and Sue", "The sun"}

// TestSchedulerMatchesGenerate runs many requests at once, greedy and
// seeded, and checks each one's tokens, text and streamed text against a
// lone Model.Generate of the same request.
func TestSchedulerMatchesGenerate(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2})
	s := m.NewScheduler(SchedulerOptions{Parallel: 5, StepTokens: 3})
	defer s.Close()
	var reqs []GenerateRequest
	for i, p := range schedPrompts {
		r := GenerateRequest{Prompt: p, MaxTokens: 24 + 5*i}
		if i%2 == 1 {
			r.Sampling = sample.Defaults()
			r.Sampling.Seed = uint64(i)
		}
		if i == 2 {
			r.Stop = []string{"was"}
		}
		reqs = append(reqs, r, r)
	}
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() {
			want, err := m.Generate(context.Background(), r, nil)
			if err != nil {
				t.Error(err)
				return
			}
			var streamed strings.Builder
			got, err := s.Submit(context.Background(), BatchRequest{GenerateRequest: r}, func(ev TokenEvent) error {
				streamed.WriteString(ev.Text)
				return nil
			})
			if err != nil {
				t.Error(err)
				return
			}
			if !slices.Equal(got.Tokens, want.Tokens) || got.Text != want.Text || got.StopReason != want.StopReason {
				t.Errorf("request %d: batched %v %q %s\nlone %v %q %s", i, got.Tokens, got.Text, got.StopReason,
					want.Tokens, want.Text, want.StopReason)
			}
			if streamed.String() != got.Text {
				t.Errorf("request %d: streamed %q, result %q", i, streamed.String(), got.Text)
			}
		})
	}
	wg.Wait()
	st := s.Stats()
	if st.Active != 0 || st.Queued != 0 || st.GeneratedTokens == 0 || st.Steps == 0 {
		t.Errorf("stats after the run: %+v", st)
	}
}

// TestSchedulerBatchedLogits checks that a sequence's logits do not depend
// on what else shares its batch: a batch of several sequences gives each
// exactly the logits it gets alone, for float weights and for quantized
// ones (whose activations are quantized per row).
func TestSchedulerBatchedLogits(t *testing.T) {
	for _, path := range []string{"", testdata.Path(t, "stories260K", "stories260K-q4_0.gguf"),
		testdata.Path(t, "synthetic", "tiny-k-Q4_K_M.gguf")} {
		m, err := Load(path, Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		prompts := [][]int{m.Tokenize("Once upon a time", true, false), m.Tokenize("The cat sat", true, false)}
		alone := make([][]float32, len(prompts))
		for i, p := range prompts {
			c := m.net.NewCache(64)
			out, err := m.forward(c, tokensOf(p, 0, 0), nil)
			if err != nil {
				t.Fatal(err)
			}
			alone[i] = out[len(out)-1]
		}
		c := m.net.NewCache(64)
		batch := append(tokensOf(prompts[0], 0, 0), tokensOf(prompts[1], 1, 0)...)
		want := make([]bool, len(batch))
		want[len(prompts[0])-1], want[len(batch)-1] = true, true
		out, err := m.forward(c, batch, want)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(out[len(prompts[0])-1], alone[0]) || !slices.Equal(out[len(batch)-1], alone[1]) {
			t.Errorf("%q: batched logits differ from the lone ones", path)
		}
	}
}

// TestSchedulerCancel cancels some requests mid-stream (by context and by
// a failing callback) and checks that the others complete unchanged and
// that the cancelled ones free their sequence.
func TestSchedulerCancel(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2})
	s := m.NewScheduler(SchedulerOptions{Parallel: 4})
	defer s.Close()
	req := GenerateRequest{Prompt: "Once upon a time", MaxTokens: 40}
	want, err := m.Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	errStop := errors.New("client gone")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			n := 0
			res, err := s.Submit(ctx, BatchRequest{GenerateRequest: req}, func(ev TokenEvent) error {
				n++
				switch {
				case i%4 == 1 && n == 5:
					cancel()
				case i%4 == 3 && n == 3:
					return errStop
				}
				return nil
			})
			switch i % 4 {
			case 1:
				if !errors.Is(err, context.Canceled) || res.StopReason != StopCancelled {
					t.Errorf("request %d: err %v, stop %q; want cancelled", i, err, res.StopReason)
				}
			case 3:
				if !errors.Is(err, errStop) {
					t.Errorf("request %d: err %v, want the callback's", i, err)
				}
			default:
				if err != nil || !slices.Equal(res.Tokens, want.Tokens) {
					t.Errorf("request %d: err %v, tokens %v want %v", i, err, res.Tokens, want.Tokens)
				}
			}
		})
	}
	wg.Wait()
	if st := s.Stats(); st.Active != 0 {
		t.Errorf("%d sequences still active", st.Active)
	}
}

// TestSchedulerPrefixReuse checks that a request sharing its prompt's start
// with an earlier one reuses those positions, and still gives the tokens of
// a fresh run.
func TestSchedulerPrefixReuse(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2})
	s := m.NewScheduler(SchedulerOptions{Parallel: 2})
	defer s.Close()
	first := GenerateRequest{Prompt: "Once upon a time, there was a little girl named Lily.", MaxTokens: 8}
	if _, err := s.Submit(context.Background(), BatchRequest{GenerateRequest: first}, nil); err != nil {
		t.Fatal(err)
	}
	second := GenerateRequest{Prompt: first.Prompt + " She loved to play outside.", MaxTokens: 20}
	want, err := m.Generate(context.Background(), second, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Keep the first slot busy so that the reuse must copy across slots.
	got, err := s.Submit(context.Background(), BatchRequest{GenerateRequest: second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	shared := len(m.Tokenize(first.Prompt, true, true))
	if got.CachedTokens < shared-1 || !slices.Equal(got.Tokens, want.Tokens) {
		t.Errorf("cached %d tokens (want ≥ %d), tokens %v want %v", got.CachedTokens, shared-1, got.Tokens, want.Tokens)
	}
	if st := s.Stats(); st.ReusedTokens != uint64(got.CachedTokens) {
		t.Errorf("stats reused %d, want %d", st.ReusedTokens, got.CachedTokens)
	}

	// A copy across sequences: one slot busy with a long request that holds
	// the shared prefix, the new one starts from a copy of it.
	long := GenerateRequest{Prompt: second.Prompt, MaxTokens: 200, IgnoreEOG: true}
	started := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Submit(context.Background(), BatchRequest{GenerateRequest: long}, func(TokenEvent) error {
			once.Do(func() { close(started) })
			return nil
		})
	}()
	<-started
	third := GenerateRequest{Prompt: second.Prompt + " One day", MaxTokens: 10}
	want, _ = m.Generate(context.Background(), third, nil)
	got, err = s.Submit(context.Background(), BatchRequest{GenerateRequest: third}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.CachedTokens < len(m.Tokenize(second.Prompt, true, true))-1 || !slices.Equal(got.Tokens, want.Tokens) {
		t.Errorf("copied prefix: cached %d, tokens %v want %v", got.CachedTokens, got.Tokens, want.Tokens)
	}
	<-done
}

// TestSchedulerQueueFull checks that requests beyond the sequences and the
// queue are refused at once.
func TestSchedulerQueueFull(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	s := m.NewScheduler(SchedulerOptions{Parallel: 1, QueueSize: -1})
	defer s.Close()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once sync.Once
	done := make(chan error)
	go func() {
		_, err := s.Submit(ctx, BatchRequest{GenerateRequest: GenerateRequest{Prompt: "Lily", IgnoreEOG: true}},
			func(TokenEvent) error { once.Do(func() { close(started) }); return nil })
		done <- err
	}()
	<-started
	if _, err := s.Submit(context.Background(), BatchRequest{GenerateRequest: GenerateRequest{Prompt: "Tom"}}, nil); !errors.Is(err, ErrQueueFull) {
		t.Errorf("second request: %v, want ErrQueueFull", err)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("first request: %v", err)
	}

	// A request cancelled while it waits leaves the queue at the next step.
	q := m.NewScheduler(SchedulerOptions{Parallel: 1, QueueSize: 1})
	defer q.Close()
	busyCtx, stopBusy := context.WithCancel(context.Background())
	defer stopBusy()
	busy := make(chan struct{})
	var busyOnce sync.Once
	go q.Submit(busyCtx, BatchRequest{GenerateRequest: GenerateRequest{Prompt: "Lily", IgnoreEOG: true}},
		func(TokenEvent) error { busyOnce.Do(func() { close(busy) }); return nil })
	<-busy
	waitCtx, stopWait := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer stopWait()
	res, err := q.Submit(waitCtx, BatchRequest{GenerateRequest: GenerateRequest{Prompt: "Tom"}}, nil)
	if !errors.Is(err, context.DeadlineExceeded) || res.StopReason != StopCancelled {
		t.Errorf("queued request: %v, stop %q", err, res.StopReason)
	}
	if st := q.Stats(); st.Queued != 0 || st.Active != 1 {
		t.Errorf("after the queued request left: %+v", st)
	}
	var ce *ContextError
	if _, err := s.Submit(context.Background(), BatchRequest{GenerateRequest: GenerateRequest{Prompt: strings.Repeat("Lily and Tom. ", 200)}}, nil); !errors.As(err, &ce) {
		t.Errorf("long prompt: %v, want a ContextError", err)
	}
}

// TestSchedulerGrammar checks that grammar-constrained output parses and
// matches its schema's shape.
func TestSchedulerGrammar(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2})
	s := m.NewScheduler(SchedulerOptions{})
	defer s.Close()
	g, err := grammar.FromSchema([]byte(`{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"}},"required":["name","age"]}`))
	if err != nil {
		t.Fatal(err)
	}
	for seed := range 3 {
		req := BatchRequest{GenerateRequest: GenerateRequest{Prompt: "Lily", MaxTokens: 200,
			Sampling: sample.Options{Temperature: 1, Seed: uint64(seed)}}, Grammar: g}
		res, err := s.Submit(context.Background(), req, nil)
		if err != nil {
			t.Fatal(err)
		}
		var v struct {
			Name *string
			Age  *int
		}
		if err := json.Unmarshal([]byte(res.Text), &v); err != nil || v.Name == nil || v.Age == nil {
			t.Errorf("seed %d: %q (%s): %v", seed, res.Text, res.StopReason, err)
		}
	}
}

// BenchmarkSchedulerStreams measures aggregate decoding speed with 1, 4, 8
// and 16 concurrent greedy streams on the built-in model.
func BenchmarkSchedulerStreams(b *testing.B) {
	benchStreams(b, loadBuiltin(b, Options{}), "Once upon a time")
}

// BenchmarkSchedulerStreamsLlama3 does the same on the synthetic model
// with the Llama 3 vocabulary, whose 128256-row output matrix makes each
// step read many weights per token, as larger models do.
func BenchmarkSchedulerStreamsLlama3(b *testing.B) {
	m, err := Load(testdata.Path(b, "synthetic", "tiny-llama3-Q8_0.gguf"), Options{ContextLength: 256})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	benchStreams(b, m, "Hello")
}

func benchStreams(b *testing.B, m *Model, prompt string) {
	for _, streams := range []int{1, 4, 8, 16} {
		b.Run(fmt.Sprintf("streams=%d", streams), func(b *testing.B) {
			s := m.NewScheduler(SchedulerOptions{Parallel: streams})
			defer s.Close()
			req := BatchRequest{GenerateRequest: GenerateRequest{Prompt: prompt, MaxTokens: 128, IgnoreEOG: true}}
			start := time.Now()
			for b.Loop() {
				var wg sync.WaitGroup
				for range streams {
					wg.Go(func() {
						if _, err := s.Submit(context.Background(), req, nil); err != nil {
							b.Error(err)
						}
					})
				}
				wg.Wait()
			}
			st := s.Stats()
			b.ReportMetric(float64(st.GeneratedTokens)/time.Since(start).Seconds(), "tok/s")
			b.ReportMetric(st.DecodeTokensPerSecond(), "decode-tok/s")
		})
	}
}

func tokensOf(ids []int, seq, pos int) []model.Token {
	out := make([]model.Token, len(ids))
	for i, id := range ids {
		out[i] = model.Token{ID: id, Pos: pos + i, Seq: seq}
	}
	return out
}
