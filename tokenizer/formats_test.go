package tokenizer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// loaded caches tokenizers that several tests load.
var loaded sync.Map

func load(t testing.TB, elem ...string) *Tokenizer {
	t.Helper()
	path := testdata.Path(t, elem...)
	if tok, ok := loaded.Load(path); ok {
		return tok.(*Tokenizer)
	}
	tok, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	loaded.Store(path, tok)
	return tok
}

// kjvSample returns about n bytes of the King James Bible, cut at a line end.
func kjvSample(t testing.TB, n int) string {
	t.Helper()
	data, err := os.ReadFile(testdata.Path(t, "corpora", "kjv.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if n < len(data) {
		if i := strings.LastIndexByte(string(data[:n]), '\n'); i > 0 {
			n = i + 1
		}
		data = data[:n]
	}
	return string(data)
}

// sameIDs checks that two tokenizers agree on the vocabulary's test vectors
// and on a 300 KB slice of the King James Bible (a slice keeps the test
// short; the benchmarks cover the whole text).
func sameIDs(t *testing.T, a, b *Tokenizer, vectors string) {
	t.Helper()
	texts := []string{kjvSample(t, 300_000)}
	for _, c := range readVocabCases(t, testdata.Path(t, "vocab", vectors)) {
		texts = append(texts, c.text)
	}
	for _, text := range texts {
		for _, special := range []bool{false, true} {
			x, y := a.Encode(text, special, false), b.Encode(text, special, false)
			if !slices.Equal(x, y) {
				i := 0
				for i < min(len(x), len(y)) && x[i] == y[i] {
					i++
				}
				t.Errorf("text %.40q (addSpecial %v): ids differ at %d: %v vs %v", text, special, i, x[i:min(i+8, len(x))], y[i:min(i+8, len(y))])
			}
		}
	}
	if a.VocabSize() != b.VocabSize() || a.BOS() != b.BOS() || !slices.Equal(a.EOG(), b.EOG()) {
		t.Errorf("vocab %d/%d, BOS %d/%d, EOG %v/%v", a.VocabSize(), b.VocabSize(), a.BOS(), b.BOS(), a.EOG(), b.EOG())
	}
}

func TestSentencePieceModelMatchesGGUF(t *testing.T) {
	sameIDs(t, load(t, "llama2", "tokenizer.model"), load(t, "vocab", "ggml-vocab-llama-spm.gguf"), "ggml-vocab-llama-spm.gguf.inp")
}

func TestLlama2CBinMatchesGGUF(t *testing.T) {
	sameIDs(t, load(t, "llama2", "tokenizer.bin"), load(t, "vocab", "ggml-vocab-llama-spm.gguf"), "ggml-vocab-llama-spm.gguf.inp")
}

func TestTokenizerJSONMatchesGGUF(t *testing.T) {
	js := load(t, "llama3", "tokenizer.json")
	if js.Pre() != "llama-bpe" {
		t.Errorf("pre-tokenizer detected as %q, want llama-bpe", js.Pre())
	}
	g := load(t, "vocab", "ggml-vocab-llama-bpe.gguf")
	texts := []string{kjvSample(t, 300_000)}
	for _, c := range readVocabCases(t, testdata.Path(t, "vocab", "ggml-vocab-llama-bpe.gguf.inp")) {
		texts = append(texts, c.text)
	}
	for _, text := range texts {
		if x, y := js.Encode(text, false, false), g.Encode(text, false, false); !slices.Equal(x, y) {
			t.Errorf("text %.40q: ids differ", text)
		}
	}
	if js.VocabSize() != g.VocabSize() {
		t.Errorf("vocab size %d vs %d", js.VocabSize(), g.VocabSize())
	}
	for _, piece := range []string{"<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"} {
		id, ok := js.TokenID(piece)
		if !ok {
			continue // <|eom_id|> arrived with Llama 3.1
		}
		if !js.IsEOG(id) || !g.IsEOG(id) {
			t.Errorf("%s (%d) is not end-of-generation", piece, id)
		}
	}
}

func TestDirectoryLoad(t *testing.T) {
	// Finding the file is enough for llama3/; other tests load it.
	if file, err := findInDir(testdata.Path(t, "llama3")); err != nil || filepath.Base(file) != "tokenizer.json" {
		t.Errorf("llama3 dir: %q, %v", file, err)
	}
	tok := load(t, "stories260K", "hf")
	if tok.Kind() != SPM || tok.VocabSize() != 512 {
		t.Errorf("stories260K/hf dir: kind %v, %d tokens", tok.Kind(), tok.VocabSize())
	}
}

// TestRunCGolden checks tok512.bin and tok512.model against the encodings
// llama2.c's run.c produced (BOS prepended, no EOS), and the GGUF converted
// from the same checkpoint.
func TestRunCGolden(t *testing.T) {
	data, err := os.ReadFile(testdata.Path(t, "stories260K", "golden-runc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Encode []struct {
			Text string `json:"text"`
			IDs  []int  `json:"ids"`
		} `json:"encode"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	if len(golden.Encode) == 0 {
		t.Fatal("no encode cases")
	}
	for _, file := range []string{"tok512.bin", "tok512.model", "stories260K-f32.gguf"} {
		tok := load(t, "stories260K", file)
		for _, c := range golden.Encode {
			if got := tok.Encode(c.Text, true, false); !slices.Equal(got, c.IDs) {
				t.Errorf("%s %q:\n got %v\nwant %v", file, c.Text, got, c.IDs)
			}
		}
	}
}
