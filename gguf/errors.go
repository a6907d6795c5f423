package gguf

import (
	"errors"
	"fmt"
)

// Sentinel errors that FormatError wraps, so callers can test the kind of
// problem with errors.Is.
var (
	// ErrTruncated reports that the file ends inside a field.
	ErrTruncated = errors.New("unexpected end of file")
	// ErrMagic reports that the file does not start with "GGUF".
	ErrMagic = errors.New("not a GGUF file (bad magic)")
	// ErrVersion reports a GGUF version herd does not read (only 2 and 3).
	ErrVersion = errors.New("unsupported GGUF version")
	// ErrBigEndian reports a big-endian GGUF file.
	ErrBigEndian = errors.New("big-endian GGUF not supported")
	// ErrTooLarge reports a count or length larger than the rest of the file
	// could hold.
	ErrTooLarge = errors.New("count or length exceeds the file size")
	// ErrValueType reports an unknown metadata value type id.
	ErrValueType = errors.New("unknown metadata value type")
	// ErrBadValue reports a metadata value that is malformed (a bool other
	// than 0 or 1, arrays nested too deeply, a key of the wrong type).
	ErrBadValue = errors.New("malformed metadata value")
	// ErrTensorType reports an unknown tensor type id.
	ErrTensorType = errors.New("unknown tensor type")
	// ErrShape reports a bad tensor shape: too many dimensions, a size that
	// overflows, or a row that is not a whole number of blocks.
	ErrShape = errors.New("bad tensor shape")
	// ErrAlignment reports a bad general.alignment or a tensor offset that
	// is not a multiple of it.
	ErrAlignment = errors.New("bad alignment")
	// ErrOverlap reports tensors whose data ranges overlap.
	ErrOverlap = errors.New("tensor data overlaps tensor")
	// ErrDataRange reports tensor data that extends past the end of the file.
	ErrDataRange = errors.New("tensor data extends past end of file")
	// ErrNameLength reports a tensor name too long for llama.cpp to load.
	ErrNameLength = errors.New("tensor name too long")
	// ErrDuplicate reports a metadata key or tensor name given twice.
	ErrDuplicate = errors.New("duplicate key or tensor name")
)

// FormatError describes a problem with the contents of a GGUF file: which
// file, which field, and where in the file.
type FormatError struct {
	Path   string // the file's name as given to Open or Parse
	Field  string // the field being read, e.g. `tensor[3] "output.weight" offset`
	Offset int64  // byte offset in the file where the field starts
	Err    error  // the cause, usually one of the sentinel errors
}

// Error renders the error with the file, the field and the offset.
func (e *FormatError) Error() string {
	return fmt.Sprintf("gguf: %s: %s (offset %d): %v", e.Path, e.Field, e.Offset, e.Err)
}

// Unwrap returns the cause so that errors.Is and errors.As see it.
func (e *FormatError) Unwrap() error { return e.Err }
