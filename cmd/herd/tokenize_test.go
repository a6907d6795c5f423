package main

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// tokenizeCLI runs the root command with args and stdin, returning stdout.
func tokenizeCLI(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	var out bytes.Buffer
	rootCmd.SetArgs(args)
	rootCmd.SetIn(strings.NewReader(stdin))
	rootCmd.SetOut(&out)
	defer func() {
		rootCmd.SetArgs(nil)
		rootCmd.SetIn(nil)
		rootCmd.SetOut(nil)
		tokenizeFlags.json, tokenizeFlags.noBOS, tokenizeFlags.special = false, false, false
	}()
	if err := rootCmd.Execute(); err != nil {
		t.Fatalf("herd %v: %v", args, err)
	}
	return out.String()
}

func TestTokenizeCommand(t *testing.T) {
	model := testdata.Path(t, "tiny-random", "llama-2-tiny-random.gguf")
	var got struct {
		IDs    []int    `json:"ids"`
		Pieces []string `json:"pieces"`
	}
	if err := json.Unmarshal([]byte(tokenizeCLI(t, "", "tokenize", "--json", model, "Hello world")), &got); err != nil {
		t.Fatal(err)
	}
	if want := []int{1, 15043, 3186}; !slices.Equal(got.IDs, want) {
		t.Errorf("ids %v, want %v", got.IDs, want)
	}
	if want := []string{"<s>", "▁Hello", "▁world"}; !slices.Equal(got.Pieces, want) {
		t.Errorf("pieces %q, want %q", got.Pieces, want)
	}
	text := tokenizeCLI(t, "Hello world", "tokenize", "--no-bos", model)
	if want := " 15043 \" Hello\"\n  3186 \" world\"\n"; text != want {
		t.Errorf("text output %q, want %q", text, want)
	}
	bpe := testdata.Path(t, "llama3", "tokenizer.json")
	special := tokenizeCLI(t, "", "tokenize", "--json", "--no-bos", "--special", bpe, "<|eot_id|>")
	if !strings.Contains(special, `"ids":[128009]`) {
		t.Errorf("--special: %s", special)
	}
}
