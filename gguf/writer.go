package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"

	"github.com/herdllm/herd/tensor"
)

// MaxNameLen bounds tensor names: llama.cpp (GGML_MAX_NAME) rejects a file
// with a tensor name of MaxNameLen bytes or more, so Write refuses to make one.
const MaxNameLen = 64

// WriteTensor is one tensor to write: its name, shape (ggml order, Shape[0]
// the row length), type, and exactly Type.Bytes(Shape) bytes of data, given
// either as Data or produced by Fill.
type WriteTensor struct {
	Name  string
	Shape []uint64
	Type  tensor.Type
	Data  []byte
	// Fill, used instead of Data, writes the tensor's bytes into dst (of
	// exactly Type.Bytes(Shape) bytes, zeroed) while the file is written,
	// so that a file of any size needs memory only for its largest tensor.
	Fill func(dst []byte) error
}

// Write writes a GGUF v3 file: the header, meta's entries in order, the
// tensor table, and the tensors' data in the order given, each starting at a
// multiple of the alignment (general.alignment, default 32) and padded with
// zeros. The data section starts aligned even when there are no tensors,
// unless meta was read from a file without tensors that ends right after its
// metadata; such a file is written back the same way.
func Write(w io.Writer, meta *Metadata, tensors []WriteTensor) error {
	if meta == nil {
		meta = NewMetadata()
	}
	align, err := writeAlignment(meta)
	if err != nil {
		return err
	}
	offsets, err := layout(tensors, align)
	if err != nil {
		return err
	}
	e := &encoder{w: bufio.NewWriterSize(w, 1<<20)}
	e.bytes([]byte(Magic))
	e.u32(3)
	e.u64(uint64(len(tensors)))
	e.u64(uint64(meta.Len()))
	for _, kv := range meta.kvs {
		if err := checkValue(kv.Type, kv.Value); err != nil {
			return fmt.Errorf("gguf: write: metadata %q: %w", kv.Key, err)
		}
		e.str(kv.Key)
		e.u32(uint32(kv.Type))
		e.value(kv.Value)
	}
	for i, t := range tensors {
		e.str(t.Name)
		e.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(d)
		}
		e.u32(uint32(t.Type))
		e.u64(offsets[i])
	}
	if len(tensors) > 0 || !meta.unpadded {
		e.pad(align)
	}
	var fillBuf []byte
	for _, t := range tensors {
		data := t.Data
		if t.Fill != nil {
			size, _ := t.Type.Bytes(t.Shape)
			if int64(cap(fillBuf)) < size {
				fillBuf = make([]byte, size)
			}
			data = fillBuf[:size]
			clear(data)
			if err := t.Fill(data); err != nil {
				return fmt.Errorf("gguf: write: tensor %q: %w", t.Name, err)
			}
		}
		e.bytes(data)
		e.pad(align)
	}
	if e.err != nil {
		return fmt.Errorf("gguf: write: %w", e.err)
	}
	if err := e.w.Flush(); err != nil {
		return fmt.Errorf("gguf: write: %w", err)
	}
	return nil
}

// WriteFile writes a GGUF v3 file at path (see Write). On failure the
// partial file is removed.
func WriteFile(path string, meta *Metadata, tensors []WriteTensor) error {
	fd, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	err = Write(fd, meta, tensors)
	if cerr := fd.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("gguf: %w", cerr)
	}
	if err != nil {
		os.Remove(path)
	}
	return err
}

// writeAlignment returns the alignment meta asks for.
func writeAlignment(meta *Metadata) (uint64, error) {
	kv, ok := meta.Get(AlignmentKey)
	if !ok {
		return DefaultAlignment, nil
	}
	a, ok := kv.Value.(uint32)
	if !ok || a == 0 || a&(a-1) != 0 {
		return 0, fmt.Errorf("gguf: write: %s must be a uint32 power of two, not %s %s", AlignmentKey, kv.Type, FormatValue(kv.Value))
	}
	return uint64(a), nil
}

// layout checks the tensors and returns each one's offset in the data
// section.
func layout(tensors []WriteTensor, align uint64) ([]uint64, error) {
	offsets := make([]uint64, len(tensors))
	seen := make(map[string]bool, len(tensors))
	var off uint64
	for i, t := range tensors {
		if seen[t.Name] {
			return nil, fmt.Errorf("gguf: write: tensor %q: %w", t.Name, ErrDuplicate)
		}
		seen[t.Name] = true
		if len(t.Name) >= MaxNameLen {
			return nil, fmt.Errorf("gguf: write: tensor %q: %w", t.Name, ErrNameLength)
		}
		if len(t.Shape) > MaxDims {
			return nil, fmt.Errorf("gguf: write: tensor %q: %w: %d dimensions", t.Name, ErrShape, len(t.Shape))
		}
		if err := checkShape(t.Type, t.Shape); err != nil {
			return nil, fmt.Errorf("gguf: write: tensor %q: %w: %w", t.Name, ErrShape, err)
		}
		size, err := t.Type.Bytes(t.Shape)
		if err != nil {
			return nil, fmt.Errorf("gguf: write: tensor %q: %w", t.Name, err)
		}
		if t.Fill != nil {
			if t.Data != nil {
				return nil, fmt.Errorf("gguf: write: tensor %q: both Data and Fill given", t.Name)
			}
		} else if int64(len(t.Data)) != size {
			return nil, fmt.Errorf("gguf: write: tensor %q: %d bytes of data, %s %v needs %d", t.Name, len(t.Data), t.Type, t.Shape, size)
		}
		offsets[i] = off
		off += uint64(alignUp(size, int64(align)))
	}
	return offsets, nil
}

// encoder writes little-endian GGUF fields, remembering the first error and
// the number of bytes written.
type encoder struct {
	w   *bufio.Writer
	n   uint64
	err error
	tmp [8]byte
}

func (e *encoder) bytes(b []byte) {
	if e.err != nil {
		return
	}
	_, e.err = e.w.Write(b)
	e.n += uint64(len(b))
}

func (e *encoder) u8(v uint8) { e.tmp[0] = v; e.bytes(e.tmp[:1]) }

func (e *encoder) u16(v uint16) { binary.LittleEndian.PutUint16(e.tmp[:], v); e.bytes(e.tmp[:2]) }

func (e *encoder) u32(v uint32) { binary.LittleEndian.PutUint32(e.tmp[:], v); e.bytes(e.tmp[:4]) }

func (e *encoder) u64(v uint64) { binary.LittleEndian.PutUint64(e.tmp[:], v); e.bytes(e.tmp[:8]) }

func (e *encoder) str(s string) {
	e.u64(uint64(len(s)))
	if e.err == nil {
		_, e.err = e.w.WriteString(s)
		e.n += uint64(len(s))
	}
}

// zeros is padding.
var zeros [4096]byte

// pad writes zeros up to the next multiple of align.
func (e *encoder) pad(align uint64) {
	for n := (align - e.n%align) % align; n > 0; {
		k := min(n, uint64(len(zeros)))
		e.bytes(zeros[:k])
		n -= k
	}
}

func b2u(b bool) uint8 {
	if b {
		return 1
	}
	return 0
}

// value writes a metadata value (already checked against its type).
func (e *encoder) value(v any) {
	switch x := v.(type) {
	case uint8:
		e.u8(x)
	case int8:
		e.u8(uint8(x))
	case uint16:
		e.u16(x)
	case int16:
		e.u16(uint16(x))
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case bool:
		e.u8(b2u(x))
	case string:
		e.str(x)
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case Array:
		e.u32(uint32(x.Elem))
		e.u64(uint64(x.Len()))
		e.elems(x.Values)
	}
}

// elems writes the elements of an array.
func (e *encoder) elems(vals any) {
	switch x := vals.(type) {
	case []uint8:
		e.bytes(x)
	case []string:
		for _, s := range x {
			e.str(s)
		}
	case []Array:
		for _, a := range x {
			e.value(a)
		}
	case []float32:
		for _, f := range x {
			e.u32(math.Float32bits(f))
		}
	case []int32:
		for _, f := range x {
			e.u32(uint32(f))
		}
	default:
		for i, n := 0, (Array{Values: vals}).Len(); i < n; i++ {
			e.value(arrayElem(Array{Values: vals}, i))
		}
	}
}
