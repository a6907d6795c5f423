package train

import (
	"math/rand/v2"
	"testing"
)

// TestAttentionGemmMatchesLoops checks the matrix-product attention against
// the row-by-row loops at sizes with several row blocks and grouped heads.
func TestAttentionGemmMatchesLoops(t *testing.T) {
	rng := rand.New(rand.NewPCG(45, 46))
	p := NewPool(2)
	defer p.Close()
	for _, s := range []attnShape{{batch: 2, seq: 150, heads: 4, kvHeads: 2, headDim: 48}, {batch: 1, seq: 64, heads: 2, kvHeads: 2, headDim: 32}} {
		n := s.batch * s.seq
		qw, kw := s.heads*s.headDim, s.kvHeads*s.headDim
		q, k, v, do := to32(randVec(rng, n*qw, 1)), to32(randVec(rng, n*kw, 1)), to32(randVec(rng, n*kw, 1)), to32(randVec(rng, n*qw, 1))
		run := func(fwd func(*Pool, []float32, []float32, []float32, []float32, []float32, attnShape),
			bwd func(*Pool, []float32, []float32, []float32, []float32, []float32, []float32, []float32, []float32, attnShape)) [][]float32 {
			o, probs := make([]float32, n*qw), make([]float32, s.batch*s.heads*s.seq*s.seq)
			fwd(p, o, probs, q, k, v, s)
			dq, dk, dv := make([]float32, n*qw), make([]float32, n*kw), make([]float32, n*kw)
			bwd(p, dq, dk, dv, do, probs, q, k, v, s)
			return [][]float32{o, probs, dq, dk, dv}
		}
		got := run(attentionForwardGemm, attentionBackwardGemm)
		want := run(attentionForwardLoops, attentionBackwardLoops)
		for i, name := range []string{"o", "probs", "dq", "dk", "dv"} {
			if e := relErr(got[i], to64(want[i])); e > 1e-5 {
				t.Errorf("%+v %s: relative error %g", s, name, e)
			}
		}
	}
}
