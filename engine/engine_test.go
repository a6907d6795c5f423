package engine

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/sample"
)

func loadBuiltin(t testing.TB, opts Options) *Model {
	t.Helper()
	m, err := Load("", opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

type runcGolden struct {
	Cases []struct {
		Name      string `json:"name"`
		PromptIDs []int  `json:"prompt_ids"`
		Tokens    []int  `json:"tokens"`
		Text      string `json:"text"`
	} `json:"cases"`
	Encode []struct {
		Text string `json:"text"`
		IDs  []int  `json:"ids"`
	} `json:"encode"`
}

func goldenStory(t *testing.T) (prompt string, want string, ids []int) {
	var g runcGolden
	loadJSON(t, testdata.Path(t, "stories260K", "golden-runc.json"), &g)
	for _, c := range g.Cases {
		if c.Name == "prompt_once_upon_greedy_64" {
			return "Once upon a time", c.Text, c.Tokens
		}
	}
	t.Fatal("golden case prompt_once_upon_greedy_64 missing")
	return
}

// TestGoldenStory checks that greedy generation on every loader of
// stories260K (the built-in copy, the .bin with its tokenizer found beside
// it, the F32 GGUF and the Hugging Face directory) tells run.c's story.
func TestGoldenStory(t *testing.T) {
	prompt, want, ids := goldenStory(t)
	for _, path := range []string{"", testdata.Path(t, "stories260K", "stories260K.bin"),
		testdata.Path(t, "stories260K", "stories260K-f32.gguf"), testdata.Path(t, "stories260K", "hf")} {
		m, err := Load(path, Options{Threads: 2})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		if got := m.Tokenize(prompt, true, false); !slices.Equal(got, ids[:5]) {
			t.Errorf("%q: prompt tokens %v, want %v", path, got, ids[:5])
		}
		res, err := m.Generate(context.Background(), GenerateRequest{Prompt: prompt, MaxTokens: len(ids) - 5}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(res.Tokens, ids[5:]) {
			t.Errorf("%q: tokens\n got %v\nwant %v", path, res.Tokens, ids[5:])
		}
		if got := prompt + res.Text; got != want {
			t.Errorf("%q: text\n got %q\nwant %q", path, got, want)
		}
		if res.StopReason != StopLength || res.PromptTokens != 5 {
			t.Errorf("%q: stop %q, prompt tokens %d", path, res.StopReason, res.PromptTokens)
		}
	}
}

func TestStreamedTextMatchesResult(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	var streamed strings.Builder
	var ids []int
	res, err := m.Generate(context.Background(), GenerateRequest{Prompt: "Lily", MaxTokens: 40,
		Sampling: sample.Options{Temperature: 0.9, TopK: 40, TopP: 0.95, Seed: 7}}, func(ev TokenEvent) error {
		streamed.WriteString(ev.Text)
		if ev.ID >= 0 {
			ids = append(ids, ev.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if streamed.String() != res.Text || !slices.Equal(ids, res.Tokens) {
		t.Errorf("streamed %q %v, result %q %v", streamed.String(), ids, res.Text, res.Tokens)
	}
	if want := m.Detokenize(append(m.Tokenize("Lily", false, false), res.Tokens...)); "Lily"+res.Text != want {
		t.Errorf("text %q, decoded tokens %q", "Lily"+res.Text, want)
	}
}

// TestSeedReproducible checks that a seed gives the same tokens whatever
// the thread count.
func TestSeedReproducible(t *testing.T) {
	req := GenerateRequest{Prompt: "The dog", MaxTokens: 48, Sampling: sample.Defaults()}
	req.Sampling.Seed = 1234
	var runs [][]int
	for _, threads := range []int{1, 3} {
		m := loadBuiltin(t, Options{Threads: threads})
		res, err := m.Generate(context.Background(), req, nil)
		if err != nil {
			t.Fatal(err)
		}
		runs = append(runs, res.Tokens)
	}
	if !slices.Equal(runs[0], runs[1]) {
		t.Errorf("seeded runs differ:\n%v\n%v", runs[0], runs[1])
	}
	req.Sampling.Seed = 99
	res, _ := loadBuiltin(t, Options{Threads: 1}).Generate(context.Background(), req, nil)
	if slices.Equal(res.Tokens, runs[0]) {
		t.Error("another seed gave the same tokens")
	}
}

func TestStopString(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	var streamed strings.Builder
	res, err := m.Generate(context.Background(), GenerateRequest{Prompt: "Once upon a time", Stop: []string{"Lily"}},
		func(ev TokenEvent) error { streamed.WriteString(ev.Text); return nil })
	if err != nil {
		t.Fatal(err)
	}
	want := ", there was a little girl named "
	if res.Text != want || streamed.String() != want || res.StopReason != StopString {
		t.Errorf("text %q, streamed %q, stop %q; want %q", res.Text, streamed.String(), res.StopReason, want)
	}
}

// TestEndOfGeneration checks that generation stops at an end-of-generation
// token and keeps it out of the result: the built-in llama2.c model ends its
// greedy story from BOS with BOS after 345 tokens, where run.c stops.
func TestEndOfGeneration(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	var g runcGolden
	loadJSON(t, testdata.Path(t, "stories260K", "golden-runc.json"), &g)
	for _, c := range g.Cases {
		if c.Name != "bos_greedy_full" {
			continue
		}
		res, err := m.Generate(context.Background(), GenerateRequest{Tokens: c.PromptIDs}, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := c.Tokens[len(c.PromptIDs) : len(c.Tokens)-1] // without the final BOS
		if res.StopReason != StopEOG || !slices.Equal(res.Tokens, want) {
			t.Errorf("stop %q after %d tokens, want eog after %d", res.StopReason, len(res.Tokens), len(want))
		}
		if !strings.HasPrefix(res.Text, c.Text[:100]) {
			t.Errorf("text %q…, want %q…", res.Text[:100], c.Text[:100])
		}
		res, err = m.Generate(context.Background(), GenerateRequest{Tokens: c.PromptIDs, IgnoreEOG: true, MaxTokens: len(want) + 3}, nil)
		if err != nil || res.StopReason != StopLength {
			t.Errorf("IgnoreEOG: stop %q, err %v", res.StopReason, err)
		}
		return
	}
	t.Fatal("golden case bos_greedy_full missing")
}

func TestContextLimits(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1, ContextLength: 16})
	long := strings.Repeat("the cat sat on the mat. ", 10)
	if _, err := m.Generate(context.Background(), GenerateRequest{Prompt: long}, nil); err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("too-long prompt: err = %v, want a context error", err)
	}
	res, err := m.Generate(context.Background(), GenerateRequest{Prompt: long, Truncate: true, MaxTokens: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Truncated == 0 || res.PromptTokens+len(res.Tokens) > 16 {
		t.Errorf("truncated %d, prompt %d, generated %d", res.Truncated, res.PromptTokens, len(res.Tokens))
	}
	res, err = m.Generate(context.Background(), GenerateRequest{Prompt: "Once upon a time"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.StopReason != StopContext || res.PromptTokens+len(res.Tokens) != 17 {
		t.Errorf("stop %q after %d+%d tokens, want context after 5+12", res.StopReason, res.PromptTokens, len(res.Tokens))
	}
}

func TestCancel(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	res, err := m.Generate(ctx, GenerateRequest{Prompt: "Once upon a time", MaxTokens: 100}, func(TokenEvent) error {
		if n++; n == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || res.StopReason != StopCancelled || len(res.Tokens) != 3 {
		t.Errorf("err %v, stop %q, %d tokens", err, res.StopReason, len(res.Tokens))
	}
	boom := errors.New("boom")
	_, err = m.Generate(context.Background(), GenerateRequest{Prompt: "x", MaxTokens: 10}, func(TokenEvent) error { return boom })
	if !errors.Is(err, boom) {
		t.Errorf("callback error: got %v", err)
	}
}

// TestSessionReusesPrefix checks that a second turn extending the first
// reuses the cache and generates what a fresh session would.
func TestSessionReusesPrefix(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	s := m.NewSession()
	first, err := s.Generate(context.Background(), GenerateRequest{Prompt: "Once upon a time", MaxTokens: 10}, nil)
	if err != nil {
		t.Fatal(err)
	}
	turn := append(s.Tokens(), first.Tokens[len(first.Tokens)-1])
	turn = append(turn, m.Tokenize(" The end. Then", false, false)...)
	second, err := s.Generate(context.Background(), GenerateRequest{Tokens: turn, MaxTokens: 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.CachedTokens != 5+9 {
		t.Errorf("cached %d tokens, want 14", second.CachedTokens)
	}
	fresh, err := m.Generate(context.Background(), GenerateRequest{Tokens: turn, MaxTokens: 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(second.Tokens, fresh.Tokens) {
		t.Errorf("session %v, fresh %v", second.Tokens, fresh.Tokens)
	}
}

func TestLogProbs(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	var evs []TokenEvent
	_, err := m.Generate(context.Background(), GenerateRequest{Prompt: "Once upon a time", MaxTokens: 3, LogProbs: 5},
		func(ev TokenEvent) error { evs = append(evs, ev); return nil })
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if len(ev.TopLogProbs) != 5 || ev.TopLogProbs[0].ID != ev.ID || ev.LogProb != ev.TopLogProbs[0].LogProb || ev.LogProb > 0 {
			t.Errorf("greedy event %+v", ev)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir(), Options{}); err == nil {
		t.Error("empty directory loaded")
	}
	if _, err := Load("/nonexistent/model.gguf", Options{}); err == nil {
		t.Error("missing file loaded")
	}
	// A llama2.c checkpoint alone in a directory has no tokenizer.
	if _, err := Load(testdata.Path(t, "stories260K", "stories260K.bin"), Options{TokenizerPath: "/nonexistent/tok.bin"}); err == nil {
		t.Error("missing tokenizer accepted")
	}
}

func TestEmptyPrompt(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 1})
	if _, err := m.Generate(context.Background(), GenerateRequest{Tokens: []int{}}, nil); err == nil {
		t.Error("empty token prompt accepted")
	}
	if _, err := m.Generate(context.Background(), GenerateRequest{Tokens: []int{1, 100000}}, nil); err == nil {
		t.Error("out-of-vocabulary prompt accepted")
	}
	// Empty text still has BOS: the model starts a story.
	res, err := m.Generate(context.Background(), GenerateRequest{MaxTokens: 4}, nil)
	if err != nil || !strings.HasPrefix(res.Text, "Once upon") {
		t.Errorf("from BOS: %q, %v", res.Text, err)
	}
}

// TestChunkedPrefill checks that a prompt processed in small batches gives
// what one batch gives.
func TestChunkedPrefill(t *testing.T) {
	req := GenerateRequest{Prompt: "The cat sat on the mat. The dog ran to the park.", MaxTokens: 16}
	one, err := loadBuiltin(t, Options{Threads: 1}).Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	chunked, err := loadBuiltin(t, Options{Threads: 2, BatchSize: 3}).Generate(context.Background(), req, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(one.Tokens, chunked.Tokens) {
		t.Errorf("one batch %v, chunked %v", one.Tokens, chunked.Tokens)
	}
}
