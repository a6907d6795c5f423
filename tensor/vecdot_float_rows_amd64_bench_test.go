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

// BenchmarkFloatMatMulPrefill runs MatMul on F16 matrices of TinyLlama-1.1B's
// shapes (the stacked query/key/value and gate/up projections, the output
// and down projections) for a 512-token prefill on two threads, and reports
// GFLOP/s per wall and per CPU second. With the register-tile kernels the
// down projection (rows of 5632 weights) shows how much the weight-row tile
// MatMul hands them matters: every tile reads all the activations once.
func BenchmarkFloatMatMulPrefill(b *testing.B) {
	if !floatAVX512 {
		b.Skip("no AVX-512")
	}
	const tokens = 512
	p := NewPool(2)
	defer p.Close()
	shapes := []struct {
		name       string
		rows, cols int
	}{
		{"qkv", 2560, 2048}, {"output", 2048, 2048}, {"gate-up", 11264, 2048}, {"down", 2048, 5632},
	}
	for _, s := range shapes {
		rng := rand.New(rand.NewPCG(uint64(s.rows), uint64(s.cols)))
		w, err := NewMatrix(F16, s.rows, s.cols, kernelRandBlocks(rng, F16, s.rows, s.cols))
		if err != nil {
			b.Fatal(err)
		}
		x := kernelRandFloats(rng, tokens*s.cols, 1)
		out := make([]float32, tokens*s.rows)
		b.Run(s.name, func(b *testing.B) {
			cpu := kernelCPUTime()
			for b.Loop() {
				MatMul(p, out, w, x, tokens)
			}
			flops := 2 * float64(s.rows*s.cols*tokens) * float64(b.N)
			b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			if cpu := kernelCPUTime() - cpu; cpu > 0 {
				b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
			}
		})
	}
}
