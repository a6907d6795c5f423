package llama

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// loraKind names a projection of a block that adapters may change.
type loraKind int

const (
	loraQ loraKind = iota
	loraK
	loraV
	loraO
	loraGate
	loraUp
	loraDown
	loraKinds
)

// loraNames are the tensor kinds of the loraKinds, as in blk.N.<kind>.weight.
var loraNames = [loraKinds]string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}

// loraTerm is one adapter's update of a projection: y += scale·B·(A·x).
type loraTerm struct {
	a, b  tensor.Matrix
	scale float32
}

// loraSet holds the adapters applied at run time: for every block and
// projection, and for the output head, the terms added after the base
// matrix product. A nil *loraSet applies nothing.
type loraSet struct {
	pool    *tensor.Pool
	layers  [][loraKinds][]loraTerm
	output  []loraTerm
	scratch sync.Pool // *[]float32
}

// newLoRA checks the adapters against f and arranges their terms by block
// and projection; it returns nil when there is nothing to apply.
func newLoRA(f *weights.File, adapters []lora.Scaled, layers int, pool *tensor.Pool) (*loraSet, error) {
	if len(adapters) == 0 {
		return nil, nil
	}
	s := &loraSet{pool: pool, layers: make([][loraKinds][]loraTerm, layers)}
	for _, ad := range adapters {
		if err := ad.Adapter.Check(f); err != nil {
			return nil, err
		}
		for _, t := range ad.Adapter.Targets {
			dst, err := s.slot(t.Name)
			if err != nil {
				return nil, fmt.Errorf("lora: %s: %w", ad.Adapter.Path, err)
			}
			scale := float32(ad.Adapter.Scale(t, ad.Scale))
			if scale == 0 {
				continue
			}
			*dst = append(*dst, loraTerm{a: t.A, b: t.B, scale: scale})
		}
	}
	return s, nil
}

// slot returns where the terms of the named base tensor go.
func (s *loraSet) slot(name string) (*[]loraTerm, error) {
	if name == "output.weight" {
		return &s.output, nil
	}
	rest, ok := strings.CutPrefix(name, "blk.")
	if ok {
		num, kind, _ := strings.Cut(strings.TrimSuffix(rest, ".weight"), ".")
		l, err := strconv.Atoi(num)
		if err == nil && l >= 0 && l < len(s.layers) && strings.HasSuffix(rest, ".weight") {
			for k, n := range loraNames {
				if n == kind {
					return &s.layers[l][k], nil
				}
			}
		}
	}
	return nil, fmt.Errorf("tensor %s: adapters apply at run time only to output.weight and blk.N.{%s}.weight",
		name+lora.SuffixA, strings.Join(loraNames[:], ","))
}

// add adds the adapters' updates of block layer's projection kind to y, the
// product of the base matrix with the n rows of x.
func (s *loraSet) add(layer int, kind loraKind, y, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.layers[layer][kind], y, x, n)
}

// addQKV adds the updates of the query, key and value projections.
func (s *loraSet) addQKV(layer int, q, k, v, x []float32, n int) {
	s.add(layer, loraQ, q, x, n)
	s.add(layer, loraK, k, x, n)
	s.add(layer, loraV, v, x, n)
}

// addGateUp adds the updates of the feed-forward gate and up projections.
func (s *loraSet) addGateUp(layer int, gate, up, x []float32, n int) {
	s.add(layer, loraGate, gate, x, n)
	s.add(layer, loraUp, up, x, n)
}

// addOutput adds the updates of the output head.
func (s *loraSet) addOutput(y, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.output, y, x, n)
}

// apply adds scale·B·(A·x) of every term to y, n rows at a time.
func (s *loraSet) apply(terms []loraTerm, y, x []float32, n int) {
	for _, t := range terms {
		rank, out := t.a.Rows, t.b.Rows
		buf := s.buffer(n * (rank + out))
		ax, d := (*buf)[:n*rank], (*buf)[n*rank:n*(rank+out)]
		tensor.MatMul(s.pool, ax, t.a, x, n)
		tensor.MatMul(s.pool, d, t.b, ax, n)
		tensor.Axpy(t.scale, d, y[:n*out])
		s.scratch.Put(buf)
	}
}

// buffer returns scratch space of at least size values.
func (s *loraSet) buffer(size int) *[]float32 {
	if b, ok := s.scratch.Get().(*[]float32); ok && cap(*b) >= size {
		*b = (*b)[:size]
		return b
	}
	b := make([]float32, size)
	return &b
}
