package train

import (
	"math/rand/v2"
	"testing"

	"github.com/herdllm/herd/tensor"
)

func TestGradRMSNorm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	p := NewPool(3)
	defer p.Close()
	n, d := 5, 12
	x, w, dy := randVec(rng, n*d, 1), randVec(rng, d, 1), randVec(rng, n*d, 1)
	y, rs := make([]float32, n*d), make([]float32, n)
	rmsNormForward(p, y, rs, to32(x), to32(w), n, 1e-5)
	dx, dw := make([]float32, n*d), make([]float32, d)
	rmsNormBackward(p, dx, dw, to32(dy), to32(x), rs, to32(w), n)
	f := func() float64 { return weighted(dy, refRMSNorm(x, w, 1e-5)) }
	checkGrad(t, "dx", dx, numGrad(x, f))
	checkGrad(t, "dw", dw, numGrad(w, f))
	checkGrad(t, "forward", y, refRMSNorm(x, w, 1e-5))
}

func TestGradLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	p := NewPool(2)
	defer p.Close()
	for _, sh := range [][3]int{{7, 9, 6}, {3, 16, 33}, {70, 5, 3}} {
		n, in, out := sh[0], sh[1], sh[2]
		x, w, dy := randVec(rng, n*in, 1), randVec(rng, out*in, 1), randVec(rng, n*out, 1)
		prm := &Param{Rows: out, Cols: in, W: to32(w), G: make([]float32, out*in)}
		var s scratch
		y := make([]float32, n*out)
		prm.linearFwd(p, &s, y, to32(x), n, nil, nil)
		dx := make([]float32, n*in)
		prm.linearBwd(p, &s, dx, to32(dy), to32(x), n, nil)
		f := func() float64 { return weighted(dy, refLinear(x, w, in, out)) }
		checkGrad(t, "forward", y, refLinear(x, w, in, out))
		checkGrad(t, "dx", dx, numGrad(x, f))
		checkGrad(t, "dw", prm.G, numGrad(w, f))
	}
}

func TestGradLoRAOnFrozen(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	p := NewPool(2)
	defer p.Close()
	n, in, out, r := 6, 10, 70, 3
	x, w, dy := randVec(rng, n*in, 1), randVec(rng, out*in, 1), randVec(rng, n*out, 1)
	a, b := randVec(rng, r*in, 1), randVec(rng, out*r, 1)
	// The frozen base is stored as F16; the reference uses the same rounded values.
	raw := make([]byte, 2*len(w))
	for i, v := range w {
		h := tensor.F32ToF16(float32(v))
		raw[2*i], raw[2*i+1] = byte(h), byte(h>>8)
		w[i] = float64(tensor.F16ToF32(h))
	}
	fz, err := newFrozen(tensor.F16, out, in, raw)
	if err != nil {
		t.Fatal(err)
	}
	const scale = 0.7
	A := &Param{Rows: r, Cols: in, W: to32(a), G: make([]float32, r*in)}
	B := &Param{Rows: out, Cols: r, W: to32(b), G: make([]float32, out*r)}
	prm := &Param{Rows: out, Cols: in, Q: fz, LoRA: &LoRA{A: A, B: B, Scale: scale}}
	var s scratch
	var la loraActs
	y := make([]float32, n*out)
	prm.linearFwd(p, &s, y, to32(x), n, &la, nil)
	dx := make([]float32, n*in)
	prm.linearBwd(p, &s, dx, to32(dy), to32(x), n, &la)
	ref := func() []float64 {
		y := refLinear(x, w, in, out)
		y2 := refLinear(refLinear(x, a, in, r), b, r, out)
		for i := range y {
			y[i] += scale * y2[i]
		}
		return y
	}
	f := func() float64 { return weighted(dy, ref()) }
	checkGrad(t, "forward", y, ref())
	checkGrad(t, "dx", dx, numGrad(x, f))
	checkGrad(t, "dA", A.G, numGrad(a, f))
	checkGrad(t, "dB", B.G, numGrad(b, f))
}

func TestGradRoPE(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	seq, width, hd := 5, 12, 6
	n := 2 * seq
	x, dy := randVec(rng, n*width, 1), randVec(rng, n*width, 1)
	rt := newRopeTable(seq, hd, 10000)
	y := to32(x)
	rope(nil, y, rt, n, seq, width, false)
	dx := to32(dy)
	rope(nil, dx, rt, n, seq, width, true)
	f := func() float64 { return weighted(dy, refRope(x, seq, width, hd, 10000)) }
	checkGrad(t, "forward", y, refRope(x, seq, width, hd, 10000))
	checkGrad(t, "dx", dx, numGrad(x, f))
}

func TestGradAttention(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	p := NewPool(2)
	defer p.Close()
	for _, s := range []attnShape{{batch: 2, seq: 5, heads: 4, kvHeads: 2, headDim: 4}, {batch: 1, seq: 6, heads: 3, kvHeads: 3, headDim: 2}, {batch: 1, seq: 21, heads: 2, kvHeads: 1, headDim: 17}} {
		n := s.batch * s.seq
		q, k, v := randVec(rng, n*s.heads*s.headDim, 1), randVec(rng, n*s.kvHeads*s.headDim, 1), randVec(rng, n*s.kvHeads*s.headDim, 1)
		do := randVec(rng, n*s.heads*s.headDim, 1)
		o := make([]float32, len(q))
		probs := make([]float32, s.batch*s.heads*s.seq*s.seq)
		q32, k32, v32 := to32(q), to32(k), to32(v)
		attentionForward(p, o, probs, q32, k32, v32, s)
		dq, dk, dv := make([]float32, len(q)), make([]float32, len(k)), make([]float32, len(v))
		attentionBackward(p, dq, dk, dv, to32(do), probs, q32, k32, v32, s)
		f := func() float64 { return weighted(do, refAttention(q, k, v, s)) }
		checkGrad(t, "forward", o, refAttention(q, k, v, s))
		checkGrad(t, "dq", dq, numGrad(q, f))
		checkGrad(t, "dk", dk, numGrad(k, f))
		checkGrad(t, "dv", dv, numGrad(v, f))
	}
}

func TestGradSwiGLU(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	g, u, dh := randVec(rng, 40, 2), randVec(rng, 40, 1), randVec(rng, 40, 1)
	h := make([]float32, 40)
	swigluForward(nil, h, to32(g), to32(u))
	dg, du := make([]float32, 40), make([]float32, 40)
	swigluBackward(nil, dg, du, to32(dh), to32(g), to32(u))
	f := func() float64 { return weighted(dh, refSwiGLU(g, u)) }
	checkGrad(t, "forward", h, refSwiGLU(g, u))
	checkGrad(t, "dg", dg, numGrad(g, f))
	checkGrad(t, "du", du, numGrad(u, f))
}

func TestGradCrossEntropy(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	vocab := 7
	targets := []int{3, -1, 0, 6, 2}
	logits := randVec(rng, len(targets)*vocab, 2)
	l32 := to32(logits)
	sum, count := crossEntropy(nil, l32, targets, vocab, 1)
	f := func() float64 { return refCrossEntropy(logits, targets, vocab) }
	if want := f(); count != 4 || abs(sum/float64(count)-want) > 1e-5 {
		t.Errorf("loss %v over %d rows, want %v over 4", sum/float64(count), count, want)
	}
	checkGrad(t, "dlogits", l32, numGrad(logits, f))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// tinyConfig is a model small enough for a full finite-difference check.
var tinyConfig = Config{Dim: 8, Layers: 2, Heads: 4, KVHeads: 2, Hidden: 12, Vocab: 11, Context: 8, RopeBase: 10000, NormEps: 1e-5}

func checkModelGrad(t *testing.T, m *Model) {
	rng := rand.New(rand.NewPCG(15, 16))
	batch, seq := 2, 5
	tokens, targets := make([]int, batch*seq), make([]int, batch*seq)
	for i := range tokens {
		tokens[i] = rng.IntN(m.Config.Vocab)
		targets[i] = rng.IntN(m.Config.Vocab)
	}
	targets[3] = -1
	// Norm weights away from 1 so their gradients matter.
	for _, p := range m.Tensors() {
		if p.Rows == 1 && p.W != nil && p.G != nil {
			for i := range p.W {
				p.W[i] = float32(1 + 0.3*rng.NormFloat64())
			}
		}
	}
	m.ZeroGrad()
	loss, err := m.Step(tokens, targets, batch, seq, 1)
	if err != nil {
		t.Fatal(err)
	}
	w := map[*Param][]float64{}
	for _, p := range append(m.Tensors(), m.Params()...) {
		if p.W != nil {
			w[p] = to64(p.W)
		} else {
			buf := make([]float32, p.Rows*p.Cols)
			p.Q.rows(0, p.Rows, buf)
			w[p] = to64(buf)
		}
	}
	f := func() float64 { return refModelLoss(m, w, tokens, targets, batch, seq) }
	if ref := f(); abs(ref-loss) > 1e-4 {
		t.Errorf("loss %v, float64 reference %v", loss, ref)
	}
	for _, p := range m.Params() {
		checkGrad(t, p.Name, p.G, numGrad(w[p], f))
	}
}

func TestGradModel(t *testing.T) {
	for _, tied := range []bool{true, false} {
		c := tinyConfig
		c.TiedOutput = tied
		m, err := NewModel(c, 1, NewPool(2))
		if err != nil {
			t.Fatal(err)
		}
		// Larger weights than the default initialisation give gradients well above rounding noise.
		for _, p := range m.Params() {
			if p.Rows > 1 {
				for i := range p.W {
					p.W[i] *= 20
				}
			}
		}
		checkModelGrad(t, m)
	}
}

func TestGradModelLoRA(t *testing.T) {
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16} {
		c := tinyConfig
		c.Dim, c.Hidden = 16, 16
		base, err := NewModel(c, 2, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range base.Params() {
			if p.Rows > 1 {
				for i := range p.W {
					p.W[i] *= 20
				}
			}
		}
		src := func(name string) (SourceTensor, bool) {
			for _, p := range base.Tensors() {
				if p.Name == name {
					st := SourceTensor{Type: typ, Shape: p.Shape(), Data: f32Bytes(p.W)}
					if typ != tensor.F32 && p.Rows > 1 {
						st.Data = make([]byte, 2*len(p.W))
						if err := tensor.Quantize(typ, p.W, st.Data); err != nil {
							t.Fatal(err)
						}
					} else {
						st.Type = tensor.F32
					}
					return st, true
				}
			}
			return SourceTensor{}, false
		}
		m, err := LoadModel(c, src, true, NewPool(2))
		if err != nil {
			t.Fatal(err)
		}
		if err := m.AddLoRA(LoRAOptions{Rank: 2, Alpha: 6, Targets: AllLoRATargets}, 5); err != nil {
			t.Fatal(err)
		}
		rng := rand.New(rand.NewPCG(1, 1))
		for _, p := range m.Adapters() {
			for i := range p.LoRA.B.W {
				p.LoRA.B.W[i] = float32(rng.NormFloat64())
			}
		}
		if typ == tensor.F16 && m.Blocks[0].Q.Q == nil {
			t.Fatal("F16 base was copied to float32")
		}
		if n := len(m.Params()); n != 2*7*c.Layers {
			t.Fatalf("%d trainable tensors, want %d adapter matrices", n, 2*7*c.Layers)
		}
		checkModelGrad(t, m)
	}
}
