package engine

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"

	"github.com/herdllm/herd/model/builtin"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"
)

// open opens the weights at path ("" for the built-in model) and finds their
// tokenizer.
func open(path, tokPath string) (*weights.File, *tokenizer.Tokenizer, error) {
	if path == "" {
		var err error
		if path, err = builtinFiles(); err != nil {
			return nil, nil, err
		}
	}
	f, err := weights.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("engine: %w", err)
	}
	tok, err := findTokenizer(f, path, tokPath)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, tok, nil
}

// findTokenizer returns the explicit tokenizer, else the file's own
// vocabulary, else one found beside the checkpoint.
func findTokenizer(f *weights.File, path, tokPath string) (*tokenizer.Tokenizer, error) {
	if tokPath != "" {
		tok, err := tokenizer.Load(tokPath)
		if err != nil {
			return nil, fmt.Errorf("engine: tokenizer: %w", err)
		}
		return tok, nil
	}
	if _, ok := f.Meta.Get("tokenizer.ggml.tokens"); ok {
		tok, err := tokenizer.FromGGUF(f.Meta)
		if err != nil {
			return nil, fmt.Errorf("engine: %s: %w", path, err)
		}
		return tok, nil
	}
	tok, err := tokenizer.FindBeside(path)
	if err != nil {
		return nil, fmt.Errorf("engine: %s has no vocabulary: %w; set a tokenizer path", path, err)
	}
	return tok, nil
}

// builtinFiles writes the embedded model to the user cache directory (once
// per content) and returns the checkpoint's path; its tokenizer lies beside
// it.
func builtinFiles() (string, error) {
	sum := sha256.New()
	sum.Write(builtin.Checkpoint)
	sum.Write(builtin.Tokenizer)
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "herd", builtin.Name+"-"+hex.EncodeToString(sum.Sum(nil))[:16])
	ckpt := filepath.Join(dir, builtin.Name+".bin")
	tok := filepath.Join(dir, "tokenizer.bin")
	if sameSize(ckpt, len(builtin.Checkpoint)) && sameSize(tok, len(builtin.Tokenizer)) {
		return ckpt, nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("engine: built-in model: %w", err)
	}
	for p, data := range map[string][]byte{ckpt: builtin.Checkpoint, tok: builtin.Tokenizer} {
		if err := writeAtomic(p, data); err != nil {
			return "", fmt.Errorf("engine: built-in model: %w", err)
		}
	}
	return ckpt, nil
}

func sameSize(p string, n int) bool {
	st, err := os.Stat(p)
	return err == nil && st.Size() == int64(n)
}

// writeAtomic writes data to a temporary file beside p and renames it into
// place, so a concurrent reader never sees a partial file.
func writeAtomic(p string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), p)
}
