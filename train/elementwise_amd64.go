//go:build amd64 && !purego

package train

//go:noescape
func maxAVX512(x *float32, n int) float32

//go:noescape
func swigluAVX512(h, gate, up *float32, n int)

//go:noescape
func swigluBackAVX512(dg, du, dh, gate, up *float32, n int)

//go:noescape
func sumSquaresAVX512(x *float32, n int) float64

//go:noescape
func adamwAVX512(w, grad, m, v *float32, n int, c *adamConsts)

// vecLen is the part of n the vector kernels take (0 without AVX-512).
func vecLen(n int) int {
	if !hasAVX512 {
		return 0
	}
	return n &^ 15
}

// maxFloat returns the largest value of x (len(x) > 0).
func maxFloat(x []float32) float32 {
	k := vecLen(len(x))
	if k == 0 {
		return maxGo(x)
	}
	mx := maxAVX512(&x[0], k)
	if k < len(x) {
		mx = max(mx, maxGo(x[k:]))
	}
	return mx
}

// swiglu sets h = silu(g)·u.
func swiglu(h, g, u []float32) {
	k := vecLen(len(h))
	if k > 0 {
		_, _ = g[len(h)-1], u[len(h)-1]
		swigluAVX512(&h[0], &g[0], &u[0], k)
	}
	swigluGo(h[k:], g[k:], u[k:])
}

// swigluBack sets dg and du from dh, the gradient of h = silu(g)·u.
func swigluBack(dg, du, dh, g, u []float32) {
	n := len(dg)
	k := vecLen(n)
	if k > 0 {
		_, _, _, _ = du[n-1], dh[n-1], g[n-1], u[n-1]
		swigluBackAVX512(&dg[0], &du[0], &dh[0], &g[0], &u[0], k)
	}
	swigluBackGo(dg[k:], du[k:], dh[k:], g[k:], u[k:])
}

// sumSquares is Σ x[i]² in float64.
func sumSquares(x []float32) float64 {
	k := vecLen(len(x))
	var ss float64
	if k > 0 {
		ss = sumSquaresAVX512(&x[0], k)
	}
	return ss + sumSquaresGo(x[k:])
}

// adamw applies one AdamW step to w with gradient g·c.gscale and moments m and v.
func adamw(w, g, m, v []float32, c *adamConsts) {
	n := len(w)
	k := vecLen(n)
	if k > 0 {
		_, _, _ = g[n-1], m[n-1], v[n-1]
		adamwAVX512(&w[0], &g[0], &m[0], &v[0], k, c)
	}
	adamwGo(w[k:], g[k:], m[k:], v[k:], c)
}
