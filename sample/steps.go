package sample

import (
	"math"
	"slices"
)

// Candidate is one token the sampler may still pick: its id, its current
// logit, and its probability once Softmax has run.
type Candidate struct {
	ID    int
	Logit float32
	P     float32
}

// Candidates fills dst (reused when large enough) with one candidate per
// logit, in id order.
func Candidates(logits []float32, dst []Candidate) []Candidate {
	dst = slices.Grow(dst[:0], len(logits))
	for id, l := range logits {
		dst = append(dst, Candidate{ID: id, Logit: l})
	}
	return dst
}

// Window returns the last n tokens of history: all of it when n < 0, none
// when n == 0.
func Window(history []int, n int) []int {
	if n < 0 || n >= len(history) {
		return history
	}
	return history[len(history)-n:]
}

// Penalize applies llama.cpp's repetition, frequency and presence penalties
// for the tokens in recent: a token seen c times has a positive logit divided
// by repeat (a negative one multiplied), then c·freq + presence subtracted.
// repeat 1 with freq and presence 0 leaves c unchanged. It modifies c in
// place and returns it.
func Penalize(c []Candidate, recent []int, repeat, freq, presence float32) []Candidate {
	if len(recent) == 0 || (repeat == 1 && freq == 0 && presence == 0) {
		return c
	}
	counts := make(map[int]int, len(recent))
	for _, id := range recent {
		counts[id]++
	}
	for i := range c {
		n, ok := counts[c[i].ID]
		if !ok {
			continue
		}
		if repeat != 0 {
			if c[i].Logit <= 0 {
				c[i].Logit *= repeat
			} else {
				c[i].Logit /= repeat
			}
		}
		c[i].Logit -= float32(n)*freq + presence
	}
	return c
}

// better orders candidates by descending logit, the lower id first on ties.
func better(a, b Candidate) int {
	switch {
	case a.Logit > b.Logit:
		return -1
	case a.Logit < b.Logit:
		return 1
	}
	return a.ID - b.ID
}

// Argmax returns the id of the candidate with the highest logit (the lowest
// id on ties), or -1 when c is empty.
func Argmax(c []Candidate) int {
	if len(c) == 0 {
		return -1
	}
	best := c[0]
	for _, x := range c[1:] {
		if better(x, best) < 0 {
			best = x
		}
	}
	return best.ID
}

// Sort orders c by descending logit (lower id first on ties).
func Sort(c []Candidate) { slices.SortFunc(c, better) }

// TopK keeps the k highest-logit candidates, sorted best first; k <= 0
// keeps all (unsorted). At least minKeep candidates remain.
func TopK(c []Candidate, k, minKeep int) []Candidate {
	if k <= 0 {
		return c
	}
	k = max(k, minKeep, 1)
	if k >= len(c) {
		Sort(c)
		return c
	}
	// Partial selection: keep the best k in c[:k] with a bounded insertion
	// pass, then sort them.
	top := c[:k]
	Sort(top)
	for _, x := range c[k:] {
		if better(x, top[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(top, x, better)
		copy(top[i+1:], top[i:k-1])
		top[i] = x
	}
	return top
}

// Softmax sets each candidate's P from the logits (numerically stable,
// summed in float64).
func Softmax(c []Candidate) {
	if len(c) == 0 {
		return
	}
	m := c[0].Logit
	for _, x := range c[1:] {
		m = max(m, x.Logit)
	}
	var sum float64
	for i := range c {
		p := math.Exp(float64(c[i].Logit - m))
		c[i].P = float32(p)
		sum += p
	}
	for i := range c {
		c[i].P = float32(float64(c[i].P) / sum)
	}
}

// TopP keeps the smallest prefix of the best candidates whose probabilities
// (softmax of the current logits) sum to at least p, and at least minKeep of
// them. p >= 1 keeps all. The result is sorted best first.
func TopP(c []Candidate, p float32, minKeep int) []Candidate {
	if p >= 1 || len(c) == 0 {
		return c
	}
	Sort(c)
	Softmax(c)
	minKeep = max(minKeep, 1)
	var cum float64
	for i := range c {
		cum += float64(c[i].P)
		if cum >= float64(p) && i+1 >= minKeep {
			return c[:i+1]
		}
	}
	return c
}

// MinP keeps the candidates whose probability is at least p times the most
// likely one's (logit >= max + ln p), and at least minKeep of them. p <= 0
// keeps all.
func MinP(c []Candidate, p float32, minKeep int) []Candidate {
	if p <= 0 || len(c) == 0 {
		return c
	}
	m := c[0].Logit
	for _, x := range c[1:] {
		m = max(m, x.Logit)
	}
	cut := m + float32(math.Log(float64(p)))
	n := 0
	for _, x := range c {
		if x.Logit >= cut {
			n++
		}
	}
	if n < max(minKeep, 1) {
		return TopK(c, max(minKeep, 1), minKeep)
	}
	kept := c[:0]
	for _, x := range c {
		if x.Logit >= cut {
			kept = append(kept, x)
		}
	}
	return kept
}

// Temperature divides every logit by t. t <= 0 keeps only the best
// candidate (greedy).
func Temperature(c []Candidate, t float32) []Candidate {
	if t <= 0 {
		if len(c) == 0 {
			return c
		}
		best := 0
		for i := range c {
			if better(c[i], c[best]) < 0 {
				best = i
			}
		}
		c[0], c[best] = c[best], c[0]
		return c[:1]
	}
	if t == 1 {
		return c
	}
	for i := range c {
		c[i].Logit /= t
	}
	return c
}

// Pick draws a candidate from the softmax of the logits with r, a uniform
// number in [0, 1), and returns its id (-1 when c is empty). The same c and
// r always give the same id.
func Pick(c []Candidate, r float64) int {
	if len(c) == 0 {
		return -1
	}
	Softmax(c)
	var cum float64
	for _, x := range c {
		cum += float64(x.P)
		if r < cum {
			return x.ID
		}
	}
	return c[len(c)-1].ID
}
