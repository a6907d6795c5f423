package tokenizer

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func TestCandidates(t *testing.T) {
	dir := testdata.Path(t, "stories260K")
	if got := Candidates(filepath.Join(dir, "stories260K.bin")); !slices.Contains(got, filepath.Join(dir, "tok512.bin")) {
		t.Errorf("beside the .bin: %v, want tok512.bin among them", got)
	}
	if got := Candidates(filepath.Join(dir, "hf")); !slices.Contains(got, filepath.Join(dir, "hf", "tokenizer.model")) {
		t.Errorf("in hf/: %v, want tokenizer.model", got)
	}
}

func TestFindBeside(t *testing.T) {
	dir := testdata.Path(t, "stories260K")
	tok, err := FindBeside(filepath.Join(dir, "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if tok.VocabSize() != 512 || tok.BOS() != 1 {
		t.Errorf("vocab %d, BOS %d", tok.VocabSize(), tok.BOS())
	}
	if _, err := FindBeside(filepath.Join(t.TempDir(), "model.bin")); err == nil {
		t.Error("found a tokenizer in an empty folder")
	}
}
