package train

import "math"

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
	o.Step++
	b1, b2 := o.Beta1, o.Beta2
	c1 := 1 - math.Pow(b1, float64(o.Step))
	c2 := 1 - math.Pow(b2, float64(o.Step))
	for i, p := range params {
		m, v, w, g := o.M[i], o.V[i], p.W, p.G
		decay := float32(1)
		if p.Rows > 1 {
			decay = float32(1 - lr*o.WeightDecay)
		}
		step := float32(lr / c1)
		sc2 := float32(1 / c2)
		eps := float32(o.Eps)
		fb1, fb2 := float32(b1), float32(b2)
		pool.Run(len(w), func(lo, hi int) {
			for j := lo; j < hi; j++ {
				gj := g[j]
				m[j] = fb1*m[j] + (1-fb1)*gj
				v[j] = fb2*v[j] + (1-fb2)*gj*gj
				w[j] = w[j]*decay - step*m[j]/(float32(math.Sqrt(float64(v[j]*sc2)))+eps)
			}
		})
	}
}

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
	var ss float64
	for _, p := range params {
		for _, g := range p.G {
			ss += float64(g) * float64(g)
		}
	}
	norm := math.Sqrt(ss)
	if maxNorm > 0 && norm > maxNorm {
		f := float32(maxNorm / norm)
		for _, p := range params {
			for j := range p.G {
				p.G[j] *= f
			}
		}
	}
	return norm
}
