// Package engine is herd's embeddable Go API for running a language model:
// load a model file, tokenize text, and generate text token by token with
// streaming, cancellation and reusable KV-cache sessions.
//
//	m, err := engine.Load("model.gguf", engine.Options{})
//	...
//	defer m.Close()
//	res, err := m.Generate(ctx, engine.GenerateRequest{
//		Prompt:    "Once upon a time",
//		Sampling:  sample.Defaults(),
//		MaxTokens: 128,
//	}, func(ev engine.TokenEvent) error {
//		fmt.Print(ev.Text)
//		return nil
//	})
//
// Load accepts a GGUF file, a llama2.c checkpoint (with its tokenizer beside
// it) or a Hugging Face model directory; the empty path loads the built-in
// stories260K model.
package engine

import (
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"

	_ "github.com/herdllm/herd/model/llama" // the Llama architecture
)

// Options are the settings of a loaded model.
type Options struct {
	// ContextLength is the most positions a session holds (prompt plus
	// generated tokens); 0 uses the length the model was trained for.
	ContextLength int
	// Threads is the number of threads the kernels use; 0 uses every CPU.
	Threads int
	// TokenizerPath names the tokenizer for checkpoints that carry none (a
	// llama2.c .bin); empty looks beside the checkpoint for tokenizer.bin,
	// tok*.bin or tokenizer.model. It overrides a file's own vocabulary.
	TokenizerPath string
	// BatchSize is the most prompt tokens one forward pass processes;
	// 0 means 512.
	BatchSize int
	// LoRA are adapters added to the model's weights at run time, each with
	// its scale.
	LoRA []LoRA
}

// Model is a loaded model with its tokenizer. Its methods are safe for
// concurrent use; forward passes run one at a time.
type Model struct {
	file   *weights.File
	tok    *tokenizer.Tokenizer
	net    model.Model
	pool   *tensor.Pool
	ctxLen int
	batch  int
	load   time.Duration
	// bosEnds makes BOS end generation too: llama2.c checkpoints delimit
	// their training texts with BOS alone, and run.c stops on it.
	bosEnds bool
	mu      sync.Mutex // serializes forward passes
}

// Load opens the model at path (a GGUF file, a llama2.c checkpoint, a
// Hugging Face directory, or "" for the built-in model) with its tokenizer
// and prepares it to run.
func Load(path string, opts Options) (*Model, error) {
	start := time.Now()
	f, tok, err := open(path, opts.TokenizerPath)
	if err != nil {
		return nil, err
	}
	adapters, err := openLoRA(opts.LoRA)
	if err == nil {
		err = checkLoRA(f, adapters)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	threads := opts.Threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	pool := tensor.NewPool(threads)
	net, err := model.New(f, model.Options{Pool: pool, LoRA: adapters})
	if err != nil {
		pool.Close()
		f.Close()
		return nil, fmt.Errorf("engine: %w", err)
	}
	cfg := net.Config()
	if n := tok.VocabSize(); n > cfg.VocabSize {
		pool.Close()
		f.Close()
		return nil, fmt.Errorf("engine: %s: the tokenizer has %d tokens but the model only %d", f.Path, n, cfg.VocabSize)
	}
	m := &Model{file: f, tok: tok, net: net, pool: pool, ctxLen: opts.ContextLength, batch: opts.BatchSize,
		bosEnds: f.Format == "llama2c" && tok.BOS() >= 0}
	if m.ctxLen <= 0 {
		m.ctxLen = cfg.ContextLength
	}
	if m.batch <= 0 {
		m.batch = 512
	}
	m.load = time.Since(start)
	return m, nil
}

// Close releases the model's file and threads. The model must not be used
// afterwards.
func (m *Model) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pool != nil {
		m.pool.Close()
		m.pool = nil
	}
	if m.file == nil {
		return nil
	}
	err := m.file.Close()
	m.file = nil
	return err
}

// Config returns the shape of the model.
func (m *Model) Config() model.Config { return m.net.Config() }

// ContextLength returns the most positions a session holds.
func (m *Model) ContextLength() int { return m.ctxLen }

// LoadDuration returns how long Load took.
func (m *Model) LoadDuration() time.Duration { return m.load }

// Tokenizer returns the model's tokenizer.
func (m *Model) Tokenizer() *tokenizer.Tokenizer { return m.tok }

// Tokenize encodes text as token ids. addSpecial adds the vocabulary's BOS
// (and EOS) as it asks; parseSpecial turns the text of special tokens such as
// <|eot_id|> into their ids instead of spelling them out.
func (m *Model) Tokenize(text string, addSpecial, parseSpecial bool) []int {
	return m.tok.Encode(text, addSpecial, parseSpecial)
}

// Detokenize decodes token ids into text.
func (m *Model) Detokenize(ids []int) string { return m.tok.Decode(ids) }

// IsEOG reports whether id ends generation: the vocabulary's
// end-of-generation tokens, and BOS for llama2.c checkpoints.
func (m *Model) IsEOG(id int) bool {
	return m.tok.IsEOG(id) || (m.bosEnds && id == m.tok.BOS())
}

// forward runs one batch under the model lock.
func (m *Model) forward(c *model.Cache, batch []model.Token, want []bool) ([][]float32, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.file == nil {
		return nil, fmt.Errorf("engine: model is closed")
	}
	return m.net.Forward(c, batch, want)
}
