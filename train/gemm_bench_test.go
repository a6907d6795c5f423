package train

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// BenchmarkLinear times the three products of a linear layer over 1024
// tokens for the 15M model's matrix shapes, in GFLOP/s of wall time and
// per CPU-second (one core's rate, which other load does not lower).
func BenchmarkLinear(b *testing.B) {
	const n = 1024
	pool := NewPool(0)
	defer pool.Close()
	rng := rand.New(rand.NewPCG(3, 4))
	for _, sh := range [][2]int{{288, 288}, {768, 288}, {288, 768}, {32000, 288}} {
		out, in := sh[0], sh[1]
		w := to32(randVec(rng, out*in, 1))
		x := to32(randVec(rng, n*in, 1))
		dy := to32(randVec(rng, n*out, 1))
		y := make([]float32, n*out)
		dx := make([]float32, n*in)
		dw := make([]float32, out*in)
		flops := 2 * float64(n) * float64(in) * float64(out)
		run := func(name string, f func()) {
			b.Run(fmt.Sprintf("%s/%dx%d", name, out, in), func(b *testing.B) {
				cpu0 := cpuTime()
				for b.Loop() {
					f()
				}
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(flops*float64(b.N)/cpu.Seconds()/1e9, "GFLOP/cpu-s")
				}
			})
		}
		run("forward", func() { linearForward(pool, y, x, w, n, in, out) })
		run("input", func() { linearBackwardInput(pool, dx, dy, w, n, in, out) })
		run("weight", func() { linearBackwardWeight(pool, dw, dy, x, n, in, out) })
	}
}
