package tokenizer

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// vocabCase is one llama.cpp tokenizer test vector.
type vocabCase struct {
	text string
	ids  []int
}

// readVocabCases reads a .inp file (strings each followed by a line
// "__ggml_vocab_test__") and its .out file (one line of ids per string).
func readVocabCases(t *testing.T, inp string) []vocabCase {
	t.Helper()
	in, err := os.ReadFile(inp)
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(strings.TrimSuffix(inp, ".inp") + ".out")
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(string(in), "\n__ggml_vocab_test__\n")
	if texts[len(texts)-1] != "" {
		t.Fatalf("%s: does not end with a separator", inp)
	}
	texts = texts[:len(texts)-1]
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d strings but %d id lines", inp, len(texts), len(lines))
	}
	cases := make([]vocabCase, len(texts))
	for i, text := range texts {
		cases[i].text = text
		for _, f := range strings.Fields(lines[i]) {
			id, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s line %d: %v", inp, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, id)
		}
	}
	return cases
}

// vocabFiles lists every vocabulary with test vectors.
func vocabFiles(t *testing.T) []string {
	dir := testdata.Path(t, "vocab")
	inps, err := filepath.Glob(filepath.Join(dir, "*.inp"))
	if err != nil || len(inps) == 0 {
		t.Fatalf("no .inp files in %s", dir)
	}
	return inps
}

func TestVocabVectors(t *testing.T) {
	for _, inp := range vocabFiles(t) {
		name := strings.TrimSuffix(filepath.Base(inp), ".inp")
		t.Run(name, func(t *testing.T) {
			tok, err := Load(strings.TrimSuffix(inp, ".inp"))
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range readVocabCases(t, inp) {
				got := tok.Encode(c.text, false, false)
				if !slices.Equal(got, c.ids) {
					t.Errorf("case %d %q:\n got %v\nwant %v", i, c.text, got, c.ids)
					continue
				}
				if back := tok.Decode(got); back != c.text {
					t.Errorf("case %d: decode = %q, want %q", i, back, c.text)
				}
			}
		})
	}
}
