package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkMatMul multiplies a 2048×2048 matrix of each type by one token
// (reported as GB/s of weight bytes read) and by 64 tokens (reported as
// GFLOP/s, two flops per multiply-add), on 1 and 2 threads.
func BenchmarkMatMul(b *testing.B) {
	const size = 2048
	for _, typ := range kernelTestTypes {
		rng := rand.New(rand.NewPCG(uint64(typ), 99))
		w, err := NewMatrix(typ, size, size, kernelRandWeights(rng, typ, size, size))
		if err != nil {
			b.Fatal(err)
		}
		for _, n := range []int{1, 64} {
			x := kernelRandFloats(rng, n*size, 1)
			out := make([]float32, n*size)
			for _, threads := range []int{1, 2} {
				b.Run(fmt.Sprintf("%s/n=%d/threads=%d", typ, n, threads), func(b *testing.B) {
					p := NewPool(threads)
					defer p.Close()
					if n == 1 {
						b.SetBytes(int64(len(w.Data)))
					}
					for b.Loop() {
						MatMul(p, out, w, x, n)
					}
					if n > 1 {
						flops := 2 * float64(size) * size * float64(n) * float64(b.N)
						b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
					}
				})
			}
		}
	}
}
