package tokenizer

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are inputs every fuzz target starts from, chosen to hit byte
// fallback, invalid UTF-8, special-token text, digits, whitespace runs and
// contractions.
var fuzzSeeds = []string{
	"", " ", "Hello world", "  two  spaces", "üñí©ødé 😀", "\xff\xfe\x80abc", "\xe2\x96", "a\xe2▁b",
	"<|eot_id|><s></s><|end|>", "3333333 1.5e-10", "I'll've you're", "\t\n\r\n  \n", "日本語のテキスト",
	"\u00a0\u2009\u3000x", "'S'T'RE", "▁▁▁", "<0x41>",
}

// roundTrips reports whether decode(encode(text)) must give text back: it
// is valid UTF-8 (byte-level BPE: any bytes) and, for SentencePiece, holds neither "▁" (which decodes
// as a space) nor a user-defined token (after which llama.cpp inserts the
// space prefix again).
func roundTrips(tok *Tokenizer, text string) bool {
	for _, f := range tok.partition(text, false) {
		if f.token >= 0 {
			return false
		}
	}
	if tok.Kind() == BPE {
		return true // byte-level BPE keeps even invalid UTF-8 byte for byte
	}
	return utf8.ValidString(text) && !strings.Contains(text, spmSpace)
}

// fuzzEncode checks that encoding never panics and that valid UTF-8
// survives encode → decode.
func fuzzEncode(f *testing.F, elem ...string) {
	tok := load(f, elem...)
	for _, s := range fuzzSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, text string, special bool) {
		ids := tok.Encode(text, special, special)
		for _, id := range ids {
			if id < 0 || id >= tok.VocabSize() {
				t.Fatalf("id %d out of range", id)
			}
		}
		back := tok.Decode(ids)
		if !special && roundTrips(tok, text) && back != text {
			t.Fatalf("decode(encode(%q)) = %q", text, back)
		}
		d := tok.NewStreamDecoder()
		var streamed string
		for _, id := range ids {
			chunk := d.Add(id)
			if utf8.ValidString(text) && !utf8.ValidString(chunk) {
				t.Fatalf("stream chunk %q is not valid UTF-8", chunk)
			}
			streamed += chunk
		}
		streamed += d.Flush()
		if !special && roundTrips(tok, text) && tok.Kind() == BPE && streamed != text {
			t.Fatalf("streamed %q, want %q", streamed, text)
		}
	})
}

func FuzzEncodeSPM(f *testing.F) { fuzzEncode(f, "vocab", "ggml-vocab-llama-spm.gguf") }

func FuzzEncodeBPE(f *testing.F) { fuzzEncode(f, "vocab", "ggml-vocab-llama-bpe.gguf") }

func FuzzEncodeGPT2(f *testing.F) { fuzzEncode(f, "vocab", "ggml-vocab-gpt-2.gguf") }

func FuzzEncodePhi3(f *testing.F) { fuzzEncode(f, "vocab", "ggml-vocab-phi-3.gguf") }

// FuzzParsers feeds arbitrary bytes to every file parser: errors are fine,
// panics are not, and whatever parses must build a working tokenizer.
func FuzzParsers(f *testing.F) {
	f.Add([]byte{0x0a, 0x07, 0x0a, 0x01, 'a', 0x15, 0, 0, 0x80, 0x3f})
	f.Add([]byte{4, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 'a'})
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]},"pre_tokenizer":{"type":"ByteLevel"}}`))
	f.Add([]byte(`{"model":{"type":"BPE","vocab":{"a":0},"merges":[["a","a"]]},"pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":"\\p{N}+|("}},{"type":"ByteLevel"}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var vocabs []Vocab
		if v, err := ParseSentencePiece(data); err == nil {
			vocabs = append(vocabs, v)
		}
		if v, err := ParseLlama2C(data); err == nil {
			vocabs = append(vocabs, v)
		}
		if v, err := ParseHFTokenizer(data, nil); err == nil {
			vocabs = append(vocabs, v)
		}
		for _, v := range vocabs {
			if len(v.Tokens) > 1<<16 {
				continue
			}
			tok, err := New(v)
			if err != nil {
				continue
			}
			ids := tok.Encode("a b\xffab 12", true, true)
			_ = tok.Decode(ids)
		}
	})
}

func TestStreamDecoderHoldsPartialCharacters(t *testing.T) {
	tok := load(t, "vocab", "ggml-vocab-llama-spm.gguf")
	text := "emoji 😀 and ü"
	ids := tok.Encode(text, false, false)
	d := tok.NewStreamDecoder()
	var chunks []string
	for _, id := range ids {
		if c := d.Add(id); c != "" {
			chunks = append(chunks, c)
		}
	}
	if c := d.Flush(); c != "" {
		chunks = append(chunks, c)
	}
	joined := ""
	for _, c := range chunks {
		if !utf8.ValidString(c) {
			t.Errorf("chunk %q splits a character", c)
		}
		joined += c
	}
	if joined != " "+text {
		t.Errorf("stream gave %q", joined)
	}
	// An unfinished character is held until Flush.
	d = tok.NewStreamDecoder()
	first, _ := tok.TokenID("<0xF0>")
	if got := d.Add(first); got != "" {
		t.Errorf("partial character emitted: %q", got)
	}
	if got := d.Flush(); got != "\xf0" {
		t.Errorf("flush = %q", got)
	}
	if !slices.Equal(tok.TokenBytes(first), []byte{0xf0}) {
		t.Errorf("TokenBytes(<0xF0>) = %q", tok.TokenBytes(first))
	}
}
