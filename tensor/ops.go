package tensor

import (
	"fmt"
	"math"
)

// The vector operations of a forward pass, computed as ggml's CPU backend
// computes them: sums that ggml accumulates in double (its ggml_float) are
// accumulated in float64 here, everything else is float32, and Dot follows
// ggml's x86 lane order.

// RMSNorm sets out = x / sqrt(mean(x²) + eps) · weight, as llama.cpp's
// rms_norm followed by mul: the sum of squares in float64, the scale
// 1/sqrt(mean + eps) in float32, then (x·scale)·weight. out may alias x.
func RMSNorm(out, x, weight []float32, eps float32) {
	n := len(x)
	if len(out) < n || len(weight) < n {
		panic(fmt.Sprintf("tensor: RMSNorm: x has %d elements, out %d, weight %d", n, len(out), len(weight)))
	}
	if n == 0 {
		return
	}
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(n))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	out, weight = out[:n], weight[:n]
	for i, v := range x {
		out[i] = (v * scale) * weight[i]
	}
}

// Softmax replaces x with exp(x - max) / Σ exp(x - max), as ggml's soft_max:
// the exponentials in float32, their sum in float64, then a multiply by the
// float32 of 1/sum. The sum runs over eight lanes, element i in lane i%8,
// added up as ((l0+l4)+(l2+l6))+((l1+l5)+(l3+l7)), so that it vectorizes
// (float64 holds far more than the float32 result keeps, so the order
// barely shows). Entries equal to -Inf (masked) become 0; at least one entry
// must be finite.
func Softmax(x []float32) {
	if len(x) == 0 {
		return
	}
	softmaxShift(x)
	expFloats(x)
	Scale(x, float32(1/sumLanes64(x)))
}

// siluMulAccel, when set by an assembly file, is SiLUMul on a multiple of 8
// elements with the same results bit for bit.
var siluMulAccel func(out, gate, up []float32)

// Softmax's steps in assembly, when an assembly file sets them, with the
// same results bit for bit: softmaxShiftAccel is softmaxShift,
// sumLanes64Accel sumLanes64 and scaleAccel Scale.
var (
	softmaxShiftAccel func(x []float32)
	sumLanes64Accel   func(x []float32) float64
	scaleAccel        func(x []float32, s float32)
)

// softmaxShift subtracts the largest element of x from each.
func softmaxShift(x []float32) {
	if softmaxShiftAccel != nil {
		softmaxShiftAccel(x)
		return
	}
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	for i := range x {
		x[i] -= m
	}
}

// sumLanes64 returns Softmax's float64 sum of x.
func sumLanes64(x []float32) float64 {
	if sumLanes64Accel != nil {
		return sumLanes64Accel(x)
	}
	var l [8]float64
	for i, v := range x {
		l[i%8] += float64(v)
	}
	return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]))
}

// SiLU returns x·sigmoid(x) = x/(1+exp(-x)) in float32, as ggml_silu_f32
// (with a correctly rounded exp; llama.cpp's results on the shared goldens
// agree best with that).
func SiLU(x float32) float32 {
	return x / (1 + kernelExp(-x))
}

// SiLUMul sets out[i] = SiLU(gate[i])·up[i] (the SwiGLU feed-forward gate).
// out may alias gate or up.
func SiLUMul(out, gate, up []float32) {
	n := len(gate)
	if len(out) < n || len(up) < n {
		panic(fmt.Sprintf("tensor: SiLUMul: gate has %d elements, out %d, up %d", n, len(out), len(up)))
	}
	out, up = out[:n], up[:n]
	if body := n &^ 7; siluMulAccel != nil && body > 0 {
		siluMulAccel(out[:body], gate[:body], up[:body])
		out, gate, up = out[body:], gate[body:], up[body:]
		n -= body
	}
	var e [256]float32
	for i0 := 0; i0 < n; i0 += len(e) {
		c := min(len(e), n-i0)
		for j, g := range gate[i0 : i0+c] {
			e[j] = -g
		}
		expFloats(e[:c])
		for j, g := range gate[i0 : i0+c] {
			out[i0+j] = g / (1 + e[j]) * up[i0+j]
		}
	}
}

// dotAccel and axpyAccel, when set (by an assembly file's package-level
// initialisation, after a CPU-feature check), replace the Go loops of Dot
// and Axpy with versions that give the same results bit for bit.
var (
	dotAccel  func(a, b []float32) float32
	axpyAccel func(alpha float32, x, y []float32)
)

// Dot returns Σ a[i]·b[i] over len(a) elements (b must be at least as
// long), as ggml's x86 ggml_vec_dot_f32 computes it: fused multiply-adds
// into four vectors of eight float32 lanes over steps of 32, reduced at the
// end (see x86Dot), and the products of a tail shorter than 32 added one by
// one in float32.
func Dot(a, b []float32) float32 {
	if dotAccel != nil {
		return dotAccel(a, b)
	}
	return dotGo(a, b)
}

// dotGo is Dot in Go.
func dotGo(a, b []float32) float32 {
	b = b[:len(a)]
	body := len(a) &^ 31
	var acc x86Dot
	acc.add(a[:body], b[:body])
	s := acc.sum()
	for i := body; i < len(a); i++ {
		s += a[i] * b[i]
	}
	return s
}

// Axpy adds alpha·x to y element-wise (y must be at least as long as x), as
// ggml_vec_mad_f32.
func Axpy(alpha float32, x, y []float32) {
	if axpyAccel != nil {
		axpyAccel(alpha, x, y)
		return
	}
	axpyGo(alpha, x, y)
}

// axpyGo is Axpy in Go.
func axpyGo(alpha float32, x, y []float32) {
	y = y[:len(x)]
	for i, v := range x {
		y[i] += v * alpha
	}
}

// Add adds a to dst element-wise (dst must be at least as long as a), as in a
// residual connection.
func Add(dst, a []float32) {
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] += v
	}
}

// Mul multiplies dst by a element-wise (dst must be at least as long as a).
func Mul(dst, a []float32) {
	dst = dst[:len(a)]
	for i, v := range a {
		dst[i] *= v
	}
}

// Scale multiplies every element of x by s.
func Scale(x []float32, s float32) {
	if scaleAccel != nil && len(x) > 0 {
		scaleAccel(x, s)
		return
	}
	for i := range x {
		x[i] *= s
	}
}
