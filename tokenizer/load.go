package tokenizer

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/herdllm/herd/gguf"
)

// dirCandidates are the files looked for in a model directory, best first.
var dirCandidates = []string{"tokenizer.model", "tokenizer.json", "tokenizer.bin"}

// Load reads a tokenizer from a GGUF file, a SentencePiece tokenizer.model,
// a llama2.c tokenizer.bin, a Hugging Face tokenizer.json, or a directory
// holding one of these (or a single other .model, or a single .gguf). The format is recognised from
// the content.
func Load(path string) (*Tokenizer, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	if st.IsDir() {
		file, err := findInDir(path)
		if err != nil {
			return nil, err
		}
		path = file
	}
	if isGGUF(path) {
		// A model file can be many gigabytes: map it, read only metadata.
		f, err := gguf.Open(path)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %w", err)
		}
		defer f.Close()
		t, err := FromGGUF(f.Meta)
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, path)
		}
		return t, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("tokenizer: %w", err)
	}
	var v Vocab
	switch format := sniff(path, data); format {
	case "json":
		config, err := os.ReadFile(filepath.Join(filepath.Dir(path), "tokenizer_config.json"))
		if err != nil {
			config = nil
		}
		v, err = ParseHFTokenizer(data, config)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
		}
	case "sentencepiece":
		v, err = ParseSentencePiece(data)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
		}
	case "llama2c":
		v, err = ParseLlama2C(data)
		if err != nil {
			return nil, fmt.Errorf("tokenizer: %s: %w", path, err)
		}
	default:
		return nil, fmt.Errorf("tokenizer: %s: unrecognised tokenizer format", path)
	}
	t, err := New(v)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, path)
	}
	return t, nil
}

// findInDir picks the tokenizer file of a model directory.
func findInDir(dir string) (string, error) {
	for _, name := range dirCandidates {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	if models, _ := filepath.Glob(filepath.Join(dir, "*.model")); len(models) == 1 {
		return models[0], nil
	}
	ggufs, _ := filepath.Glob(filepath.Join(dir, "*.gguf"))
	if len(ggufs) == 1 {
		return ggufs[0], nil
	}
	if len(ggufs) > 1 {
		return "", fmt.Errorf("tokenizer: %s holds %d .gguf files; name one", dir, len(ggufs))
	}
	return "", fmt.Errorf("tokenizer: %s: %w", dir, errors.New("no tokenizer.model, tokenizer.json, tokenizer.bin or .gguf"))
}

// isGGUF reports whether the file starts with the GGUF magic.
func isGGUF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	var magic [4]byte
	_, err = io.ReadFull(f, magic[:])
	return err == nil && string(magic[:]) == "GGUF"
}

// sniff names the format of a tokenizer file from its content, with the
// file name settling the binary formats' tie.
func sniff(path string, data []byte) string {
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] == '{' {
		return "json"
	}
	ext := strings.ToLower(filepath.Ext(path))
	switch {
	case ext == ".model":
		return "sentencepiece"
	case ext == ".bin":
		return "llama2c"
	case len(data) > 0 && data[0] == 0x0A: // protobuf field 1, length-delimited
		return "sentencepiece"
	case len(data) >= 4:
		return "llama2c"
	}
	return ""
}
