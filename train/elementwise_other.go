//go:build !amd64 || purego

package train

// maxFloat returns the largest value of x (len(x) > 0).
func maxFloat(x []float32) float32 { return maxGo(x) }

// swiglu sets h = silu(g)·u.
func swiglu(h, g, u []float32) { swigluGo(h, g, u) }

// swigluBack sets dg and du from dh, the gradient of h = silu(g)·u.
func swigluBack(dg, du, dh, g, u []float32) { swigluBackGo(dg, du, dh, g, u) }

// sumSquares is Σ x[i]² in float64.
func sumSquares(x []float32) float64 { return sumSquaresGo(x) }

// adamw applies one AdamW step to w with gradient g·c.gscale and moments m and v.
func adamw(w, g, m, v []float32, c *adamConsts) { adamwGo(w, g, m, v, c) }
