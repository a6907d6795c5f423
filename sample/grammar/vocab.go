package grammar

import (
	"bytes"
	"fmt"
	"slices"
	"unicode/utf8"
)

// Vocab is a token vocabulary prepared for masking: the bytes of every
// token in a pre-order byte trie, built once and shared by all grammars.
// Tokens without bytes (control tokens) are never allowed; end-of-generation
// tokens are allowed exactly where the grammar can end.
type Vocab struct {
	tokens [][]byte
	isEOG  []bool
	eog    []int

	// Trie in pre-order: node i>0 is reached by byte label[i] from the node
	// at depth depth[i]-1 on the path; its subtree is [i, i+size[i]).
	label    []byte
	depth    []uint16
	size     []int32
	tokStart []int32 // tokens ending at node i: tokIDs[tokStart[i]:tokStart[i+1]]
	tokIDs   []int32
	maxDepth int
	// ASCII bytes (bits 0-63 and 64-127) used anywhere in node i's subtree,
	// and whether it uses any other byte: lets a walk accept a whole
	// subtree at once when every such byte leaves the state unchanged.
	sigLo, sigHi []uint64
	nonASCII     []bool
	utf8OK       []bool // every token in the subtree is a valid UTF-8 prefix
}

// NewVocab prepares a vocabulary: tokens[i] holds the bytes token i
// produces (tokenizer.TokenBytes), eog the end-of-generation token ids.
func NewVocab(tokens [][]byte, eog []int) (*Vocab, error) {
	v := &Vocab{tokens: tokens, isEOG: make([]bool, len(tokens))}
	for _, id := range eog {
		if id < 0 || id >= len(tokens) {
			return nil, fmt.Errorf("grammar: end-of-generation token %d outside vocabulary of %d", id, len(tokens))
		}
		if !v.isEOG[id] {
			v.isEOG[id] = true
			v.eog = append(v.eog, id)
		}
	}
	order := make([]int32, 0, len(tokens))
	for id, b := range tokens {
		if len(b) > 0 && !v.isEOG[id] {
			if len(b) > 0xFFFF {
				return nil, fmt.Errorf("grammar: token %d is %d bytes long", id, len(b))
			}
			order = append(order, int32(id))
		}
	}
	slices.SortFunc(order, func(a, b int32) int {
		if c := bytes.Compare(tokens[a], tokens[b]); c != 0 {
			return c
		}
		return int(a - b)
	})
	v.build(order)
	return v, nil
}

// build lays out the trie from tokens sorted by their bytes: each token
// shares with its predecessor the path of their common prefix.
func (v *Vocab) build(order []int32) {
	v.label = []byte{0}
	v.depth = []uint16{0}
	v.tokStart = []int32{0}
	path := []int32{0} // node ids along the current path, by depth
	parent := []int32{-1}
	var prev []byte
	for _, id := range order {
		b := v.tokens[id]
		common := 0
		for common < len(prev) && common < len(b) && prev[common] == b[common] {
			common++
		}
		path = path[:common+1]
		for d := common; d < len(b); d++ {
			node := int32(len(v.label))
			v.label = append(v.label, b[d])
			v.depth = append(v.depth, uint16(d+1))
			v.tokStart = append(v.tokStart, int32(len(v.tokIDs)))
			parent = append(parent, path[d])
			path = append(path, node)
		}
		v.tokIDs = append(v.tokIDs, id)
		v.maxDepth = max(v.maxDepth, len(b))
		prev = b
	}
	v.tokStart = append(v.tokStart, int32(len(v.tokIDs)))
	// Token ids were appended in node order, so node i's tokens are those
	// appended after it was created and before the next node was.
	n := len(v.label)
	v.size = make([]int32, n)
	v.sigLo = make([]uint64, n)
	v.sigHi = make([]uint64, n)
	v.nonASCII = make([]bool, n)
	v.utf8OK = make([]bool, n)
	for i := range v.utf8OK {
		v.utf8OK[i] = true
		for _, id := range v.tokIDs[v.tokStart[i]:v.tokStart[i+1]] {
			v.utf8OK[i] = v.utf8OK[i] && validUTF8Prefix(v.tokens[id])
		}
	}
	for i := n - 1; i > 0; i-- {
		switch c := v.label[i]; {
		case c < 64:
			v.sigLo[i] |= 1 << c
		case c < 128:
			v.sigHi[i] |= 1 << (c - 64)
		default:
			v.nonASCII[i] = true
		}
		v.size[i]++
		p := parent[i]
		v.size[p] += v.size[i]
		v.sigLo[p] |= v.sigLo[i]
		v.sigHi[p] |= v.sigHi[i]
		v.nonASCII[p] = v.nonASCII[p] || v.nonASCII[i]
		v.utf8OK[p] = v.utf8OK[p] && v.utf8OK[i]
	}
	v.size[0]++
}

// validUTF8Prefix reports whether b is valid UTF-8 or a valid UTF-8 text
// cut inside its last character.
func validUTF8Prefix(b []byte) bool {
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		if r != utf8.RuneError || n > 1 {
			b = b[n:]
			continue
		}
		need := 0
		switch c := b[0]; {
		case c >= 0xC2 && c <= 0xDF:
			need = 2
		case c >= 0xE0 && c <= 0xEF:
			need = 3
		case c >= 0xF0 && c <= 0xF4:
			need = 4
		}
		if len(b) >= need {
			return false
		}
		// Complete it with continuation bytes and see if any completion
		// is valid.
		buf := make([]byte, need)
		copy(buf, b)
		for second := byte(0x80); second <= 0xBF; second++ {
			if len(b) < 2 {
				buf[1] = second
			}
			for k := max(len(b), 2); k < need; k++ {
				buf[k] = 0x80
			}
			if utf8.Valid(buf) {
				return true
			}
			if len(b) >= 2 {
				break
			}
		}
		return false
	}
	return true
}

// Size returns the number of tokens.
func (v *Vocab) Size() int { return len(v.tokens) }

// Nodes returns the number of trie nodes, for diagnostics.
func (v *Vocab) Nodes() int { return len(v.label) }

// EOG returns the end-of-generation token ids.
func (v *Vocab) EOG() []int { return v.eog }

// TokenSource is what NewVocabFrom needs of a tokenizer
// (tokenizer.Tokenizer satisfies it).
type TokenSource interface {
	VocabSize() int
	TokenBytes(id int) []byte
	IsSpecial(id int) bool
	EOG() []int
}

// NewVocabFrom prepares a tokenizer's vocabulary: special (control,
// user-defined, unknown) tokens never match grammar text; the
// end-of-generation tokens end it.
func NewVocabFrom(ts TokenSource) (*Vocab, error) {
	tokens := make([][]byte, ts.VocabSize())
	for id := range tokens {
		if !ts.IsSpecial(id) {
			tokens[id] = ts.TokenBytes(id)
		}
	}
	return NewVocab(tokens, ts.EOG())
}
