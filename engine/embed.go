package engine

import (
	"context"
	"fmt"
	"math"

	"github.com/herdllm/herd/model"
)

// Pooling says how Embed turns per-token vectors into one.
type Pooling int

// The poolings Embed offers.
const (
	PoolMean Pooling = iota // the mean over all tokens
	PoolLast                // the last token's vector
)

// HiddenStater is implemented by architectures that can return the final
// hidden state (after the output norm) of every token of a batch, which
// Embed prefers over logits.
type HiddenStater interface {
	Hidden(c *model.Cache, batch []model.Token) ([][]float32, error)
}

// Embed returns a unit-length embedding of tokens: the pooled final hidden
// state when the architecture offers it (HiddenStater), and otherwise the
// pooled log-probabilities of the next token, the closest thing the generic
// Model interface exposes. A prompt longer than the context is an error
// unless truncate is set, which keeps its start.
func (m *Model) Embed(ctx context.Context, tokens []int, pool Pooling, truncate bool) ([]float32, error) {
	if err := m.checkTokens(tokens); err != nil {
		return nil, fmt.Errorf("engine: embed: input %w", err)
	}
	if len(tokens) > m.ctxLen {
		if !truncate {
			return nil, &ContextError{Tokens: len(tokens), Context: m.ctxLen}
		}
		tokens = tokens[:m.ctxLen]
	}
	c := m.net.NewCache(len(tokens))
	var sum []float32
	for lo := 0; lo < len(tokens); lo += m.batch {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+m.batch, len(tokens))
		batch := make([]model.Token, hi-lo)
		want := make([]bool, hi-lo)
		for i := range batch {
			batch[i] = model.Token{ID: tokens[lo+i], Pos: lo + i}
			want[i] = pool == PoolMean || lo+i == len(tokens)-1
		}
		rows, err := m.vectors(c, batch, want)
		if err != nil {
			return nil, fmt.Errorf("engine: embed: %w", err)
		}
		for i, r := range rows {
			if !want[i] {
				continue
			}
			if sum == nil {
				sum = make([]float32, len(r))
			}
			for k, v := range r {
				sum[k] += v
			}
		}
	}
	Normalize(sum)
	return sum, nil
}

// vectors returns the hidden states, or log-probabilities, of the wanted
// tokens of batch.
func (m *Model) vectors(c *model.Cache, batch []model.Token, want []bool) ([][]float32, error) {
	if h, ok := m.net.(HiddenStater); ok {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.file == nil {
			return nil, fmt.Errorf("model is closed")
		}
		return h.Hidden(c, batch)
	}
	rows, err := m.forward(c, batch, want)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if r != nil {
			logSoftmaxInPlace(r)
		}
	}
	return rows, nil
}

func logSoftmaxInPlace(x []float32) {
	mx := float32(math.Inf(-1))
	for _, v := range x {
		mx = max(mx, v)
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v - mx))
	}
	lse := mx + float32(math.Log(s))
	for i := range x {
		x[i] -= lse
	}
}

// Normalize scales x to unit Euclidean length (a zero vector stays zero), as
// embeddings are returned.
func Normalize(x []float32) {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	if s == 0 {
		return
	}
	inv := float32(1 / math.Sqrt(s))
	for i := range x {
		x[i] *= inv
	}
}
