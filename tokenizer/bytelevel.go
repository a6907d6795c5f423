package tokenizer

import "unicode/utf8"

// byteToRune is GPT-2's reversible byte → printable character map: printable
// Latin-1 bytes stand for themselves, the rest take code points from U+0100.
var byteToRune [256]rune

// runeToByte inverts byteToRune.
var runeToByte = map[rune]byte{}

func init() {
	n := 0
	for b := 0; b < 256; b++ {
		if (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF) {
			byteToRune[b] = rune(b)
		} else {
			byteToRune[b] = rune(256 + n)
			n++
		}
		runeToByte[byteToRune[b]] = byte(b)
	}
}

// byteLevelEncode maps raw bytes to their byte-level characters.
func byteLevelEncode(dst []byte, raw string) []byte {
	for i := 0; i < len(raw); i++ {
		dst = utf8.AppendRune(dst, byteToRune[raw[i]])
	}
	return dst
}

// byteLevelDecode maps a byte-level piece back to raw bytes. Characters
// outside the map are kept as their UTF-8.
func byteLevelDecode(piece string) []byte {
	out := make([]byte, 0, len(piece))
	for _, r := range piece {
		if b, ok := runeToByte[r]; ok {
			out = append(out, b)
		} else {
			out = utf8.AppendRune(out, r)
		}
	}
	return out
}
