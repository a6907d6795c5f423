package lora_test

import (
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/model"
	_ "github.com/herdllm/herd/model/llama"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/train"
	"github.com/herdllm/herd/weights"
)

// baseBin is the llama2.c stories260K checkpoint.
func baseBin(t *testing.T) string { return testdata.Path(t, "stories260K", "stories260K.bin") }

// writeAdapter trains nothing: it attaches rank-4 adapters to the targets
// of the stories260K base with the train package, fills B with random
// values (a fresh adapter has B = 0) and saves it in llama.cpp's layout.
func writeAdapter(t *testing.T, dir string, seed uint64, targets []string) string {
	t.Helper()
	m, f, err := train.OpenBase(baseBin(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.AddLoRA(train.LoRAOptions{Rank: 4, Alpha: 8, Targets: targets}, seed); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 7))
	for _, p := range m.Adapters() {
		for i := range p.LoRA.B.W {
			p.LoRA.B.W[i] = float32(rng.NormFloat64() * 0.2)
		}
	}
	path := filepath.Join(dir, "adapter-"+string(rune('a'+seed%26))+".gguf")
	if err := m.SaveAdapter(path, "test adapter", nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// openAdapter reads an adapter file or fails the test.
func openAdapter(t *testing.T, path string) *lora.Adapter {
	t.Helper()
	a, err := lora.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// testIDs is a short prompt of stories260K token ids.
var testIDs = []int{1, 403, 407, 261, 378, 429, 280, 300, 49, 300, 411}

// logits runs testIDs through the model at path with the adapters applied
// at run time and returns every position's logits.
func logits(t *testing.T, path string, adapters ...lora.Scaled) [][]float32 {
	t.Helper()
	f, err := weights.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := model.New(f, model.Options{LoRA: adapters})
	if err != nil {
		t.Fatal(err)
	}
	c := m.NewCache(len(testIDs))
	batch := make([]model.Token, len(testIDs))
	want := make([]bool, len(testIDs))
	for i, id := range testIDs {
		batch[i] = model.Token{ID: id, Pos: i}
		want[i] = true
	}
	out, err := m.Forward(c, batch, want)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// maxDiff returns the largest absolute difference between two logit sets.
func maxDiff(a, b [][]float32) float64 {
	d := 0.0
	for i := range a {
		for j := range a[i] {
			d = math.Max(d, math.Abs(float64(a[i][j]-b[i][j])))
		}
	}
	return d
}

// merge writes base with the adapters baked in to dir/name and returns its
// path.
func merge(t *testing.T, base, out string, opts lora.MergeOptions, adapters ...lora.Scaled) string {
	t.Helper()
	f, err := weights.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.Meta.Get("tokenizer.ggml.tokens"); !ok {
		tok, err := tokenizer.FindBeside(base)
		if err != nil {
			t.Fatal(err)
		}
		opts.Vocab = tok
	}
	meta, ts, err := lora.Merge(f, adapters, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := gguf.WriteFile(out, meta, ts); err != nil {
		t.Fatal(err)
	}
	return out
}
