package train

import (
	"math"

	"github.com/herdllm/herd/tensor"
)

// AdamW is Adam with decoupled weight decay (Loshchilov & Hutter). Weight
// decay applies to matrices only, not to norm weights (vectors).
type AdamW struct {
	Beta1, Beta2, Eps, WeightDecay float64
	// Step counts the updates made so far (it sets the bias correction).
	Step int
	// M and V are the first and second moment estimates, one per parameter.
	M, V [][]float32
}

// NewAdamW returns an optimizer for params with the usual defaults
// (β1 0.9, β2 0.95, ε 1e-8) and the given weight decay.
func NewAdamW(params []*Param, weightDecay float64) *AdamW {
	o := &AdamW{Beta1: 0.9, Beta2: 0.95, Eps: 1e-8, WeightDecay: weightDecay}
	for _, p := range params {
		o.M = append(o.M, make([]float32, len(p.W)))
		o.V = append(o.V, make([]float32, len(p.W)))
	}
	return o
}

// Update applies one step with learning rate lr to params (the same list,
// in the same order, as NewAdamW got) from their gradients.
func (o *AdamW) Update(pool *Pool, params []*Param, lr float64) {
	o.update(pool, params, lr, 1)
}

// update is Update with the gradients taken times gscale (the clipping
// factor), which is also written back into them when it is not 1.
func (o *AdamW) update(pool *Pool, params []*Param, lr float64, gscale float32) {
	o.Step++
	b1, b2 := o.Beta1, o.Beta2
	c1 := 1 - math.Pow(b1, float64(o.Step))
	c2 := 1 - math.Pow(b2, float64(o.Step))
	fb1, fb2 := float32(b1), float32(b2)
	c := adamConsts{b1: fb1, omb1: 1 - fb1, b2: fb2, omb2: 1 - fb2, step: float32(lr / c1),
		sc2: float32(1 / c2), eps: float32(o.Eps), gscale: gscale}
	if gscale != 1 {
		c.store = 1
	}
	for i, p := range params {
		m, v, w, g := o.M[i], o.V[i], p.W, p.G
		pc := c
		pc.decay = 1
		if p.Rows > 1 {
			pc.decay = float32(1 - lr*o.WeightDecay)
		}
		pool.Run((len(w)+elemBlock-1)/elemBlock, func(lo, hi int) {
			lo, hi = lo*elemBlock, min(hi*elemBlock, len(w))
			adamw(w[lo:hi], g[lo:hi], m[lo:hi], v[lo:hi], &pc)
		})
	}
}

// elemBlock is the grain, in values, of the element-wise loops' parallel
// split (a multiple of the vector width).
const elemBlock = 1024

// Schedule is a learning-rate schedule: linear warm-up from 0 to Max over
// Warmup steps, then cosine decay to Min at step Total.
type Schedule struct {
	Max, Min      float64
	Warmup, Total int
}

// At returns the learning rate of step (0-based).
func (s Schedule) At(step int) float64 {
	if step < s.Warmup {
		return s.Max * float64(step+1) / float64(s.Warmup+1)
	}
	if step >= s.Total || s.Total <= s.Warmup {
		return s.Min
	}
	frac := float64(step-s.Warmup) / float64(s.Total-s.Warmup)
	return s.Min + 0.5*(s.Max-s.Min)*(1+math.Cos(math.Pi*frac))
}

// ClipGradNorm scales all gradients so that their global L2 norm is at most
// maxNorm (no clipping when maxNorm <= 0) and returns the norm before clipping.
func ClipGradNorm(params []*Param, maxNorm float64) float64 {
	norm := globalGradNorm(nil, params)
	if f := clipFactor(norm, maxNorm); f != 1 {
		for _, p := range params {
			tensor.Scale(p.G, f)
		}
	}
	return norm
}

// clipFactor is what gradients of L2 norm norm are multiplied by to clip
// them to maxNorm (1 when they need no clipping).
func clipFactor(norm, maxNorm float64) float32 {
	if maxNorm > 0 && norm > maxNorm {
		return float32(maxNorm / norm)
	}
	return 1
}

// globalGradNorm is the L2 norm of all of params' gradients together. The sum
// runs in a fixed order of blocks, whatever the pool's size.
func globalGradNorm(pool *Pool, params []*Param) float64 {
	var ss float64
	var parts []float64
	for _, p := range params {
		g := p.G
		blocks := (len(g) + elemBlock - 1) / elemBlock
		parts = append(parts[:0], make([]float64, blocks)...)
		pool.Run(blocks, func(lo, hi int) {
			for b := lo; b < hi; b++ {
				parts[b] = sumSquares(g[b*elemBlock : min((b+1)*elemBlock, len(g))])
			}
		})
		for _, s := range parts {
			ss += s
		}
	}
	return math.Sqrt(ss)
}
