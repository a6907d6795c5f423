//go:build amd64 && !purego

package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkFloatRows runs the register-tile kernels over a tile of 12
// weight rows of 2048 elements (48 KiB of F16, from L2 as in MatMul's row
// tiles) times 64 activation rows in calls of kernelTile activation rows,
// and reports GFLOP/s (two flops per multiply-add) per wall and per CPU
// second. The dot kernels of vecdot_float_amd64.s run the same work one
// weight row per call for comparison.
func BenchmarkFloatRows(b *testing.B) {
	if !floatAVX512 {
		b.Skip("no AVX-512")
	}
	const rows, cols, tokens = 12, 2048, 64
	for _, kc := range floatRowsAsm {
		rng := rand.New(rand.NewPCG(uint64(kc.typ), 12))
		w := kernelRandBlocks(rng, kc.typ, rows, cols)
		wrb := len(w) / rows
		x := floatActivations(kc.typ, kernelRandFloats(rng, tokens*cols, 1), cols, tokens)
		out := make([]float32, tokens*rows)
		run := func(b *testing.B, call func(t0 int)) {
			cpu := kernelCPUTime()
			for b.Loop() {
				for t0 := 0; t0 < tokens; t0 += kernelTile {
					call(t0)
				}
			}
			flops := 2 * float64(rows*cols*tokens) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := kernelCPUTime() - cpu; cpu > 0 {
				b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
			}
		}
		b.Run(fmt.Sprintf("%s/rows", kc.typ), func(b *testing.B) {
			run(b, func(t0 int) {
				kc.rows(cols, w, wrb, rows, x[t0*4*cols:], 4*cols, kernelTile, out[t0*rows:], rows)
			})
		})
		dot := vecDotGo[kc.typ].dot
		for _, a := range floatAsm {
			if a.typ == kc.typ && a.name == "AVX2" {
				dot = a.dot
			}
		}
		b.Run(fmt.Sprintf("%s/dot", kc.typ), func(b *testing.B) {
			run(b, func(t0 int) {
				for r := 0; r < rows; r++ {
					dot(cols, w[r*wrb:], x[t0*4*cols:], 4*cols, kernelTile, out[t0*rows+r:], rows)
				}
			})
		})
	}
}
