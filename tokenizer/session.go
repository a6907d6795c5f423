package tokenizer

import "strings"

// session holds one encoder's scratch space and word cache. Sessions are
// pooled so a Tokenizer can encode from many goroutines without locks.
type session struct {
	t     *Tokenizer
	runes runeBuf
	ends  []int
	ends2 []int
	enc   []byte
	syms  []symbol
	heap  []bigram
	cache map[string][]int32
}

// maxCache bounds the word cache; it is emptied when it grows past this.
const maxCache = 1 << 16

// maxCachedWord is the longest word (in bytes) that is cached.
const maxCachedWord = 64

func newSession(t *Tokenizer) any {
	return &session{t: t, cache: make(map[string][]int32)}
}

// symbol is one node of the linked list of pieces being merged.
type symbol struct {
	id         int32 // BPE: symbol id (-1: none)
	start, n   int32 // byte span in the word; n == 0 once merged away
	prev, next int32
}

// bigram is a candidate merge of two adjacent symbols. For SPM the key is
// the score (higher first), for BPE the rank (lower first); ties go to the
// leftmost pair, as in llama.cpp.
type bigram struct {
	key         float32 // SPM: -score; BPE: rank
	left, right int32
	size        int32 // SPM: byte length of the merged text
	lid, rid    int32 // BPE: symbol ids at push time
}

func (a bigram) less(b bigram) bool {
	return a.key < b.key || (a.key == b.key && a.left < b.left)
}

func (s *session) push(b bigram) {
	h := append(s.heap, b)
	i := len(h) - 1
	for i > 0 {
		p := (i - 1) / 2
		if !h[i].less(h[p]) {
			break
		}
		h[i], h[p] = h[p], h[i]
		i = p
	}
	s.heap = h
}

func (s *session) pop() bigram {
	h := s.heap
	top := h[0]
	last := len(h) - 1
	h[0] = h[last]
	h = h[:last]
	i := 0
	for {
		l := 2*i + 1
		if l >= len(h) {
			break
		}
		m := l
		if r := l + 1; r < len(h) && h[r].less(h[l]) {
			m = r
		}
		if !h[m].less(h[i]) {
			break
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
	s.heap = h
	return top
}

// cached returns a copy-free cached encoding of word.
func (s *session) cached(word string) ([]int32, bool) {
	ids, ok := s.cache[word]
	return ids, ok
}

// remember caches the encoding of a short word.
func (s *session) remember(word string, ids []int32) {
	if len(word) > maxCachedWord {
		return
	}
	if len(s.cache) >= maxCache {
		clear(s.cache)
	}
	s.cache[strings.Clone(word)] = append([]int32(nil), ids...)
}
