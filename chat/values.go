package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"sync"
)

// keyOrder maps the identity of a map handed to a template to its keys in
// insertion order, so tojson and items() can follow Python's dict order.
// Entries live for the duration of one render.
var keyOrder sync.Map // uintptr → []string

// valueBuilder makes template values and remembers the maps it registered.
type valueBuilder struct {
	maps []uintptr
}

// dict builds a map with the given keys in order.
func (vb *valueBuilder) dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	keys := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		k := kv[i].(string)
		if _, dup := m[k]; !dup {
			keys = append(keys, k)
		}
		m[k] = kv[i+1]
	}
	vb.register(m, keys)
	return m
}

func (vb *valueBuilder) register(m map[string]any, keys []string) {
	p := reflect.ValueOf(m).Pointer()
	keyOrder.Store(p, keys)
	vb.maps = append(vb.maps, p)
}

// release forgets the key orders registered by this builder.
func (vb *valueBuilder) release() {
	for _, p := range vb.maps {
		keyOrder.Delete(p)
	}
	vb.maps = nil
}

// fromJSON decodes JSON text into template values (ordered maps, []any,
// string, bool, nil, int64 or float64).
func (vb *valueBuilder) fromJSON(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := vb.decode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after JSON value")
	}
	return v, nil
}

func (vb *valueBuilder) decode(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			m := map[string]any{}
			var keys []string
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := vb.decode(dec)
				if err != nil {
					return nil, err
				}
				if _, dup := m[k]; !dup {
					keys = append(keys, k)
				}
				m[k] = v
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			vb.register(m, keys)
			return m, nil
		}
		list := pyList{}
		for dec.More() {
			v, err := vb.decode(dec)
			if err != nil {
				return nil, err
			}
			list = append(list, v)
		}
		_, err := dec.Token()
		return list, err
	case json.Number:
		return newPyNumber(t.String()), nil
	}
	return tok, nil
}

// messages converts messages to the dicts chat templates expect.
// contentOf supplies each message's content (the text itself, or a
// placeholder when segments are being located).
func (vb *valueBuilder) messages(msgs []Message, contentOf func(i int) string) pyList {
	out := make(pyList, len(msgs))
	for i, m := range msgs {
		var content any = contentOf(i)
		if m.Content == "" && len(m.ToolCalls) > 0 {
			content = nil
		}
		if (m.Role == "tool" || m.Role == "ipython") && structuredJSON(m.Content) {
			if v, err := vb.fromJSON([]byte(m.Content)); err == nil {
				content = v
			}
		}
		kv := []any{"role", m.Role, "content", content}
		if len(m.ToolCalls) > 0 {
			calls := make(pyList, len(m.ToolCalls))
			for j, c := range m.ToolCalls {
				var args any = string(c.Function.Arguments)
				if v, err := vb.fromJSON(c.Function.Arguments); err == nil {
					args = v
					if m, ok := v.(map[string]any); ok {
						args = argsDict(m)
					}
				}
				typ := c.Type
				if typ == "" {
					typ = "function"
				}
				call := []any{"type", typ, "function", vb.dict("name", c.Function.Name, "arguments", args)}
				if c.ID != "" {
					call = append([]any{"id", c.ID}, call...)
				}
				calls[j] = vb.dict(call...)
			}
			kv = append(kv, "tool_calls", calls)
		}
		if m.ToolCallID != "" {
			kv = append(kv, "tool_call_id", m.ToolCallID)
		}
		if m.Name != "" {
			kv = append(kv, "name", m.Name)
		}
		out[i] = vb.dict(kv...)
	}
	return out
}

// tools converts tool definitions to template values.
func (vb *valueBuilder) tools(tools []Tool) (pyList, error) {
	out := make(pyList, len(tools))
	for i, t := range tools {
		fn := []any{"name", t.Function.Name}
		if t.Function.Description != "" {
			fn = append(fn, "description", t.Function.Description)
		}
		if len(t.Function.Parameters) > 0 {
			p, err := vb.fromJSON(t.Function.Parameters)
			if err != nil {
				return nil, fmt.Errorf("chat: tool %q: parameters: %w", t.Function.Name, err)
			}
			fn = append(fn, "parameters", p)
		}
		typ := t.Type
		if typ == "" {
			typ = "function"
		}
		out[i] = vb.dict("type", typ, "function", vb.dict(fn...))
	}
	return out, nil
}

// structuredJSON reports whether s is a JSON object or array.
func structuredJSON(s string) bool {
	t := bytes.TrimSpace([]byte(s))
	return len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid(t)
}

// argsDict holds tool-call arguments: a mapping for templates that use it
// as one (tojson, items) and its JSON text where a template concatenates
// it as the string OpenAI clients send.
type argsDict map[string]any

// String returns the arguments as json.dumps writes them.
func (a argsDict) String() string {
	s, err := pyJSON(map[string]any(a), 0)
	if err != nil {
		return fmt.Sprint(map[string]any(a))
	}
	return s
}
