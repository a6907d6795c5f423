package grammar

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// sym is one element of a parsed sequence: a reference to a rule or a
// character class.
type sym struct {
	ref int // rule index, or -1 for a class
	cls int // class index when ref < 0
}

// charClass is a set of code points: sorted, merged inclusive ranges,
// possibly negated.
type charClass struct {
	ranges  []rune // pairs lo, hi
	negated bool
}

// parser turns GBNF text into rules of alternatives of sequences.
type parser struct {
	src     string
	pos     int
	names   map[string]int
	rules   [][][]sym // rule → alternatives → sequence
	ruleOf  []string
	defined []bool
	classes []charClass
	clsKey  map[string]int
	copied  int // elements created by repetitions, bounded by maxCopied
}

// maxCopied bounds the elements repetitions may create, so a short
// grammar such as ("...long..."{9999}){9999} cannot exhaust memory.
const maxCopied = 1 << 20

// maxRepeat bounds {m,n} counts so a small grammar cannot expand into an
// enormous one.
const maxRepeat = 10000

func (p *parser) errorf(format string, args ...any) error {
	line := 1 + strings.Count(p.src[:min(p.pos, len(p.src))], "\n")
	return fmt.Errorf("grammar: line %d: %s", line, fmt.Sprintf(format, args...))
}

// rule returns the index of the named rule, creating it undefined.
func (p *parser) rule(name string) int {
	if id, ok := p.names[name]; ok {
		return id
	}
	id := len(p.rules)
	p.names[name] = id
	p.rules = append(p.rules, nil)
	p.ruleOf = append(p.ruleOf, name)
	p.defined = append(p.defined, false)
	return id
}

// anon creates a new generated rule with the given alternatives.
func (p *parser) anon(base string, alts [][]sym) int {
	id := p.rule(fmt.Sprintf("%s-%d", base, len(p.rules)))
	p.rules[id] = alts
	p.defined[id] = true
	return id
}

func (p *parser) class(c charClass) int {
	c.ranges = normalizeRanges(c.ranges)
	key := fmt.Sprint(c.negated, c.ranges)
	if id, ok := p.clsKey[key]; ok {
		return id
	}
	id := len(p.classes)
	p.classes = append(p.classes, c)
	p.clsKey[key] = id
	return id
}

func (p *parser) char(r rune) sym {
	return sym{ref: -1, cls: p.class(charClass{ranges: []rune{r, r}})}
}

func isWordChar(c byte) bool {
	return c == '-' || c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// space skips blanks and comments; newlines only when newlineOK.
func (p *parser) space(newlineOK bool) {
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == ' ' || c == '\t':
			p.pos++
		case c == '#':
			for p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '\r' {
				p.pos++
			}
		case (c == '\n' || c == '\r') && newlineOK:
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) name() string {
	start := p.pos
	for p.pos < len(p.src) && isWordChar(p.src[p.pos]) {
		p.pos++
	}
	return p.src[start:p.pos]
}

func (p *parser) parseGrammar() error {
	p.space(true)
	for p.pos < len(p.src) {
		name := p.name()
		if name == "" {
			return p.errorf("expected rule name at %q", excerpt(p.src[p.pos:]))
		}
		p.space(false)
		if !strings.HasPrefix(p.src[p.pos:], "::=") {
			return p.errorf("expected ::= after %q", name)
		}
		p.pos += 3
		p.space(true)
		id := p.rule(name)
		if p.defined[id] {
			return p.errorf("rule %q defined twice", name)
		}
		p.defined[id] = true
		alts, err := p.parseAlternates(name, false)
		if err != nil {
			return err
		}
		p.rules[id] = alts
		if p.pos < len(p.src) && p.src[p.pos] != '\n' && p.src[p.pos] != '\r' {
			return p.errorf("expected newline or end after rule %q, got %q", name, excerpt(p.src[p.pos:]))
		}
		p.space(true)
	}
	return nil
}

func (p *parser) parseAlternates(name string, nested bool) ([][]sym, error) {
	var alts [][]sym
	for {
		seq, err := p.parseSequence(name, nested)
		if err != nil {
			return nil, err
		}
		alts = append(alts, seq)
		if !nested {
			// A top-level alternation may continue on the next line.
			save := p.pos
			p.space(true)
			if p.pos >= len(p.src) || p.src[p.pos] != '|' {
				p.pos = save
			}
		}
		if p.pos < len(p.src) && p.src[p.pos] == '|' {
			p.pos++
			p.space(true)
			continue
		}
		return alts, nil
	}
}

func (p *parser) parseSequence(name string, nested bool) ([]sym, error) {
	var seq []sym
	last := -1 // start of the last element, for repetition operators
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			last = len(seq)
			for {
				if p.pos >= len(p.src) {
					return nil, p.errorf("unterminated literal")
				}
				if p.src[p.pos] == '"' {
					p.pos++
					break
				}
				r, err := p.parseChar()
				if err != nil {
					return nil, err
				}
				seq = append(seq, p.char(r))
			}
		case c == '[':
			p.pos++
			cls, err := p.parseClass()
			if err != nil {
				return nil, err
			}
			last = len(seq)
			seq = append(seq, sym{ref: -1, cls: p.class(cls)})
		case c == '.':
			p.pos++
			last = len(seq)
			seq = append(seq, sym{ref: -1, cls: p.class(charClass{negated: true})})
		case isWordChar(c):
			n := p.name()
			last = len(seq)
			seq = append(seq, sym{ref: p.rule(n)})
		case c == '(':
			p.pos++
			p.space(true)
			alts, err := p.parseAlternates(name, true)
			if err != nil {
				return nil, err
			}
			if p.pos >= len(p.src) || p.src[p.pos] != ')' {
				return nil, p.errorf("expected ) in rule %q", name)
			}
			p.pos++
			last = len(seq)
			seq = append(seq, sym{ref: p.anon(name, alts)})
		case c == '*' || c == '+' || c == '?':
			if last < 0 {
				return nil, p.errorf("%c without a preceding element in rule %q", c, name)
			}
			p.pos++
			lo, hi := 0, -1
			if c == '+' {
				lo = 1
			} else if c == '?' {
				hi = 1
			}
			var err error
			if seq, err = p.repeat(name, seq, last, lo, hi); err != nil {
				return nil, err
			}
			last = -1
		case c == '{':
			if last < 0 {
				return nil, p.errorf("{ without a preceding element in rule %q", name)
			}
			p.pos++
			lo, hi, err := p.parseBraces()
			if err != nil {
				return nil, err
			}
			if seq, err = p.repeat(name, seq, last, lo, hi); err != nil {
				return nil, err
			}
			last = -1
		default:
			return seq, nil
		}
		p.space(nested)
	}
	return seq, nil
}

// parseBraces reads "m}", "m,}" or "m,n}" after '{'; hi is -1 when open.
func (p *parser) parseBraces() (int, int, error) {
	num := func() (int, bool, error) {
		p.space(false)
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
		}
		if start == p.pos {
			return 0, false, nil
		}
		n, err := strconv.Atoi(p.src[start:p.pos])
		if err != nil || n > maxRepeat {
			return 0, false, p.errorf("repetition count %q too large", p.src[start:p.pos])
		}
		p.space(false)
		return n, true, nil
	}
	lo, ok, err := num()
	if err != nil {
		return 0, 0, err
	}
	if !ok {
		return 0, 0, p.errorf("expected a number after {")
	}
	hi := lo
	if p.pos < len(p.src) && p.src[p.pos] == ',' {
		p.pos++
		n, ok, err := num()
		if err != nil {
			return 0, 0, err
		}
		hi = -1
		if ok {
			hi = n
		}
	}
	if p.pos >= len(p.src) || p.src[p.pos] != '}' {
		return 0, 0, p.errorf("expected } in repetition")
	}
	p.pos++
	if hi >= 0 && hi < lo {
		return 0, 0, p.errorf("repetition {%d,%d} has max below min", lo, hi)
	}
	return lo, hi, nil
}

// repeat replaces seq[last:] (one element) by lo..hi copies of it (hi -1:
// unbounded), using generated right-recursive rules as llama.cpp does.
func (p *parser) repeat(name string, seq []sym, last, lo, hi int) ([]sym, error) {
	item := append([]sym(nil), seq[last:]...)
	seq = seq[:last]
	if len(item) == 0 {
		return seq, nil
	}
	p.copied += len(item) * (max(lo, hi) + 1)
	if p.copied > maxCopied {
		return nil, p.errorf("repetitions expand to more than %d elements", maxCopied)
	}
	for i := 0; i < lo; i++ {
		seq = append(seq, item...)
	}
	if hi < 0 {
		id := p.rule(fmt.Sprintf("%s-%d", name, len(p.rules)))
		p.rules[id] = [][]sym{append(append([]sym(nil), item...), sym{ref: id}), nil}
		p.defined[id] = true
		return append(seq, sym{ref: id}), nil
	}
	// opt_k ::= item opt_{k-1} | ε, built from the innermost outwards.
	tail := -1
	for k := 0; k < hi-lo; k++ {
		alt := append([]sym(nil), item...)
		if tail >= 0 {
			alt = append(alt, sym{ref: tail})
		}
		tail = p.anon(name, [][]sym{alt, nil})
	}
	if tail >= 0 {
		seq = append(seq, sym{ref: tail})
	}
	return seq, nil
}

func (p *parser) parseClass() (charClass, error) {
	var c charClass
	if p.pos < len(p.src) && p.src[p.pos] == '^' {
		c.negated = true
		p.pos++
	}
	for {
		if p.pos >= len(p.src) {
			return c, p.errorf("unterminated character class")
		}
		if p.src[p.pos] == ']' {
			p.pos++
			return c, nil
		}
		lo, err := p.parseChar()
		if err != nil {
			return c, err
		}
		hi := lo
		if p.pos+1 < len(p.src) && p.src[p.pos] == '-' && p.src[p.pos+1] != ']' {
			p.pos++
			if hi, err = p.parseChar(); err != nil {
				return c, err
			}
			if hi < lo {
				return c, p.errorf("character range %q-%q is reversed", lo, hi)
			}
		}
		c.ranges = append(c.ranges, lo, hi)
	}
}

// parseChar reads one possibly escaped UTF-8 character of a literal or class.
func (p *parser) parseChar() (rune, error) {
	if p.src[p.pos] != '\\' {
		r, n := utf8.DecodeRuneInString(p.src[p.pos:])
		if r == utf8.RuneError && n <= 1 {
			return 0, p.errorf("invalid UTF-8 in grammar")
		}
		p.pos += n
		return r, nil
	}
	p.pos++
	if p.pos >= len(p.src) {
		return 0, p.errorf("dangling escape")
	}
	e := p.src[p.pos]
	p.pos++
	hex := 0
	switch e {
	case 'x':
		hex = 2
	case 'u':
		hex = 4
	case 'U':
		hex = 8
	case 't':
		return '\t', nil
	case 'n':
		return '\n', nil
	case 'r':
		return '\r', nil
	case '\\', '"', '[', ']', '-', '^', '/', '\'':
		return rune(e), nil
	default:
		return 0, p.errorf("unknown escape \\%c", e)
	}
	if p.pos+hex > len(p.src) {
		return 0, p.errorf("short \\%c escape", e)
	}
	v, err := strconv.ParseUint(p.src[p.pos:p.pos+hex], 16, 32)
	if err != nil || v > utf8.MaxRune {
		return 0, p.errorf("bad \\%c escape %q", e, p.src[p.pos:p.pos+hex])
	}
	p.pos += hex
	return rune(v), nil
}

func excerpt(s string) string {
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
