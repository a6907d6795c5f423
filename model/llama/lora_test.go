package llama

import (
	"math"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/weights"
)

// mergedFile returns f with the adapters baked into its tensors (by
// lora.Merge), in memory.
func mergedFile(t *testing.T, f *weights.File, adapters []lora.Scaled) *weights.File {
	t.Helper()
	meta, ts, err := lora.Merge(f, adapters, lora.MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var tensors []*weights.Tensor
	for _, w := range ts {
		data := w.Data
		if w.Fill != nil {
			n, err := w.Type.Bytes(w.Shape)
			if err != nil {
				t.Fatal(err)
			}
			data = make([]byte, n)
			if err := w.Fill(data); err != nil {
				t.Fatal(err)
			}
		}
		tensors = append(tensors, &weights.Tensor{Name: w.Name, Type: w.Type, Shape: w.Shape, Data: data})
	}
	return weights.NewFile(f.Path+" (merged)", "gguf", meta, tensors)
}

// allLogits runs a short prompt (one batch, then one more token) and
// returns every position's logits.
func allLogits(t *testing.T, f *weights.File, adapters []lora.Scaled) [][]float32 {
	t.Helper()
	m, err := model.New(f, model.Options{LoRA: adapters})
	if err != nil {
		t.Fatal(err)
	}
	ids := []int{1, 403, 407, 261, 378, 429, 280}
	c := m.NewCache(16)
	batch := make([]model.Token, len(ids))
	want := make([]bool, len(ids))
	for i, id := range ids {
		batch[i], want[i] = model.Token{ID: id, Pos: i}, true
	}
	out, err := m.Forward(c, batch, want)
	if err != nil {
		t.Fatal(err)
	}
	next, err := m.Forward(c, []model.Token{{ID: 300, Pos: len(ids)}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, next[0])
}

// TestLoRAEveryProjection: an adapter on every projection of every block
// changes the logits, and equals the same adapter merged into the weights
// (so each projection of the forward pass applies its update).
func TestLoRAEveryProjection(t *testing.T) {
	f, err := weights.Open(testdata.Path(t, "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ad := randomAdapter(t, f, 5, 4)
	for _, kind := range loraNames {
		// One projection at a time, so a missing hook cannot hide.
		one := &lora.Adapter{Path: "random " + kind, Architecture: "llama", Alpha: 4}
		for _, tg := range ad.Targets {
			if tg.Name == "blk.2."+kind+".weight" {
				one.Targets = append(one.Targets, tg)
			}
		}
		adapters := []lora.Scaled{{Adapter: one, Scale: 20}}
		base, run := allLogits(t, f, nil), allLogits(t, f, adapters)
		merged := allLogits(t, mergedFile(t, f, adapters), nil)
		moved, diff := 0.0, 0.0
		for i := range run {
			for j := range run[i] {
				moved = math.Max(moved, math.Abs(float64(run[i][j]-base[i][j])))
				diff = math.Max(diff, math.Abs(float64(run[i][j]-merged[i][j])))
			}
		}
		if moved < 1e-2 {
			t.Errorf("%s: the adapter moves the logits by only %g", kind, moved)
		}
		if diff > 1e-3 {
			t.Errorf("%s: run-time adapter and merged weights differ by %g", kind, diff)
		}
	}
}
