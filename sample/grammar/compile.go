package grammar

import (
	"fmt"
	"sort"
	"sync"
)

// Element kinds of the flattened grammar.
const (
	kindEnd   = iota // end of an alternative
	kindRef          // reference to a rule
	kindClass        // one code point from a class
)

type element struct {
	kind  uint8
	index int32 // rule index for kindRef, class index for kindClass
}

// Grammar is a compiled grammar, safe for concurrent use by many States.
// It caches the states it has seen and their transitions, and per
// vocabulary the token masks of those states; the caches live as long as
// the Grammar, so keep one per schema or request rather than forever.
type Grammar struct {
	elems   []element // alternatives, each ended by kindEnd
	alts    [][]int32 // rule → start positions of its alternatives
	classes []charClass
	names   []string
	root    int

	mu    sync.Mutex
	rt    recognizer
	masks map[*Vocab]map[int32][]uint64 // allowed-token bitsets by state
}

// Compile parses a GBNF grammar (llama.cpp's syntax: rules "name ::= ...",
// alternation, grouping, literals, character classes with ranges and
// negation, ".", rule references, and the repetitions * + ? {m} {m,} {m,n})
// and compiles it with the named rule as its start ("root" when empty).
func Compile(gbnf, root string) (*Grammar, error) {
	if root == "" {
		root = "root"
	}
	p := &parser{src: gbnf, names: map[string]int{}, clsKey: map[string]int{}}
	if err := p.parseGrammar(); err != nil {
		return nil, err
	}
	for id, ok := range p.defined {
		if !ok {
			return nil, fmt.Errorf("grammar: rule %q is used but not defined", p.ruleOf[id])
		}
	}
	rootID, ok := p.names[root]
	if !ok {
		return nil, fmt.Errorf("grammar: no rule named %q", root)
	}
	if err := checkLeftRecursion(p); err != nil {
		return nil, err
	}
	g := &Grammar{classes: p.classes, names: p.ruleOf, root: rootID}
	g.alts = make([][]int32, len(p.rules))
	for id, alts := range p.rules {
		for _, seq := range alts {
			g.alts[id] = append(g.alts[id], int32(len(g.elems)))
			for _, s := range seq {
				if s.ref >= 0 {
					g.elems = append(g.elems, element{kind: kindRef, index: int32(s.ref)})
				} else {
					g.elems = append(g.elems, element{kind: kindClass, index: int32(s.cls)})
				}
			}
			g.elems = append(g.elems, element{kind: kindEnd})
		}
	}
	g.rt.init(g)
	return g, nil
}

// MustCompile is Compile for grammars fixed in source code; it panics on error.
func MustCompile(gbnf, root string) *Grammar {
	g, err := Compile(gbnf, root)
	if err != nil {
		panic(err)
	}
	return g
}

// checkLeftRecursion rejects rules that can reach themselves without
// consuming input, which a pushdown recognizer cannot expand.
func checkLeftRecursion(p *parser) error {
	n := len(p.rules)
	nullable := make([]bool, n)
	for changed := true; changed; {
		changed = false
		for id, alts := range p.rules {
			if nullable[id] {
				continue
			}
			for _, seq := range alts {
				if seqNullable(seq, nullable) {
					nullable[id] = true
					changed = true
					break
				}
			}
		}
	}
	// Edges: rule → rules it can start with.
	edges := make([][]int, n)
	for id, alts := range p.rules {
		for _, seq := range alts {
			for _, s := range seq {
				if s.ref < 0 {
					break
				}
				edges[id] = append(edges[id], s.ref)
				if !nullable[s.ref] {
					break
				}
			}
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := make([]int, n)
	var visit func(int) error
	visit = func(id int) error {
		color[id] = grey
		for _, to := range edges[id] {
			switch color[to] {
			case grey:
				return fmt.Errorf("grammar: rule %q is left-recursive", p.ruleOf[to])
			case white:
				if err := visit(to); err != nil {
					return err
				}
			}
		}
		color[id] = black
		return nil
	}
	for id := range n {
		if color[id] == white {
			if err := visit(id); err != nil {
				return err
			}
		}
	}
	return nil
}

func seqNullable(seq []sym, nullable []bool) bool {
	for _, s := range seq {
		if s.ref < 0 || !nullable[s.ref] {
			return false
		}
	}
	return true
}

// normalizeRanges sorts and merges inclusive code point ranges.
func normalizeRanges(r []rune) []rune {
	type span struct{ lo, hi rune }
	spans := make([]span, 0, len(r)/2)
	for i := 0; i+1 < len(r); i += 2 {
		spans = append(spans, span{r[i], r[i+1]})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].lo < spans[j].lo })
	out := make([]rune, 0, len(r))
	for _, s := range spans {
		if n := len(out); n > 0 && s.lo <= out[n-1]+1 {
			out[n-1] = max(out[n-1], s.hi)
			continue
		}
		out = append(out, s.lo, s.hi)
	}
	return out
}

// matches reports whether the class holds code point c.
func (c *charClass) matches(r rune) bool {
	in := false
	for i := 0; i < len(c.ranges); i += 2 {
		if r < c.ranges[i] {
			break
		}
		if r <= c.ranges[i+1] {
			in = true
			break
		}
	}
	return in != c.negated
}

// intersects reports whether the class holds any code point in [lo, hi].
func (c *charClass) intersects(lo, hi rune) bool {
	if !c.negated {
		for i := 0; i < len(c.ranges); i += 2 {
			if c.ranges[i] <= hi && c.ranges[i+1] >= lo {
				return true
			}
		}
		return false
	}
	// Negated: true unless one merged range covers all of [lo, hi].
	for i := 0; i < len(c.ranges); i += 2 {
		if c.ranges[i] <= lo && c.ranges[i+1] >= hi {
			return false
		}
	}
	return true
}

// covers reports whether the class holds every code point in [lo, hi].
func (c *charClass) covers(lo, hi rune) bool {
	if c.negated {
		for i := 0; i < len(c.ranges); i += 2 {
			if c.ranges[i] <= hi && c.ranges[i+1] >= lo {
				return false
			}
		}
		return true
	}
	for i := 0; i < len(c.ranges); i += 2 {
		if c.ranges[i] <= lo && c.ranges[i+1] >= hi {
			return true
		}
	}
	return false
}
