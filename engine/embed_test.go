package engine

import (
	"context"
	"math"
	"testing"
)

// TestEmbed checks that embeddings are unit-length pooled hidden states:
// the same text gives the same vector, other texts other ones, and the
// last-token pooling is the normalized hidden state of the last token.
func TestEmbed(t *testing.T) {
	m := loadBuiltin(t, Options{Threads: 2, BatchSize: 3})
	ctx := context.Background()
	ids := m.Tokenize("Lily likes her red ball.", true, false)
	a, err := m.Embed(ctx, ids, PoolMean, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != m.Config().EmbeddingLength {
		t.Fatalf("%d values, want the embedding length %d", len(a), m.Config().EmbeddingLength)
	}
	b, _ := m.Embed(ctx, ids, PoolMean, false)
	c, _ := m.Embed(ctx, m.Tokenize("The sun was hot.", true, false), PoolMean, false)
	dot := func(x, y []float32) (s float64) {
		for i := range x {
			s += float64(x[i]) * float64(y[i])
		}
		return s
	}
	if math.Abs(dot(a, a)-1) > 1e-5 || math.Abs(dot(a, b)-1) > 1e-5 || dot(a, c) > 0.999 {
		t.Errorf("|a|² %v, a·b %v, a·c %v", dot(a, a), dot(a, b), dot(a, c))
	}
	last, err := m.Embed(ctx, ids, PoolLast, false)
	if err != nil {
		t.Fatal(err)
	}
	h, ok := m.net.(HiddenStater)
	if !ok {
		t.Skip("architecture offers no hidden states")
	}
	rows, err := h.Hidden(m.net.NewCache(len(ids)), tokensOf(ids, 0, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := append([]float32(nil), rows[len(rows)-1]...)
	Normalize(want)
	for i := range want {
		if math.Abs(float64(want[i]-last[i])) > 1e-6 {
			t.Fatalf("last-token embedding differs at %d: %v vs %v", i, last[i], want[i])
		}
	}
	if _, err := m.Embed(ctx, make([]int, m.ContextLength()+1), PoolMean, false); err == nil {
		t.Error("no error for an input longer than the context")
	}
}
