package train

import "math"

// The element-wise loops that run over whole activation or parameter
// arrays. Each has a scalar version here; the vector kernels, where the
// machine has them, handle the multiple-of-16 part and call these for the
// rest.

// maxGo returns the largest value of x (len(x) > 0).
func maxGo(x []float32) float32 {
	mx := x[0]
	for _, v := range x {
		mx = max(mx, v)
	}
	return mx
}

// swigluGo sets h = silu(g)·u.
func swigluGo(h, g, u []float32) {
	g, u = g[:len(h)], u[:len(h)]
	for i, x := range g {
		h[i] = x * sigmoid(x) * u[i]
	}
}

// swigluBackGo sets dg and du from dh, the gradient of h = silu(g)·u.
func swigluBackGo(dg, du, dh, g, u []float32) {
	du, dh, g, u = du[:len(dg)], dh[:len(dg)], g[:len(dg)], u[:len(dg)]
	for i, x := range g {
		sig := sigmoid(x)
		du[i] = dh[i] * x * sig
		dg[i] = dh[i] * u[i] * sig * (1 + x*(1-sig))
	}
}

// sumSquaresGo is Σ x[i]² in float64.
func sumSquaresGo(x []float32) float64 {
	var ss float64
	for _, v := range x {
		ss += float64(v) * float64(v)
	}
	return ss
}

// adamConsts are the per-step constants of one AdamW update of a tensor,
// laid out as the vector kernel reads them.
type adamConsts struct {
	b1, omb1, b2, omb2 float32 // β1, 1−β1, β2, 1−β2
	decay              float32 // weight-decay factor of this tensor
	step               float32 // lr/(1−β1^t)
	sc2                float32 // 1/(1−β2^t)
	eps                float32
	gscale             float32 // gradient clipping factor
	store              uint32  // 1: write the scaled gradient back
}

// adamwGo applies one AdamW step to w with gradient g·c.gscale and moments m and v.
func adamwGo(w, g, m, v []float32, c *adamConsts) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for j, gj := range g {
		gj *= c.gscale
		if c.store != 0 {
			g[j] = gj
		}
		m[j] = c.b1*m[j] + c.omb1*gj
		v[j] = c.b2*v[j] + c.omb2*gj*gj
		w[j] = w[j]*c.decay - c.step*m[j]/(float32(math.Sqrt(float64(v[j]*c.sc2)))+c.eps)
	}
}
