//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// Assembly kernels for F16, BF16 and F32 weights on amd64
// (vecdot_float_amd64.s). Their activations are float32 values, as for the
// Go kernels (rounded to F16 or BF16 by MatMul first, so every product is
// exact in float32). The Go kernels add the products in float64 as ggml's
// generic C does; these add them in float32, in eight lanes times two or
// four accumulators, so they differ from the Go kernels by float32 rounding:
// at most about (n/16 + 8)·2⁻²⁴·Σ|w·x| for a row of n elements, far below
// the quantization error of the F16 or BF16 activations themselves. On CPUs
// with AVX-512 the register-tile kernels of vecdot_float_rows_amd64.go take
// their place.
//
// BF16 weights are widened with shifts rather than VDPBF16PS: the widened
// weights serve several activation rows, so the widening costs little, and
// VDPBF16PS would need the activations narrowed to BF16 for every row and
// flushes subnormals to zero.

// floatAVX2 reports whether the CPU runs the float kernels (AVX2, FMA and,
// for F16, F16C).
var floatAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && hasF16C()

var _ = registerAccel(func(table *[kernelTypeLimit]vecDotKernel) {
	if !floatAVX2 {
		return
	}
	if floatAVX512 {
		// Register tiles of several weight rows and tokens
		// (vecdot_float_rows_amd64.go).
		table[F32] = vecDotKernel{act: F32, dot: dotF32F32AVX512, rows: rowsF32AVX512}
		table[F16] = vecDotKernel{act: F16, dot: dotF16F16AVX512, rows: rowsF16AVX512}
		table[BF16] = vecDotKernel{act: BF16, dot: dotBF16BF16AVX512, rows: rowsBF16AVX512}
		return
	}
	table[F32] = vecDotKernel{act: F32, dot: dotF32F32AVX2}
	table[F16] = vecDotKernel{act: F16, dot: dotF16F16AVX2}
	table[BF16] = vecDotKernel{act: BF16, dot: dotBF16BF16AVX2}
})

// floatDot runs an assembly float kernel on the first n&^31 elements and
// adds the rest in Go: out[t] = body + Σ tail products, in float32.
// widen converts the 16-bit weights of the tail; nil means F32 weights.
func floatDot(asm func(w, x *byte, n, xStride, nx int, out *float32, outStride int),
	widen func(h uint16) float32, n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	if nx <= 0 {
		return
	}
	es := 2
	if widen == nil {
		es = 4
	}
	_ = out[(nx-1)*outStride]
	if n > 0 {
		_ = w[es*n-1]
		_ = x[(nx-1)*xStride+4*n-1]
	}
	body := n &^ 31
	if body > 0 {
		asm(&w[0], &x[0], body, xStride, nx, &out[0], outStride)
	}
	for t := 0; t < nx; t++ {
		var s float32
		if body > 0 {
			s = out[t*outStride]
		}
		y := x[t*xStride:]
		for i := body; i < n; i++ {
			var a float32
			if widen == nil {
				a = kernelF32At(w[4*i:])
			} else {
				a = widen(uint16(w[2*i]) | uint16(w[2*i+1])<<8)
			}
			s += a * kernelF32At(y[4*i:])
		}
		out[t*outStride] = s
	}
}

// floatBF16 widens a bfloat16 to float32.
func floatBF16(h uint16) float32 { return BF16ToF32(h) }

// dotF32F32AVX2 is dotF32F32 with float32 sums.
func dotF32F32AVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatDot(f32DotAVX2, nil, n, w, x, xStride, nx, out, outStride)
}

// dotF16F16AVX2 is dotF16F16 with float32 sums.
func dotF16F16AVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatDot(f16DotAVX2, F16ToF32, n, w, x, xStride, nx, out, outStride)
}

// dotBF16BF16AVX2 is dotBF16BF16 with float32 sums.
func dotBF16BF16AVX2(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	floatDot(bf16DotAVX2, floatBF16, n, w, x, xStride, nx, out, outStride)
}

// f16DotAVX2 multiplies n (a multiple of 32) F16 weights at w with nx rows
// of float32 activations xStride bytes apart:
//
//	for t := 0; t < nx; t++ {
//		var acc [4][8]float32
//		for i := 0; i < n; i++ {
//			a := &acc[i/8%4][i%8]
//			*a = fma(F16ToF32(w[i]), x[t][i], *a)
//		}
//		out[t*outStride] = Σ of the lanes
//	}
//
//go:noescape
func f16DotAVX2(w, x *byte, n, xStride, nx int, out *float32, outStride int)

// bf16DotAVX2 multiplies n (a multiple of 32) BF16 weights at w with nx
// rows of float32 activations xStride bytes apart:
//
//	for t := 0; t < nx; t++ {
//		var acc [4][8]float32
//		for i := 0; i < n; i++ {
//			a := &acc[i/8%4][i%8]
//			*a = fma(BF16ToF32(w[i]), x[t][i], *a)
//		}
//		out[t*outStride] = Σ of the lanes
//	}
//
//go:noescape
func bf16DotAVX2(w, x *byte, n, xStride, nx int, out *float32, outStride int)

// f32DotAVX2 multiplies n (a multiple of 32) float32 weights at w with nx
// rows of float32 activations xStride bytes apart:
//
//	for t := 0; t < nx; t++ {
//		var acc [4][8]float32
//		for i := 0; i < n; i++ {
//			a := &acc[i/8%4][i%8]
//			*a = fma(w[i], x[t][i], *a)
//		}
//		out[t*outStride] = Σ of the lanes
//	}
//
//go:noescape
func f32DotAVX2(w, x *byte, n, xStride, nx int, out *float32, outStride int)

// hasF16C reports whether the CPU converts between half and single
// precision in vector registers (CPUID leaf 1, ECX bit 29).
//
//go:noescape
func hasF16C() bool
