package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// runHerd runs the herd command line with args and returns its output.
func runHerd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetOut(&out)
	rootCmd.SetErr(&out)
	rootCmd.SetArgs(args)
	t.Cleanup(func() {
		showFlags.json, showFlags.tensors, showFlags.tokenizer = false, false, ""
		rootCmd.SetOut(nil)
		rootCmd.SetErr(nil)
		rootCmd.SetArgs(nil)
	})
	err := rootCmd.Execute()
	return out.String(), err
}

func TestShowJSON(t *testing.T) {
	out, err := runHerd(t, "show", "--json", testdata.Path(t, "stories260K", "stories260K-f32.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	var s struct {
		Architecture string `json:"architecture"`
		BlockCount   int    `json:"block_count"`
		HeadCount    int    `json:"head_count"`
		HeadCountKV  int    `json:"head_count_kv"`
		VocabSize    int    `json:"vocab_size"`
		Tensors      []struct {
			Name  string   `json:"name"`
			Type  string   `json:"type"`
			Shape []uint64 `json:"shape"`
			Bytes int64    `json:"bytes"`
		} `json:"tensors"`
	}
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if s.Architecture != "llama" || s.BlockCount != 5 || s.HeadCount != 8 || s.HeadCountKV != 4 || s.VocabSize != 512 {
		t.Errorf("summary %+v", s)
	}
	if len(s.Tensors) != 48 || s.Tensors[0].Name != "token_embd.weight" || s.Tensors[0].Bytes != 64*512*4 {
		t.Errorf("%d tensors, first %+v", len(s.Tensors), s.Tensors[0])
	}
}

func TestShowText(t *testing.T) {
	out, err := runHerd(t, "show", "--tensors", testdata.Path(t, "vocab", "ggml-vocab-llama-bpe.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"size           128256", "gpt2 (byte-level BPE)", "Tensors by type"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	out, err = runHerd(t, "show", testdata.Path(t, "stories260K", "stories260K.bin"))
	if err != nil || !strings.Contains(out, "KV heads             4") || !strings.Contains(out, "context length       512") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
}

// TestShowTokenizer checks that checkpoints without a vocabulary are
// described with the tokenizer beside them or the one named.
func TestShowTokenizer(t *testing.T) {
	out, err := runHerd(t, "show", testdata.Path(t, "stories260K", "hf"))
	if err != nil || !strings.Contains(out, `BOS            1 "<s>"`) || !strings.Contains(out, "llama (SentencePiece)") {
		t.Errorf("err %v, output:\n%s", err, out)
	}
	out, err = runHerd(t, "show", "--tokenizer", testdata.Path(t, "stories260K", "tok512.bin"), testdata.Path(t, "stories260K", "stories260K.bin"))
	if err != nil || !strings.Contains(out, `EOS            2 "</s>"`) {
		t.Errorf("err %v, output:\n%s", err, out)
	}
	if _, err := runHerd(t, "show", "--tokenizer", "/nonexistent/tokenizer.model", testdata.Path(t, "stories260K", "stories260K.bin")); err == nil {
		t.Error("a missing --tokenizer did not fail")
	}
}

func TestShowMissingFile(t *testing.T) {
	if _, err := runHerd(t, "show", "/nonexistent/model.gguf"); err == nil {
		t.Error("show of a missing file succeeded")
	}
}
