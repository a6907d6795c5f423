// Package model is the registry of model architectures. A GGUF-style
// weights.File names its architecture in general.architecture; New looks up
// the constructor registered for that name. An architecture is one package
// that calls Register in its init (package model/llama registers "llama"),
// and importing it is all a program needs to run that architecture.
//
// Every architecture runs the same way: a batch of tokens, each with its
// position and sequence id, goes through Forward together, reading and
// extending that sequence's slots in a Cache, and comes out as logits for
// the tokens that asked for them.
package model

import (
	"fmt"
	"slices"
	"sort"
	"sync"

	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// Token is one entry of a batch: a vocabulary id placed at position Pos of
// sequence Seq.
type Token struct {
	ID  int
	Pos int
	Seq int
}

// Config is the shape of a loaded model, read from its metadata.
type Config struct {
	Architecture      string
	VocabSize         int
	ContextLength     int // the context the model was trained for
	EmbeddingLength   int
	Layers            int
	Heads             int
	KVHeads           int
	HeadDim           int
	FeedForwardLength int
}

// Model is a loaded architecture ready to run.
type Model interface {
	// Config returns the model's shape.
	Config() Config
	// NewCache returns an empty KV cache holding up to size positions per
	// sequence.
	NewCache(size int) *Cache
	// Forward runs batch through the model. Each token's position must be
	// the next free slot of its sequence in c (tokens of one sequence in
	// increasing position order; several sequences may share a batch).
	// want[i] asks for the logits of batch[i] (nil want: the last token
	// only). It returns one row of VocabSize logits per token, nil where not
	// wanted.
	Forward(c *Cache, batch []Token, want []bool) ([][]float32, error)
}

// Options are the load-time settings every architecture receives.
type Options struct {
	// Pool runs the numeric kernels; nil runs them on the calling goroutine.
	Pool *tensor.Pool
	// LoRA are low-rank adapters added to the model's projections at run
	// time, each with its scale; architectures reject adapters they cannot
	// apply.
	LoRA []lora.Scaled
}

// Constructor builds an architecture's Model from a weights file, checking
// every tensor and hyperparameter it needs.
type Constructor func(f *weights.File, opts Options) (Model, error)

var (
	mu    sync.RWMutex
	archs = map[string]Constructor{}
)

// Register makes an architecture available under name (the value of
// general.architecture). Registering a name twice panics: it is a
// programming error, found at init.
func Register(name string, c Constructor) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := archs[name]; dup {
		panic("model: architecture " + name + " registered twice")
	}
	archs[name] = c
}

// Architectures returns the registered architecture names, sorted.
func Architectures() []string {
	mu.RLock()
	defer mu.RUnlock()
	names := make([]string, 0, len(archs))
	for n := range archs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New builds the model f holds with the constructor registered for its
// general.architecture.
func New(f *weights.File, opts Options) (Model, error) {
	if f == nil || f.Meta == nil {
		return nil, fmt.Errorf("model: no metadata")
	}
	arch, ok := f.Meta.String("general.architecture")
	if !ok {
		return nil, fmt.Errorf("model: %s: missing general.architecture", f.Path)
	}
	mu.RLock()
	c, ok := archs[arch]
	mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("model: %s: unsupported architecture %q (general.architecture; supported: %v)", f.Path, arch, Architectures())
	}
	m, err := c(f, opts)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// CheckBatch validates a batch against a model config and cache before a
// forward pass: ids in the vocabulary, and each sequence's positions
// continuing its cached ones without gaps, within the cache size.
// Architectures call it first so that bad input is an error, not a panic.
func CheckBatch(cfg Config, c *Cache, batch []Token, want []bool) error {
	if len(batch) == 0 {
		return fmt.Errorf("model: empty batch")
	}
	if want != nil && len(want) != len(batch) {
		return fmt.Errorf("model: %d logit flags for %d tokens", len(want), len(batch))
	}
	next := map[int]int{}
	for i, t := range batch {
		if t.ID < 0 || t.ID >= cfg.VocabSize {
			return fmt.Errorf("model: token %d: id %d outside the vocabulary of %d", i, t.ID, cfg.VocabSize)
		}
		p, ok := next[t.Seq]
		if !ok {
			p = c.Len(t.Seq)
		}
		if t.Pos != p {
			return fmt.Errorf("model: token %d: position %d of sequence %d, want %d (the next free slot)", i, t.Pos, t.Seq, p)
		}
		if t.Pos >= c.Size() {
			return fmt.Errorf("model: token %d: position %d beyond the context of %d", i, t.Pos, c.Size())
		}
		next[t.Seq] = p + 1
	}
	return nil
}

// Want returns the logit flags Forward uses for a nil want: only the last
// token of the batch.
func Want(want []bool, n int) []bool {
	if want != nil {
		return want
	}
	w := make([]bool, n)
	if n > 0 {
		w[n-1] = true
	}
	return slices.Clip(w)
}
