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
	if bestLogit != bestLogit {
		return 0 // nothing is greater than a NaN first logit
	}
	for id := nextAbove(logits, 1, bestLogit); id < len(logits); id = nextAbove(logits, id+1, bestLogit) {
		if l := logits[id]; l > bestLogit { // NaNs are skipped
			best, bestLogit = id, l
		}
	}
	return best
}
