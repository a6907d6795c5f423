package tokenizer

import (
	"fmt"
	"slices"

	"github.com/dlclark/regexp2"
)

// splitter is a pre-tokenizer: it cuts a text fragment into words and
// appends each word's end byte offset to ends. scratch is spare space.
type splitter interface {
	split(b *runeBuf, text string, ends []int, scratch *[]int) []int
}

// Patterns of the pre-tokenizers that have hand-written scanners.
const (
	patternLlama3 = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	patternQwen2  = `(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`
	patternGPT2   = `'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+`
)

// scanners maps a split pattern (as written in tokenizer.json or llama.cpp,
// with or without the trailing \s+ alternative) to an equivalent scanner.
var scanners = map[string]splitter{
	patternLlama3: llama3Scanner{maxDigits: 3},
	`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`: llama3Scanner{maxDigits: 3},
	patternQwen2: llama3Scanner{maxDigits: 1},
	`(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+`: llama3Scanner{maxDigits: 1},
	patternGPT2: gpt2Scanner{},
	`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`: gpt2Scanner{},
}

// preSpec describes one pre-tokenizer: the split patterns applied in turn
// (each cuts every fragment further, matches and the gaps between them
// both becoming fragments) and the vocabulary defaults that go with it.
type preSpec struct {
	patterns     []string
	ignoreMerges bool // a word that is a token is not merged (Llama 3)
	addBOS       bool // default for tokenizer.ggml.add_bos_token
}

// preTokenizers maps tokenizer.ggml.pre to its pre-tokenizer, as llama.cpp
// does. A new variant is one entry here.
var preTokenizers = map[string]preSpec{
	"default": {patterns: []string{
		`[\p{P}\$\+<=>\^~\|]+`,
		`'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)`,
		`\p{N}+`,
		`[0-9][0-9][0-9]`,
	}},
	"llama-bpe":        {patterns: []string{patternLlama3}, ignoreMerges: true, addBOS: true},
	"llama3":           {patterns: []string{patternLlama3}, ignoreMerges: true, addBOS: true},
	"llama-v3":         {patterns: []string{patternLlama3}, ignoreMerges: true, addBOS: true},
	"gpt-2":            {patterns: []string{patternGPT2}},
	"phi-2":            {patterns: []string{patternGPT2}},
	"roberta-bpe":      {patterns: []string{patternGPT2}},
	"qwen2":            {patterns: []string{patternQwen2}},
	"deepseek-r1-qwen": {patterns: []string{patternQwen2}},
	"smollm":           {patterns: []string{`\p{N}`, patternGPT2}},
	"starcoder":        {patterns: []string{`\p{N}`, patternGPT2}},
	"refact":           {patterns: []string{`\p{N}`, patternGPT2}},
	"deepseek-coder": {patterns: []string{
		`[\r\n]`,
		`\s?\p{L}+`,
		`\s?\p{P}+`,
		`[一-龥ࠀ-一가-퟿]+`,
		`\p{N}`,
	}},
	// Letters whose canonical decomposition differs are written as \u
	// escapes so that normalising this file cannot change them.
	"deepseek-llm": {patterns: []string{
		`[\r\n]`,
		`\s?[A-Za-zµÀ-ÖØ-öø-ƺƼ-ƿǄ-ʓʕ-ʯͰ-ͳͶͷͻ-ͽͿΆΈ-ΊΌΎ-ΡΣ-ϵϷ-ҁҊ-ԯԱ-ՖႠ-ჅᎠ-Ᏽᏸ-ᏽᲐ-ᲺᲽ-Ჿᴀ-ᴫᵫ-ᵷᵹ-ᶚḀ-ἕἘ-Ἕἠ-ὅὈ-Ὅὐ-ὗὙὛὝὟ-\u1F7Dᾀ-ᾴᾶ-ᾼ\u1FBEῂ-ῄῆ-ῌῐ-\u1FD3ῖ-\u1FDBῠ-Ῥῲ-ῴῶ-ῼℂℇℊ-ℓℕℙ-ℝℤ\u2126ℨ\u212A-ℭℯ-ℴℹℼ-ℿⅅ-ⅉⅎↃↄⰀ-ⱻⱾ-ⳤⳫ-ⳮⳲⳳꙀ-ꙭꚀ-ꚛꜢ-ꝯꝱ-ꞇꞋ-ꞎꭰ-ꮿﬀ-ﬆﬓ-ﬗＡ-Ｚａ-ｚ𐐀-𐑏𐒰-𐓓𐓘-𐓻𐲀-𐲲𐳀-𐳲𑢠-𑣟𞤀-𞥃]+`,
		`\s?[!-/:-~！-／：-～‘-‟　-。]+`,
		`\s+$`,
		`[一-龥ࠀ-一가-퟿]+`,
		`\p{N}+`,
	}},
}

// preForPatterns names the table entry whose patterns are exactly these.
func preForPatterns(patterns []string) (string, bool) {
	for _, name := range []string{"llama-bpe", "gpt-2", "qwen2", "smollm", "deepseek-llm", "deepseek-coder", "default"} {
		spec := preTokenizers[name]
		if slices.Equal(spec.patterns, patterns) {
			return name, true
		}
	}
	if len(patterns) == 1 {
		if s, ok := scanners[patterns[0]]; ok {
			switch s {
			case llama3Scanner{maxDigits: 3}:
				return "llama-bpe", true
			case llama3Scanner{maxDigits: 1}:
				return "qwen2", true
			case gpt2Scanner{}:
				return "gpt-2", true
			}
		}
	}
	return "", false
}

// buildSplitter compiles split patterns into a splitter, using a scanner
// where one exists and regexp2 otherwise.
func buildSplitter(patterns []string) (splitter, error) {
	var stages []splitter
	for _, p := range patterns {
		if s, ok := scanners[p]; ok {
			stages = append(stages, s)
			continue
		}
		re, err := regexp2.Compile(p, regexp2.None)
		if err != nil {
			return nil, fmt.Errorf("split pattern %q: %w", p, err)
		}
		stages = append(stages, regexSplitter{re})
	}
	if len(stages) == 1 {
		return stages[0], nil
	}
	return pipeline(stages), nil
}

// pipeline applies splitters in turn, each to every fragment of the last.
type pipeline []splitter

func (p pipeline) split(b *runeBuf, text string, ends []int, scratch *[]int) []int {
	frags := append((*scratch)[:0], len(text))
	var sub []int
	for _, stage := range p {
		start := 0
		next := ends[:0]
		for _, end := range frags {
			sub = stage.split(b, text[start:end], sub[:0], nil)
			for _, e := range sub {
				next = append(next, start+e)
			}
			start = end
		}
		frags, ends = next, frags
	}
	*scratch = ends
	return frags
}

// regexSplitter isolates every match of a regular expression; the text
// between matches becomes fragments too.
type regexSplitter struct{ re *regexp2.Regexp }

func (s regexSplitter) split(b *runeBuf, text string, ends []int, _ *[]int) []int {
	// regexp2 reports positions in characters; map them to bytes.
	b.decode(text)
	m, err := s.re.FindStringMatch(text)
	last := 0
	for err == nil && m != nil {
		start := int(b.off[m.Index])
		end := int(b.off[m.Index+m.Length])
		if start > last {
			ends = append(ends, start)
		}
		if end > start {
			ends = append(ends, end)
			last = end
		}
		m, err = s.re.FindNextMatch(m)
	}
	if last < len(text) {
		ends = append(ends, len(text))
	}
	return ends
}
