package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"unsafe"
)

// readWindow is how many bytes the decoder reads at a time from an
// io.ReaderAt (more when a single field is larger).
const readWindow = 64 << 10

// maxArrayDepth bounds how deeply arrays may nest inside arrays.
const maxArrayDepth = 8

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

// value reads one metadata value of type t.
func (d *decoder) value(t ValueType, depth int) (any, error) {
	const field = "value"
	if t == TypeString {
		return d.str(field)
	}
	if t == TypeArray {
		return d.array(depth)
	}
	at := d.off
	b, err := d.next(int64(t.fixedSize()), field)
	if err != nil {
		return nil, err
	}
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return b[0], nil
	case TypeInt8:
		return int8(b[0]), nil
	case TypeUint16:
		return le.Uint16(b), nil
	case TypeInt16:
		return int16(le.Uint16(b)), nil
	case TypeUint32:
		return le.Uint32(b), nil
	case TypeInt32:
		return int32(le.Uint32(b)), nil
	case TypeFloat32:
		return math.Float32frombits(le.Uint32(b)), nil
	case TypeBool:
		if b[0] > 1 {
			return nil, d.fail(field, at, fmt.Errorf("%w: bool byte %d", ErrBadValue, b[0]))
		}
		return b[0] == 1, nil
	case TypeUint64:
		return le.Uint64(b), nil
	case TypeInt64:
		return int64(le.Uint64(b)), nil
	case TypeFloat64:
		return math.Float64frombits(le.Uint64(b)), nil
	}
	return nil, d.fail(field, at, ErrValueType)
}

// array reads an array value: element type, count, elements.
func (d *decoder) array(depth int) (Array, error) {
	const field = "value"
	at := d.off
	if depth >= maxArrayDepth {
		return Array{}, d.fail(field, at, fmt.Errorf("%w: arrays nested more than %d deep", ErrBadValue, maxArrayDepth))
	}
	elem, err := d.valueType("element type")
	if err != nil {
		return Array{}, err
	}
	n, err := d.count(elem.minSize(), "array length")
	if err != nil {
		return Array{}, err
	}
	switch elem {
	case TypeString:
		s, err := d.strings(n)
		return Array{Elem: elem, Values: s}, err
	case TypeArray:
		a := make([]Array, 0, min(n, 1024)) // grown as elements are read
		for range n {
			sub, err := d.array(depth + 1)
			if err != nil {
				return Array{}, err
			}
			a = append(a, sub)
		}
		return Array{Elem: elem, Values: a}, nil
	}
	size := int64(elem.fixedSize())
	valuesAt := d.off
	b, err := d.next(int64(n)*size, field)
	if err != nil {
		return Array{}, err
	}
	vals, bad := decodeFixed(elem, n, b)
	if bad >= 0 {
		return Array{}, d.fail(field, valuesAt+int64(bad), fmt.Errorf("%w: bool byte %d", ErrBadValue, b[bad]))
	}
	return Array{Elem: elem, Values: vals}, nil
}

// decodeFixed decodes n little-endian elements of a fixed-size type. It
// returns the index of an invalid bool, or -1.
func decodeFixed(t ValueType, n int, b []byte) (any, int) {
	le := binary.LittleEndian
	switch t {
	case TypeUint8:
		return append([]uint8(nil), b...), -1
	case TypeInt8:
		v := make([]int8, n)
		for i := range v {
			v[i] = int8(b[i])
		}
		return v, -1
	case TypeBool:
		v := make([]bool, n)
		for i := range v {
			if b[i] > 1 {
				return nil, i
			}
			v[i] = b[i] == 1
		}
		return v, -1
	case TypeUint16:
		v := make([]uint16, n)
		for i := range v {
			v[i] = le.Uint16(b[2*i:])
		}
		return v, -1
	case TypeInt16:
		v := make([]int16, n)
		for i := range v {
			v[i] = int16(le.Uint16(b[2*i:]))
		}
		return v, -1
	case TypeUint32:
		v := make([]uint32, n)
		for i := range v {
			v[i] = le.Uint32(b[4*i:])
		}
		return v, -1
	case TypeInt32:
		v := make([]int32, n)
		for i := range v {
			v[i] = int32(le.Uint32(b[4*i:]))
		}
		return v, -1
	case TypeFloat32:
		v := make([]float32, n)
		for i := range v {
			v[i] = math.Float32frombits(le.Uint32(b[4*i:]))
		}
		return v, -1
	case TypeUint64:
		v := make([]uint64, n)
		for i := range v {
			v[i] = le.Uint64(b[8*i:])
		}
		return v, -1
	case TypeInt64:
		v := make([]int64, n)
		for i := range v {
			v[i] = int64(le.Uint64(b[8*i:]))
		}
		return v, -1
	case TypeFloat64:
		v := make([]float64, n)
		for i := range v {
			v[i] = math.Float64frombits(le.Uint64(b[8*i:]))
		}
		return v, -1
	}
	return nil, 0
}

// strings reads n length-prefixed strings into one shared backing buffer:
// a first pass measures and checks them, a second copies them, so a string
// array costs two allocations however many strings it holds.
func (d *decoder) strings(n int) ([]string, error) {
	const field, lenField = "value", "string length"
	start := d.off
	var total int64
	for range n {
		l, err := d.count(1, lenField)
		if err != nil {
			return nil, err
		}
		if _, err := d.next(int64(l), field); err != nil {
			return nil, err
		}
		total += int64(l)
	}
	d.off = start
	backing := make([]byte, 0, total)
	out := make([]string, n)
	for i := range out {
		l, _ := d.count(1, field)
		b, err := d.next(int64(l), field)
		if err != nil { // only when the reader fails the second time
			return nil, err
		}
		from := len(backing)
		backing = append(backing, b...)
		if l > 0 {
			out[i] = unsafe.String(&backing[from], l)
		}
	}
	return out, nil
}
