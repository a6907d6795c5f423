//go:build !purego

package tensor

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestOpsAsmMatchesGo(t *testing.T) {
	if !opsAVX2 {
		t.Skip("no AVX2/FMA")
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, n := range []int{0, 1, 31, 32, 33, 64, 100, 256, 4096 + 7} {
		for _, sd := range []float64{1, 1e-20, 1e15} {
			a := kernelRandFloats(rng, n+3, sd)
			b := kernelRandFloats(rng, n+3, 1)
			if got, want := opsDot(a[:n], b), dotGo(a[:n], b); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("Dot n=%d: %v, Go %v", n, got, want)
			}
			y1 := append([]float32(nil), b...)
			y2 := append([]float32(nil), b...)
			alpha := float32(rng.NormFloat64())
			opsAxpy(alpha, a[:n], y1)
			axpyGo(alpha, a[:n], y2)
			for i := range y1 {
				if math.Float32bits(y1[i]) != math.Float32bits(y2[i]) {
					t.Fatalf("Axpy n=%d: y[%d] = %v, Go %v", n, i, y1[i], y2[i])
				}
			}
		}
	}
}

func BenchmarkOps(b *testing.B) {
	if !opsAVX2 {
		b.Skip("no AVX2/FMA")
	}
	rng := rand.New(rand.NewPCG(6, 6))
	x := kernelRandFloats(rng, 4096, 1)
	y := kernelRandFloats(rng, 4096, 1)
	var sink float32
	b.Run("Dot/asm", func(b *testing.B) {
		b.SetBytes(2 * 4 * 4096)
		for b.Loop() {
			sink += opsDot(x, y)
		}
	})
	b.Run("Dot/Go", func(b *testing.B) {
		b.SetBytes(2 * 4 * 4096)
		for b.Loop() {
			sink += dotGo(x, y)
		}
	})
	b.Run("Axpy/asm", func(b *testing.B) {
		b.SetBytes(2 * 4 * 4096)
		for b.Loop() {
			opsAxpy(1e-9, x, y)
		}
	})
	b.Run("Axpy/Go", func(b *testing.B) {
		b.SetBytes(2 * 4 * 4096)
		for b.Loop() {
			axpyGo(1e-9, x, y)
		}
	})
	_ = sink
}
