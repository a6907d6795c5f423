package train

import (
	"math"

	"github.com/herdllm/herd/tensor"
)

// The ops of the Llama block, forward and backward, on float32 rows. Each
// backward takes the upstream gradient and the activations the forward kept.

// ropeTable holds cos and sin of pos·base^(-2i/headDim) for pos < T, i < headDim/2.
type ropeTable struct {
	half     int
	cos, sin []float32
}

func newRopeTable(t, headDim int, base float32) *ropeTable {
	half := headDim / 2
	rt := &ropeTable{half: half, cos: make([]float32, t*half), sin: make([]float32, t*half)}
	for pos := 0; pos < t; pos++ {
		for i := 0; i < half; i++ {
			theta := float64(pos) * math.Pow(float64(base), -2*float64(i)/float64(headDim))
			rt.cos[pos*half+i] = float32(math.Cos(theta))
			rt.sin[pos*half+i] = float32(math.Sin(theta))
		}
	}
	return rt
}

// rope rotates adjacent pairs (x[2i], x[2i+1]) of every head in place, as
// llama.cpp's normal (non-NeoX) RoPE does. Rows are tokens of sequences of
// length seq; width is the row width (heads·headDim). inverse rotates back,
// which is the backward pass (the rotation is orthogonal).
func rope(p *Pool, x []float32, rt *ropeTable, n, seq, width int, inverse bool) {
	half := rt.half
	p.Run(n, func(lo, hi int) {
		for t := lo; t < hi; t++ {
			pos := t % seq
			cs, sn := rt.cos[pos*half:pos*half+half], rt.sin[pos*half:pos*half+half]
			row := x[t*width : t*width+width]
			for h := 0; h < width; h += 2 * half {
				for i := 0; i < half; i++ {
					c, s := cs[i], sn[i]
					if inverse {
						s = -s
					}
					a, b := row[h+2*i], row[h+2*i+1]
					row[h+2*i] = a*c - b*s
					row[h+2*i+1] = a*s + b*c
				}
			}
		}
	})
}

// attnShape describes causal grouped-query attention over batch sequences of seq tokens.
type attnShape struct {
	batch, seq, heads, kvHeads, headDim int
}

// attentionForward computes o = softmax(q·kᵀ/√d + causal mask)·v per head,
// keeping the probabilities in probs [batch×heads×seq×seq].
func attentionForward(p *Pool, o, probs, q, k, v []float32, s attnShape) {
	if useAttentionGemm(s.headDim) {
		attentionForwardGemm(p, o, probs, q, k, v, s)
		return
	}
	attentionForwardLoops(p, o, probs, q, k, v, s)
}

// attentionForwardLoops is attentionForward one query row at a time.
func attentionForwardLoops(p *Pool, o, probs, q, k, v []float32, s attnShape) {
	qw, kw := s.heads*s.headDim, s.kvHeads*s.headDim
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(s.headDim)))
	hd := s.headDim
	p.Run(s.batch*s.heads, func(lo, hi int) {
		for job := lo; job < hi; job++ {
			b, h := job/s.heads, job%s.heads
			g := h / group
			for t := 0; t < s.seq; t++ {
				qt := q[(b*s.seq+t)*qw+h*hd:][:hd]
				pr := probs[((b*s.heads+h)*s.seq+t)*s.seq:][:s.seq]
				mx := float32(math.Inf(-1))
				for u := 0; u <= t; u++ {
					sc := dot(qt, k[(b*s.seq+u)*kw+g*hd:][:hd]) * scale
					pr[u] = sc
					mx = max(mx, sc)
				}
				var sum float32
				for u := 0; u <= t; u++ {
					e := float32(math.Exp(float64(pr[u] - mx)))
					pr[u] = e
					sum += e
				}
				inv := 1 / sum
				ot := o[(b*s.seq+t)*qw+h*hd:][:hd]
				clear(ot)
				for u := 0; u <= t; u++ {
					pr[u] *= inv
					axpy(pr[u], v[(b*s.seq+u)*kw+g*hd:][:hd], ot)
				}
				clear(pr[t+1:])
			}
		}
	})
}

// attentionBackward sets dq, dk and dv from the gradient do of the output.
// Work is split by (sequence, kv head) so that the heads sharing a key/value
// head accumulate into it on one goroutine.
func attentionBackward(p *Pool, dq, dk, dv, do, probs, q, k, v []float32, s attnShape) {
	if useAttentionGemm(s.headDim) {
		attentionBackwardGemm(p, dq, dk, dv, do, probs, q, k, v, s)
		return
	}
	attentionBackwardLoops(p, dq, dk, dv, do, probs, q, k, v, s)
}

// attentionBackwardLoops is attentionBackward one query row at a time.
func attentionBackwardLoops(p *Pool, dq, dk, dv, do, probs, q, k, v []float32, s attnShape) {
	qw, kw := s.heads*s.headDim, s.kvHeads*s.headDim
	group := s.heads / s.kvHeads
	scale := float32(1 / math.Sqrt(float64(s.headDim)))
	hd := s.headDim
	p.Run(s.batch*s.kvHeads, func(lo, hi int) {
		ds := make([]float32, s.seq)
		for job := lo; job < hi; job++ {
			b, g := job/s.kvHeads, job%s.kvHeads
			for t := 0; t < s.seq; t++ {
				clear(dk[(b*s.seq+t)*kw+g*hd:][:hd])
				clear(dv[(b*s.seq+t)*kw+g*hd:][:hd])
			}
			for h := g * group; h < (g+1)*group; h++ {
				for t := 0; t < s.seq; t++ {
					row := (b*s.seq + t)
					dot_ := do[row*qw+h*hd:][:hd]
					qt := q[row*qw+h*hd:][:hd]
					dqt := dq[row*qw+h*hd:][:hd]
					clear(dqt)
					pr := probs[((b*s.heads+h)*s.seq+t)*s.seq:][:s.seq]
					var sum float32
					for u := 0; u <= t; u++ {
						vu := v[(b*s.seq+u)*kw+g*hd:][:hd]
						dp := dot(dot_, vu)
						ds[u] = dp
						sum += pr[u] * dp
						axpy(pr[u], dot_, dv[(b*s.seq+u)*kw+g*hd:][:hd])
					}
					for u := 0; u <= t; u++ {
						d := pr[u] * (ds[u] - sum) * scale
						axpy(d, k[(b*s.seq+u)*kw+g*hd:][:hd], dqt)
						axpy(d, qt, dk[(b*s.seq+u)*kw+g*hd:][:hd])
					}
				}
			}
		}
	})
}

// swigluForward sets h = silu(g)·u.
func swigluForward(p *Pool, h, g, u []float32) {
	p.Run((len(h)+elemBlock-1)/elemBlock, func(lo, hi int) {
		lo, hi = lo*elemBlock, min(hi*elemBlock, len(h))
		swiglu(h[lo:hi], g[lo:hi], u[lo:hi])
	})
}

// sigmoid is 1/(1+e^−x), with exp32 taken of a non-positive argument.
func sigmoid(x float32) float32 {
	if x >= 0 {
		return 1 / (1 + exp32(-x))
	}
	e := exp32(x)
	return e / (1 + e)
}

// swigluBackward sets dg and du from dh.
func swigluBackward(p *Pool, dg, du, dh, g, u []float32) {
	p.Run((len(dh)+elemBlock-1)/elemBlock, func(lo, hi int) {
		lo, hi = lo*elemBlock, min(hi*elemBlock, len(dh))
		swigluBack(dg[lo:hi], du[lo:hi], dh[lo:hi], g[lo:hi], u[lo:hi])
	})
}

// crossEntropy turns logits [n×vocab] into the gradient of the mean loss in
// place (softmax − one-hot, times scale/count) and returns the summed loss
// and the number of rows with a target. Rows whose target is negative are
// ignored (their gradient is zero).
func crossEntropy(p *Pool, logits []float32, targets []int, vocab int, scale float32) (float64, int) {
	count := 0
	for _, t := range targets {
		if t >= 0 {
			count++
		}
	}
	if count == 0 {
		clear(logits)
		return 0, 0
	}
	losses := make([]float64, len(targets))
	g := scale / float32(count)
	p.Run(len(targets), func(lo, hi int) {
		for t := lo; t < hi; t++ {
			row := logits[t*vocab : t*vocab+vocab]
			if targets[t] < 0 {
				clear(row)
				continue
			}
			mx := maxFloat(row)
			target := row[targets[t]]
			sum := expSubSum(row, mx)
			losses[t] = math.Log(float64(sum)) + float64(mx) - float64(target)
			tensor.Scale(row, g/sum)
			row[targets[t]] -= g
		}
	})
	var total float64
	for _, l := range losses {
		total += l
	}
	return total, count
}

// exp32 is e^x for x <= 0 in float32, within a few ulp of the true value
// (a few parts in 10⁶ below e^-40): x·log2 e is split into the nearest
// integer n, set in the exponent bits, and a fraction whose 2^f comes from a
// degree-6 polynomial of f·ln 2 ∈ [−0.35, 0.35].
func exp32(x float32) float32 {
	if x < -87 {
		return 0
	}
	t := x * 1.4426950408889634
	n := int32(t - 0.5) // t <= 0: truncation rounds to the nearest integer
	f := (t - float32(n)) * 0.6931471805599453
	p := 1 + f*(1+f*(0.5+f*(1.0/6+f*(1.0/24+f*(1.0/120+f*(1.0/720))))))
	return p * math.Float32frombits(uint32(n+127)<<23)
}
