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
// A stays in its stored type; B is kept transposed and scaled as float32
// (bt[k*out+r] = scale·B[r,k]), so that the second product adds rank long
// rows to y instead of taking out dot products of rank values each.
type loraTerm struct {
	a         tensor.Matrix
	bt        []float32
	rank, out int
}

// newLoRATerm prepares t's update with the given scale.
func newLoRATerm(t *lora.Target, scale float32) (loraTerm, error) {
	rank, out := t.Rank(), t.Out()
	b := make([]float32, rank*out)
	if err := tensor.Dequantize(t.B.Type, t.B.Data, b); err != nil {
		return loraTerm{}, fmt.Errorf("tensor %s: %w", t.Name+lora.SuffixB, err)
	}
	bt := make([]float32, rank*out)
	for r := range out {
		for k := range rank {
			bt[k*out+r] = scale * b[r*rank+k]
		}
	}
	return loraTerm{a: t.A, bt: bt, rank: rank, out: out}, nil
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
			term, err := newLoRATerm(t, scale)
			if err != nil {
				return nil, fmt.Errorf("lora: %s: %w", ad.Adapter.Path, err)
			}
			*dst = append(*dst, term)
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

// loraInlineWork is the multiply-add count below which apply's second
// product runs on the calling goroutine.
const loraInlineWork = 1 << 15

// apply adds scale·B·(A·x) of every term to y, for the n rows of x.
func (s *loraSet) apply(terms []loraTerm, y, x []float32, n int) {
	for _, t := range terms {
		buf := s.buffer(n * t.rank)
		ax := *buf
		tensor.MatMul(s.pool, ax, t.a, x, n)
		add := func(lo, hi int) {
			for i := lo; i < hi; i++ {
				yi := y[i*t.out : (i+1)*t.out]
				for k, v := range ax[i*t.rank : (i+1)*t.rank] {
					tensor.Axpy(v, t.bt[k*t.out:(k+1)*t.out], yi)
				}
			}
		}
		if n*t.rank*t.out < loraInlineWork || s.pool == nil {
			add(0, n)
		} else {
			s.pool.Run(n, add)
		}
		s.scratch.Put(buf)
	}
}

// buffer returns scratch space of size values.
func (s *loraSet) buffer(size int) *[]float32 {
	if b, ok := s.scratch.Get().(*[]float32); ok && cap(*b) >= size {
		*b = (*b)[:size]
		return b
	}
	b := make([]float32, size)
	return &b
}
