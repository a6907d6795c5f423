package gguf

import (
	"cmp"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"math/bits"
	"slices"

	"github.com/herdllm/herd/tensor"
)

// Magic is the four bytes every GGUF file starts with.
const Magic = "GGUF"

// DefaultAlignment is the data alignment of a file without general.alignment.
const DefaultAlignment = 32

// AlignmentKey is the metadata key that sets the data alignment.
const AlignmentKey = "general.alignment"

// MaxDims is the most dimensions a tensor may have (ggml's GGML_MAX_DIMS).
const MaxDims = 4

// TensorInfo describes one tensor of a file.
type TensorInfo struct {
	Name string
	// Shape in ggml order: Shape[0] is the row length (ne0).
	Shape []uint64
	Type  tensor.Type
	// Offset of the tensor's bytes relative to the start of the data section.
	Offset uint64
}

// Size returns the number of bytes the tensor's data occupies.
func (t *TensorInfo) Size() (int64, error) { return t.Type.Bytes(t.Shape) }

// File is a parsed GGUF file. Its tensor data stays in the file (memory-mapped
// by Open) until Close.
type File struct {
	Path       string // the name the file was opened or parsed under
	Version    uint32 // GGUF version, 2 or 3
	Meta       *Metadata
	Tensors    []TensorInfo // in file order
	Alignment  uint64       // data alignment in bytes
	DataOffset int64        // file offset of the data section

	size   int64
	mapped []byte      // the whole file when memory-mapped or in memory
	r      io.ReaderAt // otherwise where Data reads from
	close  func() error
	byName map[string]int
}

// Parse reads the header, metadata and tensor table of a GGUF file of size
// bytes from r, and checks that every tensor's data lies within the file.
// Tensor data is read from r on demand by Data, so r must stay usable until
// Close. name is used in errors. Memory use is bounded by the bytes actually
// read, even if r holds fewer than size bytes.
func Parse(name string, r io.ReaderAt, size int64) (*File, error) {
	return parse(&decoder{path: name, r: r, size: size})
}

// parseBytes parses a file image that is entirely in memory.
func parseBytes(name string, b []byte) (*File, error) {
	return parse(&decoder{path: name, whole: b, size: int64(len(b))})
}

func parse(d *decoder) (*File, error) {
	f := &File{Path: d.path, size: d.size, mapped: d.whole, r: d.r}
	if err := f.readHeader(d); err != nil {
		return nil, err
	}
	d.buf = nil
	return f, nil
}

// readHeader reads everything before the data section and validates it.
func (f *File) readHeader(d *decoder) error {
	magic, err := d.next(4, "magic")
	if err != nil {
		return err
	}
	if string(magic) != Magic {
		return d.fail("magic", 0, ErrMagic)
	}
	if f.Version, err = d.u32("version"); err != nil {
		return err
	}
	switch v := f.Version; {
	case v == 2 || v == 3:
	case v == 1:
		return d.fail("version", 4, fmt.Errorf("%w: version 1 (re-convert the model)", ErrVersion))
	case v&0xffff == 0 && bits.ReverseBytes32(v) >= 1 && bits.ReverseBytes32(v) <= 3:
		return d.fail("version", 4, ErrBigEndian)
	default:
		return d.fail("version", 4, fmt.Errorf("%w: version %d", ErrVersion, v))
	}
	// Each tensor info takes at least 24 bytes, each key/value at least 13.
	nTensors, err := d.count(24, "tensor_count")
	if err != nil {
		return err
	}
	nKV, err := d.count(13, "metadata_kv_count")
	if err != nil {
		return err
	}
	if uint64(nTensors)*24+uint64(nKV)*13 > uint64(d.remaining()) {
		return d.fail("tensor_count", 8, ErrTooLarge)
	}
	if err := f.readMetadata(d, nKV); err != nil {
		return err
	}
	d.item("", 0)
	if err := f.readAlignment(d); err != nil {
		return err
	}
	offsetAt, err := f.readTensorInfos(d, nTensors)
	if err != nil {
		return err
	}
	d.item("", 0)
	f.DataOffset = alignUp(d.off, int64(f.Alignment))
	f.Meta.unpadded = nTensors == 0 && d.off == d.size && d.off != f.DataOffset
	return f.checkTensorData(d, offsetAt)
}

// readMetadata reads n key/value entries.
func (f *File) readMetadata(d *decoder, n int) error {
	// Capacity hints are capped: n is only bounded by the size Parse was
	// told, and entries must be read before they earn their memory.
	f.Meta = &Metadata{kvs: make([]KV, 0, min(n, 1024)), index: make(map[string]int, min(n, 1024))}
	for i := range n {
		at := d.off
		d.item("metadata", i)
		key, err := d.str("key")
		if err != nil {
			return err
		}
		d.named(key)
		if _, dup := f.Meta.index[key]; dup {
			return d.fail("key", at, ErrDuplicate)
		}
		t, err := d.valueType("type")
		if err != nil {
			return err
		}
		if key == AlignmentKey {
			d.alignAt = d.off
		}
		v, err := d.value(t, 0)
		if err != nil {
			return err
		}
		f.Meta.set(KV{Key: key, Type: t, Value: v})
	}
	return nil
}

// readAlignment takes the alignment from general.alignment, which must be a
// uint32 power of two.
func (f *File) readAlignment(d *decoder) error {
	f.Alignment = DefaultAlignment
	kv, ok := f.Meta.Get(AlignmentKey)
	if !ok {
		return nil
	}
	a, ok := kv.Value.(uint32)
	if !ok || a == 0 || a&(a-1) != 0 {
		return d.fail(AlignmentKey, d.alignAt, fmt.Errorf("%w: %s %s (want a uint32 power of two)", ErrAlignment, kv.Type, FormatValue(kv.Value)))
	}
	f.Alignment = uint64(a)
	return nil
}

// readTensorInfos reads n tensor descriptions. It returns where in the file
// each one's offset field is.
func (f *File) readTensorInfos(d *decoder, n int) ([]int64, error) {
	f.Tensors = make([]TensorInfo, 0, min(n, 1024)) // see readMetadata
	f.byName = make(map[string]int, min(n, 1024))
	offsetAt := make([]int64, 0, min(n, 1024))
	for i := range n {
		f.Tensors = append(f.Tensors, TensorInfo{})
		offsetAt = append(offsetAt, 0)
		t := &f.Tensors[i]
		at := d.off
		var err error
		d.item("tensor", i)
		if t.Name, err = d.str("name"); err != nil {
			return nil, err
		}
		d.named(t.Name)
		if _, dup := f.byName[t.Name]; dup {
			return nil, d.fail("name", at, ErrDuplicate)
		}
		f.byName[t.Name] = i
		dimsAt := d.off
		nDims, err := d.u32("n_dims")
		if err != nil {
			return nil, err
		}
		if nDims > MaxDims {
			return nil, d.fail("n_dims", dimsAt, fmt.Errorf("%w: %d dimensions (at most %d)", ErrShape, nDims, MaxDims))
		}
		b, err := d.next(int64(nDims)*8, "dims")
		if err != nil {
			return nil, err
		}
		t.Shape = make([]uint64, nDims)
		for j := range t.Shape {
			t.Shape[j] = binary.LittleEndian.Uint64(b[8*j:])
		}
		typeAt := d.off
		typ, err := d.u32("type")
		if err != nil {
			return nil, err
		}
		t.Type = tensor.Type(typ)
		if !t.Type.Known() {
			return nil, d.fail("type", typeAt, fmt.Errorf("%w: id %d", ErrTensorType, typ))
		}
		if err := checkShape(t.Type, t.Shape); err != nil {
			return nil, d.fail("dims", dimsAt+4, fmt.Errorf("%w: %v", ErrShape, err))
		}
		offAt := d.off
		offsetAt[i] = offAt
		if t.Offset, err = d.u64("offset"); err != nil {
			return nil, err
		}
		if t.Offset%f.Alignment != 0 {
			return nil, d.fail("offset", offAt, fmt.Errorf("%w: offset %d is not a multiple of %d", ErrAlignment, t.Offset, f.Alignment))
		}
	}
	return offsetAt, nil
}

// checkTensorData checks that every tensor's bytes lie inside the data
// section and that no two tensors overlap.
func (f *File) checkTensorData(d *decoder, offsetAt []int64) error {
	dataSize := max(f.size-f.DataOffset, 0)
	order := make([]int, len(f.Tensors))
	for i := range order {
		order[i] = i
		t := &f.Tensors[i]
		size, _ := t.Size()
		if t.Offset > uint64(dataSize) || uint64(size) > uint64(dataSize)-t.Offset {
			return d.fail(fmt.Sprintf("tensor[%d] %q offset", i, t.Name), offsetAt[i],
				fmt.Errorf("%w: %d bytes at data offset %d, data section is %d bytes", ErrDataRange, size, t.Offset, dataSize))
		}
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(f.Tensors[a].Offset, f.Tensors[b].Offset) })
	for k := 1; k < len(order); k++ {
		prev, cur := &f.Tensors[order[k-1]], &f.Tensors[order[k]]
		size, _ := prev.Size()
		if prev.Offset+uint64(size) > cur.Offset {
			return d.fail(fmt.Sprintf("tensor[%d] %q offset", order[k], cur.Name), offsetAt[order[k]],
				fmt.Errorf("%w %q", ErrOverlap, prev.Name))
		}
	}
	return nil
}

// checkShape reports whether a tensor of type typ and this shape is valid:
// every dimension fits an int64 (ggml's int64_t ne[]) and the size neither
// overflows nor splits a block.
func checkShape(typ tensor.Type, shape []uint64) error {
	for _, d := range shape {
		if d > math.MaxInt64 {
			return fmt.Errorf("dimension %d does not fit an int64", d)
		}
	}
	_, err := typ.Bytes(shape)
	return err
}

// alignUp rounds n up to a multiple of a (a power of two).
func alignUp(n, a int64) int64 { return (n + a - 1) &^ (a - 1) }

// Tensor returns the description of the tensor called name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.byName[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// Data returns the bytes of tensor t. For a memory-mapped file they are the
// file's pages themselves: read-only, valid until Close, and never to be
// modified. Otherwise they are read from the file into a new slice.
func (f *File) Data(t *TensorInfo) ([]byte, error) {
	size, err := t.Size()
	if err != nil {
		return nil, fmt.Errorf("gguf: %s: tensor %q: %w", f.Path, t.Name, err)
	}
	dataSize := max(f.size-f.DataOffset, 0)
	if t.Offset > uint64(dataSize) || uint64(size) > uint64(dataSize)-t.Offset {
		return nil, fmt.Errorf("gguf: %s: tensor %q: %w", f.Path, t.Name, ErrDataRange)
	}
	if size == 0 {
		return []byte{}, nil // the data section may even start past EOF
	}
	at := f.DataOffset + int64(t.Offset)
	if f.mapped != nil {
		return f.mapped[at : at+size : at+size], nil
	}
	if f.r == nil {
		return nil, fmt.Errorf("gguf: %s: tensor %q: file is closed", f.Path, t.Name)
	}
	b := make([]byte, size)
	if n, err := f.r.ReadAt(b, at); n < len(b) {
		if err == nil || err == io.EOF {
			err = ErrTruncated
		}
		return nil, fmt.Errorf("gguf: %s: tensor %q: %w", f.Path, t.Name, err)
	}
	return b, nil
}

// Close releases the file and its memory map. Slices returned by Data must
// not be used afterwards.
func (f *File) Close() error {
	f.mapped, f.r = nil, nil
	if f.close == nil {
		return nil
	}
	c := f.close
	f.close = nil
	return c()
}
