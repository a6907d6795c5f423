package train

import (
	"math/rand/v2"
	"testing"
)

// benchStep measures optimizer steps of a freshly initialised model of the
// given shape on random tokens and reports tokens/s, the GFLOP/s that
// FLOPs/token (6·params plus attention) implies, and their share of the
// machine's float32 peak as BenchmarkPeakFMA measures it (pct-peak).
func benchStep(b *testing.B, shape string, vocab, batch, seq int) {
	c, err := Shape(shape, vocab)
	if err != nil {
		b.Fatal(err)
	}
	pool := NewPool(0)
	defer pool.Close()
	m, err := NewModel(c, 1, pool)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ids := make([]int, 1<<14)
	for i := range ids {
		ids[i] = rng.IntN(vocab)
	}
	tr, err := NewTrainer(m, Options{Steps: 1 << 30, Batch: batch, Seq: seq, LR: 1e-4}, &Stream{IDs: ids}, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, err := tr.TrainStep(); err != nil { // allocate the workspace
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		if _, _, err := tr.TrainStep(); err != nil {
			b.Fatal(err)
		}
	}
	tokens := float64(b.N * batch * seq)
	tps := tokens / b.Elapsed().Seconds()
	flops := 6*float64(m.ParamCount()) + 6*float64(c.Layers*seq*c.Dim) // causal attention: 3 passes × 2 matmuls × T/2 × dim
	b.ReportMetric(tps, "tokens/s")
	b.ReportMetric(tps*flops/1e9, "GFLOP/s")
	peak := peakGFLOPS(pool.Threads())
	if peak > 0 {
		b.ReportMetric(peak, "peak-GFLOP/s")
		b.ReportMetric(100*tps*flops/1e9/peak, "pct-peak")
	}
	// On a shared machine wall time overstates the cost; per CPU-second of
	// this process it does not. cpu-pct-peak is that rate's share of one
	// core's peak: what pct-peak would be with every core free.
	if cpu := cpuTime() - cpu0; cpu > 0 {
		tpc := tokens / cpu.Seconds()
		b.ReportMetric(tpc, "tokens/cpu-s")
		if peak > 0 {
			b.ReportMetric(100*tpc*flops/1e9/(peak/float64(pool.Threads())), "cpu-pct-peak")
		}
	}
}

func BenchmarkTrainStep15M(b *testing.B)         { benchStep(b, "15m", 32000, 4, 256) }
func BenchmarkTrainStepStories260K(b *testing.B) { benchStep(b, "stories260k", 512, 8, 256) }
