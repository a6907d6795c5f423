package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/weights"
)

// Options say what Run measures.
type Options struct {
	Prompt  int   // prompt tokens processed in one go (pp); 0 skips the test
	Gen     int   // tokens generated one at a time (tg); 0 skips the test
	Reps    int   // repetitions of each test
	Threads []int // thread counts to measure, one model load each
	// Bandwidth is the memory read bandwidth in bytes/s to compare decoding
	// against; 0 measures it.
	Bandwidth float64
}

// Result is one test (pp or tg) at one thread count.
type Result struct {
	Model   string `json:"model"`
	Type    string `json:"file_type"`
	Params  int64  `json:"parameters"`
	Size    int64  `json:"size_bytes"`
	Threads int    `json:"threads"`
	Test    string `json:"test"` // "pp512", "tg128", …
	Tokens  int    `json:"tokens"`
	// TokensPerSecond is the speed over the repetitions.
	TokensPerSecond Stats `json:"tokens_per_second"`
	// BytesPerToken is the weight bytes one decoding step reads: every
	// matrix, plus one row of the embedding unless it is also the output
	// head.
	BytesPerToken int64 `json:"bytes_per_token,omitempty"`
	// Bandwidth is the memory read bandwidth (bytes/s) measured with the
	// same thread count.
	Bandwidth float64 `json:"bandwidth_bytes_per_second,omitempty"`
	// Ceiling is the decode speed memory bandwidth allows; Share is the
	// measured speed as a fraction of it.
	Ceiling float64 `json:"ceiling_tokens_per_second,omitempty"`
	Share   float64 `json:"share_of_ceiling,omitempty"`
}

// Run loads the model at path once per thread count and measures prompt
// processing and decoding speed.
func Run(ctx context.Context, path string, opts Options) ([]Result, error) {
	opts.Reps = max(opts.Reps, 1)
	if len(opts.Threads) == 0 {
		opts.Threads = []int{0}
	}
	var results []Result
	for _, threads := range opts.Threads {
		rs, err := runThreads(ctx, path, threads, opts)
		if err != nil {
			return results, err
		}
		results = append(results, rs...)
	}
	return results, nil
}

func runThreads(ctx context.Context, path string, threads int, opts Options) ([]Result, error) {
	m, info, threads, err := load(path, threads, opts.Prompt+opts.Gen)
	if err != nil {
		return nil, err
	}
	defer m.Close()
	base := Result{Model: info.name, Type: info.fileType, Params: info.params, Size: info.size, Threads: threads}
	vocab := m.Config().VocabSize
	bos := m.Tokenizer().BOS()
	rng := rand.New(rand.NewPCG(1, 2))
	prompt := func(n int) []int {
		ids := make([]int, n)
		for i := range ids {
			ids[i] = rng.IntN(vocab)
		}
		if bos >= 0 && n > 0 {
			ids[0] = bos
		}
		return ids
	}
	// Warm up: page in the weights and start the threads.
	if _, err := m.Generate(ctx, engine.GenerateRequest{Tokens: prompt(min(16, max(opts.Prompt, 2))), MaxTokens: 2, IgnoreEOG: true}, nil); err != nil {
		return nil, fmt.Errorf("bench: warm-up: %w", err)
	}
	var results []Result
	if opts.Prompt > 0 {
		var speeds []float64
		for r := 0; r < opts.Reps; r++ {
			res, err := m.Generate(ctx, engine.GenerateRequest{Tokens: prompt(opts.Prompt), MaxTokens: 1, IgnoreEOG: true}, nil)
			if err != nil {
				return nil, fmt.Errorf("bench: pp%d: %w", opts.Prompt, err)
			}
			speeds = append(speeds, float64(opts.Prompt)/res.PromptDuration.Seconds())
		}
		r := base
		r.Test, r.Tokens, r.TokensPerSecond = fmt.Sprintf("pp%d", opts.Prompt), opts.Prompt, Summarize(speeds)
		results = append(results, r)
	}
	if opts.Gen > 0 {
		var speeds []float64
		for rep := 0; rep < opts.Reps; rep++ {
			res, err := m.Generate(ctx, engine.GenerateRequest{Tokens: prompt(1), MaxTokens: opts.Gen, IgnoreEOG: true}, nil)
			if err != nil {
				return nil, fmt.Errorf("bench: tg%d: %w", opts.Gen, err)
			}
			speeds = append(speeds, float64(len(res.Tokens))/res.GenerateDuration.Seconds())
		}
		r := base
		r.Test, r.Tokens, r.TokensPerSecond = fmt.Sprintf("tg%d", opts.Gen), opts.Gen, Summarize(speeds)
		if info.bytesPerToken > 0 {
			r.BytesPerToken = info.bytesPerToken
			r.Bandwidth = opts.Bandwidth
			if r.Bandwidth == 0 {
				r.Bandwidth = MemoryBandwidth(threads)
			}
			r.Ceiling = r.Bandwidth / float64(r.BytesPerToken)
			r.Share = r.TokensPerSecond.Mean / r.Ceiling
		}
		results = append(results, r)
	}
	return results, nil
}

// load opens the model at path for a benchmark of up to positions tokens per
// sequence and describes it; it returns the thread count in effect.
func load(path string, threads, positions int) (*engine.Model, modelInfo, int, error) {
	info, err := describe(path)
	if err != nil {
		return nil, info, 0, err
	}
	m, err := engine.Load(path, engine.Options{Threads: threads, ContextLength: positions + 16})
	if err != nil {
		return nil, info, 0, err
	}
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	return m, info, threads, nil
}

// modelInfo is what a benchmark reports about the model file.
type modelInfo struct {
	name, fileType string
	params, size   int64
	bytesPerToken  int64
}

func describe(path string) (modelInfo, error) {
	if path == "" {
		return modelInfo{name: "built-in stories260K", fileType: "F32"}, nil
	}
	f, err := weights.Open(path)
	if err != nil {
		return modelInfo{}, fmt.Errorf("bench: %w", err)
	}
	defer f.Close()
	s := weights.Describe(f)
	info := modelInfo{name: s.Name, fileType: s.FileType, params: int64(s.Parameters)}
	if info.name == "" {
		info.name = s.Architecture
	}
	_, tied := f.Tensor("output.weight")
	tied = !tied
	for _, t := range f.Tensors {
		n := int64(len(t.Data))
		info.size += n
		if t.Name == "token_embd.weight" && !tied && len(t.Shape) == 2 && t.Shape[1] > 0 {
			n /= int64(t.Shape[1]) // one row is looked up per token
		}
		info.bytesPerToken += n
	}
	return info, nil
}
