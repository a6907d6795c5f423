package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
)

// readWindow is how many bytes the decoder reads at a time from an
// io.ReaderAt (more when a single field is larger).
const readWindow = 64 << 10

// decoder reads little-endian GGUF fields from either an in-memory image of
// the whole file or an io.ReaderAt, tracking the offset for error messages.
// Every read is checked against the bytes left in the file.
type decoder struct {
	path  string
	whole []byte      // the entire file, when it is in memory
	r     io.ReaderAt // otherwise, the file
	size  int64
	off   int64  // offset of the next field
	buf   []byte // window read from r
	bufAt int64  // file offset of buf[0]

	alignAt int64 // offset of general.alignment's value, for errors

	// The item being read, for error messages: kind ("metadata" or
	// "tensor", empty in the header), its index, and its name once known.
	kind    string
	index   int
	name    string
	hasName bool
}

// item starts reading entry i of the given kind.
func (d *decoder) item(kind string, i int) {
	d.kind, d.index, d.name, d.hasName = kind, i, "", false
}

// named records the current item's name.
func (d *decoder) named(name string) { d.name, d.hasName = name, true }

// fieldName describes field of the current item, e.g.
// `tensor[3] "output.weight" offset`. It is only built for errors.
func (d *decoder) fieldName(field string) string {
	if d.kind == "" {
		return field
	}
	s := fmt.Sprintf("%s[%d]", d.kind, d.index)
	if d.hasName {
		s += " " + strconv.Quote(d.name)
	}
	if field != "" {
		s += " " + field
	}
	return s
}

// fail wraps err in a FormatError about field at offset at.
func (d *decoder) fail(field string, at int64, err error) error {
	return &FormatError{Path: d.path, Field: d.fieldName(field), Offset: at, Err: err}
}

// remaining returns the bytes left after the current offset.
func (d *decoder) remaining() int64 { return d.size - d.off }

// next returns the next n bytes and advances past them. The slice is only
// valid until the following call.
func (d *decoder) next(n int64, field string) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, d.fail(field, d.off, ErrTruncated)
	}
	at := d.off
	d.off += n
	if d.whole != nil {
		return d.whole[at : at+n : at+n], nil
	}
	if at >= d.bufAt && at+n <= d.bufAt+int64(len(d.buf)) {
		return d.buf[at-d.bufAt : at-d.bufAt+n], nil
	}
	if err := d.fill(at, max(n, min(readWindow, d.size-at))); err != nil {
		return nil, d.fail(field, at, err)
	}
	return d.buf[:n], nil
}

// fill reads want bytes at offset at into the window. The buffer grows
// only as data actually arrives, so a reader shorter than the size Parse
// was given cannot make it allocate more than about twice what it holds.
func (d *decoder) fill(at, want int64) error {
	d.bufAt = at
	d.buf = d.buf[:0]
	for int64(len(d.buf)) < want {
		chunk := min(want-int64(len(d.buf)), max(int64(len(d.buf)), readWindow))
		d.buf = slices.Grow(d.buf, int(chunk))
		have := len(d.buf)
		k, err := d.r.ReadAt(d.buf[have:have+int(chunk)], at+int64(have))
		d.buf = d.buf[:have+k]
		if int64(k) < chunk {
			d.buf = d.buf[:0]
			if err == nil || errors.Is(err, io.EOF) {
				err = ErrTruncated
			}
			return err
		}
	}
	return nil
}

func (d *decoder) u32(field string) (uint32, error) {
	b, err := d.next(4, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64(field string) (uint64, error) {
	b, err := d.next(8, field)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a uint64 count of items that each take at least minSize bytes
// and checks that the rest of the file could hold them.
func (d *decoder) count(minSize int64, field string) (int, error) {
	at := d.off
	n, err := d.u64(field)
	if err != nil {
		return 0, err
	}
	if n > uint64(d.remaining()/minSize) || n > math.MaxInt {
		return 0, d.fail(field, at, ErrTooLarge)
	}
	return int(n), nil
}

// str reads a length-prefixed string.
func (d *decoder) str(field string) (string, error) {
	n, err := d.count(1, field)
	if err != nil {
		return "", err
	}
	b, err := d.next(int64(n), field)
	if err != nil {
		return "", err
	}
	return string(b), nil
}

// valueType reads a metadata value type id.
func (d *decoder) valueType(field string) (ValueType, error) {
	at := d.off
	t, err := d.u32(field)
	if err != nil {
		return 0, err
	}
	if !ValueType(t).valid() {
		return 0, d.fail(field, at, ErrValueType)
	}
	return ValueType(t), nil
}
