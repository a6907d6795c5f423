package synth

import (
	"fmt"
	"os"
	"path/filepath"
)

// CacheDir returns the folder synthetic models are kept in: $HERD_CACHE or
// the user's cache folder, under herd/synthetic.
func CacheDir() (string, error) {
	base := os.Getenv("HERD_CACHE")
	if base == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("synth: %w", err)
		}
		base = filepath.Join(d, "herd")
	}
	return filepath.Join(base, "synthetic"), nil
}

// Cached returns the path of the model of shape s and mix m (seed 0) in
// dir, writing it first if it is not there. The file appears whole or not
// at all: it is written under a temporary name and renamed.
func Cached(dir string, s Shape, m Mix) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("synth: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s.gguf", s.Name, m.Name))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp, err := os.CreateTemp(dir, ".writing-*.gguf")
	if err != nil {
		return "", fmt.Errorf("synth: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	if err := WriteFile(tmp.Name(), s, m, 0); err != nil {
		return "", err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", fmt.Errorf("synth: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return "", fmt.Errorf("synth: %w", err)
	}
	return path, nil
}
