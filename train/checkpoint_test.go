package train

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tokenizer"
)

func tinyStream() *Stream {
	ids := make([]int, 300)
	for i := range ids {
		ids[i] = (i*5 + i/7) % 11
	}
	return &Stream{IDs: ids}
}

func TestCheckpointResumeIsExact(t *testing.T) {
	opts := Options{Steps: 10, Batch: 2, Seq: 8, Accum: 1, LR: 1e-2, Warmup: 2, ClipNorm: 1, Seed: 3, WeightDecay: 0.1}
	data := tinyStream()
	straight, _ := NewModel(tinyConfig, 9, nil)
	tr, err := NewTrainer(straight, opts, data, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}

	path := filepath.Join(t.TempDir(), "ckpt.gguf")
	first, _ := NewModel(tinyConfig, 9, nil)
	tr1, _ := NewTrainer(first, opts, data, nil)
	ctx, cancel := context.WithCancel(context.Background())
	if err := tr1.Run(ctx, func(p Progress) {
		if p.Step == 4 {
			cancel()
		}
	}); err != context.Canceled {
		t.Fatalf("interrupted run returned %v", err)
	}
	meta, ts, err := first.GGUF("tiny", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr1.SaveCheckpoint(path, meta, ts); err != nil {
		t.Fatal(err)
	}

	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := ConfigOfGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	resumed, err := LoadModel(c, GGUFSource(f), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	saved, err := CheckpointOptions(f)
	if err != nil || saved != opts {
		t.Fatalf("checkpoint options %+v (%v), want %+v", saved, err, opts)
	}
	tr2, _ := NewTrainer(resumed, saved, data, nil)
	if err := tr2.Restore(f); err != nil {
		t.Fatal(err)
	}
	if tr2.Step() != 4 {
		t.Fatalf("resumed at step %d, want 4", tr2.Step())
	}
	if err := tr2.Run(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	for i, p := range straight.Tensors() {
		q := resumed.Tensors()[i]
		for j := range p.W {
			if p.W[j] != q.W[j] {
				t.Fatalf("%s[%d]: resumed %v, straight %v", p.Name, j, q.W[j], p.W[j])
			}
		}
	}
}

func TestSavedModelReloads(t *testing.T) {
	v, err := TrainTokenizer(strings.Repeat(tinyCorpus, 3), TokenizerOptions{VocabSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	c := tinyConfig
	c.Vocab = v.Size()
	c.TiedOutput = false
	m, _ := NewModel(c, 5, nil)
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := m.SaveGGUF(path, "tiny", v); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, k := range []string{"general.architecture", "llama.block_count", "llama.context_length", "llama.embedding_length",
		"llama.feed_forward_length", "llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count",
		"llama.attention.layer_norm_rms_epsilon", "llama.rope.freq_base", "tokenizer.ggml.model", "tokenizer.ggml.tokens",
		"tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id"} {
		if _, ok := f.Meta.Get(k); !ok {
			t.Errorf("key %s missing", k)
		}
	}
	ti, ok := f.Tensor("blk.1.ffn_down.weight")
	if !ok || ti.Shape[0] != uint64(c.Hidden) || ti.Shape[1] != uint64(c.Dim) {
		t.Fatalf("ffn_down shape %v, want [%d %d]", ti.Shape, c.Hidden, c.Dim)
	}
	back, err := LoadModel(c, GGUFSource(f), false, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens := []int{1, 5, 9, 2}
	a, _ := m.Logits(tokens)
	b, _ := back.Logits(tokens)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("logit %d: %v after reload, %v before", i, b[i], a[i])
		}
	}
	// The runtime's tokenizer reads the written vocabulary and splits text as Vocab.Encode does.
	tok, err := tokenizer.FromGGUF(f.Meta)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"The little robot said: \"Hello, sun!\"", "Once upon a time there was a cat.\nzebra ✓ ü"} {
		want := v.Encode(s, true, false)
		got := tok.Encode(s, true, false)
		if len(got) != len(want) {
			t.Fatalf("%q: runtime tokenizer %v, trainer %v", s, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%q: runtime tokenizer %v, trainer %v", s, got, want)
			}
		}
	}
}
