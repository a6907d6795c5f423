package llama

import "sync"

// scratch holds the activations of one forward pass. Passes take one from
// the model's scratchPool and give it back, so decoding allocates nothing
// per layer and little per token.
type scratch struct {
	x, xb, q, k, v, att, gate, up []float32
	cos, sin                      []float32
}

// scratchPool recycles scratch buffers between forward passes (of any
// model: each pass grows the buffers it gets to the sizes it needs).
var scratchPool sync.Pool

// getScratch returns buffers for n tokens of the model's shape, their
// contents undefined.
func (m *Model) getScratch(n int) *scratch {
	s, _ := scratchPool.Get().(*scratch)
	if s == nil {
		s = &scratch{}
	}
	hp := m.hp
	qDim, kvDim, half := hp.heads*hp.headDim, hp.kvHeads*hp.headDim, hp.rotDims/2
	s.x = grow(s.x, n*hp.dim)
	s.xb = grow(s.xb, n*hp.dim)
	s.q = grow(s.q, n*qDim)
	s.k = grow(s.k, n*kvDim)
	s.v = grow(s.v, n*kvDim)
	s.att = grow(s.att, n*qDim)
	s.gate = grow(s.gate, n*hp.ffn)
	s.up = grow(s.up, n*hp.ffn)
	s.cos = grow(s.cos, n*half)
	s.sin = grow(s.sin, n*half)
	return s
}

// putScratch gives s back for later passes.
func putScratch(s *scratch) { scratchPool.Put(s) }

// grow returns b resliced to n elements, reallocated when too small.
func grow(b []float32, n int) []float32 {
	if cap(b) < n {
		return make([]float32, n)
	}
	return b[:n]
}
