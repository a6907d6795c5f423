//go:build amd64 && !purego

package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// kernelBenchRows and kernelBenchCols size the weight matrix of the kernel
// benchmarks: 4096-wide rows, a few MB of weights.
const kernelBenchRows, kernelBenchCols = 1024, 4096

// benchmarkKernel runs a kernel over every row of a 1024×4096 matrix with
// nx = 1 activation row (reported as weight GB/s) and nx = 8 (GFLOP/s, two
// flops per multiply-add), per wall and per CPU second. x holds nx rows of
// xStride bytes.
func benchmarkKernel(b *testing.B, typ Type, dot vecDotFunc, x []byte, xStride, nx int) {
	rng := rand.New(rand.NewPCG(uint64(typ), 1))
	w := kernelRandWeights(rng, typ, kernelBenchRows, kernelBenchCols)
	rb := len(w) / kernelBenchRows
	out := make([]float32, nx*kernelBenchRows)
	if nx == 1 {
		b.SetBytes(int64(len(w)))
	}
	cpu := kernelCPUTime()
	for b.Loop() {
		for r := 0; r < kernelBenchRows; r++ {
			dot(kernelBenchCols, w[r*rb:(r+1)*rb], x, xStride, nx, out[r:], kernelBenchRows)
		}
	}
	// CPU time is steadier than wall time on a shared machine.
	cpu = kernelCPUTime() - cpu
	flops := 2 * float64(kernelBenchRows) * kernelBenchCols * float64(nx) * float64(b.N)
	if nx > 1 {
		b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	}
	if cpu > 0 {
		if nx == 1 {
			b.ReportMetric(float64(len(w))*float64(b.N)/cpu.Seconds()/1e9, "GB/cpu-s")
		} else {
			b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
		}
	}
}

func BenchmarkKQuantKernels(b *testing.B) {
	goDone := map[Type]bool{}
	for _, kc := range kquantAsm {
		if !kc.ok {
			continue
		}
		runGo := !goDone[kc.typ]
		goDone[kc.typ] = true
		for _, nx := range []int{1, kernelTile} {
			rng := rand.New(rand.NewPCG(2, 2))
			raw, packed, packedStride := kquantActivations(kc.typ, kernelRandFloats(rng, nx*kernelBenchCols, 1), kernelBenchCols, nx)
			b.Run(fmt.Sprintf("%s/nx=%d", kc.name, nx), func(b *testing.B) {
				benchmarkKernel(b, kc.typ, kc.dot, raw, kernelBenchCols/QK_K*kquantQ8KBytes, nx)
			})
			if !runGo {
				continue
			}
			b.Run(fmt.Sprintf("%s/Go/nx=%d", kc.typ, nx), func(b *testing.B) {
				benchmarkKernel(b, kc.typ, vecDotGo[kc.typ].dot, packed, packedStride, nx)
			})
		}
	}
}
