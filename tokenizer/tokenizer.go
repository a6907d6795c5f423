package tokenizer

import (
	"fmt"
	"maps"
	"sort"
	"strings"
	"sync"
)

// Kind is the tokenization algorithm of a vocabulary.
type Kind int

const (
	// SPM is SentencePiece-style BPE over characters with score-ordered merges.
	SPM Kind = iota + 1
	// BPE is byte-level BPE with rank-ordered merges and a pre-tokenizer.
	BPE
)

// String returns the GGUF tokenizer.ggml.model name of the kind.
func (k Kind) String() string {
	switch k {
	case SPM:
		return "llama"
	case BPE:
		return "gpt2"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// TokenType is a vocabulary entry's type, with the values GGUF's
// tokenizer.ggml.token_type and SentencePiece use.
type TokenType int32

// Token types.
const (
	TypeNormal      TokenType = 1
	TypeUnknown     TokenType = 2
	TypeControl     TokenType = 3
	TypeUserDefined TokenType = 4
	TypeUnused      TokenType = 5
	TypeByte        TokenType = 6
)

// Vocab is the raw description of a vocabulary that the loaders produce and
// New turns into a Tokenizer. Ids are indexes into Tokens.
type Vocab struct {
	Kind Kind
	Pre  string // pre-tokenizer name (tokenizer.ggml.pre), BPE only
	// PrePatterns are split patterns used when Pre names no known
	// pre-tokenizer (a tokenizer.json with an unfamiliar regex).
	PrePatterns []string
	Tokens      []string    // pieces as stored ("▁" for space in SPM, byte-level chars in BPE)
	Scores      []float32   // SPM merge scores; nil when absent
	Types       []TokenType // nil means all normal
	Merges      []string    // BPE merges "left right", highest priority first

	BOS, EOS, UNK, PAD, EOT, EOM   int // -1 when absent
	AddBOS, AddEOS, AddSpacePrefix bool

	// LStrip and RStrip hold special tokens that, when matched in text,
	// swallow the whitespace before (LStrip) or after (RStrip) them.
	LStrip, RStrip map[int]bool

	// IgnoreMerges makes a BPE word that is itself a token encode to that
	// token without merging (Llama 3); set from the pre-tokenizer when false.
	IgnoreMerges bool
}

// Tokenizer encodes and decodes text with one vocabulary. Build it with New,
// FromGGUF or Load.
type Tokenizer struct {
	v      Vocab
	ids    map[string]int32 // piece → id (the last of duplicates wins)
	split  splitter         // BPE pre-tokenizer
	byteID [256]int32       // token of each byte (byte fallback / byte-level char), -1 if none

	// BPE merge table over symbol ids. Symbols that are not vocabulary
	// entries (intermediate merge results) get ids from len(Tokens) on.
	merges   map[uint64]uint64 // left<<32|right → rank<<32|result
	byteSym  [256]int32        // symbol id of each raw byte, -1 if none
	extPiece []string          // pieces of ids ≥ len(Tokens)

	spmSplit bool // SPM text may be cut before "▁" runs without changing the result

	specials []int32 // control, user-defined and unknown tokens, longest first
	eog      []int
	eogSet   map[int32]bool
	text     [][]byte // what each token decodes to (control/unknown: nothing)
	raw      [][]byte // what each token decodes to with special tokens shown

	sessions sync.Pool
}

// New builds a Tokenizer from a vocabulary description.
func New(v Vocab) (*Tokenizer, error) {
	n := len(v.Tokens)
	if n == 0 {
		return nil, fmt.Errorf("tokenizer: empty vocabulary")
	}
	if v.Kind != SPM && v.Kind != BPE {
		return nil, fmt.Errorf("tokenizer: unsupported tokenizer kind %v", v.Kind)
	}
	if v.Scores != nil && len(v.Scores) != n {
		return nil, fmt.Errorf("tokenizer: %d scores for %d tokens", len(v.Scores), n)
	}
	if v.Types != nil && len(v.Types) != n {
		return nil, fmt.Errorf("tokenizer: %d token types for %d tokens", len(v.Types), n)
	}
	if v.Types == nil {
		v.Types = make([]TokenType, n)
		for i := range v.Types {
			v.Types[i] = TypeNormal
		}
	}
	for _, p := range []*int{&v.BOS, &v.EOS, &v.UNK, &v.PAD, &v.EOT, &v.EOM} {
		if *p < 0 || *p >= n {
			*p = -1
		}
	}
	t := &Tokenizer{v: v, ids: make(map[string]int32, n)}
	for i, s := range v.Tokens {
		t.ids[s] = int32(i)
	}
	t.findByteTokens()
	if v.Kind == BPE {
		spec, ok := preTokenizers[v.Pre]
		if !ok && len(v.PrePatterns) > 0 {
			spec = preSpec{patterns: v.PrePatterns}
		} else if !ok {
			spec = preTokenizers["default"]
		}
		split, err := buildSplitter(spec.patterns)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: pre-tokenizer %q: %w", v.Pre, err)
		}
		t.split = split
		if spec.ignoreMerges {
			t.v.IgnoreMerges = true
		}
		t.buildMerges()
	} else {
		t.spmSplit = spmSplitSafe(v.Tokens)
	}
	t.buildSpecials()
	t.buildEOG()
	t.buildPieces()
	t.sessions.New = func() any { return newSession(t) }
	return t, nil
}

// findByteTokens records the token that stands for each single byte.
func (t *Tokenizer) findByteTokens() {
	for b := 0; b < 256; b++ {
		t.byteID[b] = -1
		if t.v.Kind == SPM {
			if id, ok := t.ids[fmt.Sprintf("<0x%02X>", b)]; ok {
				t.byteID[b] = id
			} else if id, ok := t.ids[string([]byte{byte(b)})]; ok {
				t.byteID[b] = id
			}
		} else if id, ok := t.ids[string(byteToRune[b])]; ok {
			t.byteID[b] = id
		}
	}
}

// buildSpecials lists the tokens matched in text before tokenization, longest
// first, as llama.cpp's special-token cache does.
func (t *Tokenizer) buildSpecials() {
	for i, ty := range t.v.Types {
		if (ty == TypeControl || ty == TypeUserDefined || ty == TypeUnknown) && t.v.Tokens[i] != "" {
			t.specials = append(t.specials, int32(i))
		}
	}
	sort.SliceStable(t.specials, func(a, b int) bool {
		return len(t.v.Tokens[t.specials[a]]) > len(t.v.Tokens[t.specials[b]])
	})
}

// eogTexts are pieces that end generation wherever a vocabulary has them.
var eogTexts = []string{
	"<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "<|im_end|>", "<|end|>",
	"<end_of_turn>", "<|endoftext|>", "<EOT>", "_<EOT>", "<end_of_utterance>",
	"<｜end▁of▁sentence｜>",
}

// buildEOG collects the end-of-generation set: EOS, EOT, EOM from the
// metadata plus the well-known end pieces present in the vocabulary.
func (t *Tokenizer) buildEOG() {
	t.eogSet = map[int32]bool{}
	add := func(id int) {
		if id >= 0 && !t.eogSet[int32(id)] {
			t.eogSet[int32(id)] = true
			t.eog = append(t.eog, id)
		}
	}
	add(t.v.EOS)
	add(t.v.EOT)
	add(t.v.EOM)
	for _, s := range eogTexts {
		if id, ok := t.ids[s]; ok {
			add(int(id))
		}
	}
	sort.Ints(t.eog)
}

// buildPieces precomputes each token's decoded bytes.
func (t *Tokenizer) buildPieces() {
	n := len(t.v.Tokens)
	t.text = make([][]byte, n)
	t.raw = make([][]byte, n)
	for i, s := range t.v.Tokens {
		switch t.v.Types[i] {
		case TypeControl, TypeUnknown:
			t.raw[i] = []byte(s)
		case TypeUserDefined:
			t.raw[i] = []byte(s)
			t.text[i] = t.raw[i]
		case TypeByte:
			if t.v.Kind == SPM {
				if b, ok := parseByteToken(s); ok {
					t.raw[i] = []byte{b}
					t.text[i] = t.raw[i]
				}
			}
		case TypeNormal:
			if t.v.Kind == SPM {
				t.raw[i] = []byte(strings.ReplaceAll(s, "▁", " "))
			} else {
				t.raw[i] = byteLevelDecode(s)
			}
			t.text[i] = t.raw[i]
		}
	}
}

// parseByteToken reads a "<0xXX>" piece.
func parseByteToken(s string) (byte, bool) {
	if len(s) != 6 || s[:3] != "<0x" || s[5] != '>' {
		return 0, false
	}
	var b byte
	for _, c := range []byte(s[3:5]) {
		switch {
		case c >= '0' && c <= '9':
			b = b<<4 | (c - '0')
		case c >= 'A' && c <= 'F':
			b = b<<4 | (c - 'A' + 10)
		case c >= 'a' && c <= 'f':
			b = b<<4 | (c - 'a' + 10)
		default:
			return 0, false
		}
	}
	return b, true
}

// Kind returns the tokenization algorithm.
func (t *Tokenizer) Kind() Kind { return t.v.Kind }

// Pre returns the pre-tokenizer name of a byte-level BPE vocabulary.
func (t *Tokenizer) Pre() string { return t.v.Pre }

// VocabSize returns the number of tokens.
func (t *Tokenizer) VocabSize() int { return len(t.v.Tokens) }

// BOS returns the beginning-of-sequence token, or -1.
func (t *Tokenizer) BOS() int { return t.v.BOS }

// EOS returns the end-of-sequence token, or -1.
func (t *Tokenizer) EOS() int { return t.v.EOS }

// AddBOS reports whether Encode with addSpecial puts BOS first.
func (t *Tokenizer) AddBOS() bool { return t.v.AddBOS && t.v.BOS >= 0 }

// AddEOS reports whether Encode with addSpecial puts EOS last.
func (t *Tokenizer) AddEOS() bool { return t.v.AddEOS && t.v.EOS >= 0 }

// EOG returns the end-of-generation tokens in increasing order.
func (t *Tokenizer) EOG() []int { return append([]int(nil), t.eog...) }

// IsEOG reports whether generating id ends the generation.
func (t *Tokenizer) IsEOG(id int) bool { return t.eogSet[int32(id)] }

// Piece returns the raw vocabulary entry of id ("" when out of range).
func (t *Tokenizer) Piece(id int) string {
	if id < 0 || id >= len(t.v.Tokens) {
		return ""
	}
	return t.v.Tokens[id]
}

// Type returns the token type of id (0 when out of range).
func (t *Tokenizer) Type(id int) TokenType {
	if id < 0 || id >= len(t.v.Tokens) {
		return 0
	}
	return t.v.Types[id]
}

// IsSpecial reports whether id is a control, user-defined or unknown token.
func (t *Tokenizer) IsSpecial(id int) bool {
	switch t.Type(id) {
	case TypeControl, TypeUserDefined, TypeUnknown:
		return true
	}
	return false
}

// TokenID returns the id of a piece.
func (t *Tokenizer) TokenID(piece string) (int, bool) {
	id, ok := t.ids[piece]
	return int(id), ok
}

// Vocab returns a copy of the vocabulary description.
func (t *Tokenizer) Vocab() Vocab {
	v := t.v
	v.Tokens = append([]string(nil), v.Tokens...)
	v.Scores = append([]float32(nil), v.Scores...)
	v.Types = append([]TokenType(nil), v.Types...)
	v.Merges = append([]string(nil), v.Merges...)
	v.LStrip = maps.Clone(v.LStrip)
	v.RStrip = maps.Clone(v.RStrip)
	return v
}
