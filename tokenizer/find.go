package tokenizer

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// Candidates lists the files that may hold the tokenizer of the checkpoint
// at path, most likely first: in a checkpoint's directory (or the directory
// path names) tokenizer.json, tokenizer.model, tokenizer.bin, then any
// llama2.c-style tok*.bin.
func Candidates(path string) []string {
	dir := path
	if st, err := os.Stat(path); err != nil || !st.IsDir() {
		dir = filepath.Dir(path)
	}
	var out []string
	for _, name := range []string{"tokenizer.json", "tokenizer.model", "tokenizer.bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			out = append(out, p)
		}
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "tok*.bin"))
	sort.Strings(matches)
	for _, p := range matches {
		if filepath.Base(p) != "tokenizer.bin" {
			out = append(out, p)
		}
	}
	return out
}

// FindBeside loads the tokenizer of a checkpoint that carries no vocabulary
// (a llama2.c .bin, a Hugging Face directory): the first of Candidates(path)
// that loads.
func FindBeside(path string) (*Tokenizer, error) {
	candidates := Candidates(path)
	for _, c := range candidates {
		if tok, err := Load(c); err == nil {
			return tok, nil
		}
	}
	return nil, fmt.Errorf("tokenizer: no tokenizer found beside %s (looked for %v)", path, candidates)
}
