//go:build !purego

package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkAttentionRows runs DotRows and AxpyRows over an attention
// head's worth of cached positions (head size 64, rows 512 apart as in a
// cache of eight KV heads), with the AVX-512 row forms and with the AVX2
// ones alone.
func BenchmarkAttentionRows(b *testing.B) {
	const n, stride, m = 64, 512, 256
	rng := rand.New(rand.NewPCG(5, 6))
	rows := kernelRandFloats(rng, (m-1)*stride+n, 1)
	q := kernelRandFloats(rng, n, 1)
	w := kernelRandFloats(rng, m, 1)
	out, y := make([]float32, m), make([]float32, n)
	for _, avx512 := range []bool{true, false} {
		if avx512 && !opsAVX512 {
			continue
		}
		b.Run(fmt.Sprintf("avx512=%v", avx512), func(b *testing.B) {
			defer func(v bool) { opsAVX512 = v }(opsAVX512)
			opsAVX512 = avx512
			b.Run("DotRows", func(b *testing.B) {
				for b.Loop() {
					DotRows(out, q, rows, stride, 0.125)
				}
			})
			b.Run("AxpyRows", func(b *testing.B) {
				for b.Loop() {
					AxpyRows(y, w, rows, stride)
				}
			})
		})
	}
}
