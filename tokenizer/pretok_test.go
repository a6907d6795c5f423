package tokenizer

import (
	"slices"
	"sync"
	"testing"
)

// TestPreTokenizerTable builds every pre-tokenizer in the table and checks
// that its words cover the text exactly, in order.
func TestPreTokenizerTable(t *testing.T) {
	texts := []string{"", "Hello, y'all! 3.14159 日本語 and 한국어\n\n  x\t😀 ", "\xff\xfe ab12", "end   "}
	for name, spec := range preTokenizers {
		split, err := buildSplitter(spec.patterns)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var b runeBuf
		var scratch []int
		for _, text := range texts {
			ends := split.split(&b, text, nil, &scratch)
			if text == "" {
				if len(ends) != 0 {
					t.Errorf("%s: words in empty text: %v", name, ends)
				}
				continue
			}
			if !slices.IsSorted(ends) || ends[len(ends)-1] != len(text) || slices.Contains(ends, 0) || len(slices.Compact(slices.Clone(ends))) != len(ends) {
				t.Errorf("%s %q: bad word ends %v", name, text, ends)
			}
		}
	}
}

// TestPreTokenizerDetection recognises the pre-tokenizer of split patterns
// as tokenizer.json writes them.
func TestPreTokenizerDetection(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		want     string
	}{
		{[]string{patternLlama3}, "llama-bpe"},
		{[]string{patternGPT2}, "gpt-2"},
		{[]string{patternQwen2}, "qwen2"},
		{[]string{`\p{N}`, patternGPT2}, "smollm"},
	} {
		if got, ok := preForPatterns(c.patterns); !ok || got != c.want {
			t.Errorf("%q: got %q, want %q", c.patterns, got, c.want)
		}
	}
	if _, ok := preForPatterns([]string{`\w+`}); ok {
		t.Error("unknown pattern recognised")
	}
	// An unknown pattern still works, run by regexp2.
	v := Vocab{Kind: BPE, Tokens: []string{"a", "b", "ab", "Ġ"}, Merges: []string{"a b"}, PrePatterns: []string{`\w+`},
		BOS: -1, EOS: -1, UNK: -1, PAD: -1, EOT: -1, EOM: -1}
	tok, err := New(v)
	if err != nil {
		t.Fatal(err)
	}
	if got := tok.Encode("ab a", false, false); !slices.Equal(got, []int{2, 3, 0}) {
		t.Errorf("custom pattern: %v", got)
	}
}

// TestConcurrentEncode encodes from several goroutines at once.
func TestConcurrentEncode(t *testing.T) {
	for _, file := range []string{"ggml-vocab-llama-spm.gguf", "ggml-vocab-llama-bpe.gguf"} {
		tok := load(t, "vocab", file)
		text := kjvSample(t, 30_000)
		want := tok.Encode(text, true, false)
		var wg sync.WaitGroup
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if got := tok.Encode(text, true, false); !slices.Equal(got, want) {
					t.Errorf("%s: concurrent encode differs", file)
				}
			}()
		}
		wg.Wait()
	}
}
