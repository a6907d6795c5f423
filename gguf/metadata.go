package gguf

import (
	"fmt"
	"math"
)

// Metadata is the ordered list of key/value entries at the head of a GGUF
// file. Order is kept so that a file written back matches the original.
type Metadata struct {
	kvs   []KV
	index map[string]int
	// unpadded records that the file this was read from has no tensors and
	// ends right after its metadata, without padding to the alignment (as
	// gguf-py writes vocabulary-only files), so that Write reproduces it.
	unpadded bool
}

// NewMetadata returns an empty metadata list.
func NewMetadata() *Metadata {
	return &Metadata{index: map[string]int{}}
}

// KVs returns the entries in file order. The slice is a copy; array values
// share storage with the metadata and must not be modified.
func (m *Metadata) KVs() []KV {
	return append([]KV(nil), m.kvs...)
}

// Len returns the number of entries.
func (m *Metadata) Len() int { return len(m.kvs) }

// Get returns the entry for key.
func (m *Metadata) Get(key string) (KV, bool) {
	i, ok := m.index[key]
	if !ok {
		return KV{}, false
	}
	return m.kvs[i], true
}

// Set adds key with value v, or replaces the value of an existing key in
// place. The GGUF type follows the Go type: uint8 … float64, bool and string
// map to their GGUF namesakes, and slices of them to arrays of them. A Go int
// becomes uint32 when it fits (the type llama.cpp expects for counts and
// token ids), else int32 or int64; a []int becomes an int32 array. An Array
// or a KV's Value is stored as given. Set panics on any other Go type, which
// is a programming error.
func (m *Metadata) Set(key string, v any) {
	t, val, err := typeOf(v)
	if err != nil {
		panic(fmt.Sprintf("gguf: Metadata.Set(%q): %v", key, err))
	}
	m.set(KV{Key: key, Type: t, Value: val})
}

// set stores kv, replacing an entry with the same key.
func (m *Metadata) set(kv KV) {
	if m.index == nil {
		m.index = map[string]int{}
	}
	if i, ok := m.index[kv.Key]; ok {
		m.kvs[i] = kv
		return
	}
	m.index[kv.Key] = len(m.kvs)
	m.kvs = append(m.kvs, kv)
}

// Delete removes key if present, keeping the order of the others.
func (m *Metadata) Delete(key string) {
	i, ok := m.index[key]
	if !ok {
		return
	}
	m.kvs = append(m.kvs[:i], m.kvs[i+1:]...)
	delete(m.index, key)
	for j := i; j < len(m.kvs); j++ {
		m.index[m.kvs[j].Key] = j
	}
}

// typeOf infers the GGUF type of a Go value and normalizes it.
func typeOf(v any) (ValueType, any, error) {
	switch x := v.(type) {
	case uint8:
		return TypeUint8, x, nil
	case int8:
		return TypeInt8, x, nil
	case uint16:
		return TypeUint16, x, nil
	case int16:
		return TypeInt16, x, nil
	case uint32:
		return TypeUint32, x, nil
	case int32:
		return TypeInt32, x, nil
	case float32:
		return TypeFloat32, x, nil
	case bool:
		return TypeBool, x, nil
	case string:
		return TypeString, x, nil
	case uint64:
		return TypeUint64, x, nil
	case int64:
		return TypeInt64, x, nil
	case float64:
		return TypeFloat64, x, nil
	case int:
		switch x64 := int64(x); {
		case x64 >= 0 && x64 <= math.MaxUint32:
			return TypeUint32, uint32(x), nil
		case x64 >= math.MinInt32:
			return TypeInt32, int32(x), nil
		}
		return TypeInt64, int64(x), nil
	case []int:
		a := make([]int32, len(x))
		for i, e := range x {
			if e < math.MinInt32 || e > math.MaxInt32 {
				return 0, nil, fmt.Errorf("[]int element %d does not fit int32", e)
			}
			a[i] = int32(e)
		}
		return TypeArray, Array{Elem: TypeInt32, Values: a}, nil
	case KV:
		return x.Type, x.Value, checkValue(x.Type, x.Value)
	case Array:
		return TypeArray, x, checkValue(TypeArray, x)
	}
	if et, ok := sliceElemType(v); ok {
		return TypeArray, Array{Elem: et, Values: v}, nil
	}
	return 0, nil, fmt.Errorf("unsupported value type %T", v)
}

// sliceElemType returns the GGUF element type of a supported slice value.
func sliceElemType(v any) (ValueType, bool) {
	switch v.(type) {
	case []uint8:
		return TypeUint8, true
	case []int8:
		return TypeInt8, true
	case []uint16:
		return TypeUint16, true
	case []int16:
		return TypeInt16, true
	case []uint32:
		return TypeUint32, true
	case []int32:
		return TypeInt32, true
	case []float32:
		return TypeFloat32, true
	case []bool:
		return TypeBool, true
	case []string:
		return TypeString, true
	case []uint64:
		return TypeUint64, true
	case []int64:
		return TypeInt64, true
	case []float64:
		return TypeFloat64, true
	case []Array:
		return TypeArray, true
	}
	return 0, false
}

// checkValue reports whether v is the Go representation of a value of type t.
func checkValue(t ValueType, v any) error {
	if t == TypeArray {
		a, ok := v.(Array)
		if !ok {
			return fmt.Errorf("array value is %T, not gguf.Array", v)
		}
		et, ok := sliceElemType(a.Values)
		if !ok || et != a.Elem {
			return fmt.Errorf("array of %v holds %T", a.Elem, a.Values)
		}
		if sub, ok := a.Values.([]Array); ok {
			for _, s := range sub {
				if err := checkValue(TypeArray, s); err != nil {
					return err
				}
			}
		}
		return nil
	}
	got, _, err := typeOf(v)
	if err != nil || got != t {
		return fmt.Errorf("%v value is %T", t, v)
	}
	return nil
}

// String returns the string value of key.
func (m *Metadata) String(key string) (string, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return "", false
	}
	s, ok := kv.Value.(string)
	return s, ok
}

// Int returns the value of key if it is stored as any integer type and fits
// an int64.
func (m *Metadata) Int(key string) (int64, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return 0, false
	}
	return toInt(kv.Value)
}

// Uint returns the value of key if it is stored as any integer type and is
// not negative.
func (m *Metadata) Uint(key string) (uint64, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return 0, false
	}
	if u, ok := kv.Value.(uint64); ok {
		return u, true
	}
	i, ok := toInt(kv.Value)
	if !ok || i < 0 {
		return 0, false
	}
	return uint64(i), true
}

// Float returns the value of key if it is stored as any float or integer type.
func (m *Metadata) Float(key string) (float64, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return 0, false
	}
	switch v := kv.Value.(type) {
	case float32:
		return float64(v), true
	case float64:
		return v, true
	case uint64:
		return float64(v), true
	}
	i, ok := toInt(kv.Value)
	return float64(i), ok
}

// Bool returns the bool value of key.
func (m *Metadata) Bool(key string) (bool, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return false, false
	}
	b, ok := kv.Value.(bool)
	return b, ok
}

// array returns the array value of key.
func (m *Metadata) array(key string) (Array, bool) {
	kv, ok := m.Get(key)
	if !ok {
		return Array{}, false
	}
	a, ok := kv.Value.(Array)
	return a, ok
}

// Strings returns the value of key if it is an array of strings. The slice
// is shared with the metadata and must not be modified.
func (m *Metadata) Strings(key string) ([]string, bool) {
	a, ok := m.array(key)
	if !ok {
		return nil, false
	}
	s, ok := a.Values.([]string)
	return s, ok
}

// Float32s returns the value of key if it is an array of float32 (shared
// with the metadata; do not modify) or of float64 (converted).
func (m *Metadata) Float32s(key string) ([]float32, bool) {
	a, ok := m.array(key)
	if !ok {
		return nil, false
	}
	switch v := a.Values.(type) {
	case []float32:
		return v, true
	case []float64:
		out := make([]float32, len(v))
		for i, x := range v {
			out[i] = float32(x)
		}
		return out, true
	}
	return nil, false
}

// Int32s returns the value of key if it is an array of any integer type,
// converted to int32 (truncating values that do not fit). An int32 array is
// returned shared with the metadata; do not modify it.
func (m *Metadata) Int32s(key string) ([]int32, bool) {
	a, ok := m.array(key)
	if !ok {
		return nil, false
	}
	if v, ok := a.Values.([]int32); ok {
		return v, true
	}
	switch a.Elem {
	case TypeUint8, TypeInt8, TypeUint16, TypeInt16, TypeUint32, TypeUint64, TypeInt64:
	default:
		return nil, false
	}
	n := a.Len()
	out := make([]int32, n)
	for i := range out {
		switch v := a.Values.(type) {
		case []uint64:
			out[i] = int32(v[i])
		default:
			x, _ := toInt(arrayElem(a, i))
			out[i] = int32(x)
		}
	}
	return out, true
}

// toInt converts any integer value that fits an int64.
func toInt(v any) (int64, bool) {
	switch x := v.(type) {
	case uint8:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case int16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	case uint64:
		if x > math.MaxInt64 {
			return 0, false
		}
		return int64(x), true
	}
	return 0, false
}
