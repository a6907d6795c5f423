// Package weights opens model checkpoints in the formats herd reads — GGUF,
// llama2.c checkpoints and Hugging Face safetensors — and presents each in one
// shape: GGUF tensor names, ggml shapes (Shape[0] is the row length), ggml
// element types and GGUF metadata keys. Tensor data points into the
// memory-mapped file wherever the stored layout already matches; only tensors
// that need rearranging (Hugging Face's permuted q/k rows) are copied.
package weights

import (
	"errors"
	"fmt"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// Tensor is one weight tensor under its GGUF name, with its raw bytes in
// ggml's layout for Type. Data is read-only: it usually aliases a
// memory-mapped file and stays valid until the File is closed.
type Tensor struct {
	Name  string
	Type  tensor.Type
	Shape []uint64
	Data  []byte
}

// Elements returns the number of elements the tensor holds.
func (t *Tensor) Elements() uint64 {
	n := uint64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// File is an opened model checkpoint: its metadata in GGUF's key vocabulary
// and its tensors under GGUF names.
type File struct {
	Path    string
	Format  string // "gguf", "llama2c" or "safetensors"
	Meta    *gguf.Metadata
	Tensors []*Tensor

	index   map[string]*Tensor
	closers []func() error
}

// Tensor returns the tensor with the given GGUF name. It is safe for
// concurrent use once the File is opened.
func (f *File) Tensor(name string) (*Tensor, bool) {
	if f.index == nil {
		// A File assembled by hand: search without caching, so lookups never
		// write to the File.
		for _, t := range f.Tensors {
			if t.Name == name {
				return t, true
			}
		}
		return nil, false
	}
	t, ok := f.index[name]
	return t, ok
}

// indexTensors builds the name index Tensor uses; openers call it once the
// tensor list is final.
func (f *File) indexTensors() {
	f.index = make(map[string]*Tensor, len(f.Tensors))
	for _, t := range f.Tensors {
		f.index[t.Name] = t
	}
}

// Close releases the file's mappings. Tensor data must not be used after.
func (f *File) Close() error {
	var errs []error
	for i := len(f.closers) - 1; i >= 0; i-- {
		if err := f.closers[i](); err != nil {
			errs = append(errs, err)
		}
	}
	f.closers = nil
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("weights: close %s: %w", f.Path, err)
	}
	return nil
}

// OnClose registers fn to run when the file is closed, after any registered
// later (formats use it to release their mappings).
func (f *File) OnClose(fn func() error) { f.closers = append(f.closers, fn) }

// NewFile assembles a File from a format's tensors and metadata, for
// formats registered with RegisterFormat; tensor names must be unique.
func NewFile(path, format string, meta *gguf.Metadata, tensors []*Tensor) *File {
	f := &File{Path: path, Format: format, Meta: meta, Tensors: tensors}
	f.indexTensors()
	return f
}
