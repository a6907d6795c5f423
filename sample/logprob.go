package sample

import "math"

// TokenLogProb is a token id with its log-probability.
type TokenLogProb struct {
	ID      int
	LogProb float32
}

// LogSoftmax writes the log-probabilities of logits into dst (reused when
// large enough) and returns it: logits[i] - logsumexp(logits), in float64.
func LogSoftmax(logits, dst []float32) []float32 {
	if cap(dst) < len(logits) {
		dst = make([]float32, len(logits))
	}
	dst = dst[:len(logits)]
	if len(logits) == 0 {
		return dst
	}
	m := logits[0]
	for _, l := range logits[1:] {
		m = max(m, l)
	}
	var sum float64
	for _, l := range logits {
		sum += math.Exp(float64(l - m))
	}
	lse := float64(m) + math.Log(sum)
	for i, l := range logits {
		dst[i] = float32(float64(l) - lse)
	}
	return dst
}

// LogProbs returns the log-probability of token id under the raw logits
// and the n most likely tokens (best first, lower id first on ties). An id
// outside the vocabulary gets -Inf.
func LogProbs(logits []float32, id, n int) (float32, []TokenLogProb) {
	lp := LogSoftmax(logits, nil)
	chosen := float32(math.Inf(-1))
	if id >= 0 && id < len(lp) {
		chosen = lp[id]
	}
	if n <= 0 {
		return chosen, nil
	}
	c := TopK(Candidates(lp, nil), n, 1)
	top := make([]TokenLogProb, len(c))
	for i, x := range c {
		top[i] = TokenLogProb{ID: x.ID, LogProb: x.Logit}
	}
	return chosen, top
}
