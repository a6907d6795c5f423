package llama

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// loadJSON decodes the JSON file at path into v.
func loadJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// openModel loads the checkpoint at path with one kernel thread.
func openModel(t testing.TB, path string, threads int) *Model {
	t.Helper()
	f, err := weights.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	var pool *tensor.Pool
	if threads > 1 {
		pool = tensor.NewPool(threads)
		t.Cleanup(pool.Close)
	}
	m, err := model.New(f, model.Options{Pool: pool})
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

// run is one greedy generation: the prompt in one batch, then one token at
// a time. logits[p] is the row after the token at position p (nil for prompt
// positions not kept).
type run struct {
	m      *Model
	c      *model.Cache
	tokens []int
	logits [][]float32
}

// start feeds prompt as one batch, keeping the logits of prompt positions
// where keep(pos) says so (nil: all) and always those of the last.
func start(t testing.TB, m *Model, prompt []int, size int, keep func(pos int) bool) *run {
	t.Helper()
	c := m.NewCache(max(size, len(prompt)) + 1)
	batch := make([]model.Token, len(prompt))
	want := make([]bool, len(prompt))
	for i, id := range prompt {
		batch[i] = model.Token{ID: id, Pos: i}
		want[i] = keep == nil || keep(i) || i == len(prompt)-1
	}
	out, err := m.Forward(c, batch, want)
	if err != nil {
		t.Fatal(err)
	}
	return &run{m: m, c: c, tokens: append([]int(nil), prompt...), logits: out}
}

// pick appends the argmax of the last logits row and returns it.
func (r *run) pick() int {
	next := argmax(r.logits[len(r.logits)-1])
	r.tokens = append(r.tokens, next)
	return next
}

// feed runs the last picked token.
func (r *run) feed(t testing.TB) {
	t.Helper()
	pos := len(r.tokens) - 1
	out, err := r.m.Forward(r.c, []model.Token{{ID: r.tokens[pos], Pos: pos}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.logits = append(r.logits, out[0])
}

// greedy runs prompt and then generates tokens up to total (prompt
// included, as run.c counts them), stopping after BOS when stopOnBOS.
func greedy(t testing.TB, m *Model, prompt []int, total int, stopOnBOS bool, keep func(pos int) bool) *run {
	t.Helper()
	r := start(t, m, prompt, total, keep)
	for len(r.tokens) < total {
		next := r.pick()
		if stopOnBOS && next == 1 || len(r.tokens) >= total {
			break
		}
		r.feed(t)
	}
	return r
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// margin returns the top-1 minus top-2 logit of x.
func margin(x []float32) float64 {
	a, b := math.Inf(-1), math.Inf(-1)
	for _, v := range x {
		f := float64(v)
		if f > a {
			a, b = f, a
		} else if f > b {
			b = f
		}
	}
	return a - b
}

func maxAbsDiff(a []float32, b []float64) float64 {
	d := 0.0
	for i := range b {
		d = max(d, math.Abs(float64(a[i])-b[i]))
	}
	return d
}
