package train

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// TestForwardMatchesRunC checks the training forward pass against llama2.c's
// run.c logits on the stories260K checkpoint.
func TestForwardMatchesRunC(t *testing.T) {
	data, err := os.ReadFile(testdata.Path(t, "stories260K", "golden-runc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var golden struct {
		Cases []struct {
			Tokens []int       `json:"tokens"`
			Logits [][]float64 `json:"logits"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(data, &golden); err != nil {
		t.Fatal(err)
	}
	m, _, done := loadStories260K(t, NewPool(2))
	defer done()
	checked := 0
	for ci, c := range golden.Cases {
		n := min(len(c.Logits), 64)
		if n == 0 {
			continue
		}
		checked++
		ws, err := m.forward(c.Tokens[:n], 1, n, false)
		if err != nil {
			t.Fatal(err)
		}
		worst := 0.0
		for p := 0; p < n; p++ {
			for j, want := range c.Logits[p] {
				worst = math.Max(worst, math.Abs(float64(ws.logits[p*m.Config.Vocab+j])-want))
			}
		}
		t.Logf("case %d: %d positions, max |Δlogit| %.3g", ci, n, worst)
		if worst > 1e-3 {
			t.Errorf("case %d: max |Δlogit| %.3g over %d positions", ci, worst, n)
		}
	}
	if checked == 0 {
		t.Fatal("no golden case has logits")
	}
}
