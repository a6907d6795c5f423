package train

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Block is one transformer layer's weights.
type Block struct {
	AttnNorm, Q, K, V, O    *Param
	FFNNorm, Gate, Up, Down *Param
}

// Model is a Llama model in training form: weights, gradients and the
// workspace of one forward/backward pass.
type Model struct {
	Config  Config
	Embed   *Param // token_embd.weight [Vocab×Dim]
	Blocks  []Block
	OutNorm *Param // output_norm.weight
	Output  *Param // output.weight; the same *Param as Embed when tied

	pool *Pool
	rng  *rand.Rand
	ws   *workspace
}

// NewModel returns a model of shape c with freshly initialised weights
// (normal, std 0.02; residual projections scaled by 1/√(2·layers), as
// llama2.c does), reproducible from seed. The model runs its loops on pool.
func NewModel(c Config, seed uint64, pool *Pool) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	m := buildModel(c, func(name string, rows, cols int, std float64) *Param {
		return newParam(name, rows, cols, std, rng)
	})
	m.pool, m.rng = pool, rng
	return m, nil
}

// buildModel lays out a model of shape c, making each tensor with mk; std
// is the initial standard deviation (negative: a norm weight of ones).
func buildModel(c Config, mk func(name string, rows, cols int, std float64) *Param) *Model {
	const std = 0.02
	resStd := std / math.Sqrt(2*float64(c.Layers))
	m := &Model{Config: c}
	m.Embed = mk("token_embd.weight", c.Vocab, c.Dim, std)
	for l := 0; l < c.Layers; l++ {
		n := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", l, s) }
		m.Blocks = append(m.Blocks, Block{
			AttnNorm: mk(n("attn_norm"), 1, c.Dim, -1),
			Q:        mk(n("attn_q"), c.Dim, c.Dim, std),
			K:        mk(n("attn_k"), c.KVDim(), c.Dim, std),
			V:        mk(n("attn_v"), c.KVDim(), c.Dim, std),
			O:        mk(n("attn_output"), c.Dim, c.Dim, resStd),
			FFNNorm:  mk(n("ffn_norm"), 1, c.Dim, -1),
			Gate:     mk(n("ffn_gate"), c.Hidden, c.Dim, std),
			Up:       mk(n("ffn_up"), c.Hidden, c.Dim, std),
			Down:     mk(n("ffn_down"), c.Dim, c.Hidden, resStd),
		})
	}
	m.OutNorm = mk("output_norm.weight", 1, c.Dim, -1)
	if c.TiedOutput {
		m.Output = m.Embed
	} else {
		m.Output = mk("output.weight", c.Vocab, c.Dim, std)
	}
	return m
}

// Tensors lists the model's weights in GGUF order, each once.
func (m *Model) Tensors() []*Param {
	ps := []*Param{m.Embed}
	for _, b := range m.Blocks {
		ps = append(ps, b.AttnNorm, b.Q, b.K, b.V, b.O, b.FFNNorm, b.Gate, b.Down, b.Up)
	}
	ps = append(ps, m.OutNorm)
	if m.Output != m.Embed {
		ps = append(ps, m.Output)
	}
	return ps
}

// Params lists what the optimizer updates: trainable weights and every
// adapter matrix, in a fixed order.
func (m *Model) Params() []*Param {
	var ps []*Param
	for _, t := range m.Tensors() {
		if t.Trainable() {
			ps = append(ps, t)
		}
		if t.LoRA != nil {
			ps = append(ps, t.LoRA.A, t.LoRA.B)
		}
	}
	return ps
}

// ParamCount is the number of trainable values.
func (m *Model) ParamCount() int {
	n := 0
	for _, p := range m.Params() {
		n += len(p.W)
	}
	return n
}

// ZeroGrad clears every gradient.
func (m *Model) ZeroGrad() {
	for _, p := range m.Params() {
		g := p.G
		m.pool.Run((len(g)+elemBlock-1)/elemBlock, func(lo, hi int) {
			clear(g[lo*elemBlock : min(hi*elemBlock, len(g))])
		})
	}
}

// SetPool changes the worker pool the model's loops run on.
func (m *Model) SetPool(p *Pool) { m.pool = p }

// Pool is the worker pool the model's loops run on.
func (m *Model) Pool() *Pool { return m.pool }
