package train

// Greedy extends prompt by up to n tokens, each the most likely next token
// (ties: the lowest id), stopping after stop (when stop >= 0). Every step
// reruns the whole sequence (no cache): meant for tests and progress
// samples of small models. The window is capped at the model's context.
func (m *Model) Greedy(prompt []int, n, stop int) ([]int, error) {
	out := append([]int(nil), prompt...)
	for i := 0; i < n; i++ {
		window := out
		if c := m.Config.Context; c > 0 && len(window) > c {
			window = window[len(window)-c:]
		}
		logits, err := m.Logits(window)
		if err != nil {
			return nil, err
		}
		best := 0
		for j, v := range logits {
			if v > logits[best] {
				best = j
			}
		}
		out = append(out, best)
		if best == stop {
			break
		}
	}
	return out[len(prompt):], nil
}
