//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

// actAVX512 reports whether the CPU runs the AVX-512 quantizers.
var actAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && legacyHasF16C()

var _ = func() bool {
	if actAVX512 {
		q8KAccel = func(src []float32, dst []byte) {
			nb := len(src) / QK_K
			if nb == 0 {
				return
			}
			_ = dst[nb*q8KBlock-1]
			quantizeQ8KAVX512(&src[0], &dst[0], nb)
		}
		actQ8_0Accel = func(src []float32, dst []byte) {
			nb := len(src) / 32
			_ = dst[nb*34-1]
			quantizeQ8_0AVX512(&src[0], &dst[0], nb)
		}
	}
	return true
}()

// quantizeQ8_0AVX512 quantizes nb blocks of 32 activations at src to Q8_0
// blocks at dst, as actQuantizeQ8Go does, bit for bit:
//
//	amax := max |x|;  d := amax/127;  id := 127/amax (0 when amax is 0)
//	y[0:2] = f16(d);  y[2+j] = int8(saturate(RoundToEven(x[j]·id)))
//
//go:noescape
func quantizeQ8_0AVX512(src *float32, dst *byte, nb int)

// actQ8_0SumsAccel, when not nil, writes activations straight in the layout
// of the repacked Q4_0 kernels (see rewriteQ8Sums) with quantizeQ8_0SumsAVX512.
var actQ8_0SumsAccel = func() func(src []float32, dst []byte) {
	if !actAVX512 {
		return nil
	}
	return func(src []float32, dst []byte) {
		nb := len(src) / 32
		if nb == 0 {
			return
		}
		_ = dst[nb*q4_0ActBlock-1]
		quantizeQ8_0SumsAVX512(&src[0], &dst[0], nb)
	}
}()

// quantizeQ8_0SumsAVX512 is quantizeQ8_0AVX512 writing each block as
// rewriteQ8Sums does: the scale widened back from f16 to float32, -8·Σq as
// int32, then the quants (40 bytes a block).
//
//go:noescape
func quantizeQ8_0SumsAVX512(src *float32, dst *byte, nb int)

// quantizeQ8KAVX512 quantizes nb blocks of 256 activations at src to Q8_K
// blocks at dst, as quantizeQ8K does, bit for bit: the scale from the
// first element of largest magnitude, each quant ggml's nearest_int of
// iscale·x capped at 127 and kept to its low byte, the sums of sixteen.
//
//go:noescape
func quantizeQ8KAVX512(src *float32, dst *byte, nb int)
