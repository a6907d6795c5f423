package train

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
)

func TestPretrainKJVShortRun(t *testing.T) {
	data, err := os.ReadFile(testdata.Path(t, "corpora", "kjv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	corpus := string(data[:200_000])
	pool := NewPool(0)
	defer pool.Close()
	cfg := PretrainConfig{Shape: "stories260k", VocabSize: 512, Seed: 1,
		Options: Options{Steps: 100, Batch: 4, Seq: 64, LR: 4e-3, MinLR: 2e-3, Warmup: 10, ClipNorm: 1, WeightDecay: 0.1, Seed: 1, EvalTokens: 4096}}
	p, err := NewPretraining(corpus, cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	first := math.NaN()
	if err := p.Trainer.Run(t.Context(), func(pr Progress) {
		if pr.Step == 1 {
			first = pr.Loss
		}
	}); err != nil {
		t.Fatal(err)
	}
	sample, err := p.Sample("And God said", 24)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("loss %.3f at step 1, validation %.3f (perplexity %.1f) after %d steps; sample: %q",
		first, p.Trainer.ValLoss, math.Exp(p.Trainer.ValLoss), p.Trainer.Step(), sample)
	if first < 5.5 {
		t.Errorf("first loss %.3f: an untrained model should be near ln(512) = 6.24", first)
	}
	if !(p.Trainer.ValLoss < 4.6) {
		t.Errorf("validation loss %.3f, want below 4.6", p.Trainer.ValLoss)
	}
	out := filepath.Join(t.TempDir(), "kjv.gguf")
	if err := p.Save(out); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if len(f.Tensors) != 2+9*5 {
		t.Errorf("%d tensors, want %d", len(f.Tensors), 2+9*5)
	}
	// The inference engine runs the written file and, greedy, continues a
	// prompt exactly as the training forward pass does.
	eng, err := engine.Load(out, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Close()
	prompt := p.Vocab.Encode("And the LORD spake unto Moses", true, false)
	res, err := eng.Generate(t.Context(), engine.GenerateRequest{Tokens: prompt, MaxTokens: 12, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want, err := p.Model.Greedy(prompt, 12, -1)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(res.Tokens) != fmt.Sprint(want) {
		t.Errorf("engine generates %v, training forward %v", res.Tokens, want)
	}
}
