package train

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Float64 reference versions of the ops, written as plainly as possible, for
// finite-difference gradient checks.

func refRMSNorm(x, w []float64, eps float64) []float64 {
	d := len(w)
	y := make([]float64, len(x))
	for t := 0; t < len(x)/d; t++ {
		var ss float64
		for i := 0; i < d; i++ {
			ss += x[t*d+i] * x[t*d+i]
		}
		r := 1 / math.Sqrt(ss/float64(d)+eps)
		for i := 0; i < d; i++ {
			y[t*d+i] = x[t*d+i] * r * w[i]
		}
	}
	return y
}

// refLinear returns x·Wᵀ for W [out×in].
func refLinear(x, w []float64, in, out int) []float64 {
	n := len(x) / in
	y := make([]float64, n*out)
	for t := 0; t < n; t++ {
		for o := 0; o < out; o++ {
			var s float64
			for i := 0; i < in; i++ {
				s += x[t*in+i] * w[o*in+i]
			}
			y[t*out+o] = s
		}
	}
	return y
}

func refRope(x []float64, seq, width, headDim int, base float64) []float64 {
	y := append([]float64(nil), x...)
	for t := 0; t < len(x)/width; t++ {
		pos := t % seq
		for h := 0; h < width; h += headDim {
			for i := 0; i < headDim/2; i++ {
				th := float64(pos) * math.Pow(base, -2*float64(i)/float64(headDim))
				a, b := x[t*width+h+2*i], x[t*width+h+2*i+1]
				y[t*width+h+2*i] = a*math.Cos(th) - b*math.Sin(th)
				y[t*width+h+2*i+1] = a*math.Sin(th) + b*math.Cos(th)
			}
		}
	}
	return y
}

func refAttention(q, k, v []float64, s attnShape) []float64 {
	qw, kw, hd := s.heads*s.headDim, s.kvHeads*s.headDim, s.headDim
	o := make([]float64, len(q))
	for b := 0; b < s.batch; b++ {
		for h := 0; h < s.heads; h++ {
			g := h / (s.heads / s.kvHeads)
			for t := 0; t < s.seq; t++ {
				sc := make([]float64, t+1)
				mx := math.Inf(-1)
				for u := 0; u <= t; u++ {
					var d float64
					for i := 0; i < hd; i++ {
						d += q[(b*s.seq+t)*qw+h*hd+i] * k[(b*s.seq+u)*kw+g*hd+i]
					}
					sc[u] = d / math.Sqrt(float64(hd))
					mx = math.Max(mx, sc[u])
				}
				var sum float64
				for u := range sc {
					sc[u] = math.Exp(sc[u] - mx)
					sum += sc[u]
				}
				for u := range sc {
					for i := 0; i < hd; i++ {
						o[(b*s.seq+t)*qw+h*hd+i] += sc[u] / sum * v[(b*s.seq+u)*kw+g*hd+i]
					}
				}
			}
		}
	}
	return o
}

func refSwiGLU(g, u []float64) []float64 {
	h := make([]float64, len(g))
	for i := range g {
		h[i] = g[i] / (1 + math.Exp(-g[i])) * u[i]
	}
	return h
}

// refCrossEntropy is the mean loss over rows with a non-negative target.
func refCrossEntropy(logits []float64, targets []int, vocab int) float64 {
	var total float64
	count := 0
	for t, y := range targets {
		if y < 0 {
			continue
		}
		row := logits[t*vocab : t*vocab+vocab]
		mx := math.Inf(-1)
		for _, v := range row {
			mx = math.Max(mx, v)
		}
		var s float64
		for _, v := range row {
			s += math.Exp(v - mx)
		}
		total += math.Log(s) + mx - row[y]
		count++
	}
	return total / float64(count)
}

// refModelLoss runs the whole model in float64 from the weights in w (one
// slice per Model.Tensors entry, plus adapters after them in Params order).
func refModelLoss(m *Model, w map[*Param][]float64, tokens, targets []int, batch, seq int) float64 {
	c := m.Config
	d := c.Dim
	n := batch * seq
	lin := func(p *Param, x []float64) []float64 {
		y := refLinear(x, w[p], p.Cols, p.Rows)
		if l := p.LoRA; l != nil {
			z := refLinear(x, w[l.A], p.Cols, l.A.Rows)
			y2 := refLinear(z, w[l.B], l.A.Rows, p.Rows)
			for i := range y {
				y[i] += float64(l.Scale) * y2[i]
			}
		}
		return y
	}
	x := make([]float64, n*d)
	for t, tok := range tokens {
		copy(x[t*d:], w[m.Embed][tok*d:tok*d+d])
	}
	as := attnShape{batch: batch, seq: seq, heads: c.Heads, kvHeads: c.KVHeads, headDim: c.HeadDim()}
	eps := float64(c.NormEps)
	for _, b := range m.Blocks {
		xn := refRMSNorm(x, w[b.AttnNorm], eps)
		q := refRope(lin(b.Q, xn), seq, d, c.HeadDim(), float64(c.RopeBase))
		k := refRope(lin(b.K, xn), seq, c.KVDim(), c.HeadDim(), float64(c.RopeBase))
		v := lin(b.V, xn)
		o := lin(b.O, refAttention(q, k, v, as))
		for i := range x {
			x[i] += o[i]
		}
		xn = refRMSNorm(x, w[b.FFNNorm], eps)
		f := lin(b.Down, refSwiGLU(lin(b.Gate, xn), lin(b.Up, xn)))
		for i := range x {
			x[i] += f[i]
		}
	}
	logits := lin(m.Output, refRMSNorm(x, w[m.OutNorm], eps))
	return refCrossEntropy(logits, targets, c.Vocab)
}

// numGrad returns the central-difference gradient of f with respect to x.
func numGrad(x []float64, f func() float64) []float64 {
	g := make([]float64, len(x))
	for i := range x {
		old := x[i]
		h := 1e-5 * math.Max(1, math.Abs(old))
		x[i] = old + h
		fp := f()
		x[i] = old - h
		fm := f()
		x[i] = old
		g[i] = (fp - fm) / (2 * h)
	}
	return g
}

// relErr is ‖a−b‖/‖b‖ for an analytic float32 gradient a and a reference b.
func relErr(a []float32, b []float64) float64 {
	var num, den float64
	for i := range b {
		d := float64(a[i]) - b[i]
		num += d * d
		den += b[i] * b[i]
	}
	if den == 0 {
		return math.Sqrt(num)
	}
	return math.Sqrt(num / den)
}

func checkGrad(t *testing.T, name string, analytic []float32, ref []float64) {
	t.Helper()
	if len(analytic) != len(ref) {
		t.Fatalf("%s: %d analytic values, %d reference", name, len(analytic), len(ref))
	}
	if e := relErr(analytic, ref); e > 1e-3 || math.IsNaN(e) {
		t.Errorf("%s: relative error %.3g > 1e-3", name, e)
	} else {
		t.Logf("%s: relative error %.2g", name, e)
	}
}

func randVec(rng *rand.Rand, n int, scale float64) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64() * scale
	}
	return v
}

func to32(v []float64) []float32 {
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = float32(x)
	}
	return out
}

func to64(v []float32) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = float64(x)
	}
	return out
}

// weighted is Σ dy·y, the loss whose gradient with respect to y is dy.
func weighted(dy, y []float64) float64 {
	var s float64
	for i := range y {
		s += dy[i] * y[i]
	}
	return s
}
