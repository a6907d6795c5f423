package herdfile

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Herdfile is a parsed persona definition.
type Herdfile struct {
	// From names the model: a path (relative paths are relative to the
	// Herdfile's folder) or a model name; empty when there is no FROM.
	From string
	// System is the system prompt; HasSystem tells an empty SYSTEM from none.
	System    string
	HasSystem bool
	// Template is a Jinja chat template replacing the model's own; empty
	// when there is none.
	Template string
	// Parameters are the PARAMETER lines in order, names normalized
	// (lower case, '-' as '_', aliases resolved).
	Parameters []Parameter
	// Messages seed the conversation, in order.
	Messages []Message
	// Adapters are the ADAPTER paths in order (LoRA adapters).
	Adapters []string
}

// Parameter is one PARAMETER line.
type Parameter struct {
	Name  string // canonical setting name, such as "temperature" or "stop"
	Value string // the value as written (unquoted)
	Line  int    // line number, from 1
}

// Message is one MESSAGE line: a turn that seeds the conversation.
type Message struct {
	Role    string // system, user or assistant
	Content string
	Line    int
}

// Error is a problem at a line of a Herdfile.
type Error struct {
	Line int    // line number, from 1
	Msg  string // what is wrong
}

func (e *Error) Error() string { return fmt.Sprintf("herdfile: line %d: %s", e.Line, e.Msg) }

// maxLine bounds one line of a Herdfile (a template may be long).
const maxLine = 16 << 20

// Parse reads a Herdfile.
func Parse(r io.Reader) (*Herdfile, error) {
	p := &parser{sc: bufio.NewScanner(r), h: &Herdfile{}, seen: map[string]int{}}
	p.sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	for p.next() {
		if err := p.instruction(); err != nil {
			return nil, err
		}
	}
	if err := p.sc.Err(); err != nil {
		return nil, fmt.Errorf("herdfile: line %d: %w", p.line+1, err)
	}
	return p.h, nil
}

// parser walks a Herdfile line by line.
type parser struct {
	sc   *bufio.Scanner
	text string // the current line
	line int    // its number
	h    *Herdfile
	seen map[string]int // the line of each single-use instruction
}

func (p *parser) next() bool {
	if !p.sc.Scan() {
		return false
	}
	p.line++
	p.text = strings.TrimSuffix(p.sc.Text(), "\r")
	return true
}

func (p *parser) errorf(format string, args ...any) error {
	return &Error{Line: p.line, Msg: fmt.Sprintf(format, args...)}
}

// instruction parses the instruction that starts on the current line.
func (p *parser) instruction() error {
	line := strings.TrimSpace(p.text)
	if line == "" || strings.HasPrefix(line, "#") {
		return nil
	}
	word, rest := cutWord(line)
	name := strings.ToUpper(word)
	start := p.line
	switch name {
	case "FROM", "SYSTEM", "TEMPLATE":
		if prev, ok := p.seen[name]; ok {
			return p.errorf("a second %s (the first is on line %d)", name, prev)
		}
		p.seen[name] = start
		arg, err := p.argument(rest)
		if err != nil {
			return err
		}
		switch name {
		case "FROM":
			if arg == "" {
				return &Error{Line: start, Msg: "FROM needs a model path or name"}
			}
			p.h.From = arg
		case "SYSTEM":
			p.h.System, p.h.HasSystem = arg, true
		case "TEMPLATE":
			if strings.TrimSpace(arg) == "" {
				return &Error{Line: start, Msg: "TEMPLATE is empty"}
			}
			p.h.Template = arg
		}
	case "PARAMETER":
		key, val := cutWord(rest)
		if key == "" {
			return p.errorf("PARAMETER needs a name and a value")
		}
		arg, err := p.argument(val)
		if err != nil {
			return err
		}
		canon, err := checkParameter(key, arg)
		if err != nil {
			return &Error{Line: start, Msg: err.Error()}
		}
		p.h.Parameters = append(p.h.Parameters, Parameter{Name: canon, Value: arg, Line: start})
	case "MESSAGE":
		role, content := cutWord(rest)
		role = strings.ToLower(role)
		switch role {
		case "system", "user", "assistant":
		case "":
			return p.errorf("MESSAGE needs a role (system, user or assistant) and its content")
		default:
			return p.errorf("MESSAGE role %q is not system, user or assistant", role)
		}
		arg, err := p.argument(content)
		if err != nil {
			return err
		}
		p.h.Messages = append(p.h.Messages, Message{Role: role, Content: arg, Line: start})
	case "ADAPTER":
		arg, err := p.argument(rest)
		if err != nil {
			return err
		}
		if arg == "" {
			return &Error{Line: start, Msg: "ADAPTER needs a path"}
		}
		p.h.Adapters = append(p.h.Adapters, arg)
	case "LICENSE":
		// Accepted for Modelfile compatibility; herd keeps no license text.
		_, err := p.argument(rest)
		return err
	default:
		return p.errorf("unknown instruction %s (want FROM, SYSTEM, PARAMETER, TEMPLATE, MESSAGE or ADAPTER)", excerpt(word))
	}
	return nil
}

// argument reads an instruction's argument starting with s on the current
// line: a """block""" (reading further lines as needed), a "quoted string",
// or the rest of the line.
func (p *parser) argument(s string) (string, error) {
	s = strings.TrimRight(s, " \t")
	switch {
	case strings.HasPrefix(s, `"""`):
		return p.block(s[3:])
	case strings.HasPrefix(s, `"`):
		v, err := strconv.Unquote(s)
		if err != nil {
			return "", p.errorf("bad quoted string %s (close it with \" and escape inner quotes as \\\")", excerpt(s))
		}
		return v, nil
	}
	return s, nil
}

// block reads a triple-quoted argument whose text starts with s. A newline
// right after the opening quotes and one right before the closing quotes
// are not part of the text.
func (p *parser) block(s string) (string, error) {
	start := p.line
	var b strings.Builder
	first := true
	for {
		if end := strings.Index(s, `"""`); end >= 0 {
			if tail := strings.TrimSpace(s[end+3:]); tail != "" {
				return "", p.errorf("text %s after the closing \"\"\"", excerpt(tail))
			}
			b.WriteString(s[:end])
			return strings.TrimSuffix(b.String(), "\n"), nil
		}
		if !first || s != "" {
			b.WriteString(s)
			b.WriteByte('\n')
		}
		first = false
		if !p.next() {
			if err := p.sc.Err(); err != nil {
				return "", fmt.Errorf("herdfile: line %d: %w", p.line+1, err)
			}
			return "", &Error{Line: start, Msg: `""" is never closed`}
		}
		s = p.text
	}
}

// cutWord splits s at its first space or tab, dropping the blanks after
// it.
func cutWord(s string) (word, rest string) {
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}

// excerpt shortens s for an error message.
func excerpt(s string) string {
	const n = 40
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !utf8RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
