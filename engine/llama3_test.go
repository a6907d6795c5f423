package engine

import (
	"context"
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// TestTinyLlama3 runs the Llama 3 vocabulary model end to end: its text
// prompt tokenizes to llama.cpp's ids and greedy generation from the text
// reproduces llama.cpp's tokens (the margins of plain_hello's first steps
// are above 0.03, far above this engine's 1e-6 error on it).
func TestTinyLlama3(t *testing.T) {
	var g struct {
		Models []struct {
			File  string `json:"file"`
			Cases []struct {
				Name       string `json:"name"`
				PromptText string `json:"prompt_text"`
				PromptIDs  []int  `json:"prompt_ids"`
				Generated  []int  `json:"generated"`
			} `json:"cases"`
		} `json:"models"`
	}
	loadJSON(t, testdata.Path(t, "synthetic", "golden-llamacpp.json"), &g)
	m, err := Load(testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"), Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	for _, mdl := range g.Models {
		if mdl.File != "tiny-llama3-Q8_0.gguf" {
			continue
		}
		for _, c := range mdl.Cases {
			if c.Name != "plain_hello" {
				continue
			}
			if got := m.Tokenize(c.PromptText, true, true); !slices.Equal(got, c.PromptIDs) {
				t.Errorf("prompt tokens %v, want %v", got, c.PromptIDs)
			}
			res, err := m.Generate(context.Background(), GenerateRequest{Prompt: c.PromptText, MaxTokens: 8, IgnoreEOG: true}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(res.Tokens, c.Generated[:8]) {
				t.Errorf("generated %v, want %v", res.Tokens, c.Generated[:8])
			}
			return
		}
	}
	t.Fatal("plain_hello case missing")
}
