package lora

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/weights"
)

// WriteMerged merges the adapters into base (see Merge) and writes the
// result as a GGUF file at path. It writes a temporary file beside path and
// renames it into place, so a failed merge leaves nothing behind and the
// base (which is read while writing) is never overwritten.
func WriteMerged(path string, base *weights.File, adapters []Scaled, opts MergeOptions) error {
	meta, ts, err := Merge(base, adapters, opts)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".merge-*.gguf")
	if err != nil {
		return fmt.Errorf("lora: %w", err)
	}
	err = gguf.Write(tmp, meta, ts)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("lora: writing %s: %w", path, err)
	}
	return nil
}
