package grammar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// orderedValue is a decoded JSON value that keeps object member order:
// nil, bool, json.Number, string, []orderedValue or *orderedObject.
type orderedValue any

type orderedObject struct {
	keys   []string
	values map[string]orderedValue
}

func (o *orderedObject) get(key string) (orderedValue, bool) {
	v, ok := o.values[key]
	return v, ok
}

// decodeOrdered parses one JSON document keeping member order.
func decodeOrdered(data []byte) (orderedValue, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder) (orderedValue, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			obj := &orderedObject{values: map[string]orderedValue{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				key, _ := kt.(string)
				val, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := obj.values[key]; !dup {
					obj.keys = append(obj.keys, key)
				}
				obj.values[key] = val
			}
			_, err := dec.Token()
			return obj, err
		case '[':
			arr := []orderedValue{}
			for dec.More() {
				val, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, val)
			}
			_, err := dec.Token()
			return arr, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	default:
		return t, nil
	}
}

// encodeCompact writes v as compact JSON, members in their original order.
func encodeCompact(buf *bytes.Buffer, v orderedValue) {
	switch t := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if t {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case json.Number:
		buf.WriteString(t.String())
	case string:
		b, _ := json.Marshal(t)
		buf.Write(b)
	case []orderedValue:
		buf.WriteByte('[')
		for i, e := range t {
			if i > 0 {
				buf.WriteByte(',')
			}
			encodeCompact(buf, e)
		}
		buf.WriteByte(']')
	case *orderedObject:
		buf.WriteByte('{')
		for i, k := range t.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			b, _ := json.Marshal(k)
			buf.Write(b)
			buf.WriteByte(':')
			encodeCompact(buf, t.values[k])
		}
		buf.WriteByte('}')
	}
}
