package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// Llama 3.1+ tool-calling markers.
const (
	PythonTag = "<|python_tag|>"
	EOMToken  = "<|eom_id|>"
)

// ParseToolCalls reads the tool calls in a Llama 3.1/3.2/3.3 model's reply.
// It recognizes, for the whole reply (surrounding blanks and a final
// <|eom_id|> or <|eot_id|> aside):
//   - JSON calls {"name": ..., "parameters": {...}} ("arguments" is accepted
//     too, as an object or a string holding one), optionally after
//     <|python_tag|>, several separated by ";";
//   - the pythonic list [f(a=1), g(b="x")] with string, number,
//     True/False/None, list and dict values;
//   - built-in tool calls <|python_tag|>brave_search.call(query="...").
//
// Code after <|python_tag|> that is none of these becomes a call of
// "python" with argument "code", as for Llama's code interpreter.
// A reply that is not a tool call is returned as content with no calls.
// A reply that starts like one but is malformed is returned as content
// together with an error saying what is wrong, so the caller can show it
// as text or report it. Call IDs are left empty for the caller to assign.
func ParseToolCalls(reply string) (content string, calls []ToolCall, err error) {
	text := strings.TrimSpace(reply)
	for _, end := range []string{EOMToken, "<|eot_id|>"} {
		text = strings.TrimSpace(strings.TrimSuffix(text, end))
	}
	tagged := strings.HasPrefix(text, PythonTag)
	if tagged {
		text = strings.TrimSpace(strings.TrimPrefix(text, PythonTag))
	}
	switch {
	case strings.HasPrefix(text, "{"):
		calls, err = parseJSONCalls(text)
	case strings.HasPrefix(text, "[") && looksPythonic(text):
		calls, err = parsePythonicList(text)
	case tagged:
		if c, perr := parseBuiltinCall(text); perr == nil {
			calls = []ToolCall{c}
		} else {
			args, _ := json.Marshal(map[string]string{"code": text})
			calls = []ToolCall{{Type: "function", Function: FunctionCall{Name: "python", Arguments: args}}}
		}
	default:
		return reply, nil, nil
	}
	if err != nil {
		return reply, nil, fmt.Errorf("chat: malformed tool call: %w", err)
	}
	return "", calls, nil
}

// looksPythonic reports whether text starts like [name( .
func looksPythonic(text string) bool {
	p := &pyParser{src: strings.TrimSpace(text[1:])}
	return p.ident() != "" && p.peek() == '('
}

func parseJSONCalls(text string) ([]ToolCall, error) {
	dec := json.NewDecoder(strings.NewReader(text))
	var calls []ToolCall
	for {
		var raw struct {
			Name       *string         `json:"name"`
			Parameters json.RawMessage `json:"parameters"`
			Arguments  json.RawMessage `json:"arguments"`
		}
		if err := dec.Decode(&raw); err != nil {
			return nil, fmt.Errorf("call %d: %w", len(calls)+1, err)
		}
		if raw.Name == nil || *raw.Name == "" {
			return nil, fmt.Errorf("call %d: no \"name\"", len(calls)+1)
		}
		args := raw.Parameters
		if args == nil {
			args = raw.Arguments
		}
		obj, err := argumentObject(args)
		if err != nil {
			return nil, fmt.Errorf("call %d (%s): %w", len(calls)+1, *raw.Name, err)
		}
		calls = append(calls, ToolCall{Type: "function", Function: FunctionCall{Name: *raw.Name, Arguments: obj}})
		rest := strings.TrimSpace(text[dec.InputOffset():])
		if rest == "" {
			return calls, nil
		}
		if !strings.HasPrefix(rest, ";") {
			return nil, fmt.Errorf("unexpected %q after call %d", excerpt(rest), len(calls))
		}
		rest = strings.TrimSpace(rest[1:])
		if rest == "" {
			return calls, nil
		}
		text = rest
		dec = json.NewDecoder(strings.NewReader(text))
	}
}

// argumentObject returns compact JSON of an arguments object, which may be
// absent (no arguments) or a string holding the object.
func argumentObject(raw json.RawMessage) (json.RawMessage, error) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return json.RawMessage("{}"), nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		raw = bytes.TrimSpace([]byte(s))
	}
	if len(raw) == 0 || raw[0] != '{' {
		return nil, fmt.Errorf("parameters are not a JSON object")
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return nil, fmt.Errorf("parameters: %w", err)
	}
	return buf.Bytes(), nil
}

func excerpt(s string) string {
	if len(s) > 30 {
		return s[:30] + "…"
	}
	return s
}

// MaybeToolCall reports whether a reply that begins with prefix may turn
// out to be a tool call, so that a streaming server can hold the text back
// until ParseToolCalls decides. It is true for an empty prefix.
func MaybeToolCall(prefix string) bool {
	p := strings.TrimLeft(prefix, " \t\r\n")
	if p == "" {
		return true
	}
	for _, start := range []string{PythonTag, "{", "["} {
		if strings.HasPrefix(p, start) || strings.HasPrefix(start, p) {
			if start == "[" && len(p) > 1 {
				rest := strings.TrimLeft(p[1:], " \t\r\n")
				r := []rune(rest)
				return len(r) == 0 || r[0] == '_' || unicode.IsLetter(r[0])
			}
			return true
		}
	}
	return false
}

// ToolCallSchema returns a JSON Schema for one call of any of the tools in
// the Llama 3.1 JSON form {"name": ..., "parameters": {...}}, for
// constraining generation with grammar.FromSchema.
func ToolCallSchema(tools []Tool) ([]byte, error) {
	var alts []string
	for _, t := range tools {
		params := t.Function.Parameters
		if len(bytes.TrimSpace(params)) == 0 {
			params = json.RawMessage(`{"type":"object"}`)
		}
		if !json.Valid(params) {
			return nil, fmt.Errorf("chat: tool %q: parameters are not JSON", t.Function.Name)
		}
		name, _ := json.Marshal(t.Function.Name)
		alts = append(alts, fmt.Sprintf(`{"type":"object","properties":{"name":{"const":%s},"parameters":%s},"required":["name","parameters"],"additionalProperties":false}`, name, params))
	}
	if len(alts) == 0 {
		return nil, fmt.Errorf("chat: no tools")
	}
	if len(alts) == 1 {
		return []byte(alts[0]), nil
	}
	return []byte(`{"anyOf":[` + strings.Join(alts, ",") + `]}`), nil
}
