package llama

import "math"

// rope rotates adjacent pairs (2i, 2i+1) of the leading dims of every head,
// as llama.cpp's normal RoPE mode does: pair i of position p turns by
// θ = freqScale · p · base^(−2i/dims) / freqs[i].
type rope struct {
	dims       int
	thetaScale float32
	freqScale  float32
	freqs      []float32 // per-pair divisors (Llama 3.1 rope_freqs), nil for none
}

func newRope(dims int, base, freqScale float32, freqs []float32) rope {
	// ggml: theta_scale = powf(freq_base, -2.0f/n_dims), all in float32.
	exp := float32(-2.0) / float32(dims)
	return rope{
		dims:       dims,
		thetaScale: float32(math.Pow(float64(base), float64(exp))),
		freqScale:  freqScale,
		freqs:      freqs,
	}
}

// table writes cos and sin of each pair's angle at position pos, with
// ggml's float32 recurrence for the angles so that results match it.
func (r rope) table(pos int, cos, sin []float32) {
	theta := float32(pos)
	for i := range r.dims / 2 {
		t := theta
		if r.freqs != nil {
			t /= r.freqs[i]
		}
		t *= r.freqScale
		cos[i] = float32(math.Cos(float64(t)))
		sin[i] = float32(math.Sin(float64(t)))
		theta *= r.thetaScale
	}
}

// apply rotates each of the heads of width headDim in x by the angles in
// cos and sin.
func (r rope) apply(x []float32, headDim int, cos, sin []float32) {
	for h := 0; h+headDim <= len(x); h += headDim {
		v := x[h : h+r.dims]
		for i := range r.dims / 2 {
			x0, x1 := v[2*i], v[2*i+1]
			c, s := cos[i], sin[i]
			v[2*i] = x0*c - x1*s
			v[2*i+1] = x0*s + x1*c
		}
	}
}
