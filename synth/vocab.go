package synth

import (
	"fmt"

	"github.com/herdllm/herd/gguf"
)

// SentencePiece token types as GGUF stores them.
const (
	tokenNormal  = 1
	tokenUnknown = 2
	tokenControl = 3
	tokenByte    = 6
)

// addVocab writes a SentencePiece-style vocabulary of n tokens to meta:
// <unk>, <s>, </s>, the 256 byte-fallback tokens, every printable ASCII
// character, then letter strings with and without a leading "▁" until n
// tokens. Its scores favour shorter, earlier pieces, so any text tokenizes.
func addVocab(meta *gguf.Metadata, n int) {
	tokens := make([]string, 0, n)
	types := make([]int32, 0, n)
	add := func(s string, t int32) {
		if len(tokens) < n {
			tokens = append(tokens, s)
			types = append(types, t)
		}
	}
	add("<unk>", tokenUnknown)
	add("<s>", tokenControl)
	add("</s>", tokenControl)
	for b := 0; b < 256; b++ {
		add(fmt.Sprintf("<0x%02X>", b), tokenByte)
	}
	add("▁", tokenNormal)
	for c := byte('!'); c <= '~'; c++ {
		add(string(c), tokenNormal)
	}
	for k := 0; len(tokens) < n; k++ {
		w := letters(k)
		add("▁"+w, tokenNormal)
		if len(w) > 1 {
			add(w, tokenNormal)
		}
	}
	scores := make([]float32, len(tokens))
	for i := range scores {
		if types[i] == tokenNormal {
			scores[i] = -float32(i)
		}
	}
	meta.Set("tokenizer.ggml.model", "llama")
	meta.Set("tokenizer.ggml.tokens", tokens)
	meta.Set("tokenizer.ggml.scores", scores)
	meta.Set("tokenizer.ggml.token_type", types)
	meta.Set("tokenizer.ggml.bos_token_id", uint32(1))
	meta.Set("tokenizer.ggml.eos_token_id", uint32(2))
	meta.Set("tokenizer.ggml.unknown_token_id", uint32(0))
	meta.Set("tokenizer.ggml.add_bos_token", true)
	meta.Set("tokenizer.ggml.add_eos_token", false)
}

// letters returns the k-th lowercase string in length-then-alphabetical
// order: a … z, aa, ab, ….
func letters(k int) string {
	n := 1
	for span := 26; k >= span; span *= 26 {
		k -= span
		n++
	}
	b := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		b[i] = byte('a' + k%26)
		k /= 26
	}
	return string(b)
}
