// Package synth makes deterministic random-weight Llama models of real
// shapes, so anyone can benchmark and test herd at full size without
// downloading weights.
package synth

import (
	"fmt"
	"sort"
	"strings"
)

// Shape is the set of dimensions that defines a Llama model's size.
type Shape struct {
	Name     string
	Dim      int // embedding width
	Layers   int
	Heads    int
	KVHeads  int
	FFN      int // feed-forward hidden width
	Vocab    int
	Context  int
	RopeBase float32
	Tied     bool // output head shares the token embedding
	// RopeFactor, when nonzero, adds Llama 3.1-style frequency scaling
	// (factor, low 1, high 4, original context 8192) as a rope_freqs tensor.
	RopeFactor float32
}

// Shapes lists the built-in shapes by name.
var Shapes = map[string]Shape{
	"stories260k":    {Name: "stories260k", Dim: 64, Layers: 5, Heads: 8, KVHeads: 4, FFN: 172, Vocab: 512, Context: 512, RopeBase: 10000, Tied: true},
	"stories15m":     {Name: "stories15m", Dim: 288, Layers: 6, Heads: 6, KVHeads: 6, FFN: 768, Vocab: 32000, Context: 256, RopeBase: 10000, Tied: true},
	"tinyllama-1.1b": {Name: "tinyllama-1.1b", Dim: 2048, Layers: 22, Heads: 32, KVHeads: 4, FFN: 5632, Vocab: 32000, Context: 2048, RopeBase: 10000},
	"llama-3.2-1b":   {Name: "llama-3.2-1b", Dim: 2048, Layers: 16, Heads: 32, KVHeads: 8, FFN: 8192, Vocab: 128256, Context: 131072, RopeBase: 500000, Tied: true, RopeFactor: 32},
	"llama-3.2-3b":   {Name: "llama-3.2-3b", Dim: 3072, Layers: 28, Heads: 24, KVHeads: 8, FFN: 8192, Vocab: 128256, Context: 131072, RopeBase: 500000, Tied: true, RopeFactor: 32},
	"llama-2-7b":     {Name: "llama-2-7b", Dim: 4096, Layers: 32, Heads: 32, KVHeads: 32, FFN: 11008, Vocab: 32000, Context: 4096, RopeBase: 10000},
	"llama-3.1-8b":   {Name: "llama-3.1-8b", Dim: 4096, Layers: 32, Heads: 32, KVHeads: 8, FFN: 14336, Vocab: 128256, Context: 131072, RopeBase: 500000, RopeFactor: 8},
}

// ShapeNames returns the built-in shape names, sorted.
func ShapeNames() []string {
	names := make([]string, 0, len(Shapes))
	for n := range Shapes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// LookupShape returns the built-in shape called name (case-insensitive).
func LookupShape(name string) (Shape, error) {
	if s, ok := Shapes[strings.ToLower(name)]; ok {
		return s, nil
	}
	return Shape{}, fmt.Errorf("synth: unknown shape %q (known: %s)", name, strings.Join(ShapeNames(), ", "))
}

// HeadDim returns the width of one attention head.
func (s Shape) HeadDim() int { return s.Dim / s.Heads }

// Params returns the number of weights a model of this shape holds.
func (s Shape) Params() int64 {
	d, f, kv := int64(s.Dim), int64(s.FFN), int64(s.KVHeads*s.HeadDim())
	perLayer := 2*d + d*d + 2*d*kv + d*d + 3*d*f
	n := int64(s.Vocab)*d + int64(s.Layers)*perLayer + d
	if !s.Tied {
		n += int64(s.Vocab) * d
	}
	return n
}

func (s Shape) validate() error {
	switch {
	case s.Dim <= 0 || s.Layers <= 0 || s.Heads <= 0 || s.KVHeads <= 0 || s.FFN <= 0 || s.Vocab < 300 || s.Context <= 0:
		return fmt.Errorf("synth: shape %q: dimensions must be positive and vocab at least 300", s.Name)
	case s.Dim%s.Heads != 0 || s.Heads%s.KVHeads != 0:
		return fmt.Errorf("synth: shape %q: %d heads must divide width %d and be a multiple of %d KV heads", s.Name, s.Heads, s.Dim, s.KVHeads)
	case s.HeadDim()%2 != 0:
		return fmt.Errorf("synth: shape %q: head width %d must be even", s.Name, s.HeadDim())
	}
	return nil
}
