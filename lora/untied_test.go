package lora_test

import (
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
)

// randomPair returns W.lora_a [in, rank] and W.lora_b [rank, out] of type
// typ with normal(0, std) values.
func randomPair(t testing.TB, rng *rand.Rand, name string, in, rank, out int, typ tensor.Type, std float64) []gguf.WriteTensor {
	t.Helper()
	var ts []gguf.WriteTensor
	for _, s := range [][3]any{{lora.SuffixA, in, rank}, {lora.SuffixB, rank, out}} {
		cols, rows := s[1].(int), s[2].(int)
		x := make([]float32, rows*cols)
		for i := range x {
			x[i] = float32(rng.NormFloat64() * std)
		}
		data := make([]byte, rows*int(typ.TypeSize())*cols/typ.BlockSize())
		if err := tensor.Quantize(typ, x, data); err != nil {
			t.Fatal(err)
		}
		ts = append(ts, gguf.WriteTensor{Name: name + s[0].(string), Shape: []uint64{uint64(cols), uint64(rows)}, Type: typ, Data: data})
	}
	return ts
}

// TestOutputHeadAdapter adapts the separate output head and two block
// projections of the synthetic tiny-k model with F16 factors and no alpha:
// the run-time adapter equals the F32 merge, and merging into the Q4_K
// encoding of the same model keeps Q4_K and stays close.
func TestOutputHeadAdapter(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(11, 12))
	meta := adapterMeta()
	meta.Delete("adapter.lora.alpha")
	var ts []gguf.WriteTensor
	ts = append(ts, randomPair(t, rng, "output.weight", 256, 8, 512, tensor.F16, 0.05)...)
	ts = append(ts, randomPair(t, rng, "blk.1.ffn_down.weight", 768, 8, 256, tensor.F16, 0.05)...)
	ts = append(ts, randomPair(t, rng, "blk.0.attn_k.weight", 256, 8, 128, tensor.F16, 0.05)...)
	path := filepath.Join(dir, "tiny-adapter.gguf")
	if err := gguf.WriteFile(path, meta, ts); err != nil {
		t.Fatal(err)
	}
	s := lora.Scaled{Adapter: openAdapter(t, path), Scale: 1.5}

	f32 := testdata.Path(t, "synthetic", "tiny-k-F32.gguf")
	base, run := logits(t, f32), logits(t, f32, s)
	if d := maxDiff(base, run); d < 0.05 {
		t.Fatalf("the adapter moves the logits by only %g", d)
	}
	merged := logits(t, merge(t, f32, filepath.Join(dir, "f32.gguf"), lora.MergeOptions{}, s))
	if d := maxDiff(run, merged); d > 1e-3 {
		t.Errorf("F32 merge differs from the run-time adapter by %g", d)
	}

	q4k := testdata.Path(t, "synthetic", "tiny-k-Q4_K.gguf")
	out := merge(t, q4k, filepath.Join(dir, "q4k.gguf"), lora.MergeOptions{}, s)
	g, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if ti, ok := g.Tensor("output.weight"); !ok || ti.Type != tensor.Q4_K {
		t.Errorf("merged output.weight: %+v, want Q4_K", ti)
	}
	closeToAdapted(t, logits(t, q4k), logits(t, q4k, s), logits(t, out), maxDiff(logits(t, f32), logits(t, q4k)))
}
