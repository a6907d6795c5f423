package sample

import (
	"math"
	"testing"
)

func testLogits(n int, seed int) []float32 {
	l := make([]float32, n)
	x := uint32(seed*2654435761 + 1)
	for i := range l {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		l[i] = float32(x%1000) / 200
	}
	return l
}

func TestSamplerGreedy(t *testing.T) {
	s := New(Options{})
	if got := s.Sample([]float32{0.5, 2, 1.9}, nil); got != 1 {
		t.Errorf("greedy = %d, want 1", got)
	}
	// A repetition penalty moves greedy off a repeated token.
	s = New(Options{RepeatPenalty: 2, RepeatLastN: 64})
	if got := s.Sample([]float32{0.5, 2, 1.9}, []int{1}); got != 2 {
		t.Errorf("penalized greedy = %d, want 2", got)
	}
}

func TestSamplerSeeded(t *testing.T) {
	opts := Defaults()
	opts.Seed = 42
	opts.Temperature = 1.5
	run := func() []int {
		s := New(opts)
		var out []int
		for i := range 50 {
			out = append(out, s.Sample(testLogits(512, i), out))
		}
		return out
	}
	a, b := run(), run()
	distinct := map[int]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed differs at %d: %d vs %d", i, a[i], b[i])
		}
		distinct[a[i]] = true
	}
	if len(distinct) < 5 {
		t.Errorf("only %d distinct tokens in 50 draws at temperature 1.5", len(distinct))
	}
	opts.Seed = 43
	c := New(opts)
	same := 0
	for i := range 50 {
		if c.Sample(testLogits(512, i), nil) == a[i] {
			same++
		}
	}
	if same == 50 {
		t.Error("a different seed gave the same 50 tokens")
	}
}

func TestSamplerDoesNotModifyLogits(t *testing.T) {
	l := testLogits(64, 1)
	orig := append([]float32(nil), l...)
	opts := Defaults()
	opts.RepeatPenalty = 1.3
	New(opts).Sample(l, []int{1, 2, 3})
	for i := range l {
		if l[i] != orig[i] {
			t.Fatalf("logit %d changed", i)
		}
	}
}

func TestSamplerTopKOne(t *testing.T) {
	opts := Defaults()
	opts.TopK = 1
	opts.Temperature = 5
	s := New(opts)
	l := []float32{0, 1, 3, 2}
	for range 20 {
		if got := s.Sample(l, nil); got != 2 {
			t.Fatalf("top-k 1 picked %d", got)
		}
	}
}

func TestLogProbs(t *testing.T) {
	l := float32(math.Log(3))
	chosen, top := LogProbs([]float32{0, l, float32(math.Inf(-1))}, 0, 2)
	if math.Abs(float64(chosen)-math.Log(0.25)) > 1e-6 {
		t.Errorf("chosen = %v, want ln 0.25", chosen)
	}
	if len(top) != 2 || top[0].ID != 1 || top[1].ID != 0 || math.Abs(float64(top[0].LogProb)-math.Log(0.75)) > 1e-6 {
		t.Errorf("top = %+v", top)
	}
	if c, _ := LogProbs([]float32{1}, 5, 0); !math.IsInf(float64(c), -1) {
		t.Errorf("out-of-range id = %v, want -Inf", c)
	}
}

func TestFindStop(t *testing.T) {
	tests := []struct {
		text     string
		stops    []string
		at, hold int
	}{
		{"hello world", []string{"world"}, 6, 0},
		{"hello wor", []string{"world"}, -1, 3},
		{"hello", []string{"world"}, -1, 0},
		{"a</s>b</x>", []string{"</x>", "</s>"}, 1, 0},
		{"ab<", []string{"<|end|>", "b<|"}, -1, 2},
		{"abc", []string{""}, -1, 0},
		{"", []string{"x"}, -1, 0},
	}
	for _, tt := range tests {
		at, hold := FindStop(tt.text, tt.stops)
		if at != tt.at || hold != tt.hold {
			t.Errorf("FindStop(%q, %q) = %d, %d; want %d, %d", tt.text, tt.stops, at, hold, tt.at, tt.hold)
		}
	}
}

func BenchmarkSampleDefaults(b *testing.B) {
	l := testLogits(128256, 3)
	s := New(Defaults())
	for b.Loop() {
		s.Sample(l, nil)
	}
}
