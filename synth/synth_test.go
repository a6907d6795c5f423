package synth

import (
	"context"
	"os"

	"bytes"
	"github.com/herdllm/herd/engine"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

func TestWriteOpensWithEveryMix(t *testing.T) {
	s := Shapes["stories260k"]
	s.FFN = 256 // whole K-quant blocks, so the K mixes keep their types
	for name, m := range Mixes {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "m.gguf")
			if err := WriteFile(path, s, m, 1); err != nil {
				t.Fatal(err)
			}
			f, err := weights.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if got := len(f.Tensors); got != 2+9*s.Layers {
				t.Errorf("%d tensors, want %d", got, 2+9*s.Layers)
			}
			emb, ok := f.Tensor("token_embd.weight")
			if !ok {
				t.Fatal("no token_embd.weight")
			}
			want := m.Base
			if !m.Pure {
				want = tensor.Q6_K // tied: the embedding is the output head
				if s.Dim%256 != 0 {
					want = tensor.Q8_0
				}
			}
			if emb.Type != want {
				t.Errorf("token_embd is %s, want %s", emb.Type, want)
			}
			if n, _ := f.Meta.Uint("llama.block_count"); n != uint64(s.Layers) {
				t.Errorf("block_count %d", n)
			}
			if toks, _ := f.Meta.Strings("tokenizer.ggml.tokens"); len(toks) != s.Vocab {
				t.Errorf("%d tokens, want %d", len(toks), s.Vocab)
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	s := Shapes["stories260k"]
	write := func(seed uint64) []byte {
		meta, ts, err := Model(s, Mixes["Q8_0"], seed)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := gguf.Write(&buf, meta, ts); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	a, b, c := write(7), write(7), write(8)
	if !bytes.Equal(a, b) {
		t.Error("same seed gave different files")
	}
	if bytes.Equal(a, c) {
		t.Error("different seeds gave the same file")
	}
}

func TestParams(t *testing.T) {
	// TinyLlama 1.1B has 1,100,048,384 parameters.
	if got := Shapes["tinyllama-1.1b"].Params(); got != 1100048384 {
		t.Errorf("tinyllama params %d", got)
	}
	// Llama 3.2 1B (tied) has 1,235,814,400.
	if got := Shapes["llama-3.2-1b"].Params(); got != 1235814400 {
		t.Errorf("llama-3.2-1b params %d", got)
	}
}

func TestRopeFreqsMatchLlama31(t *testing.T) {
	// tiny-llama3 in the shared test data stores these for base 500000,
	// head width 16, factor 8.
	want := []float32{1, 1, 1, 1, 2.69453, 8, 8, 8}
	got := weights.Llama3Scaling{Factor: 8, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 8192}.RopeFreqs(500000, 16)
	for i := range want {
		if d := got[i] - want[i]; d > 1e-4 || d < -1e-4 {
			t.Fatalf("rope_freqs %v, want %v", got, want)
		}
	}
}

func TestLookup(t *testing.T) {
	if _, err := LookupShape("TinyLlama-1.1B"); err != nil {
		t.Error(err)
	}
	if _, err := LookupShape("nope"); err == nil {
		t.Error("unknown shape accepted")
	}
	if _, err := LookupMix("q4_k_m"); err != nil {
		t.Error(err)
	}
	if _, err := LookupMix("Q1"); err == nil {
		t.Error("unknown type accepted")
	}
}

func TestRunsInEngine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := WriteFile(path, Shapes["stories260k"], Mixes["Q4_K_M"], 3); err != nil {
		t.Fatal(err)
	}
	m, err := engine.Load(path, engine.Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	res, err := m.Generate(context.Background(), engine.GenerateRequest{Prompt: "Once upon a time", MaxTokens: 8, IgnoreEOG: true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tokens) != 8 {
		t.Errorf("generated %d tokens, want 8", len(res.Tokens))
	}
}

func TestCached(t *testing.T) {
	dir := t.TempDir()
	s := Shapes["stories260k"]
	p1, err := Cached(dir, s, Mixes["Q8_0"])
	if err != nil {
		t.Fatal(err)
	}
	st1, _ := os.Stat(p1)
	p2, err := Cached(dir, s, Mixes["Q8_0"])
	if err != nil || p2 != p1 {
		t.Fatalf("second call: %q, %v", p2, err)
	}
	st2, _ := os.Stat(p2)
	if !st1.ModTime().Equal(st2.ModTime()) {
		t.Error("cached model was rewritten")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files in the cache, want 1", len(entries))
	}
}
