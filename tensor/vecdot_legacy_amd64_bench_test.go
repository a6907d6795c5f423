//go:build amd64 && !purego

package tensor

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLegacyDot runs each 32-element block kernel over 512 rows of
// 4096 weights, the Go kernel against the assembly variants: for one
// activation row it reports weight bytes per second, for kernelTile rows
// GFLOP/s (two flops per multiply-add), and both per CPU-second of the
// process as well.
func BenchmarkLegacyDot(b *testing.B) {
	const rows, cols = 512, 4096
	for _, typ := range legacyTypes {
		rng := rand.New(rand.NewPCG(uint64(typ), 27))
		w := kernelRandBlocks(rng, typ, rows, cols)
		wrb := len(w) / rows
		act := vecDotGo[typ].act
		raw := legacyActivations(rng, act, kernelTile, cols, false)
		xrb := len(raw) / kernelTile
		k := &vecDotGo[typ]
		prb := k.rowBytes(cols)
		packed := make([]byte, kernelTile*prb)
		for t := 0; t < kernelTile; t++ {
			k.pack.pack(raw[t*xrb:(t+1)*xrb], packed[t*prb:(t+1)*prb])
		}
		kernels := map[string]vecDotFunc{"Go": k.dot}
		if legacyAVX2 {
			kernels["AVX2"] = legacyKernelsAVX2[typ].dot
		}
		if legacyVNNI {
			kernels["VNNI"] = legacyKernelsVNNI[typ].dot
		}
		out := make([]float32, kernelTile*rows)
		for _, name := range []string{"Go", "AVX2", "VNNI"} {
			dot, ok := kernels[name]
			if !ok {
				continue
			}
			x, xStride := raw, xrb
			if name == "Go" {
				x, xStride = packed, prb
			}
			for _, nx := range []int{1, kernelTile} {
				b.Run(fmt.Sprintf("%s/%s/nx=%d", typ, name, nx), func(b *testing.B) {
					if nx == 1 {
						b.SetBytes(int64(len(w)))
					}
					cpu := kernelCPUTime()
					for b.Loop() {
						for r := 0; r < rows; r++ {
							dot(cols, w[r*wrb:(r+1)*wrb], x, xStride, nx, out[r:], rows)
						}
					}
					cpu = kernelCPUTime() - cpu
					flops := 2 * float64(rows) * cols * float64(nx) * float64(b.N)
					switch {
					case nx == 1 && cpu > 0:
						// CPU time: steadier than wall time on a shared machine.
						b.ReportMetric(float64(len(w))*float64(b.N)/cpu.Seconds()/1e9, "GB/cpu-s")
					case nx > 1:
						b.ReportMetric(flops/b.Elapsed().Seconds()/1e9, "GFLOP/s")
						if cpu > 0 {
							b.ReportMetric(flops/cpu.Seconds()/1e9, "GFLOP/cpu-s")
						}
					}
				})
			}
		}
	}
}
