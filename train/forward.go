package train

import "fmt"

// layerActs holds one block's activations from the forward pass.
type layerActs struct {
	x, rs1, xn1, q, k, v, probs, o, x2, rs2, xn2, g, u, h []float32
	lora                                                  [7]loraActs // q, k, v, o, gate, up, down
}

// backwardBuffers are the activation gradients of the backward pass.
type backwardBuffers struct {
	dx, dxn, dh, dg, du, do, dq, dk, dv []float32
}

// workspace holds the activations of the last forward pass and the buffers
// of the backward pass, sized for batch×seq tokens.
type workspace struct {
	batch, seq int
	tokens     []int
	layers     []layerActs
	xf, rsf    []float32 // final residual and its norm's factors
	xnf        []float32
	logits     []float32 // logits, then their gradient after the loss
	outLoRA    loraActs
	grads      *backwardBuffers
	rope       *ropeTable
	training   bool
	s          scratch
}

func (m *Model) workspace(batch, seq int) *workspace {
	if ws := m.ws; ws != nil && ws.batch == batch && ws.seq == seq {
		return ws
	}
	c := m.Config
	n := batch * seq
	d, kv, f := c.Dim, c.KVDim(), c.Hidden
	ws := &workspace{batch: batch, seq: seq, rope: newRopeTable(seq, c.HeadDim(), c.RopeBase)}
	for range c.Layers {
		ws.layers = append(ws.layers, layerActs{
			x: make([]float32, n*d), rs1: make([]float32, n), xn1: make([]float32, n*d),
			q: make([]float32, n*d), k: make([]float32, n*kv), v: make([]float32, n*kv),
			probs: make([]float32, batch*c.Heads*seq*seq), o: make([]float32, n*d),
			x2: make([]float32, n*d), rs2: make([]float32, n), xn2: make([]float32, n*d),
			g: make([]float32, n*f), u: make([]float32, n*f), h: make([]float32, n*f),
		})
	}
	ws.xf, ws.rsf, ws.xnf = make([]float32, n*d), make([]float32, n), make([]float32, n*d)
	ws.logits = make([]float32, n*c.Vocab)
	m.ws = ws
	return ws
}

// forward runs the model on tokens (batch sequences of seq tokens each,
// positions restarting at 0 in every sequence), leaving the logits
// [batch·seq × vocab] in the workspace. training enables adapter dropout.
func (m *Model) forward(tokens []int, batch, seq int, training bool) (*workspace, error) {
	c := m.Config
	if len(tokens) != batch*seq {
		return nil, fmt.Errorf("train: %d tokens for %d sequences of %d", len(tokens), batch, seq)
	}
	for _, t := range tokens {
		if t < 0 || t >= c.Vocab {
			return nil, fmt.Errorf("train: token %d outside the vocabulary of %d", t, c.Vocab)
		}
	}
	ws := m.workspace(batch, seq)
	ws.tokens = append(ws.tokens[:0], tokens...)
	ws.training = training
	p := m.pool
	n := batch * seq
	d := c.Dim
	var rng = m.rng
	if !training {
		rng = nil
	}
	x := ws.layers[0].x
	for t, tok := range tokens {
		m.embedRow(tok, x[t*d:t*d+d])
	}
	as := attnShape{batch: batch, seq: seq, heads: c.Heads, kvHeads: c.KVHeads, headDim: c.HeadDim()}
	for l := range m.Blocks {
		b, a := &m.Blocks[l], &ws.layers[l]
		ws.s.reset()
		rmsNormForward(p, a.xn1, a.rs1, a.x, b.AttnNorm.W, n, c.NormEps)
		b.Q.linearFwd(p, &ws.s, a.q, a.xn1, n, &a.lora[0], rng)
		b.K.linearFwd(p, &ws.s, a.k, a.xn1, n, &a.lora[1], rng)
		b.V.linearFwd(p, &ws.s, a.v, a.xn1, n, &a.lora[2], rng)
		rope(p, a.q, ws.rope, n, seq, d, false)
		rope(p, a.k, ws.rope, n, seq, c.KVDim(), false)
		attentionForward(p, a.o, a.probs, a.q, a.k, a.v, as)
		b.O.linearFwd(p, &ws.s, a.x2, a.o, n, &a.lora[3], rng)
		addRows(p, a.x2, a.x)
		rmsNormForward(p, a.xn2, a.rs2, a.x2, b.FFNNorm.W, n, c.NormEps)
		b.Gate.linearFwd(p, &ws.s, a.g, a.xn2, n, &a.lora[4], rng)
		b.Up.linearFwd(p, &ws.s, a.u, a.xn2, n, &a.lora[5], rng)
		swigluForward(p, a.h, a.g, a.u)
		next := ws.xf
		if l+1 < len(m.Blocks) {
			next = ws.layers[l+1].x
		}
		b.Down.linearFwd(p, &ws.s, next, a.h, n, &a.lora[6], rng)
		addRows(p, next, a.x2)
	}
	ws.s.reset()
	rmsNormForward(p, ws.xnf, ws.rsf, ws.xf, m.OutNorm.W, n, c.NormEps)
	m.Output.linearFwd(p, &ws.s, ws.logits, ws.xnf, n, &ws.outLoRA, rng)
	return ws, nil
}

// embedRow writes token tok's embedding into dst.
func (m *Model) embedRow(tok int, dst []float32) {
	e := m.Embed
	if e.W != nil {
		copy(dst, e.W[tok*e.Cols:(tok+1)*e.Cols])
	} else {
		e.Q.rows(tok, tok+1, dst)
	}
}

// backward accumulates the gradients of the loss whose logit gradient is in
// ws.logits into every trainable parameter.
func (m *Model) backward(ws *workspace) {
	c := m.Config
	p := m.pool
	n := ws.batch * ws.seq
	d, kv, f := c.Dim, c.KVDim(), c.Hidden
	ws.s.reset()
	if ws.grads == nil {
		ws.grads = &backwardBuffers{
			dx: make([]float32, n*d), dxn: make([]float32, n*d),
			dh: make([]float32, n*f), dg: make([]float32, n*f), du: make([]float32, n*f),
			do: make([]float32, n*d), dq: make([]float32, n*d), dk: make([]float32, n*kv), dv: make([]float32, n*kv),
		}
	}
	bb := ws.grads
	dx, dxn := bb.dx, bb.dxn
	clear(dx)
	clear(dxn)
	m.Output.linearBwd(p, &ws.s, dxn, ws.logits, ws.xnf, n, &ws.outLoRA)
	rmsNormBackward(p, dx, m.OutNorm.G, dxn, ws.xf, ws.rsf, m.OutNorm.W, n)
	dh, dg, du := bb.dh, bb.dg, bb.du
	do, dq, dk, dv := bb.do, bb.dq, bb.dk, bb.dv
	as := attnShape{batch: ws.batch, seq: ws.seq, heads: c.Heads, kvHeads: c.KVHeads, headDim: c.HeadDim()}
	for l := len(m.Blocks) - 1; l >= 0; l-- {
		b, a := &m.Blocks[l], &ws.layers[l]
		ws.s.reset()
		clear(dh)
		b.Down.linearBwd(p, &ws.s, dh, dx, a.h, n, &a.lora[6])
		swigluBackward(p, dg, du, dh, a.g, a.u)
		clear(dxn)
		b.Gate.linearBwd(p, &ws.s, dxn, dg, a.xn2, n, &a.lora[4])
		b.Up.linearBwd(p, &ws.s, dxn, du, a.xn2, n, &a.lora[5])
		rmsNormBackward(p, dx, b.FFNNorm.G, dxn, a.x2, a.rs2, b.FFNNorm.W, n)
		clear(do)
		b.O.linearBwd(p, &ws.s, do, dx, a.o, n, &a.lora[3])
		attentionBackward(p, dq, dk, dv, do, a.probs, a.q, a.k, a.v, as)
		rope(p, dq, ws.rope, n, ws.seq, d, true)
		rope(p, dk, ws.rope, n, ws.seq, kv, true)
		clear(dxn)
		b.Q.linearBwd(p, &ws.s, dxn, dq, a.xn1, n, &a.lora[0])
		b.K.linearBwd(p, &ws.s, dxn, dk, a.xn1, n, &a.lora[1])
		b.V.linearBwd(p, &ws.s, dxn, dv, a.xn1, n, &a.lora[2])
		rmsNormBackward(p, dx, b.AttnNorm.G, dxn, a.x, a.rs1, b.AttnNorm.W, n)
	}
	if g := m.Embed.G; g != nil {
		p.Run(d, func(lo, hi int) {
			for t, tok := range ws.tokens {
				row := g[tok*d : tok*d+d]
				src := dx[t*d : t*d+d]
				for i := lo; i < hi; i++ {
					row[i] += src[i]
				}
			}
		})
	}
}

// Step runs forward and backward on one batch, adding scale × the gradient
// of the mean cross-entropy into the parameters' gradients, and returns the
// mean loss. targets has one entry per token; negative targets are ignored.
func (m *Model) Step(tokens, targets []int, batch, seq int, scale float32) (float64, error) {
	ws, err := m.forward(tokens, batch, seq, true)
	if err != nil {
		return 0, err
	}
	sum, count := crossEntropy(m.pool, ws.logits, targets, m.Config.Vocab, scale)
	if count == 0 {
		return 0, nil
	}
	m.backward(ws)
	return sum / float64(count), nil
}

// Loss returns the summed cross-entropy of a batch and how many targets it
// counted, without touching gradients.
func (m *Model) Loss(tokens, targets []int, batch, seq int) (float64, int, error) {
	ws, err := m.forward(tokens, batch, seq, false)
	if err != nil {
		return 0, 0, err
	}
	sum, count := crossEntropy(m.pool, ws.logits, targets, m.Config.Vocab, 1)
	return sum, count, nil
}

// Logits runs one sequence and returns the logits of its last position
// (a fresh slice).
func (m *Model) Logits(tokens []int) ([]float32, error) {
	ws, err := m.forward(tokens, 1, len(tokens), false)
	if err != nil {
		return nil, err
	}
	v := m.Config.Vocab
	return append([]float32(nil), ws.logits[(len(tokens)-1)*v:len(tokens)*v]...), nil
}
