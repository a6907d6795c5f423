package chat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// pyParser reads Python call expressions: name(key=value, ...), with
// literal values.
type pyParser struct {
	src string
	pos int
}

// maxPyDepth bounds nesting of literal lists and dicts.
const maxPyDepth = 64

func (p *pyParser) skip() {
	for p.pos < len(p.src) && strings.IndexByte(" \t\r\n", p.src[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *pyParser) peek() byte {
	p.skip()
	if p.pos >= len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *pyParser) expect(c byte) error {
	if p.peek() != c {
		return p.errorf("expected %q", c)
	}
	p.pos++
	return nil
}

func (p *pyParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at %q: %s", excerpt(p.src[min(p.pos, len(p.src)):]), fmt.Sprintf(format, args...))
}

// ident reads a dotted Python name.
func (p *pyParser) ident() string {
	p.skip()
	start := p.pos
	for p.pos < len(p.src) {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if r == '_' || unicode.IsLetter(r) || (p.pos > start && (unicode.IsDigit(r) || r == '.')) {
			p.pos += n
			continue
		}
		break
	}
	return p.src[start:p.pos]
}

// call reads name(k=v, ...) and returns the name and a JSON object.
func (p *pyParser) call() (string, json.RawMessage, error) {
	name := p.ident()
	if name == "" {
		return "", nil, p.errorf("expected a function name")
	}
	if err := p.expect('('); err != nil {
		return "", nil, err
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	seen := map[string]bool{}
	for p.peek() != ')' {
		if len(seen) > 0 {
			if err := p.expect(','); err != nil {
				return "", nil, err
			}
			if p.peek() == ')' {
				break
			}
		}
		key := p.ident()
		if key == "" || strings.Contains(key, ".") {
			return "", nil, p.errorf("expected a keyword argument")
		}
		if seen[key] {
			return "", nil, p.errorf("argument %q repeated", key)
		}
		if err := p.expect('='); err != nil {
			return "", nil, err
		}
		if len(seen) > 0 {
			buf.WriteByte(',')
		}
		seen[key] = true
		k, _ := json.Marshal(key)
		buf.Write(k)
		buf.WriteByte(':')
		if err := p.value(&buf, 0); err != nil {
			return "", nil, err
		}
	}
	p.pos++ // ')'
	buf.WriteByte('}')
	return name, buf.Bytes(), nil
}

// value reads a Python literal and writes it as JSON.
func (p *pyParser) value(buf *bytes.Buffer, depth int) error {
	if depth > maxPyDepth {
		return p.errorf("values nested too deeply")
	}
	switch c := p.peek(); {
	case c == '"' || c == '\'':
		s, err := p.str()
		if err != nil {
			return err
		}
		b, _ := json.Marshal(s)
		buf.Write(b)
		return nil
	case c == '[' || c == '(':
		end := byte(']')
		if c == '(' {
			end = ')'
		}
		p.pos++
		buf.WriteByte('[')
		for i := 0; p.peek() != end; i++ {
			if i > 0 {
				if err := p.expect(','); err != nil {
					return err
				}
				if p.peek() == end {
					break
				}
				buf.WriteByte(',')
			}
			if err := p.value(buf, depth+1); err != nil {
				return err
			}
		}
		p.pos++
		buf.WriteByte(']')
		return nil
	case c == '{':
		p.pos++
		buf.WriteByte('{')
		for i := 0; p.peek() != '}'; i++ {
			if i > 0 {
				if err := p.expect(','); err != nil {
					return err
				}
				if p.peek() == '}' {
					break
				}
				buf.WriteByte(',')
			}
			if q := p.peek(); q != '"' && q != '\'' {
				return p.errorf("dict keys must be strings")
			}
			k, err := p.str()
			if err != nil {
				return err
			}
			kb, _ := json.Marshal(k)
			buf.Write(kb)
			if err := p.expect(':'); err != nil {
				return err
			}
			buf.WriteByte(':')
			if err := p.value(buf, depth+1); err != nil {
				return err
			}
		}
		p.pos++
		buf.WriteByte('}')
		return nil
	case c == '-' || c == '+' || c == '.' || c >= '0' && c <= '9':
		return p.number(buf)
	case c == 0:
		return p.errorf("unexpected end")
	}
	switch word := p.ident(); word {
	case "True", "true":
		buf.WriteString("true")
	case "False", "false":
		buf.WriteString("false")
	case "None", "null":
		buf.WriteString("null")
	default:
		return p.errorf("unsupported value %q", word)
	}
	return nil
}

func (p *pyParser) number(buf *bytes.Buffer) error {
	start := p.pos
	for p.pos < len(p.src) && strings.IndexByte("+-.0123456789eE_", p.src[p.pos]) >= 0 {
		p.pos++
	}
	lit := strings.ReplaceAll(p.src[start:p.pos], "_", "")
	f, err := strconv.ParseFloat(lit, 64)
	if err != nil {
		return p.errorf("bad number %q", lit)
	}
	if i, err := strconv.ParseInt(strings.TrimPrefix(lit, "+"), 10, 64); err == nil {
		buf.WriteString(strconv.FormatInt(i, 10))
		return nil
	}
	b, err := json.Marshal(f)
	if err != nil {
		return p.errorf("number %q out of range", lit)
	}
	buf.Write(b)
	return nil
}

// str reads a single- or double-quoted Python string literal.
func (p *pyParser) str() (string, error) {
	quote := p.src[p.pos]
	p.pos++
	var b strings.Builder
	for {
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		c := p.src[p.pos]
		p.pos++
		switch {
		case c == quote:
			return b.String(), nil
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		if p.pos >= len(p.src) {
			return "", p.errorf("unterminated string")
		}
		e := p.src[p.pos]
		p.pos++
		switch e {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case '0':
			b.WriteByte(0)
		case '\\', '\'', '"':
			b.WriteByte(e)
		case '\n':
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if p.pos+n > len(p.src) {
				return "", p.errorf("short \\%c escape", e)
			}
			v, err := strconv.ParseUint(p.src[p.pos:p.pos+n], 16, 32)
			if err != nil || v > unicode.MaxRune {
				return "", p.errorf("bad \\%c escape", e)
			}
			p.pos += n
			b.WriteRune(rune(v))
		default:
			b.WriteByte('\\')
			b.WriteByte(e)
		}
	}
}

// parsePythonicList reads [f(a=1), g(b="x")].
func parsePythonicList(text string) ([]ToolCall, error) {
	p := &pyParser{src: text}
	if err := p.expect('['); err != nil {
		return nil, err
	}
	var calls []ToolCall
	for p.peek() != ']' {
		if len(calls) > 0 {
			if err := p.expect(','); err != nil {
				return nil, err
			}
		}
		name, args, err := p.call()
		if err != nil {
			return nil, err
		}
		calls = append(calls, ToolCall{Type: "function", Function: FunctionCall{Name: name, Arguments: args}})
	}
	p.pos++
	if p.skip(); p.pos != len(p.src) {
		return nil, p.errorf("unexpected text after the call list")
	}
	if len(calls) == 0 {
		return nil, fmt.Errorf("empty call list")
	}
	return calls, nil
}

// parseBuiltinCall reads name.call(k=v, ...), Llama's built-in tool form.
func parseBuiltinCall(text string) (ToolCall, error) {
	p := &pyParser{src: text}
	name, args, err := p.call()
	if err != nil {
		return ToolCall{}, err
	}
	if p.skip(); p.pos != len(p.src) {
		return ToolCall{}, p.errorf("unexpected text after the call")
	}
	tool, ok := strings.CutSuffix(name, ".call")
	if !ok || tool == "" {
		return ToolCall{}, fmt.Errorf("%q is not a built-in tool call", name)
	}
	return ToolCall{Type: "function", Function: FunctionCall{Name: tool, Arguments: args}}, nil
}
