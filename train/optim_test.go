package train

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
)

func TestAdamWMatchesReference(t *testing.T) {
	p := &Param{Rows: 2, Cols: 3, W: []float32{0.5, -1, 2, 0, 0.1, -0.3}, G: make([]float32, 6)}
	v := &Param{Rows: 1, Cols: 2, W: []float32{1, 1}, G: make([]float32, 2)}
	ps := []*Param{p, v}
	o := NewAdamW(ps, 0.1)
	ref := [][]float64{to64(p.W), to64(v.W)}
	m := [][]float64{make([]float64, 6), make([]float64, 2)}
	s := [][]float64{make([]float64, 6), make([]float64, 2)}
	rng := rand.New(rand.NewPCG(1, 1))
	for step := 1; step <= 5; step++ {
		lr := 0.01 * float64(step)
		for i, q := range ps {
			for j := range q.G {
				q.G[j] = float32(rng.NormFloat64())
				g := float64(q.G[j])
				m[i][j] = 0.9*m[i][j] + 0.1*g
				s[i][j] = 0.95*s[i][j] + 0.05*g*g
				mh := m[i][j] / (1 - math.Pow(0.9, float64(step)))
				vh := s[i][j] / (1 - math.Pow(0.95, float64(step)))
				decay := 1.0
				if q.Rows > 1 {
					decay = 1 - lr*0.1
				}
				ref[i][j] = ref[i][j]*decay - lr*mh/(math.Sqrt(vh)+1e-8)
			}
		}
		o.Update(nil, ps, lr)
	}
	for i, q := range ps {
		if e := relErr(q.W, ref[i]); e > 1e-5 {
			t.Errorf("param %d: relative error %g: %v vs %v", i, e, q.W, ref[i])
		}
	}
}

func TestSchedule(t *testing.T) {
	s := Schedule{Max: 1e-3, Min: 1e-4, Warmup: 9, Total: 109}
	for _, c := range []struct {
		step int
		want float64
	}{{0, 1e-4}, {4, 5e-4}, {9, 1e-3}, {59, 5.5e-4}, {109, 1e-4}, {500, 1e-4}} {
		if got := s.At(c.step); math.Abs(got-c.want) > 1e-9 {
			t.Errorf("At(%d) = %g, want %g", c.step, got, c.want)
		}
	}
	for i := 10; i < 109; i++ {
		if s.At(i) > s.At(i-1) {
			t.Fatalf("learning rate rises after warm-up at step %d", i)
		}
	}
}

func TestClipGradNorm(t *testing.T) {
	ps := []*Param{{G: []float32{3, 0}}, {G: []float32{0, 4}}}
	if n := ClipGradNorm(ps, 1); n != 5 {
		t.Fatalf("norm %v, want 5", n)
	}
	if n := ClipGradNorm(ps, 0); math.Abs(n-1) > 1e-6 {
		t.Fatalf("norm after clipping %v, want 1", n)
	}
	if ps[0].G[0] != 0.6 || ps[1].G[1] != 0.8 {
		t.Fatalf("clipped gradients %v %v", ps[0].G, ps[1].G)
	}
}

func TestGradientAccumulationEqualsBigBatch(t *testing.T) {
	c := tinyConfig
	tokens := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2}
	targets := []int{2, 3, 4, 5, 6, 7, 8, 9, 10, 1, 2, 3}
	m, _ := NewModel(c, 3, nil)
	m.ZeroGrad()
	if _, err := m.Step(tokens, targets, 2, 6, 1); err != nil {
		t.Fatal(err)
	}
	var whole [][]float32
	for _, p := range m.Params() {
		whole = append(whole, append([]float32(nil), p.G...))
	}
	m.ZeroGrad()
	for h := 0; h < 2; h++ {
		if _, err := m.Step(tokens[h*6:h*6+6], targets[h*6:h*6+6], 1, 6, 0.5); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range m.Params() {
		if e := relErr(p.G, to64(whole[i])); e > 1e-5 {
			t.Errorf("%s: accumulated gradient differs by %g", p.Name, e)
		}
	}
}

func TestTrainerSeededAndLearns(t *testing.T) {
	ids := make([]int, 400)
	for i := range ids {
		ids[i] = (i*7 + i/5) % 11
	}
	run := func() []float64 {
		m, _ := NewModel(tinyConfig, 42, NewPool(2))
		opts := Options{Steps: 60, Batch: 4, Seq: 8, Accum: 2, LR: 3e-2, MinLR: 3e-3, Warmup: 5, ClipNorm: 1, Seed: 7, EvalEvery: 30}
		tr, err := NewTrainer(m, opts, &Stream{IDs: ids[:300]}, &Stream{IDs: ids[300:]})
		if err != nil {
			t.Fatal(err)
		}
		var losses []float64
		if err := tr.Run(context.Background(), func(p Progress) { losses = append(losses, p.Loss, p.ValLoss) }); err != nil {
			t.Fatal(err)
		}
		return losses
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] && !(math.IsNaN(a[i]) && math.IsNaN(b[i])) {
			t.Fatalf("same seed, different run: %v vs %v at %d", a[i], b[i], i)
		}
	}
	first, last := a[0], a[len(a)-1]
	if !(last < first/3) {
		t.Errorf("validation loss %v not well below the first training loss %v", last, first)
	}
}
