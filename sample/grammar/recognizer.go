package grammar

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// State ids of the recognizer. Dead means no stack survives.
const (
	deadState    = -1
	unknownState = -2
)

// stackNode is one frame of an interned, persistent stack: a grammar
// position (never kindEnd) on top of the parent stack. Stack 0 is empty.
type stackNode struct {
	pos    int32
	parent int32
}

// rstate is an interned recognizer state: a sorted set of expanded stacks
// (each topped by a class position, or the empty stack when the input may
// end here) and any partial UTF-8 sequence.
type rstate struct {
	stacks []int32
	accept bool  // holds the empty stack and no partial UTF-8
	cp     int32 // code point bits read so far
	need   uint8 // continuation bytes still expected
	length uint8 // total length of the partial sequence
}

// recognizer interns stacks and states and caches byte transitions.
type recognizer struct {
	g       *Grammar
	nodes   []stackNode
	nodeIDs map[uint64]int32
	states  []rstate
	stateID map[string]int32
	trans   []int32 // state*256 + byte → state, unknownState if not computed
	// loopLo/loopHi: ASCII bytes that lead from a state back to itself,
	// computed on first use (loopDone).
	loopLo, loopHi []uint64
	loopUni        []bool // every non-ASCII character leads back too
	loopDone       []bool
	initial        int32
	scratch        []int32
	keyBuf         []byte
}

func (r *recognizer) init(g *Grammar) {
	r.g = g
	r.nodes = []stackNode{{pos: -1, parent: -1}}
	r.nodeIDs = map[uint64]int32{}
	r.stateID = map[string]int32{}
	var set []int32
	for _, start := range g.alts[g.root] {
		set = r.expand(set, r.push(0, start))
	}
	r.initial = r.intern(rstate{stacks: set})
}

// push returns the stack with pos on top of parent, or parent itself when
// pos is an end of alternative (nothing left to do in that frame).
func (r *recognizer) push(parent int32, pos int32) int32 {
	if r.g.elems[pos].kind == kindEnd {
		return parent
	}
	key := uint64(uint32(pos))<<32 | uint64(uint32(parent))
	if id, ok := r.nodeIDs[key]; ok {
		return id
	}
	id := int32(len(r.nodes))
	r.nodes = append(r.nodes, stackNode{pos: pos, parent: parent})
	r.nodeIDs[key] = id
	return id
}

// expand adds to set every stack reachable from s without consuming input
// whose top is a class (or which is empty).
func (r *recognizer) expand(set []int32, s int32) []int32 {
	if s == 0 {
		return append(set, 0)
	}
	n := r.nodes[s]
	e := r.g.elems[n.pos]
	if e.kind == kindClass {
		return append(set, s)
	}
	// A rule reference: continue after it once the rule is done.
	rest := r.push(n.parent, n.pos+1)
	for _, start := range r.g.alts[e.index] {
		set = r.expand(set, r.push(rest, start))
	}
	return set
}

// intern returns the id of st, adding it if new. st.stacks may be unsorted
// and hold duplicates.
func (r *recognizer) intern(st rstate) int32 {
	slices.Sort(st.stacks)
	st.stacks = slices.Compact(st.stacks)
	if len(st.stacks) == 0 {
		return deadState
	}
	st.accept = st.need == 0 && st.stacks[0] == 0
	key := r.keyBuf[:0]
	key = append(key, st.need, st.length)
	key = binary.LittleEndian.AppendUint32(key, uint32(st.cp))
	for _, s := range st.stacks {
		key = binary.LittleEndian.AppendUint32(key, uint32(s))
	}
	r.keyBuf = key
	if id, ok := r.stateID[string(key)]; ok {
		return id
	}
	id := int32(len(r.states))
	st.stacks = slices.Clone(st.stacks)
	r.states = append(r.states, st)
	r.stateID[string(key)] = id
	for range 256 {
		r.trans = append(r.trans, unknownState)
	}
	r.loopLo = append(r.loopLo, 0)
	r.loopHi = append(r.loopHi, 0)
	r.loopUni = append(r.loopUni, false)
	r.loopDone = append(r.loopDone, false)
	return id
}

// loops returns the ASCII bytes after which state s is s again, and
// whether every non-ASCII character leaves it unchanged too.
func (r *recognizer) loops(s int32) (lo, hi uint64, uni bool) {
	if !r.loopDone[s] {
		if r.uniformNonASCII(s) {
			if t := r.next(s, 0xC3); t >= 0 {
				r.loopUni[s] = r.next(t, 0xA9) == s
			}
		}
		for c := 0; c < 128; c++ {
			if r.next(s, byte(c)) == s {
				if c < 64 {
					r.loopLo[s] |= 1 << c
				} else {
					r.loopHi[s] |= 1 << (c - 64)
				}
			}
		}
		r.loopDone[s] = true
	}
	return r.loopLo[s], r.loopHi[s], r.loopUni[s]
}

// uniformNonASCII reports whether every stack top of s either holds all
// non-ASCII characters or none, so that all of them lead to one state.
func (r *recognizer) uniformNonASCII(s int32) bool {
	st := &r.states[s]
	if st.need > 0 {
		return false
	}
	for _, id := range st.stacks {
		if id == 0 {
			continue
		}
		c := &r.g.classes[r.g.elems[r.nodes[id].pos].index]
		all := c.covers(0x80, 0xD7FF) && c.covers(0xE000, utf8.MaxRune)
		none := !c.intersects(0x80, 0xD7FF) && !c.intersects(0xE000, utf8.MaxRune)
		if !all && !none {
			return false
		}
	}
	return true
}

// next returns the state after byte b, computing and caching it if needed.
func (r *recognizer) next(s int32, b byte) int32 {
	if t := r.trans[int(s)<<8|int(b)]; t != unknownState {
		return t
	}
	t := r.step(s, b)
	r.trans[int(s)<<8|int(b)] = t
	return t
}

func (r *recognizer) step(s int32, b byte) int32 {
	st := &r.states[s]
	if st.need == 0 {
		switch {
		case b < 0x80:
			return r.advance(st.stacks, rune(b))
		case b >= 0xC2 && b <= 0xDF:
			return r.partial(st.stacks, int32(b&0x1F), 1, 2)
		case b >= 0xE0 && b <= 0xEF:
			return r.partial(st.stacks, int32(b&0x0F), 2, 3)
		case b >= 0xF0 && b <= 0xF4:
			return r.partial(st.stacks, int32(b&0x07), 3, 4)
		}
		return deadState
	}
	if b&0xC0 != 0x80 {
		return deadState
	}
	cp := st.cp<<6 | int32(b&0x3F)
	if st.need > 1 {
		return r.partial(st.stacks, cp, st.need-1, st.length)
	}
	if !validCodePoint(rune(cp), st.length) {
		return deadState
	}
	return r.advance(st.stacks, rune(cp))
}

func validCodePoint(c rune, length uint8) bool {
	switch length {
	case 2:
		return c >= 0x80
	case 3:
		return c >= 0x800 && (c < 0xD800 || c > 0xDFFF)
	}
	return c >= 0x10000 && c <= utf8.MaxRune
}

// partial records an incomplete UTF-8 sequence, keeping the state alive only
// if some completion is a valid code point a stack top accepts.
func (r *recognizer) partial(stacks []int32, cp int32, need, length uint8) int32 {
	lo := rune(cp) << (6 * need)
	hi := lo | (1<<(6*need) - 1)
	switch length {
	case 3:
		lo = max(lo, 0x800)
		if lo >= 0xD800 && hi <= 0xDFFF {
			return deadState
		}
	case 4:
		lo, hi = max(lo, 0x10000), min(hi, utf8.MaxRune)
	}
	if lo > hi {
		return deadState
	}
	keep := r.scratch[:0]
	for _, s := range stacks {
		if s == 0 {
			continue
		}
		c := &r.g.classes[r.g.elems[r.nodes[s].pos].index]
		if c.intersects(lo, hi) {
			keep = append(keep, s)
		}
	}
	r.scratch = keep[:0]
	return r.intern(rstate{stacks: slices.Clone(keep), cp: cp, need: need, length: length})
}

// advance moves every stack whose top class holds c past it.
func (r *recognizer) advance(stacks []int32, c rune) int32 {
	var set []int32
	for _, s := range stacks {
		if s == 0 {
			continue
		}
		n := r.nodes[s]
		if !r.g.classes[r.g.elems[n.pos].index].matches(c) {
			continue
		}
		set = r.expand(set, r.push(n.parent, n.pos+1))
	}
	return r.intern(rstate{stacks: set})
}

// canContinue reports whether any stack of s still expects input.
func (r *recognizer) canContinue(s int32) bool {
	st := &r.states[s]
	return len(st.stacks) > 1 || st.stacks[0] != 0 || st.need > 0
}
