package engine

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func TestTokenizerCandidates(t *testing.T) {
	dir := testdata.Path(t, "stories260K", "")
	if got := tokenizerCandidates(filepath.Join(dir, "stories260K.bin")); !slices.Contains(got, filepath.Join(dir, "tok512.bin")) {
		t.Errorf("beside the .bin: %v, want tok512.bin among them", got)
	}
	if got := tokenizerCandidates(filepath.Join(dir, "hf")); !slices.Contains(got, filepath.Join(dir, "hf", "tokenizer.model")) {
		t.Errorf("in hf/: %v, want tokenizer.model", got)
	}
}

func TestExplicitTokenizer(t *testing.T) {
	m, err := Load(testdata.Path(t, "stories260K", "stories260K-f32.gguf"),
		Options{Threads: 1, TokenizerPath: testdata.Path(t, "stories260K", "tok512.model")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.Tokenize("Once upon a time", true, false); !slices.Equal(got, []int{1, 403, 407, 261, 378}) {
		t.Errorf("tokens %v", got)
	}
}

func TestBuiltinFilesStable(t *testing.T) {
	a, err := builtinFiles()
	if err != nil {
		t.Fatal(err)
	}
	b, err := builtinFiles()
	if err != nil || a != b {
		t.Errorf("second call: %q, %v; first %q", b, err, a)
	}
}
