package tokenizer

import (
	"bytes"
	"slices"
	"testing"

	"github.com/herdllm/herd/gguf"
)

func TestSpecialTokensParsedOnlyOnRequest(t *testing.T) {
	tok := load(t, "vocab", "ggml-vocab-llama-bpe.gguf")
	eot, ok := tok.TokenID("<|eot_id|>")
	if !ok || !tok.IsSpecial(eot) {
		t.Fatalf("<|eot_id|> missing or not special")
	}
	text := "Hi<|eot_id|>there"
	parsed := tok.Encode(text, false, true)
	if !slices.Contains(parsed, eot) {
		t.Errorf("parseSpecial: %v lacks %d", parsed, eot)
	}
	plain := tok.Encode(text, false, false)
	if slices.Contains(plain, eot) {
		t.Errorf("without parseSpecial: %v holds %d", plain, eot)
	}
	if got := tok.Decode(plain); got != text {
		t.Errorf("plain decode %q", got)
	}
	if got := tok.Decode(parsed); got != "Hithere" {
		t.Errorf("control tokens should not decode: %q", got)
	}
	if got := string(tok.TokenBytes(eot)); got != "<|eot_id|>" {
		t.Errorf("TokenBytes(eot) = %q", got)
	}
	withBOS := tok.Encode("Hi", true, false)
	if !tok.AddBOS() || withBOS[0] != tok.BOS() || tok.BOS() != 128000 {
		t.Errorf("BOS: AddBOS %v, ids %v", tok.AddBOS(), withBOS)
	}
}

func TestEndOfGeneration(t *testing.T) {
	for _, c := range []struct {
		file string
		eog  []string
	}{
		{"ggml-vocab-llama-bpe.gguf", []string{"<|eot_id|>", "<|end_of_text|>"}},
		{"ggml-vocab-llama-spm.gguf", []string{"</s>"}},
		{"ggml-vocab-phi-3.gguf", []string{"<|endoftext|>", "<|end|>"}},
		{"ggml-vocab-gpt-2.gguf", []string{"<|endoftext|>"}},
	} {
		tok := load(t, "vocab", c.file)
		var want []int
		for _, p := range c.eog {
			id, ok := tok.TokenID(p)
			if !ok {
				t.Fatalf("%s: no %s", c.file, p)
			}
			want = append(want, id)
		}
		slices.Sort(want)
		if got := tok.EOG(); !slices.Equal(got, want) {
			t.Errorf("%s: EOG %v, want %v", c.file, got, want)
		}
	}
}

func TestSPMSpacePrefixAndBOS(t *testing.T) {
	tok := load(t, "vocab", "ggml-vocab-llama-spm.gguf")
	ids := tok.Encode("Hello world", true, false)
	if want := []int{1, 15043, 3186}; !slices.Equal(ids, want) {
		t.Errorf("Hello world = %v, want %v", ids, want)
	}
	// As in llama.cpp, a leading BOS keeps the space the encoder added.
	if got := tok.Decode(ids); got != " Hello world" {
		t.Errorf("decode with BOS = %q", got)
	}
	if got := tok.Decode(ids[1:]); got != "Hello world" {
		t.Errorf("decode without BOS = %q", got)
	}
	if tok.Encode("", true, false)[0] != 1 || len(tok.Encode("", false, false)) != 0 {
		t.Errorf("empty text")
	}
	if !tok.spmSplit {
		t.Errorf("Llama 2 vocabulary should allow encoding run by run")
	}
}

// TestWriteGGUFRoundTrip converts tokenizers to GGUF metadata, writes and
// reads the file, and checks that the result tokenizes identically.
func TestWriteGGUFRoundTrip(t *testing.T) {
	text := kjvSample(t, 20_000) + " <|eot_id|> üñ 😀 123456"
	for _, elem := range [][]string{
		{"llama2", "tokenizer.bin"},
		{"stories260K", "tok512.model"},
		{"llama3", "tokenizer.json"},
	} {
		tok := load(t, elem...)
		meta := gguf.NewMetadata()
		meta.Set("general.architecture", "llama")
		tok.WriteGGUF(meta)
		var buf bytes.Buffer
		if err := gguf.Write(&buf, meta, nil); err != nil {
			t.Fatal(err)
		}
		f, err := gguf.Parse("mem.gguf", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		back, err := FromGGUF(f.Meta)
		if err != nil {
			t.Fatal(err)
		}
		for _, special := range []bool{false, true} {
			if a, b := tok.Encode(text, special, special), back.Encode(text, special, special); !slices.Equal(a, b) {
				t.Errorf("%v: ids differ after GGUF round trip", elem)
			}
		}
		if tok.BOS() != back.BOS() || tok.EOS() != back.EOS() || tok.AddBOS() != back.AddBOS() || !slices.Equal(tok.EOG(), back.EOG()) {
			t.Errorf("%v: special ids differ after GGUF round trip", elem)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load(t.TempDir()); err == nil {
		t.Error("empty directory loaded")
	}
	meta := gguf.NewMetadata()
	meta.Set(keyModel, "bert")
	meta.Set(keyTokens, []string{"a"})
	if _, err := FromGGUF(meta); err == nil {
		t.Error("bert vocabulary accepted")
	}
}

// TestPhi3SpecialTokensStripSpaceAfter follows llama.cpp, which makes
// Phi-3's special tokens swallow the whitespace that follows them.
func TestPhi3SpecialTokensStripSpaceAfter(t *testing.T) {
	tok := load(t, "vocab", "ggml-vocab-phi-3.gguf")
	end, ok := tok.TokenID("<|end|>")
	if !ok {
		t.Fatal("no <|end|>")
	}
	a := tok.Encode("Hi<|end|> \n Bye", false, true)
	b := tok.Encode("Hi<|end|>Bye", false, true)
	if !slices.Equal(a, b) || !slices.Contains(a, end) {
		t.Errorf("whitespace after <|end|> kept: %v vs %v", a, b)
	}
	// <s> is exempt.
	if a, b := tok.Encode("<s> x", false, true), tok.Encode("<s>x", false, true); slices.Equal(a, b) {
		t.Errorf("whitespace after <s> dropped: %v", a)
	}
}

// TestSPMRunByRunMatchesWholeText checks the shortcut of encoding SPM text
// one "▁" run at a time (with a cache) against merging the whole text in
// one heap, as llama.cpp does.
func TestSPMRunByRunMatchesWholeText(t *testing.T) {
	for _, file := range []string{"ggml-vocab-llama-spm.gguf", "ggml-vocab-phi-3.gguf"} {
		fast := load(t, "vocab", file)
		whole, err := New(fast.Vocab())
		if err != nil {
			t.Fatal(err)
		}
		whole.spmSplit = false
		text := kjvSample(t, 100_000) + " üñí©ødé 😀\xe2 \xe2\x96 x  \t y"
		if a, b := fast.Encode(text, true, false), whole.Encode(text, true, false); !slices.Equal(a, b) {
			t.Errorf("%s: run-by-run encoding differs from whole-text encoding", file)
		}
	}
}
