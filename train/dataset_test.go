package train

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func FuzzJSONLExamples(f *testing.F) {
	v, err := TrainTokenizer(strings.Repeat(tinyCorpus, 3), TokenizerOptions{VocabSize: 300})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{"prompt":"Hi","completion":" there"}`,
		"{\"completion\":\"only\"}\n\n{\"prompt\":\"a\",\"completion\":\"b\"}",
		`{"messages":[{"role":"user","content":"x"}]}`,
		`{"prompt":1}`, `[]`, `{`, "",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := JSONLExamples(v, "fuzz.jsonl", data, nil)
		if err != nil {
			return
		}
		for _, it := range ex.Items {
			if len(it.IDs) != len(it.Predict) {
				t.Fatalf("%d ids, %d mask entries", len(it.IDs), len(it.Predict))
			}
		}
		tokens, targets := ex.Sample(nil, 0, 8)
		if len(tokens) != 0 || len(targets) != 0 {
			t.Fatal("empty batch not empty")
		}
	})
}

func TestStreamBatches(t *testing.T) {
	s := &Stream{IDs: []int{1, 2, 3, 4, 5, 6, 7}}
	var rows [][]int
	err := s.Eval(2, 3, 0, func(tokens, targets []int, n int) error {
		rows = append(rows, append(append([]int(nil), tokens...), targets...))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Windows [1 2 3→2 3 4] and [4 5 6→5 6 7] in one batch of two rows.
	want := []int{1, 2, 3, 4, 5, 6, 2, 3, 4, 5, 6, 7}
	if len(rows) != 1 || len(rows[0]) != len(want) {
		t.Fatalf("batches %v", rows)
	}
	for i := range want {
		if rows[0][i] != want[i] {
			t.Fatalf("batch %v, want %v", rows[0], want)
		}
	}
	ex := &Examples{Items: []Example{{IDs: []int{1, 7, 8, 9}, Predict: []bool{false, false, true, true}}}}
	tokens, targets := ex.Sample(rand.New(rand.NewPCG(1, 1)), 1, 5)
	if got := []int{tokens[0], tokens[1], tokens[2], targets[0], targets[1], targets[2], targets[3]}; got[3] != -1 || got[4] != 8 || got[5] != 9 || got[6] != -1 {
		t.Fatalf("example row tokens %v targets %v", tokens, targets)
	}
}
