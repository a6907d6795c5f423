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
// ones alone, and the group forms for the four query heads of a KV head
// against a loop over the four.
func BenchmarkAttentionRows(b *testing.B) {
	const n, stride, m, g = 64, 512, 256, 4
	rng := rand.New(rand.NewPCG(5, 6))
	rows := kernelRandFloats(rng, (m-1)*stride+n, 1)
	q := kernelRandFloats(rng, g*n, 1)
	w := kernelRandFloats(rng, g*m, 1)
	out, y := make([]float32, g*m), make([]float32, g*n)
	b.Run("group=4", func(b *testing.B) {
		b.Run("DotRowsGroup", func(b *testing.B) {
			for b.Loop() {
				DotRowsGroup(out, m, q, n, g, rows, stride, 0.125)
			}
		})
		b.Run("DotRowsPerHead", func(b *testing.B) {
			for b.Loop() {
				for h := 0; h < g; h++ {
					DotRows(out[h*m:(h+1)*m], q[h*n:(h+1)*n], rows, stride, 0.125)
				}
			}
		})
		b.Run("AxpyRowsGroup", func(b *testing.B) {
			for b.Loop() {
				AxpyRowsGroup(y, n, w, m, g, rows, stride)
			}
		})
		b.Run("AxpyRowsPerHead", func(b *testing.B) {
			for b.Loop() {
				for h := 0; h < g; h++ {
					AxpyRows(y[h*n:(h+1)*n], w[h*m:(h+1)*m], rows, stride)
				}
			}
		})
	})
	for _, avx512 := range []bool{true, false} {
		if avx512 && !opsAVX512 {
			continue
		}
		b.Run(fmt.Sprintf("avx512=%v", avx512), func(b *testing.B) {
			defer func(v bool) { opsAVX512 = v }(opsAVX512)
			opsAVX512 = avx512
			b.Run("DotRows", func(b *testing.B) {
				for b.Loop() {
					DotRows(out[:m], q[:n], rows, stride, 0.125)
				}
			})
			b.Run("AxpyRows", func(b *testing.B) {
				for b.Loop() {
					AxpyRows(y[:n], w[:m], rows, stride)
				}
			})
		})
	}
}
