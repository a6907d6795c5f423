//go:build (linux || darwin || freebsd || netbsd || openbsd || dragonfly) && !gguf_nommap

package gguf

import (
	"fmt"
	"os"
	"syscall"
)

// Open memory-maps the GGUF file at path read-only and parses its header.
// Only the header's pages are read; tensor data is paged in as it is used.
// Call Close when done with the file and every slice Data returned.
func Open(path string) (*File, error) {
	fd, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	defer fd.Close() // the mapping outlives the descriptor
	st, err := fd.Stat()
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	size := st.Size()
	if size == 0 {
		return parseBytes(path, []byte{}) // an empty file cannot be mapped
	}
	if size != int64(int(size)) {
		return nil, fmt.Errorf("gguf: %s: %d bytes is too large to map", path, size)
	}
	data, err := syscall.Mmap(int(fd.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return nil, fmt.Errorf("gguf: mmap %s: %w", path, err)
	}
	f, err := parseBytes(path, data)
	if err != nil {
		syscall.Munmap(data)
		return nil, err
	}
	f.close = func() error {
		if err := syscall.Munmap(data); err != nil {
			return fmt.Errorf("gguf: munmap %s: %w", path, err)
		}
		return nil
	}
	return f, nil
}
