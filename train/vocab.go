package train

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/herdllm/herd/gguf"
)

// Token types as llama.cpp numbers them (tokenizer.ggml.token_type).
const (
	TokenNormal  int32 = 1
	TokenUnknown int32 = 2
	TokenControl int32 = 3
	TokenByte    int32 = 6
)

// spaceMark is SentencePiece's visible space (U+2581).
const spaceMark = "\u2581"

// Vocab is a SentencePiece-style vocabulary: <unk>, <s>, </s>, the 256 byte
// pieces <0x00>…<0xFF>, then learned pieces (a leading ▁ stands for a space)
// with scores that rank them for merging (higher merges first).
type Vocab struct {
	Tokens []string
	Scores []float32
	Types  []int32
	UNKID  int
	BOSID  int
	EOSID  int
	AddBOS bool // prepend BOS when encoding with addSpecial

	index map[string]int
	cache map[string][]int
}

// BOS is the beginning-of-sequence token (-1 when absent).
func (v *Vocab) BOS() int { return v.BOSID }

// EOS is the end-of-sequence token (-1 when absent).
func (v *Vocab) EOS() int { return v.EOSID }

// Size is the number of tokens.
func (v *Vocab) Size() int { return len(v.Tokens) }

// WriteGGUF writes the vocabulary as llama.cpp's SentencePiece ("llama")
// tokenizer keys.
func (v *Vocab) WriteGGUF(m *gguf.Metadata) {
	m.Set("tokenizer.ggml.model", "llama")
	m.Set("tokenizer.ggml.tokens", append([]string(nil), v.Tokens...))
	m.Set("tokenizer.ggml.scores", append([]float32(nil), v.Scores...))
	m.Set("tokenizer.ggml.token_type", append([]int32(nil), v.Types...))
	m.Set("tokenizer.ggml.bos_token_id", uint32(v.BOSID))
	m.Set("tokenizer.ggml.eos_token_id", uint32(v.EOSID))
	m.Set("tokenizer.ggml.unknown_token_id", uint32(v.UNKID))
	m.Set("tokenizer.ggml.add_bos_token", v.AddBOS)
	m.Set("tokenizer.ggml.add_eos_token", false)
	m.Set("tokenizer.ggml.add_space_prefix", true)
}

// VocabFromGGUF reads a vocabulary written by WriteGGUF (or any llama-model
// SentencePiece vocabulary with byte pieces).
func VocabFromGGUF(m *gguf.Metadata) (*Vocab, error) {
	if model, _ := m.String("tokenizer.ggml.model"); model != "llama" {
		return nil, fmt.Errorf("train: tokenizer.ggml.model is %q, want llama", model)
	}
	tokens, ok := m.Strings("tokenizer.ggml.tokens")
	if !ok {
		return nil, fmt.Errorf("train: tokenizer.ggml.tokens missing")
	}
	scores, _ := m.Float32s("tokenizer.ggml.scores")
	types, _ := m.Int32s("tokenizer.ggml.token_type")
	if len(scores) != len(tokens) || len(types) != len(tokens) {
		return nil, fmt.Errorf("train: tokenizer.ggml.scores/token_type do not match %d tokens", len(tokens))
	}
	v := &Vocab{Tokens: tokens, Scores: scores, Types: types, UNKID: -1, BOSID: -1, EOSID: -1, AddBOS: true}
	get := func(k string) int {
		if x, ok := m.Uint("tokenizer.ggml." + k); ok && int(x) < len(tokens) {
			return int(x)
		}
		return -1
	}
	v.UNKID, v.BOSID, v.EOSID = get("unknown_token_id"), get("bos_token_id"), get("eos_token_id")
	if b, ok := m.Bool("tokenizer.ggml.add_bos_token"); ok {
		v.AddBOS = b
	}
	return v, nil
}

func (v *Vocab) init() {
	if v.index != nil {
		return
	}
	v.index = make(map[string]int, len(v.Tokens))
	for i, t := range v.Tokens {
		if v.Types[i] == TokenNormal {
			v.index[t] = i
		}
	}
	v.cache = map[string][]int{}
}

// Encode tokenizes text as llama.cpp's SentencePiece tokenizer does: spaces
// become ▁ with one prepended, then adjacent pieces merge, highest score
// first, while the merged piece is in the vocabulary; characters outside it
// fall back to byte pieces. With addSpecial BOS is prepended (when AddBOS).
// The vocabulary has no special pieces to parse in text, so parseSpecial is
// ignored; the signature matches the tokenizer package's.
func (v *Vocab) Encode(text string, addSpecial, parseSpecial bool) []int {
	v.init()
	var ids []int
	if addSpecial && v.AddBOS && v.BOSID >= 0 {
		ids = append(ids, v.BOSID)
	}
	if text == "" {
		return ids
	}
	norm := spaceMark + strings.ReplaceAll(text, " ", spaceMark)
	for _, w := range splitWords(norm) {
		if c, ok := v.cache[w]; ok {
			ids = append(ids, c...)
			continue
		}
		c := v.encodeWord(w)
		if len(v.cache) < 1<<20 {
			v.cache[w] = c
		}
		ids = append(ids, c...)
	}
	return ids
}

// encodeWord merges the characters of one word by score.
func (v *Vocab) encodeWord(w string) []int {
	var syms []string
	for _, r := range w {
		syms = append(syms, string(r))
	}
	for len(syms) > 1 {
		best, bestScore := -1, float32(0)
		for i := 0; i+1 < len(syms); i++ {
			if id, ok := v.index[syms[i]+syms[i+1]]; ok && (best < 0 || v.Scores[id] > bestScore) {
				best, bestScore = i, v.Scores[id]
			}
		}
		if best < 0 {
			break
		}
		syms[best] += syms[best+1]
		syms = append(syms[:best+1], syms[best+2:]...)
	}
	var ids []int
	for _, s := range syms {
		if id, ok := v.index[s]; ok {
			ids = append(ids, id)
			continue
		}
		for i := 0; i < len(s); i++ {
			ids = append(ids, v.byteID(s[i]))
		}
	}
	return ids
}

func (v *Vocab) byteID(b byte) int {
	if id, ok := v.index[fmt.Sprintf("<0x%02X>", b)]; ok {
		return id
	}
	for i, t := range v.Tokens {
		if v.Types[i] == TokenByte && t == fmt.Sprintf("<0x%02X>", b) {
			v.index[t] = i
			return i
		}
	}
	return max(v.UNKID, 0)
}

// Decode turns ids back into text (control tokens are dropped, byte pieces
// become their bytes, ▁ a space; the space SentencePiece prepends at the
// start is removed).
func (v *Vocab) Decode(ids []int) string {
	var b []byte
	for _, id := range ids {
		if id < 0 || id >= len(v.Tokens) {
			continue
		}
		switch v.Types[id] {
		case TokenControl, TokenUnknown:
			continue
		case TokenByte:
			var x byte
			if _, err := fmt.Sscanf(v.Tokens[id], "<0x%02X>", &x); err == nil {
				b = append(b, x)
			}
			continue
		}
		b = append(b, strings.ReplaceAll(v.Tokens[id], spaceMark, " ")...)
	}
	s := string(b)
	s = strings.TrimPrefix(s, " ")
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return s
}

// splitWords cuts normalized text into the units pieces never cross: a ▁
// followed by characters other than ▁ and newline, a run of newlines, or a
// run of other characters.
func splitWords(s string) []string {
	var words []string
	start := 0
	kind := -1 // 0: word, 1: newlines
	for i, r := range s {
		k := 0
		if r == '\n' {
			k = 1
		}
		boundary := i > start && (k != kind || (k == 0 && strings.HasPrefix(s[i:], spaceMark)))
		if boundary {
			words = append(words, s[start:i])
			start = i
		}
		kind = k
	}
	if start < len(s) {
		words = append(words, s[start:])
	}
	return words
}
