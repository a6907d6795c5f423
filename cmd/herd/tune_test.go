package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
)

const trainCorpus = `Once upon a time there was a little robot named Zorbit. Zorbit liked the sun.

Zorbit said: "Hello, sun!" Then the robot went home, happy.

Once upon a time there was a cat. The cat liked Zorbit the robot.
`

func writeCorpus(t *testing.T, n int) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "corpus.txt")
	if err := os.WriteFile(p, []byte(strings.Repeat(trainCorpus+"\n", n)), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTrainTokenizerCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tok.gguf")
	msg, err := runHerd(t, "train-tokenizer", "--vocab", "300", "-o", out, writeCorpus(t, 3))
	if err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if toks, _ := f.Meta.Strings("tokenizer.ggml.tokens"); len(toks) != 300 {
		t.Errorf("%d tokens, want 300", len(toks))
	}
}

func TestTrainCommand(t *testing.T) {
	out := filepath.Join(t.TempDir(), "m.gguf")
	msg, err := runHerd(t, "train", "--shape", "stories260k", "--data", writeCorpus(t, 20), "--tokenizer-vocab", "300",
		"--steps", "4", "--batch", "2", "--ctx", "32", "--sample", "Zorbit", "-o", out)
	if err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	if !strings.Contains(msg, "validation loss") || !strings.Contains(msg, "sample: Zorbit") {
		t.Errorf("output lacks the loss report or the sample:\n%s", msg)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if n, _ := f.Meta.Uint("llama.block_count"); n != 5 {
		t.Errorf("llama.block_count %d, want 5", n)
	}
}

func TestTuneCommand(t *testing.T) {
	t.Cleanup(func() { tuneFlags.data = nil })
	out := filepath.Join(t.TempDir(), "adapter.gguf")
	msg, err := runHerd(t, "tune", testdata.Path(t, "stories260K", "stories260K.bin"),
		"--tokenizer", testdata.Path(t, "stories260K", "tok512.bin"), "--data", writeCorpus(t, 10),
		"--steps", "3", "--batch", "2", "--ctx", "32", "--rank", "4", "--alpha", "8", "--ffn", "-o", out)
	if err != nil {
		t.Fatalf("%v: %s", err, msg)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if typ, _ := f.Meta.String("adapter.type"); typ != "lora" {
		t.Errorf("adapter.type %q", typ)
	}
	if _, ok := f.Tensor("blk.2.ffn_down.weight.lora_b"); !ok {
		t.Error("--ffn adapters missing")
	}
	if !strings.Contains(msg, "validation loss") {
		t.Errorf("no validation loss reported:\n%s", msg)
	}
}
