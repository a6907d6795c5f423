package gguf

import (
	"encoding/binary"
	"fmt"
	"math"
	"unsafe"
)

// maxArrayDepth bounds how deeply arrays may nest inside arrays.
const maxArrayDepth = 8

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
	if d.whole != nil {
		return d.stringsInMemory(n)
	}
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
		l, err := d.count(1, lenField)
		if err != nil { // only when the reader fails the second time
			return nil, err
		}
		b, err := d.next(int64(l), field)
		if err != nil {
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

// stringsInMemory is strings for a file image in memory, with the field
// reads inlined: vocabularies hold hundreds of thousands of strings.
func (d *decoder) stringsInMemory(n int) ([]string, error) {
	b := d.whole[d.off:]
	var p, total uint64
	for range n {
		if uint64(len(b))-p < 8 {
			return nil, d.fail("string length", d.off+int64(p), ErrTruncated)
		}
		l := binary.LittleEndian.Uint64(b[p:])
		p += 8
		if l > uint64(len(b))-p {
			return nil, d.fail("string length", d.off+int64(p)-8, ErrTooLarge)
		}
		p += l
		total += l
	}
	backing := make([]byte, total)
	out := make([]string, n)
	var q uint64
	p = 0
	for i := range out {
		l := binary.LittleEndian.Uint64(b[p:])
		p += 8
		copy(backing[q:], b[p:p+l])
		if l > 0 {
			out[i] = unsafe.String(&backing[q], int(l))
		}
		p += l
		q += l
	}
	d.off += int64(p)
	return out, nil
}
