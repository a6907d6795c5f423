//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly) || gguf_nommap

package gguf

import (
	"fmt"
	"os"
)

// Open opens the GGUF file at path and parses its header. On this platform
// (or with the gguf_nommap build tag) the file is not memory-mapped: Data
// reads each tensor with ReadAt into a new slice. Call Close when done.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	st, err := fd.Stat()
	if err != nil {
		fd.Close()
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := Parse(path, fd, st.Size())
	if err != nil {
		fd.Close()
		return nil, err
	}
	f.close = fd.Close
	return f, nil
}
