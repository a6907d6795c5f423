package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// Character classes the pre-tokenizers test. Every decoded character has
// classAny; positions past the end have no class at all.
const (
	classAny    uint8 = 1
	classLetter uint8 = 2
	classNumber uint8 = 4
	classSpace  uint8 = 8
)

// asciiClass caches the classes of ASCII characters.
var asciiClass [128]uint8

func init() {
	for c := rune(0); c < 128; c++ {
		asciiClass[c] = classify(c)
	}
}

// classify returns the classes of r: \p{L}, \p{N} and \s as Unicode defines
// them. Invalid UTF-8 (decoded as RuneError) is none of them.
func classify(r rune) uint8 {
	c := classAny
	switch {
	case unicode.IsLetter(r):
		c |= classLetter
	case unicode.IsNumber(r):
		c |= classNumber
	case unicode.IsSpace(r):
		c |= classSpace
	}
	return c
}

// runeBuf is a fragment decoded into characters, their classes and byte
// offsets (off has one extra entry: the fragment's length).
type runeBuf struct {
	r   []rune
	c   []uint8
	off []int32
}

// decode fills b from text. An invalid byte becomes one RuneError character.
func (b *runeBuf) decode(text string) {
	b.r, b.c, b.off = b.r[:0], b.c[:0], b.off[:0]
	for i := 0; i < len(text); {
		r, n := rune(text[i]), 1
		var c uint8
		if r < utf8.RuneSelf {
			c = asciiClass[r]
		} else {
			r, n = utf8.DecodeRuneInString(text[i:])
			c = classify(r)
			if r == utf8.RuneError && n == 1 {
				c = classAny
			}
		}
		b.r = append(b.r, r)
		b.c = append(b.c, c)
		b.off = append(b.off, int32(i))
		i += n
	}
	b.off = append(b.off, int32(len(text)))
}

// at returns the character at pos, or -1 past the end.
func (b *runeBuf) at(pos int) rune {
	if pos < len(b.r) {
		return b.r[pos]
	}
	return -1
}

// class returns the classes at pos, or 0 past the end.
func (b *runeBuf) class(pos int) uint8 {
	if pos < len(b.c) {
		return b.c[pos]
	}
	return 0
}
