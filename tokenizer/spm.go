package tokenizer

import "strings"

// spmSpace is SentencePiece's visible space.
const spmSpace = "▁"

// utf8Len is the UTF-8 sequence length llama.cpp reads from a lead byte
// (continuation bytes count as 1).
func utf8Len(b byte) int {
	return int([16]byte{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4}[b>>4])
}

// spmSplitSafe reports whether no piece holds "▁" right after a character
// other than "▁". Then no merge can cross the start of a "▁" run, so text
// can be encoded run by run with the same result as in one go.
func spmSplitSafe(pieces []string) bool {
	for _, p := range pieces {
		for i := 1; i < len(p); i++ {
			j := strings.Index(p[i:], spmSpace)
			if j < 0 {
				break
			}
			i += j
			if !strings.HasSuffix(p[:i], spmSpace) {
				return false
			}
		}
	}
	return true
}

// encodeSPM appends the tokens of one text fragment, escaping spaces and
// prefixing "▁" when prefix is set.
func (s *session) encodeSPM(text string, prefix bool, out []int) []int {
	esc := s.enc[:0]
	if prefix {
		esc = append(esc, spmSpace...)
	}
	for i := 0; i < len(text); i++ {
		if text[i] == ' ' {
			esc = append(esc, spmSpace...)
		} else {
			esc = append(esc, text[i])
		}
	}
	s.enc = esc
	str := string(esc)
	if !s.t.spmSplit {
		return s.spmChunk(str, out)
	}
	// Cut before each "▁" symbol that follows a symbol other than "▁",
	// walking symbols exactly as the merge does.
	start, prevSpace := 0, true
	for i := 0; i < len(str); {
		n := min(utf8Len(str[i]), len(str)-i)
		space := str[i:i+n] == spmSpace
		if space && !prevSpace && i > start {
			out = s.spmCached(str[start:i], out)
			start = i
		}
		prevSpace = space
		i += n
	}
	if start < len(str) {
		out = s.spmCached(str[start:], out)
	}
	return out
}

// spmCached encodes one chunk through the word cache.
func (s *session) spmCached(chunk string, out []int) []int {
	if ids, ok := s.cached(chunk); ok {
		for _, id := range ids {
			out = append(out, int(id))
		}
		return out
	}
	n0 := len(out)
	out = s.spmChunk(chunk, out)
	if len(chunk) <= maxCachedWord {
		ids := make([]int32, len(out)-n0)
		for i, id := range out[n0:] {
			ids[i] = int32(id)
		}
		s.remember(chunk, ids)
	}
	return out
}

// spmChunk is llama.cpp's llm_tokenizer_spm_session: characters merged
// pairwise by the highest piece score until no adjacent pair is a piece.
func (s *session) spmChunk(text string, out []int) []int {
	t := s.t
	syms := s.syms[:0]
	for off := 0; off < len(text); {
		n := min(utf8Len(text[off]), len(text)-off)
		next := int32(len(syms) + 1)
		if off+n == len(text) {
			next = -1
		}
		syms = append(syms, symbol{start: int32(off), n: int32(n), prev: int32(len(syms) - 1), next: next})
		off += n
	}
	s.syms = syms
	s.heap = s.heap[:0]
	for i := 1; i < len(syms); i++ {
		s.tryBigram(text, int32(i-1), int32(i))
	}
	for len(s.heap) > 0 {
		b := s.pop()
		l, r := &syms[b.left], &syms[b.right]
		if l.n == 0 || r.n == 0 || l.n+r.n != b.size {
			continue
		}
		l.n += r.n
		r.n = 0
		l.next = r.next
		if r.next >= 0 {
			syms[r.next].prev = b.left
		}
		s.tryBigram(text, l.prev, b.left)
		s.tryBigram(text, b.left, l.next)
	}
	for i := int32(0); i >= 0 && int(i) < len(syms); i = syms[i].next {
		sym := syms[i]
		piece := text[sym.start : sym.start+sym.n]
		if id, ok := t.ids[piece]; ok {
			out = append(out, int(id))
			continue
		}
		for j := 0; j < len(piece); j++ {
			if id := t.byteID[piece[j]]; id >= 0 {
				out = append(out, int(id))
			} else if t.v.UNK >= 0 {
				out = append(out, t.v.UNK)
			}
		}
	}
	return out
}

// tryBigram queues the merge of two adjacent symbols when their text is a
// piece.
func (s *session) tryBigram(text string, left, right int32) {
	if left < 0 || right < 0 {
		return
	}
	l, r := s.syms[left], s.syms[right]
	id, ok := s.t.ids[text[l.start:r.start+r.n]]
	if !ok {
		return
	}
	var score float32
	if s.t.v.Scores != nil {
		score = s.t.v.Scores[id]
	}
	s.push(bigram{key: -score, left: left, right: right, size: l.n + r.n})
}
