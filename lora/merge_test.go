package lora_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/train"
	"github.com/herdllm/herd/weights"
)

// TestMergeEqualsRunTime: an adapter applied at run time changes the
// logits, and baking it into an F32 GGUF gives the same logits.
func TestMergeEqualsRunTime(t *testing.T) {
	dir := t.TempDir()
	a := openAdapter(t, writeAdapter(t, dir, 1, train.AllLoRATargets))
	if len(a.Targets) != 5*7 || a.Alpha != 8 || a.Architecture != "llama" {
		t.Fatalf("adapter: %d targets, alpha %v, arch %q", len(a.Targets), a.Alpha, a.Architecture)
	}
	base := logits(t, baseBin(t))
	run := logits(t, baseBin(t), lora.Scaled{Adapter: a, Scale: 1})
	if d := maxDiff(base, run); d < 0.05 {
		t.Fatalf("the adapter changes the logits by only %g", d)
	}
	out := merge(t, baseBin(t), filepath.Join(dir, "merged.gguf"), lora.MergeOptions{}, lora.Scaled{Adapter: a, Scale: 1})
	merged := logits(t, out)
	if d := maxDiff(run, merged); d > 1e-3 {
		t.Errorf("merged F32 model differs from run-time adapter by %g", d)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, ok := f.Meta.Get("tokenizer.ggml.tokens"); !ok {
		t.Error("merged llama2.c base has no vocabulary")
	}
	for _, ti := range f.Tensors {
		if ti.Type != tensor.F32 {
			t.Errorf("%s is %v, want F32 as in the base", ti.Name, ti.Type)
		}
	}
}

// TestScaleZeroIsBase: scale 0 leaves the model as it was.
func TestScaleZeroIsBase(t *testing.T) {
	a := openAdapter(t, writeAdapter(t, t.TempDir(), 2, nil))
	if d := maxDiff(logits(t, baseBin(t)), logits(t, baseBin(t), lora.Scaled{Adapter: a, Scale: 0})); d != 0 {
		t.Errorf("scale 0 changes the logits by %g", d)
	}
}

// TestTwoAdapters applies two adapters with their own scales at once, at
// run time and merged, and checks the scales matter.
func TestTwoAdapters(t *testing.T) {
	dir := t.TempDir()
	a := openAdapter(t, writeAdapter(t, dir, 3, nil))
	b := openAdapter(t, writeAdapter(t, dir, 4, []string{"attn_v", "ffn_down", "ffn_up"}))
	both := []lora.Scaled{{Adapter: a, Scale: 0.7}, {Adapter: b, Scale: -1.3}}
	run := logits(t, baseBin(t), both...)
	if d := maxDiff(run, logits(t, baseBin(t), both[0])); d < 0.01 {
		t.Fatalf("the second adapter changes the logits by only %g", d)
	}
	if d := maxDiff(run, logits(t, baseBin(t), lora.Scaled{Adapter: a, Scale: 1}, both[1])); d < 0.01 {
		t.Fatalf("the first adapter's scale changes the logits by only %g", d)
	}
	merged := logits(t, merge(t, baseBin(t), filepath.Join(dir, "merged.gguf"), lora.MergeOptions{}, both...))
	if d := maxDiff(run, merged); d > 1e-3 {
		t.Errorf("merged model differs from the two run-time adapters by %g", d)
	}
}

// TestMergeQ8_0 re-quantizes while merging: matrices become Q8_0 except the
// 172-wide ffn_down rows, which keep their type; the model stays close to
// the run-time adapter.
func TestMergeQ8_0(t *testing.T) {
	dir := t.TempDir()
	a := openAdapter(t, writeAdapter(t, dir, 5, train.AllLoRATargets))
	s := lora.Scaled{Adapter: a, Scale: 1}
	out := merge(t, baseBin(t), filepath.Join(dir, "q8.gguf"), lora.MergeOptions{Retype: true, Type: tensor.Q8_0}, s)
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ft, _ := f.Meta.Uint("general.file_type"); ft != 7 {
		t.Errorf("general.file_type = %d, want 7 (Q8_0)", ft)
	}
	for _, ti := range f.Tensors {
		want := tensor.Q8_0
		if len(ti.Shape) == 1 || ti.Shape[0]%32 != 0 {
			want = tensor.F32
		}
		if ti.Type != want {
			t.Errorf("%s %v is %v, want %v", ti.Name, ti.Shape, ti.Type, want)
		}
	}
	closeToAdapted(t, logits(t, baseBin(t)), logits(t, baseBin(t), s), logits(t, out), q8Error(t))
}

// TestMergeKeepsQuantizedTypes bakes an adapter into a Q8_0 GGUF base: the
// adapted weights are quantized again to Q8_0 and the result follows the
// run-time adapter on that base.
func TestMergeKeepsQuantizedTypes(t *testing.T) {
	dir := t.TempDir()
	base := testdata.Path(t, "stories260K", "stories260K-q8_0.gguf")
	a := openAdapter(t, writeAdapter(t, dir, 6, nil))
	s := lora.Scaled{Adapter: a, Scale: 1}
	out := merge(t, base, filepath.Join(dir, "merged.gguf"), lora.MergeOptions{}, s)
	in, err := gguf.Open(base)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, ti := range in.Tensors {
		got, ok := f.Tensor(ti.Name)
		if !ok || got.Type != ti.Type {
			t.Errorf("%s: %v, want type %v", ti.Name, got, ti.Type)
		}
	}
	closeToAdapted(t, logits(t, base), logits(t, base, s), logits(t, out), q8Error(t))
}

// TestMergeHuggingFaceBase merges into the Hugging Face copy of the same
// weights: the result equals the adapter on the llama2.c checkpoint, and
// carries the vocabulary found beside the checkpoint.
func TestMergeHuggingFaceBase(t *testing.T) {
	dir := t.TempDir()
	hf := testdata.Path(t, "stories260K", "hf")
	a := openAdapter(t, writeAdapter(t, dir, 8, nil))
	s := lora.Scaled{Adapter: a, Scale: 1}
	out := merge(t, hf, filepath.Join(dir, "merged.gguf"), lora.MergeOptions{}, s)
	if d := maxDiff(logits(t, baseBin(t), s), logits(t, out)); d > 1e-3 {
		t.Errorf("merged Hugging Face base differs from the run-time adapter by %g", d)
	}
}

// closeToAdapted checks that a quantized merge lands near the run-time
// adapter on the same base: within twice the error quantization itself
// causes on this model (quantErr: the quantized base against the float32
// one), and closer to the adapted model than to the unadapted base.
func closeToAdapted(t *testing.T, base, run, merged [][]float32, quantErr float64) {
	t.Helper()
	d, fromBase := maxDiff(run, merged), maxDiff(base, merged)
	t.Logf("merged vs run-time %.3f, vs base %.3f; quantization error %.3f", d, fromBase, quantErr)
	if d > 2*quantErr || d >= fromBase {
		t.Errorf("quantized merge differs from the run-time adapter by %g (from the base by %g, quantization error %g)", d, fromBase, quantErr)
	}
}

// q8Error is how far the Q8_0 encoding of stories260K moves its logits.
func q8Error(t *testing.T) float64 {
	return maxDiff(logits(t, baseBin(t)), logits(t, testdata.Path(t, "stories260K", "stories260K-q8_0.gguf")))
}

// TestRetypeStackedMatrices re-quantizes a 3-D tensor (stacked expert
// matrices) row by row and leaves vectors alone.
func TestRetypeStackedMatrices(t *testing.T) {
	vals := make([]float32, 64*3*2)
	for i := range vals {
		vals[i] = float32(i%13) / 13
	}
	data := make([]byte, 4*len(vals))
	if err := tensor.Quantize(tensor.F32, vals, data); err != nil {
		t.Fatal(err)
	}
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "llama")
	f := weights.NewFile("experts", "gguf", meta, []*weights.Tensor{
		{Name: "blk.0.ffn_up_exps.weight", Type: tensor.F32, Shape: []uint64{64, 3, 2}, Data: data},
		{Name: "blk.0.ffn_norm.weight", Type: tensor.F32, Shape: []uint64{64}, Data: data[:256]},
	})
	_, ts, err := lora.Merge(f, nil, lora.MergeOptions{Retype: true, Type: tensor.Q8_0})
	if err != nil {
		t.Fatal(err)
	}
	if ts[0].Type != tensor.Q8_0 || ts[1].Type != tensor.F32 {
		t.Fatalf("types %v %v, want Q8_0 and F32", ts[0].Type, ts[1].Type)
	}
	got := make([]byte, 12*34)
	if err := ts[0].Fill(got); err != nil {
		t.Fatal(err)
	}
	want := make([]byte, 12*34)
	if err := tensor.Quantize(tensor.Q8_0, vals, want); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Error("stacked matrices re-quantized differently from a plain Q8_0 quantization")
	}
}
