package grammar

import (
	"fmt"
	"math"
	"math/bits"
)

// maxCachedMasks bounds the masks kept per grammar and vocabulary.
const maxCachedMasks = 4096

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
	n := v.Size()
	for w, word := range m {
		base := w << 6
		if word == math.MaxUint64 {
			continue
		}
		end := min(base+64, n, len(logits))
		for i := base; i < end; i++ {
			if word&(1<<(i-base)) == 0 {
				logits[i] = inf
			}
		}
	}
	for i := n; i < len(logits); i++ {
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
	v.mu.Lock()
	if m, ok := v.masks[g][s.id]; ok {
		v.mu.Unlock()
		return m, nil
	}
	v.mu.Unlock()

	g.mu.Lock()
	m := g.walk(v, s.id)
	g.mu.Unlock()

	v.mu.Lock()
	cache := v.masks[g]
	if cache == nil || len(cache) >= maxCachedMasks {
		cache = map[int32][]uint64{}
		v.masks[g] = cache
	}
	cache[s.id] = m
	v.mu.Unlock()
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
