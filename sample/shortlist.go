package sample

import "slices"

// shortlist returns, for a sampler whose chain starts with top-k (or is
// greedy with penalties), the candidates the chain can only ever keep: the
// k+len(recent) best raw logits plus the recently seen tokens, whose
// logits the penalties change. Any token outside it has k better ones
// after the penalties too, so top-k (or argmax) over the shortlist picks
// exactly what it picks over the whole vocabulary, without building a
// candidate per token. ok is false where the shortlist does not apply (no
// top-k, a shortlist as long as the vocabulary, or a NaN logit).
func (s *Sampler) shortlist(logits []float32, recent []int, penalized bool) (c []Candidate, ok bool) {
	o := s.opts
	k := o.TopK
	if o.Greedy() {
		k = 1
	}
	if k <= 0 {
		return nil, false
	}
	m := max(k, o.MinKeep, 1)
	if penalized {
		m += len(recent)
	}
	if m >= len(logits) {
		return nil, false
	}
	c, ok = topLogits(logits, m, s.cands)
	if !ok {
		return nil, false
	}
	if penalized {
		for _, id := range recent {
			if id < 0 || id >= len(logits) || slices.ContainsFunc(c, func(x Candidate) bool { return x.ID == id }) {
				continue
			}
			if l := logits[id]; l == l {
				c = append(c, Candidate{ID: id, Logit: l})
			} else {
				return nil, false
			}
		}
	}
	s.cands = c
	return c, true
}

// topLogits returns the m best logits (by better: higher first, the lower
// id on ties) as candidates sorted best first, reusing dst, with one
// comparison per logit for all but the few that enter the list. ok is false
// if a logit is NaN (better does not order those).
func topLogits(logits []float32, m int, dst []Candidate) (top []Candidate, ok bool) {
	top = slices.Grow(dst[:0], m+1)
	for id, l := range logits[:m] {
		if l != l {
			return nil, false
		}
		top = append(top, Candidate{ID: id, Logit: l})
	}
	Sort(top)
	floor := top[m-1].Logit
	// A logit equal to the last kept one's is not better: its id is
	// higher (ids arrive in increasing order).
	for id := nextAbove(logits, m, floor); id < len(logits); id = nextAbove(logits, id+1, floor) {
		l := logits[id]
		if l != l {
			return nil, false
		}
		x := Candidate{ID: id, Logit: l}
		i, _ := slices.BinarySearchFunc(top, x, better)
		copy(top[i+1:], top[i:m-1])
		top[i] = x
		floor = top[m-1].Logit
	}
	return top, true
}

// nextAbove returns the first index i >= from with logits[i] > floor or
// NaN (not <= floor), or len(logits): the scans of topLogits and
// argmaxLogits, eight logits per branch.
func nextAbove(logits []float32, from int, floor float32) int {
	i := from
	for ; i+8 <= len(logits); i += 8 {
		x := (*[8]float32)(logits[i:])
		if !(x[0] <= floor && x[1] <= floor && x[2] <= floor && x[3] <= floor &&
			x[4] <= floor && x[5] <= floor && x[6] <= floor && x[7] <= floor) {
			break
		}
	}
	for ; i < len(logits); i++ {
		if !(logits[i] <= floor) {
			return i
		}
	}
	return i
}
