package sample

// penalizes reports whether Penalize would change any logit for these
// options and history.
func penalizes(o Options, history []int) bool {
	return len(Window(history, o.RepeatLastN)) > 0 &&
		(o.RepeatPenalty != 1 || o.FrequencyPenalty != 0 || o.PresencePenalty != 0)
}

// argmaxLogits returns the id of the highest logit, the lowest id on ties,
// exactly as Argmax over Candidates(logits) would, without building the
// candidate list (which for a 128k vocabulary costs more than the choice).
func argmaxLogits(logits []float32) int {
	if len(logits) == 0 {
		return -1
	}
	best, bestLogit := 0, logits[0]
	for id, l := range logits {
		if l > bestLogit {
			best, bestLogit = id, l
		}
	}
	return best
}
