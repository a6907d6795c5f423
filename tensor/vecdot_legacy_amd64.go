//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// Assembly kernels for the 32-element block formats on amd64
// (vecdot_legacy_amd64.s, written by _asm/legacy): Q4_0, Q5_0, Q8_0 and
// IQ4_NL weights against Q8_0 activations, Q4_1 and Q5_1 against Q8_1.
//
// They read raw activation blocks (no packing) and perform the float32
// operations of the Go kernels in vecdot_legacy.go in the same order: the
// exact integer sums of the eight AVX2 lanes of each block (lane l holding
// elements 4l..4l+3), converted and fused into eight float32 lanes per token
// with the product of the two f16 scales, then added as hsum_float_8 adds
// them; for Q4_0 one integer sum per block fused into one float32 per token.
// The results therefore equal the Go kernels' bit for bit, except where the
// Go kernels' emulated fused multiply-add (fma32) rounds twice: about once
// in 2^29 operations, by one ulp of that partial sum.
//
// Each weight block is decoded once per call and used for all the call's
// activation rows (up to eight at once, see legacyKernel).
//
// Two variants: AVX2 (VPMADDUBSW and VPMADDWD; needs AVX2, FMA and F16C) and
// AVX-512 VNNI (VPDPBUSD on 256-bit vectors, and the 32 registers for eight
// rows; needs AVX512F/BW/VL/VNNI too).
// The AVX2 variant multiplies signed by signed quants as ggml does, |w|
// times x with w's sign, so one product is wrong: an activation quant of
// -128 against a negative weight (VPSIGNB cannot negate -128). ggml's x86
// kernels share that; QuantizeActivations never produces -128. The VNNI
// variant computes Σ(x+128)·w - 128·Σw, exact for all quants.

// legacyRoutine is the signature of the assembly routines: nb weight
// blocks at w against a fixed number of activation rows at x, x+xStride ...
// with the results at out, out+outStride ...
type legacyRoutine func(w, x *byte, nb, xStride int, out *float32, outStride int)

// legacyKernel is one format's assembly routines, for one, two, four and
// (where the registers suffice) eight activation rows at a time.
type legacyKernel struct {
	block, act            int // bytes per weight and activation block
	one, two, four, eight legacyRoutine
}

// dot is the vecDotFunc of the kernel: eight rows at a time where it can,
// then four, two and one.
func (k *legacyKernel) dot(n int, w, x []byte, xStride, nx int, out []float32, outStride int) {
	nb := n / 32
	if nx <= 0 {
		return
	}
	_ = out[(nx-1)*outStride]
	if nb == 0 {
		for t := 0; t < nx; t++ {
			out[t*outStride] = 0
		}
		return
	}
	_ = w[k.block*nb-1]
	_ = x[(nx-1)*xStride+k.act*nb-1]
	t := 0
	for ; k.eight != nil && t+8 <= nx; t += 8 {
		k.eight(&w[0], &x[t*xStride], nb, xStride, &out[t*outStride], outStride)
	}
	for ; t+4 <= nx; t += 4 {
		k.four(&w[0], &x[t*xStride], nb, xStride, &out[t*outStride], outStride)
	}
	if t+2 <= nx {
		k.two(&w[0], &x[t*xStride], nb, xStride, &out[t*outStride], outStride)
		t += 2
	}
	if t < nx {
		k.one(&w[0], &x[t*xStride], nb, xStride, &out[t*outStride], outStride)
	}
}

// legacyAVX2 and legacyVNNI report which variant the CPU runs.
var (
	legacyAVX2 = cpu.X86.HasAVX2 && cpu.X86.HasFMA && legacyHasF16C()
	legacyVNNI = legacyAVX2 && cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW &&
		cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VNNI
)

// legacyKernelsAVX2 and legacyKernelsVNNI hold the kernels by weight type.
var (
	legacyKernelsAVX2 = map[Type]*legacyKernel{
		Q4_0:   {18, 34, legacyQ4_0x1AVX2, legacyQ4_0x2AVX2, legacyQ4_0x4AVX2, legacyQ4_0x8AVX2},
		Q4_1:   {20, 36, legacyQ4_1x1AVX2, legacyQ4_1x2AVX2, legacyQ4_1x4AVX2, nil},
		Q5_0:   {22, 34, legacyQ5_0x1AVX2, legacyQ5_0x2AVX2, legacyQ5_0x4AVX2, legacyQ5_0x8AVX2},
		Q5_1:   {24, 36, legacyQ5_1x1AVX2, legacyQ5_1x2AVX2, legacyQ5_1x4AVX2, nil},
		Q8_0:   {34, 34, legacyQ8_0x1AVX2, legacyQ8_0x2AVX2, legacyQ8_0x4AVX2, legacyQ8_0x8AVX2},
		IQ4_NL: {18, 34, legacyIQ4_NLx1AVX2, legacyIQ4_NLx2AVX2, legacyIQ4_NLx4AVX2, nil},
	}
	legacyKernelsVNNI = map[Type]*legacyKernel{
		Q4_0:   {18, 34, legacyQ4_0x1VNNI, legacyQ4_0x2VNNI, legacyQ4_0x4VNNI, legacyQ4_0x8VNNI},
		Q4_1:   {20, 36, legacyQ4_1x1VNNI, legacyQ4_1x2VNNI, legacyQ4_1x4VNNI, legacyQ4_1x8VNNI},
		Q5_0:   {22, 34, legacyQ5_0x1VNNI, legacyQ5_0x2VNNI, legacyQ5_0x4VNNI, legacyQ5_0x8VNNI},
		Q5_1:   {24, 36, legacyQ5_1x1VNNI, legacyQ5_1x2VNNI, legacyQ5_1x4VNNI, legacyQ5_1x8VNNI},
		Q8_0:   {34, 34, legacyQ8_0x1VNNI, legacyQ8_0x2VNNI, legacyQ8_0x4VNNI, legacyQ8_0x8VNNI},
		IQ4_NL: {18, 34, legacyIQ4_NLx1VNNI, legacyIQ4_NLx2VNNI, legacyIQ4_NLx4VNNI, legacyIQ4_NLx8VNNI},
	}
)

// legacyKernels returns the kernels the CPU runs, nil when it runs neither
// variant.
func legacyKernels() map[Type]*legacyKernel {
	switch {
	case legacyVNNI:
		return legacyKernelsVNNI
	case legacyAVX2:
		return legacyKernelsAVX2
	}
	return nil
}

var _ = registerAccel(func(table *[kernelTypeLimit]vecDotKernel) {
	for typ, k := range legacyKernels() {
		table[typ] = vecDotKernel{act: table[typ].act, dot: k.dot}
	}
})
