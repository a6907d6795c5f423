//go:build !purego

package tensor

import "golang.org/x/sys/cpu"

var _ = func() bool {
	if cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && legacyHasF16C() {
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
