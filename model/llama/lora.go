package llama

import (
	"encoding/binary"
	"fmt"
	"math"
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

// Projections that read the same input share one group: q/k/v, the
// attention output, gate/up, and down. loraGroupOf and loraSlotOf place each
// kind in its group.
const loraGroups = 4

var (
	loraGroupOf = [loraKinds]int{0, 0, 0, 1, 2, 2, 3}
	loraSlotOf  = [loraKinds]int{0, 1, 2, 0, 0, 1, 0}
)

// loraPart is one adapter's update of one projection within a group: rows
// off..off+rank of the group's stacked A, and B transposed and scaled as
// float32 (bt[k*out+r] = scale·B[r,k]), so the second product adds rank
// rows of out values to the output instead of taking out short dot
// products.
type loraPart struct {
	off, rank, out int
	bt             []float32
}

// loraGroup holds the updates of projections that read the same input:
// the A factors of all of them, of every adapter, stacked into one float32
// matrix (one product per group), and per projection its parts.
type loraGroup struct {
	a     tensor.Matrix
	parts [][]loraPart // per projection of the group
	out   int          // the widest projection's output length
}

// loraSet holds the adapters applied at run time, grouped per block and
// for the output head. A nil *loraSet applies nothing.
type loraSet struct {
	pool    *tensor.Pool
	layers  [][loraGroups]*loraGroup
	output  *loraGroup
	scratch sync.Pool // *[]float32
}

// loraTerm is an update on its way into a group: A as float32 (rank rows of
// in values) and its part.
type loraTerm struct {
	a    []float32
	in   int
	part loraPart
}

// newLoRA checks the adapters against f and groups their updates by block
// and input; it returns nil when there is nothing to apply.
func newLoRA(f *weights.File, adapters []lora.Scaled, layers int, pool *tensor.Pool) (*loraSet, error) {
	if len(adapters) == 0 {
		return nil, nil
	}
	perKind := make([][loraKinds][]loraTerm, layers)
	var output []loraTerm
	for _, ad := range adapters {
		if err := ad.Adapter.Check(f); err != nil {
			return nil, err
		}
		for _, t := range ad.Adapter.Targets {
			layer, kind, err := loraPlace(t.Name, layers)
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
			if layer < 0 {
				output = append(output, term)
			} else {
				perKind[layer][kind] = append(perKind[layer][kind], term)
			}
		}
	}
	s := &loraSet{pool: pool, layers: make([][loraGroups]*loraGroup, layers)}
	for l := range perKind {
		var members [loraGroups][][]loraTerm
		for k := range loraKinds {
			g := loraGroupOf[k]
			members[g] = append(members[g], perKind[l][k])
		}
		for g := range members {
			s.layers[l][g] = newLoRAGroup(members[g])
		}
	}
	s.output = newLoRAGroup([][]loraTerm{output})
	return s, nil
}

// loraPlace returns the block and projection the named base tensor is, or
// block -1 for the output head.
func loraPlace(name string, layers int) (int, loraKind, error) {
	if name == "output.weight" {
		return -1, 0, nil
	}
	if rest, ok := strings.CutPrefix(name, "blk."); ok && strings.HasSuffix(rest, ".weight") {
		num, kind, _ := strings.Cut(strings.TrimSuffix(rest, ".weight"), ".")
		if l, err := strconv.Atoi(num); err == nil && l >= 0 && l < layers {
			for k, n := range loraNames {
				if n == kind {
					return l, loraKind(k), nil
				}
			}
		}
	}
	return 0, 0, fmt.Errorf("tensor %s: adapters apply at run time only to output.weight and blk.N.{%s}.weight",
		name+lora.SuffixA, strings.Join(loraNames[:], ","))
}

// newLoRATerm dequantizes t's factors, folding scale into B.
func newLoRATerm(t *lora.Target, scale float32) (loraTerm, error) {
	rank, in, out := t.Rank(), t.In(), t.Out()
	a := make([]float32, rank*in)
	if err := tensor.Dequantize(t.A.Type, t.A.Data, a); err != nil {
		return loraTerm{}, fmt.Errorf("tensor %s: %w", t.Name+lora.SuffixA, err)
	}
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
	return loraTerm{a: a, in: in, part: loraPart{rank: rank, out: out, bt: bt}}, nil
}

// newLoRAGroup stacks the terms of a group's projections (members[j] holds
// projection j's); nil when there are none.
func newLoRAGroup(members [][]loraTerm) *loraGroup {
	g := &loraGroup{parts: make([][]loraPart, len(members))}
	var data []byte
	rows, in := 0, 0
	for j, terms := range members {
		for _, t := range terms {
			p := t.part
			p.off = rows
			rows += p.rank
			in = t.in
			g.out = max(g.out, p.out)
			g.parts[j] = append(g.parts[j], p)
			for _, v := range t.a {
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
			}
		}
	}
	if rows == 0 {
		return nil
	}
	g.a = tensor.Matrix{Type: tensor.F32, Rows: rows, Cols: in, Data: data}
	return g
}

// add adds the adapters' updates of block layer's projection kind to y, the
// product of the base matrix with the n rows of x.
func (s *loraSet) add(layer int, kind loraKind, y, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.layers[layer][loraGroupOf[kind]], [][]float32{y}, x, n)
}

// addQKV adds the updates of the query, key and value projections.
func (s *loraSet) addQKV(layer int, q, k, v, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.layers[layer][loraGroupOf[loraQ]], [][]float32{q, k, v}, x, n)
}

// addGateUp adds the updates of the feed-forward gate and up projections.
func (s *loraSet) addGateUp(layer int, gate, up, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.layers[layer][loraGroupOf[loraGate]], [][]float32{gate, up}, x, n)
}

// addOutput adds the updates of the output head.
func (s *loraSet) addOutput(y, x []float32, n int) {
	if s == nil {
		return
	}
	s.apply(s.output, [][]float32{y}, x, n)
}

// loraInlineWork is the multiply-add count below which apply's second
// product runs on the calling goroutine.
const loraInlineWork = 1 << 15

// apply adds every update of group g to ys (one output per projection of
// the group, n rows each): one product with the stacked A, then each
// part's scaled rows of Bᵀ.
func (s *loraSet) apply(g *loraGroup, ys [][]float32, x []float32, n int) {
	if g == nil {
		return
	}
	rows := g.a.Rows
	buf := s.buffer(n * rows)
	defer s.scratch.Put(buf)
	ax := *buf
	tensor.MatMul(s.pool, ax, g.a, x, n)
	add := func(lo, hi int) {
		for i := lo; i < hi; i++ {
			axi := ax[i*rows : (i+1)*rows]
			for j, parts := range g.parts {
				for _, p := range parts {
					tensor.AxpyRows(ys[j][i*p.out:(i+1)*p.out], axi[p.off:p.off+p.rank], p.bt, p.out)
				}
			}
		}
	}
	if n*rows*g.out < loraInlineWork {
		add(0, n)
	} else {
		s.pool.Run(n, add)
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
