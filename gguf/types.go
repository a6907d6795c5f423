// Package gguf reads and writes GGUF files, the single-file model format of
// ggml and llama.cpp: a header of typed key/value metadata, a table of tensor
// descriptions, and an aligned data section holding the tensors' bytes.
//
// Open memory-maps a file read-only, so opening even a very large model costs
// little and only the pages a caller touches become resident. Parse reads from
// any io.ReaderAt. Every count and length in a file is checked against the
// bytes that remain, so a hostile or damaged file gives a *FormatError rather
// than a panic or a huge allocation. Write produces standard GGUF v3; a file
// that is read and written back unchanged comes out byte for byte the same.
package gguf

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ValueType is the type id of a GGUF metadata value, as numbered in the file.
type ValueType uint32

// The GGUF metadata value types.
const (
	TypeUint8   ValueType = 0
	TypeInt8    ValueType = 1
	TypeUint16  ValueType = 2
	TypeInt16   ValueType = 3
	TypeUint32  ValueType = 4
	TypeInt32   ValueType = 5
	TypeFloat32 ValueType = 6
	TypeBool    ValueType = 7
	TypeString  ValueType = 8
	TypeArray   ValueType = 9
	TypeUint64  ValueType = 10
	TypeInt64   ValueType = 11
	TypeFloat64 ValueType = 12
)

var valueTypeNames = [...]string{
	TypeUint8: "uint8", TypeInt8: "int8", TypeUint16: "uint16", TypeInt16: "int16",
	TypeUint32: "uint32", TypeInt32: "int32", TypeFloat32: "float32", TypeBool: "bool",
	TypeString: "string", TypeArray: "array", TypeUint64: "uint64", TypeInt64: "int64",
	TypeFloat64: "float64",
}

// valid reports whether t is a type id GGUF defines.
func (t ValueType) valid() bool { return t <= TypeFloat64 }

// String returns the type's name, e.g. "uint32" or "array".
func (t ValueType) String() string {
	if t.valid() {
		return valueTypeNames[t]
	}
	return fmt.Sprintf("type(%d)", uint32(t))
}

// fixedSize returns the encoded size of a scalar of type t, or 0 for strings
// and arrays, whose size depends on their contents.
func (t ValueType) fixedSize() int {
	switch t {
	case TypeUint8, TypeInt8, TypeBool:
		return 1
	case TypeUint16, TypeInt16:
		return 2
	case TypeUint32, TypeInt32, TypeFloat32:
		return 4
	case TypeUint64, TypeInt64, TypeFloat64:
		return 8
	}
	return 0
}

// minSize returns the fewest bytes a value of type t can occupy in a file;
// counts read from a file are checked against it before anything is
// allocated.
func (t ValueType) minSize() int64 {
	switch t {
	case TypeString:
		return 8 // the length
	case TypeArray:
		return 12 // element type and count
	}
	return int64(t.fixedSize())
}

// Array is a GGUF array value. Values holds a slice matching Elem: []uint8,
// []int8, []uint16, []int16, []uint32, []int32, []float32, []bool, []string,
// []uint64, []int64, []float64, or []Array for arrays of arrays.
type Array struct {
	Elem   ValueType
	Values any
}

// Len returns the number of elements in the array.
func (a Array) Len() int {
	switch v := a.Values.(type) {
	case []uint8:
		return len(v)
	case []int8:
		return len(v)
	case []uint16:
		return len(v)
	case []int16:
		return len(v)
	case []uint32:
		return len(v)
	case []int32:
		return len(v)
	case []float32:
		return len(v)
	case []bool:
		return len(v)
	case []string:
		return len(v)
	case []uint64:
		return len(v)
	case []int64:
		return len(v)
	case []float64:
		return len(v)
	case []Array:
		return len(v)
	}
	return 0
}

// KV is one metadata entry. Value holds the Go type matching Type: uint8,
// int8, uint16, int16, uint32, int32, float32, bool, string, uint64, int64,
// float64, or Array.
type KV struct {
	Key   string
	Type  ValueType
	Value any
}

// String renders the entry briefly for display, e.g.
// `tokenizer.ggml.tokens = [32000 strings]`.
func (kv KV) String() string {
	return kv.Key + " = " + FormatValue(kv.Value)
}

// maxShown is how many array elements FormatValue prints before it only
// gives the count, and maxQuoted how many bytes of a string it shows.
const (
	maxShown  = 8
	maxQuoted = 80
)

// FormatValue renders a metadata value briefly for display: numbers as
// numbers, strings quoted (long ones cut short), short arrays element by
// element and longer ones by count and type, e.g. `[512 strings]`.
func FormatValue(v any) string {
	switch v := v.(type) {
	case string:
		if len(v) > maxQuoted {
			cut := maxQuoted
			for cut > 0 && !utf8.RuneStart(v[cut]) {
				cut--
			}
			return strconv.Quote(v[:cut]) + "…"
		}
		return strconv.Quote(v)
	case float32:
		return strconv.FormatFloat(float64(v), 'g', -1, 32)
	case float64:
		return strconv.FormatFloat(v, 'g', -1, 64)
	case Array:
		n := v.Len()
		if n > maxShown {
			name := v.Elem.String()
			if v.Elem == TypeString || v.Elem == TypeBool || v.Elem == TypeArray {
				name += "s"
			}
			return fmt.Sprintf("[%d %s]", n, name)
		}
		parts := make([]string, n)
		for i := range parts {
			parts[i] = FormatValue(arrayElem(v, i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	}
	return fmt.Sprint(v)
}

// arrayElem returns element i of a.
func arrayElem(a Array, i int) any {
	switch v := a.Values.(type) {
	case []uint8:
		return v[i]
	case []int8:
		return v[i]
	case []uint16:
		return v[i]
	case []int16:
		return v[i]
	case []uint32:
		return v[i]
	case []int32:
		return v[i]
	case []float32:
		return v[i]
	case []bool:
		return v[i]
	case []string:
		return v[i]
	case []uint64:
		return v[i]
	case []int64:
		return v[i]
	case []float64:
		return v[i]
	case []Array:
		return v[i]
	}
	return nil
}
