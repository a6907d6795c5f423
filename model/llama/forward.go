package llama

import (
	"math"
	"slices"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
)

// Config returns the model's shape.
func (m *Model) Config() model.Config { return m.cfg }

// NewCache returns an empty KV cache for this model holding up to size
// positions per sequence.
func (m *Model) NewCache(size int) *model.Cache {
	return model.NewCache(m.hp.layers, m.hp.kvHeads*m.hp.headDim, size)
}

// Forward runs a batch of tokens through the model; see model.Model. All
// tokens pass each layer together: every projection is one matrix product
// over the whole batch, and each token attends over its own sequence's
// cached positions up to and including its own.
func (m *Model) Forward(c *model.Cache, batch []model.Token, want []bool) ([][]float32, error) {
	if err := model.CheckBatch(m.cfg, c, batch, want); err != nil {
		return nil, err
	}
	want = model.Want(want, len(batch))
	x, rows := m.blocks(c, batch, want)
	out := make([][]float32, len(batch))
	if len(rows) == 0 {
		return out, nil
	}
	vocab := m.cfg.VocabSize
	logits := make([]float32, len(rows)*vocab)
	tensor.MatMul(m.pool, logits, m.output, x, len(rows))
	m.lora.addOutput(logits, x, len(rows))
	for j, i := range rows {
		out[i] = logits[j*vocab : (j+1)*vocab : (j+1)*vocab]
	}
	return out, nil
}

// Hidden runs batch like Forward (extending c the same way) and returns
// every token's final hidden state: the output of the last block after the
// output norm, EmbeddingLength values per token, for embeddings.
func (m *Model) Hidden(c *model.Cache, batch []model.Token) ([][]float32, error) {
	if err := model.CheckBatch(m.cfg, c, batch, nil); err != nil {
		return nil, err
	}
	want := make([]bool, len(batch))
	for i := range want {
		want[i] = true
	}
	x, _ := m.blocks(c, batch, want)
	dim := m.hp.dim
	out := make([][]float32, len(batch))
	for i := range out {
		out[i] = x[i*dim : (i+1)*dim : (i+1)*dim]
	}
	return out, nil
}

// blocks runs a checked batch through every block and the output norm. It
// returns the normed hidden states of the tokens that want them, one row
// each in batch order, and their indices in batch.
//
// Each layer hands the pool a few steps: the fused q/k/v product, RoPE
// with the cache writes, attention, the output projection, the fused
// gate/up product with SwiGLU, and the down projection; the per-token
// vector work of a prefill is spread over the threads as well.
func (m *Model) blocks(c *model.Cache, batch []model.Token, want []bool) ([]float32, []int) {
	hp := m.hp
	n := len(batch)
	dim, qDim, kvDim := hp.dim, hp.heads*hp.headDim, hp.kvHeads*hp.headDim

	// Room in the cache for every sequence's new positions.
	end := map[int]int{}
	for _, t := range batch {
		end[t.Seq] = t.Pos + 1
	}
	for seq, e := range end {
		c.Reserve(seq, e)
	}
	keys := make([][]float32, n) // per token: its sequence's layer slots
	vals := make([][]float32, n)

	s := m.getScratch(n)
	defer putScratch(s)
	x, xb, q, k, v, att, gate, up := s.x, s.xb, s.q, s.k, s.v, s.att, s.gate, s.up

	// RoPE angles per token.
	half := hp.rotDims / 2
	cos, sin := s.cos, s.sin
	for i, t := range batch {
		m.rope.table(t.Pos, cos[i*half:(i+1)*half], sin[i*half:(i+1)*half])
	}
	for i, t := range batch {
		m.embd.Row(t.ID, x[i*dim:(i+1)*dim])
	}

	var rows []int // the tokens that want logits
	for i, w := range want {
		if w {
			rows = append(rows, i)
		}
	}
	order := attentionOrder(batch)

	for l := range m.layers {
		w := &m.layers[l]
		m.norm(xb, x, w.attnNorm, n)
		tensor.MatMulMulti(m.pool, [][]float32{q, k, v}, []tensor.Matrix{w.wq, w.wk, w.wv}, xb, n)
		m.lora.addQKV(l, q, k, v, xb, n)
		for i, t := range batch {
			e := end[t.Seq]
			keys[i], vals[i] = c.Keys(l, t.Seq, e), c.Values(l, t.Seq, e)
		}
		m.perToken(n, func(i int) {
			cs, sn := cos[i*half:(i+1)*half], sin[i*half:(i+1)*half]
			m.rope.apply(q[i*qDim:(i+1)*qDim], hp.headDim, cs, sn)
			m.rope.apply(k[i*kvDim:(i+1)*kvDim], hp.headDim, cs, sn)
			p := batch[i].Pos
			copy(keys[i][p*kvDim:], k[i*kvDim:(i+1)*kvDim])
			copy(vals[i][p*kvDim:], v[i*kvDim:(i+1)*kvDim])
		})
		m.attention(att, q, c, l, batch, order)
		if l == len(m.layers)-1 && len(rows) < n {
			// Past the last attention only the rows that want logits
			// matter: keep those (rows is increasing, so in place).
			for j, i := range rows {
				copy(att[j*qDim:(j+1)*qDim], att[i*qDim:(i+1)*qDim])
				copy(x[j*dim:(j+1)*dim], x[i*dim:(i+1)*dim])
			}
			n = len(rows)
			if n == 0 {
				break
			}
		}
		tensor.MatMul(m.pool, xb, w.wo, att, n)
		m.lora.add(l, loraO, xb, att, n)
		m.perToken(n, func(i int) {
			tensor.Add(x[i*dim:(i+1)*dim], xb[i*dim:(i+1)*dim])
			tensor.RMSNorm(xb[i*dim:(i+1)*dim], x[i*dim:(i+1)*dim], w.ffnNorm, hp.eps)
		})
		tensor.MatMulMulti(m.pool, [][]float32{gate, up}, []tensor.Matrix{w.gate, w.up}, xb, n)
		m.lora.addGateUp(l, gate, up, xb, n)
		ffn := hp.ffn
		m.perToken(n, func(i int) {
			g := gate[i*ffn : (i+1)*ffn]
			tensor.SiLUMul(g, g, up[i*ffn:(i+1)*ffn])
		})
		tensor.MatMul(m.pool, xb, w.down, gate, n)
		m.lora.add(l, loraDown, xb, gate, n)
		m.perToken(n, func(i int) {
			tensor.Add(x[i*dim:(i+1)*dim], xb[i*dim:(i+1)*dim])
		})
	}
	for seq, e := range end {
		c.Extend(seq, e)
	}

	// After the last layer x holds one row per entry of rows, in order.
	if len(rows) == 0 {
		return nil, nil
	}
	sel := make([]float32, len(rows)*dim)
	m.norm(sel, x, m.outNorm, len(rows))
	return sel, rows
}

// perTokenInline is the batch size below which per-token vector work runs
// on the calling goroutine: waking the pool would cost more than it saves.
const perTokenInline = 4

// perToken calls fn for every token index below n, spread over the pool
// for larger batches.
func (m *Model) perToken(n int, fn func(i int)) {
	if n < perTokenInline {
		for i := range n {
			fn(i)
		}
		return
	}
	m.pool.Run(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			fn(i)
		}
	})
}

// norm applies RMSNorm with weight to each of the n rows of x into out.
func (m *Model) norm(out, x, weight []float32, n int) {
	dim := m.hp.dim
	m.perToken(n, func(i int) {
		tensor.RMSNorm(out[i*dim:(i+1)*dim], x[i*dim:(i+1)*dim], weight, m.hp.eps)
	})
}

// attentionOrder returns the batch indices in the order attention hands
// them to the threads: alternately the token with the longest and the
// shortest remaining span, so that the contiguous chunks the pool gives
// each thread hold about the same number of positions.
func attentionOrder(batch []model.Token) []int {
	byPos := make([]int, len(batch))
	for i := range byPos {
		byPos[i] = i
	}
	slices.SortStableFunc(byPos, func(a, b int) int { return batch[b].Pos - batch[a].Pos })
	order := make([]int, 0, len(batch))
	for lo, hi := 0, len(byPos)-1; lo <= hi; lo, hi = lo+1, hi-1 {
		order = append(order, byPos[lo])
		if lo != hi {
			order = append(order, byPos[hi])
		}
	}
	return order
}

// attention computes, for every token and query head, softmax(q·Kᵀ/√d)·V
// over the token's sequence positions 0..pos, with query heads sharing KV
// heads in groups (GQA): each task is one token's group of query heads,
// which read their KV head's keys and values once between them. It writes
// one qDim row per token into out. The threads take the tokens in the
// given order (see attentionOrder).
func (m *Model) attention(out, q []float32, c *model.Cache, layer int, batch []model.Token, order []int) {
	hp := m.hp
	hd, qDim, kvDim := hp.headDim, hp.heads*hp.headDim, hp.kvHeads*hp.headDim
	group := hp.heads / hp.kvHeads
	m.pool.Run(len(batch)*hp.kvHeads, func(lo, hi int) {
		var scores []float32
		for task := lo; task < hi; task++ {
			i, kh := order[task/hp.kvHeads], task%hp.kvHeads
			t := batch[i]
			span := t.Pos + 1
			keys := c.Keys(layer, t.Seq, span)
			vals := c.Values(layer, t.Seq, span)
			kvOff := kh * hd
			first := i*qDim + kh*group*hd // the group's first query head
			if cap(scores) < group*span {
				scores = make([]float32, group*span)
			}
			scores = scores[:group*span]
			tensor.DotRowsGroup(scores, span, q[first:first+group*hd], hd, group, keys[kvOff:], kvDim, m.attScale)
			for h := 0; h < group; h++ {
				tensor.Softmax(scores[h*span : (h+1)*span])
			}
			o := out[first : first+group*hd]
			clear(o)
			tensor.AxpyRowsGroup(o, hd, scores, span, group, vals[kvOff:], kvDim)
		}
	})
}

func sqrt64(x float64) float64 { return math.Sqrt(x) }
