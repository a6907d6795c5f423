package tokenizer

import "unicode"

// llama3Scanner splits text like the Llama 3 pattern
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}|
//	 ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// without a regex engine, as llama.cpp's unicode_regex_split_custom_llama3
// does. maxDigits bounds a run of numbers (3 for Llama 3, 1 for Qwen2).
type llama3Scanner struct{ maxDigits int }

// gpt2Scanner splits text like GPT-2's pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
type gpt2Scanner struct{}

// words tracks the end of the previous word while a scanner runs.
type words struct {
	b    *runeBuf
	ends []int
	prev int
}

// add ends a word at character end and returns its length in characters.
func (w *words) add(end int) int {
	n := end - w.prev
	if n > 0 {
		w.ends = append(w.ends, int(w.b.off[end]))
	}
	w.prev = end
	return n
}

func isCRLF(r rune) bool { return r == '\r' || r == '\n' }

// contraction returns the length of an English contraction ('s, 't, 're,
// 've, 'm, 'll, 'd) at pos, or 0. fold makes it case-insensitive.
func contraction(b *runeBuf, pos int, fold bool) int {
	n := len(b.r)
	if b.r[pos] != '\'' || pos+1 >= n {
		return 0
	}
	lower := func(r rune) rune {
		if fold {
			return unicode.ToLower(r)
		}
		return r
	}
	c1 := lower(b.r[pos+1])
	switch c1 {
	case 's', 't', 'm', 'd':
		return 2
	}
	if pos+2 < n {
		c2 := lower(b.r[pos+2])
		if (c1 == 'r' && c2 == 'e') || (c1 == 'v' && c2 == 'e') || (c1 == 'l' && c2 == 'l') {
			return 3
		}
	}
	return 0
}

const notWord = classSpace | classLetter | classNumber

func (s llama3Scanner) split(b *runeBuf, text string, ends []int, _ *[]int) []int {
	b.decode(text)
	w := words{b: b, ends: ends}
	n := len(b.r)
	for pos := 0; pos < n; {
		r, c := b.r[pos], b.c[pos]
		if k := contraction(b, pos, true); k > 0 {
			pos += w.add(pos + k)
			continue
		}
		// [^\r\n\p{L}\p{N}]?\p{L}+
		if !isCRLF(r) && c&classNumber == 0 && (c&classLetter != 0 || b.class(pos+1)&classLetter != 0) {
			pos++
			for b.class(pos)&classLetter != 0 {
				pos++
			}
			w.add(pos)
			continue
		}
		// \p{N}{1,maxDigits}
		if c&classNumber != 0 {
			ini := pos
			for b.class(pos)&classNumber != 0 {
				pos++
				if s.maxDigits > 0 && pos-ini >= s.maxDigits {
					w.add(pos)
					ini = pos
				}
			}
			w.add(pos)
			continue
		}
		// <space>?[^\s\p{L}\p{N}]+[\r\n]*
		c2 := c
		if r == ' ' {
			c2 = b.class(pos + 1)
		}
		if c2&notWord == 0 {
			if r == ' ' {
				pos++
			}
			for c2&notWord == 0 && c2 != 0 {
				pos++
				c2 = b.class(pos)
			}
			for isCRLF(b.at(pos)) {
				pos++
			}
			w.add(pos)
			continue
		}
		spaces, lastCRLF := 0, 0
		for b.class(pos+spaces)&classSpace != 0 {
			if isCRLF(b.r[pos+spaces]) {
				lastCRLF = pos + spaces + 1
			}
			spaces++
		}
		switch {
		case lastCRLF > 0: // \s*[\r\n]+
			pos = lastCRLF
		case spaces > 1 && pos+spaces < n: // \s+(?!\S)
			pos += spaces - 1
		case spaces > 0: // \s+
			pos += spaces
		default:
			pos++
		}
		w.add(pos)
	}
	return w.ends
}

func (gpt2Scanner) split(b *runeBuf, text string, ends []int, _ *[]int) []int {
	b.decode(text)
	w := words{b: b, ends: ends}
	n := len(b.r)
	for pos := 0; pos < n; {
		r, c := b.r[pos], b.c[pos]
		if k := contraction(b, pos, false); k > 0 {
			pos += w.add(pos + k)
			continue
		}
		c2 := c
		if r == ' ' {
			c2 = b.class(pos + 1)
		}
		// <space>?\p{L}+, <space>?\p{N}+, <space>?[^\s\p{L}\p{N}]+
		var want func(uint8) bool
		switch {
		case c2&classLetter != 0:
			want = func(c uint8) bool { return c&classLetter != 0 }
		case c2&classNumber != 0:
			want = func(c uint8) bool { return c&classNumber != 0 }
		case c2&notWord == 0 && c2 != 0:
			want = func(c uint8) bool { return c&notWord == 0 && c != 0 }
		}
		if want != nil {
			if r == ' ' {
				pos++
			}
			for want(b.class(pos)) {
				pos++
			}
			w.add(pos)
			continue
		}
		spaces := 0
		for b.class(pos+spaces)&classSpace != 0 {
			spaces++
		}
		switch {
		case spaces > 1 && pos+spaces < n: // \s+(?!\S)
			pos += spaces - 1
		case spaces > 0: // \s+
			pos += spaces
		default:
			pos++
		}
		w.add(pos)
	}
	return w.ends
}
