//go:build amd64 && !purego

package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

func BenchmarkFloatKernels(b *testing.B) {
	if !floatAVX2 {
		b.Skip("no AVX2/FMA/F16C")
	}
	for _, kc := range floatAsm {
		for _, nx := range []int{1, kernelTile} {
			rng := rand.New(rand.NewPCG(3, 3))
			x := floatActivations(kc.typ, kernelRandFloats(rng, nx*kernelBenchCols, 1), kernelBenchCols, nx)
			b.Run(fmt.Sprintf("%s/nx=%d/%s", kc.typ, nx, kc.name), func(b *testing.B) {
				benchmarkKernel(b, kc.typ, kc.dot, x, 4*kernelBenchCols, nx)
			})
			if kc.name != "AVX2" {
				continue
			}
			b.Run(fmt.Sprintf("%s/nx=%d/go", kc.typ, nx), func(b *testing.B) {
				benchmarkKernel(b, kc.typ, vecDotGo[kc.typ].dot, x, 4*kernelBenchCols, nx)
			})
		}
	}
}
