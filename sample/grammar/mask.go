package grammar

import (
	"fmt"
	"math"
	"math/bits"
)

// minShortcut is the smallest subtree worth testing for acceptance as a
// whole.
const minShortcut = 16

// maxCachedMasks bounds the masks kept per grammar and vocabulary (16 KiB
// each for a 128k vocabulary).
const maxCachedMasks = 512

// Allowed sets allowed[i] to whether token i may come next. len(allowed)
// must be at least v.Size().
func (s *State) Allowed(v *Vocab, allowed []bool) error {
	m, err := s.mask(v)
	if err != nil {
		return err
	}
	for i := range v.Size() {
		allowed[i] = m[i>>6]&(1<<(i&63)) != 0
	}
	return nil
}

// MaskLogits sets the logits of tokens that may not come next to -Inf.
// len(logits) must be at least v.Size(); logits beyond it are masked too.
func (s *State) MaskLogits(v *Vocab, logits []float32) error {
	m, err := s.mask(v)
	if err != nil {
		return err
	}
	inf := float32(math.Inf(-1))
	n := min(v.Size(), len(logits))
	for w, word := range m {
		base := w << 6
		if base >= n {
			break
		}
		switch {
		case word == math.MaxUint64:
		case word == 0:
			dst := logits[base:min(base+64, n)]
			for j := range dst {
				dst[j] = inf
			}
		default:
			// Visit the refused tokens of this word only.
			for off := ^word; off != 0; off &= off - 1 {
				if i := base + bits.TrailingZeros64(off); i < n {
					logits[i] = inf
				}
			}
		}
	}
	for i := v.Size(); i < len(logits); i++ {
		logits[i] = inf
	}
	return nil
}

// AllowedCount returns how many tokens may come next.
func (s *State) AllowedCount(v *Vocab) (int, error) {
	m, err := s.mask(v)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, w := range m {
		n += bits.OnesCount64(w)
	}
	return n, nil
}

// mask returns the cached bitset of allowed tokens (read-only).
func (s *State) mask(v *Vocab) ([]uint64, error) {
	if s.ended {
		return nil, fmt.Errorf("grammar: generation already ended")
	}
	g := s.g
	g.mu.Lock()
	defer g.mu.Unlock()
	cache := g.masks[v]
	if m, ok := cache[s.id]; ok {
		return m, nil
	}
	m := g.walk(v, s.id)
	if cache == nil || len(cache) >= maxCachedMasks {
		cache = map[int32][]uint64{}
		if g.masks == nil {
			g.masks = map[*Vocab]map[int32][]uint64{}
		}
		g.masks[v] = cache
	}
	cache[s.id] = m
	return m, nil
}

// walk visits the vocabulary trie in pre-order, following the recognizer's
// byte transitions and skipping every subtree whose prefix is dead.
// g.mu must be held.
func (g *Grammar) walk(v *Vocab, start int32) []uint64 {
	m := make([]uint64, (v.Size()+63)/64)
	r := &g.rt
	at := make([]int32, v.maxDepth+1) // state after the path's first d bytes
	at[0] = start
	n := int32(len(v.label))
	for i := int32(1); i < n; {
		d := v.depth[i]
		prev := at[d-1]
		if v.size[i] >= minShortcut && v.utf8OK[i] {
			lo, hi, uni := r.loops(prev)
			if v.sigLo[i]&^lo == 0 && v.sigHi[i]&^hi == 0 && (uni || !v.nonASCII[i]) {
				// Every byte below keeps the state: all tokens match.
				for _, id := range v.tokIDs[v.tokStart[i]:v.tokStart[i+v.size[i]]] {
					m[id>>6] |= 1 << (id & 63)
				}
				i += v.size[i]
				continue
			}
		}
		ns := r.trans[int(prev)<<8|int(v.label[i])]
		if ns == unknownState {
			ns = r.next(prev, v.label[i])
		}
		if ns == deadState {
			i += v.size[i]
			continue
		}
		at[d] = ns
		for _, id := range v.tokIDs[v.tokStart[i]:v.tokStart[i+1]] {
			m[id>>6] |= 1 << (id & 63)
		}
		i++
	}
	if r.states[start].accept {
		for _, id := range v.eog {
			m[id>>6] |= 1 << (id & 63)
		}
	}
	return m
}
