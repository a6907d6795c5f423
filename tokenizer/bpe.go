package tokenizer

import "strings"

// buildMerges turns the "left right" merge list into a table keyed by the
// pair of symbol ids. The first occurrence of a pair wins and entries
// without a space are ignored, as in llama.cpp.
func (t *Tokenizer) buildMerges() {
	t.merges = make(map[uint64]uint64, len(t.v.Merges))
	ext := map[string]int32{}
	symID := func(s string) int32 {
		if id, ok := t.ids[s]; ok {
			return id
		}
		if id, ok := ext[s]; ok {
			return id
		}
		id := int32(len(t.v.Tokens) + len(t.extPiece))
		ext[s] = id
		t.extPiece = append(t.extPiece, s)
		return id
	}
	for rank, m := range t.v.Merges {
		pos := strings.IndexByte(m[min(1, len(m)):], ' ')
		if pos < 0 {
			continue
		}
		pos += min(1, len(m))
		left, right := m[:pos], m[pos+1:]
		key := uint64(uint32(symID(left)))<<32 | uint64(uint32(symID(right)))
		if _, dup := t.merges[key]; dup {
			continue
		}
		t.merges[key] = uint64(rank)<<32 | uint64(uint32(symID(left+right)))
	}
	for b := range t.byteSym {
		t.byteSym[b] = -1
		if id, ok := t.ids[string(byteToRune[b])]; ok {
			t.byteSym[b] = id
		} else if id, ok := ext[string(byteToRune[b])]; ok {
			t.byteSym[b] = id
		}
	}
}

// encodeBPE appends the tokens of one pre-tokenized fragment.
func (s *session) encodeBPE(text string, out []int) []int {
	s.ends = s.t.split.split(&s.runes, text, s.ends[:0], &s.ends2)
	start := 0
	for _, end := range s.ends {
		word := text[start:end]
		start = end
		if ids, ok := s.cached(word); ok {
			for _, id := range ids {
				out = append(out, int(id))
			}
			continue
		}
		n0 := len(out)
		out = s.bpeWord(word, out)
		if len(word) <= maxCachedWord {
			ids := make([]int32, len(out)-n0)
			for i, id := range out[n0:] {
				ids[i] = int32(id)
			}
			s.remember(word, ids)
		}
	}
	return out
}

// bpeWord merges the bytes of one word by rank and appends its tokens.
func (s *session) bpeWord(word string, out []int) []int {
	t := s.t
	if t.v.IgnoreMerges {
		s.enc = byteLevelEncode(s.enc[:0], word)
		if id, ok := t.ids[string(s.enc)]; ok {
			return append(out, int(id))
		}
	}
	syms := s.syms[:0]
	for i := 0; i < len(word); i++ {
		next := int32(i + 1)
		if i == len(word)-1 {
			next = -1
		}
		syms = append(syms, symbol{id: t.byteSym[word[i]], start: int32(i), n: 1, prev: int32(i - 1), next: next})
	}
	s.syms = syms
	s.heap = s.heap[:0]
	for i := 1; i < len(syms); i++ {
		s.tryMerge(int32(i-1), int32(i))
	}
	for len(s.heap) > 0 {
		b := s.pop()
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.id != b.lid || r.id != b.rid {
			continue
		}
		key := uint64(uint32(l.id))<<32 | uint64(uint32(r.id))
		l.id = int32(uint32(t.merges[key]))
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		s.tryMerge(l.prev, b.left)
		s.tryMerge(b.left, l.next)
	}
	nv := int32(len(t.v.Tokens))
	for i := int32(0); i >= 0 && int(i) < len(syms); i = syms[i].next {
		sym := syms[i]
		if sym.id >= 0 && sym.id < nv {
			out = append(out, int(sym.id))
			continue
		}
		for _, c := range []byte(word[sym.start : sym.start+sym.n]) {
			if id := t.byteID[c]; id >= 0 {
				out = append(out, int(id))
			}
		}
	}
	return out
}

// tryMerge queues the merge of two adjacent symbols when the pair has a rank.
func (s *session) tryMerge(left, right int32) {
	if left < 0 || right < 0 {
		return
	}
	l, r := s.syms[left].id, s.syms[right].id
	if l < 0 || r < 0 {
		return
	}
	v, ok := s.t.merges[uint64(uint32(l))<<32|uint64(uint32(r))]
	if !ok {
		return
	}
	s.push(bigram{key: float32(v >> 32), left: left, right: right, lid: l, rid: r})
}
