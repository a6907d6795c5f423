package llama

import (
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

type runcGolden struct {
	Cases []struct {
		Name            string      `json:"name"`
		PromptIDs       []int       `json:"prompt_ids"`
		Steps           int         `json:"steps"`
		Tokens          []int       `json:"tokens"`
		StoppedOnBOS    bool        `json:"stopped_on_bos"`
		Logits          [][]float64 `json:"logits"`
		NLogitPositions int         `json:"n_logit_positions"`
	} `json:"cases"`
}

// TestGoldenRunC checks stories260K through every loader against llama2.c's
// run.c in float32: identical greedy tokens, logits within 1e-4. (The two
// references themselves agree to 1.3e-5; float32 sums in another order stay
// well inside 1e-4.)
func TestGoldenRunC(t *testing.T) {
	var g runcGolden
	loadJSON(t, testdata.Path(t, "stories260K", "golden-runc.json"), &g)
	for _, file := range []string{"stories260K.bin", "stories260K-f32.gguf", "hf"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			m := openModel(t, testdata.Path(t, "stories260K", file), 1)
			for _, c := range g.Cases {
				// tokens[0] is the first prompt token; steps forwards follow.
				r := greedy(t, m, c.PromptIDs, c.Steps+1, true, nil)
				if !slices.Equal(r.tokens, c.Tokens) {
					t.Errorf("%s: tokens differ\n got %v\nwant %v", c.Name, r.tokens, c.Tokens)
				}
				worst := 0.0
				for p, want := range c.Logits {
					worst = max(worst, maxAbsDiff(r.logits[p], want))
				}
				if worst > 1e-4 {
					t.Errorf("%s: max |Δlogit| = %g over %d rows, want ≤ 1e-4", c.Name, worst, len(c.Logits))
				}
			}
		})
	}
}
