package tokenizer

import "unicode/utf8"

// TokenBytes returns the bytes a token stands for: byte tokens give their
// byte, normal tokens their text (spaces restored), control and
// user-defined tokens their piece. It is nil for ids out of range. The
// result must not be modified.
func (t *Tokenizer) TokenBytes(id int) []byte {
	if id < 0 || id >= len(t.raw) {
		return nil
	}
	return t.raw[id]
}

// appendPiece appends what id decodes to in running text: control and
// unknown tokens decode to nothing.
func (t *Tokenizer) appendPiece(dst []byte, id int) []byte {
	if id < 0 || id >= len(t.text) {
		return dst
	}
	return append(dst, t.text[id]...)
}

// Decode turns ids into text the way llama.cpp's detokenize does: control
// tokens vanish, byte tokens are joined into their characters, and with
// add_space_prefix the space the encoder put before the
// first word is removed (only when the sequence does not start with BOS,
// whose presence keeps that space). Invalid UTF-8 stays as bytes.
// Decode(Encode(s, false, false)) == s for any valid UTF-8 s without "▁"
// or user-defined tokens (byte-level BPE: for any bytes).
func (t *Tokenizer) Decode(ids []int) string {
	var out []byte
	strip := t.v.AddSpacePrefix
	for i, id := range ids {
		n := len(out)
		out = t.appendPiece(out, id)
		if i == 0 && strip && len(out) > n && out[n] == ' ' {
			out = append(out[:n], out[n+1:]...)
		}
	}
	return string(out)
}

// StreamDecoder turns ids into text one at a time, as they are generated,
// and never splits a UTF-8 character between two chunks.
type StreamDecoder struct {
	t       *Tokenizer
	pending []byte
}

// NewStreamDecoder returns a decoder for a stream of generated ids.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder {
	return &StreamDecoder{t: t}
}

// Add decodes one more id and returns the text now complete: everything up
// to an unfinished UTF-8 character at the end, which is held back.
func (d *StreamDecoder) Add(id int) string {
	d.pending = d.t.appendPiece(d.pending, id)
	cut := completeUTF8(d.pending)
	if cut == 0 {
		return ""
	}
	s := string(d.pending[:cut])
	d.pending = append(d.pending[:0], d.pending[cut:]...)
	return s
}

// Flush returns whatever is held back (an incomplete character at the end
// of the stream) and resets the decoder.
func (d *StreamDecoder) Flush() string {
	s := string(d.pending)
	d.pending = d.pending[:0]
	return s
}

// completeUTF8 returns the length of the longest prefix of b that does not
// end inside a UTF-8 character that later bytes could still complete.
func completeUTF8(b []byte) int {
	// Look back at most 3 bytes for the start of the last character.
	for k := 1; k <= 3 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < 0x80 {
			return len(b)
		}
		if c >= 0xC0 { // lead byte
			if utf8.FullRune(b[len(b)-k:]) {
				return len(b)
			}
			return len(b) - k
		}
	}
	return len(b)
}
