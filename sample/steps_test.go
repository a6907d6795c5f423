package sample

import (
	"math"
	"slices"
	"testing"
)

func ids(c []Candidate) []int {
	out := make([]int, len(c))
	for i, x := range c {
		out[i] = x.ID
	}
	return out
}

func logitsOf(c []Candidate) map[int]float32 {
	m := map[int]float32{}
	for _, x := range c {
		m[x.ID] = x.Logit
	}
	return m
}

func TestPenalize(t *testing.T) {
	tests := []struct {
		name                   string
		logits                 []float32
		recent                 []int
		repeat, freq, presence float32
		want                   []float32
	}{
		{"off", []float32{1, -1, 2}, []int{0, 1}, 1, 0, 0, []float32{1, -1, 2}},
		{"repeat divides positive, multiplies negative", []float32{2, -1, 2}, []int{0, 1}, 2, 0, 0, []float32{1, -2, 2}},
		{"zero logit is multiplied", []float32{0, 1}, []int{0}, 2, 0, 0, []float32{0, 1}},
		{"frequency counts occurrences", []float32{1, 1, 1}, []int{0, 0, 0, 2}, 1, 0.5, 0, []float32{-0.5, 1, 0.5}},
		{"presence once", []float32{1, 1, 1}, []int{0, 0, 0, 2}, 1, 0, 0.25, []float32{0.75, 1, 0.75}},
		{"all three", []float32{3, -3}, []int{0, 1, 1}, 1.5, 0.1, 0.2, []float32{2 - 0.1 - 0.2, -4.5 - 0.2 - 0.2}},
		{"empty window", []float32{3, -3}, nil, 1.5, 0.1, 0.2, []float32{3, -3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Penalize(Candidates(tt.logits, nil), tt.recent, tt.repeat, tt.freq, tt.presence)
			for i, x := range c {
				if math.Abs(float64(x.Logit-tt.want[i])) > 1e-6 {
					t.Errorf("logit[%d] = %v, want %v", i, x.Logit, tt.want[i])
				}
			}
		})
	}
}

func TestWindow(t *testing.T) {
	h := []int{1, 2, 3, 4}
	for _, tt := range []struct {
		n    int
		want []int
	}{{-1, h}, {0, []int{}}, {2, []int{3, 4}}, {10, h}} {
		if got := Window(h, tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("Window(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
}

func TestTopK(t *testing.T) {
	logits := []float32{0.1, 3, 2, 3, -1, 5, 0}
	tests := []struct {
		k, minKeep int
		want       []int
	}{
		{0, 1, []int{0, 1, 2, 3, 4, 5, 6}},
		{1, 1, []int{5}},
		{3, 1, []int{5, 1, 3}},
		{4, 1, []int{5, 1, 3, 2}},
		{2, 3, []int{5, 1, 3}},
		{100, 1, []int{5, 1, 3, 2, 0, 6, 4}},
	}
	for _, tt := range tests {
		got := ids(TopK(Candidates(logits, nil), tt.k, tt.minKeep))
		if !slices.Equal(got, tt.want) {
			t.Errorf("TopK(%d, %d) = %v, want %v", tt.k, tt.minKeep, got, tt.want)
		}
	}
}

func TestTopKMatchesSort(t *testing.T) {
	logits := make([]float32, 300)
	for i := range logits {
		logits[i] = float32((i*7919)%101) / 10
	}
	all := Candidates(logits, nil)
	Sort(all)
	for _, k := range []int{1, 5, 40, 299} {
		got := ids(TopK(Candidates(logits, nil), k, 1))
		if want := ids(all[:k]); !slices.Equal(got, want) {
			t.Errorf("TopK(%d) = %v, want %v", k, got, want)
		}
	}
}

func TestTopP(t *testing.T) {
	// Probabilities 0.5, 0.25, 0.125, 0.125 (ids 2, 0, 1, 3).
	l := float32(math.Log(2))
	logits := []float32{2 * l, l, 3 * l, l}
	tests := []struct {
		p       float32
		minKeep int
		want    []int
	}{
		{1, 1, []int{0, 1, 2, 3}},
		{0.4, 1, []int{2}},
		{0.5, 1, []int{2}},
		{0.6, 1, []int{2, 0}},
		{0.8, 1, []int{2, 0, 1}},
		{0.1, 3, []int{2, 0, 1}},
	}
	for _, tt := range tests {
		got := ids(TopP(Candidates(logits, nil), tt.p, tt.minKeep))
		if !slices.Equal(got, tt.want) {
			t.Errorf("TopP(%v, %d) = %v, want %v", tt.p, tt.minKeep, got, tt.want)
		}
	}
}

func TestMinP(t *testing.T) {
	l := float32(math.Log(2))
	logits := []float32{2 * l, l, 3 * l, 0} // p relative to max: 1/2, 1/4, 1, 1/8
	tests := []struct {
		p       float32
		minKeep int
		want    []int
	}{
		{0, 1, []int{0, 1, 2, 3}},
		{0.3, 1, []int{0, 2}},
		{0.2, 1, []int{0, 1, 2}},
		{0.9, 1, []int{2}},
		{0.9, 2, []int{2, 0}},
	}
	for _, tt := range tests {
		got := ids(MinP(Candidates(logits, nil), tt.p, tt.minKeep))
		if !slices.Equal(got, tt.want) {
			t.Errorf("MinP(%v, %d) = %v, want %v", tt.p, tt.minKeep, got, tt.want)
		}
	}
}

func TestTemperature(t *testing.T) {
	got := logitsOf(Temperature(Candidates([]float32{1, -2, 4}, nil), 2))
	if got[0] != 0.5 || got[1] != -1 || got[2] != 2 {
		t.Errorf("Temperature 2 = %v", got)
	}
	if g := ids(Temperature(Candidates([]float32{1, 7, 7, 2}, nil), 0)); !slices.Equal(g, []int{1}) {
		t.Errorf("Temperature 0 kept %v, want [1]", g)
	}
}

func TestArgmax(t *testing.T) {
	for _, tt := range []struct {
		logits []float32
		want   int
	}{{[]float32{1, 3, 2}, 1}, {[]float32{5, 5}, 0}, {[]float32{-1, -1, 0, 0}, 2}, {nil, -1}} {
		if got := Argmax(Candidates(tt.logits, nil)); got != tt.want {
			t.Errorf("Argmax(%v) = %d, want %d", tt.logits, got, tt.want)
		}
	}
}

func TestPick(t *testing.T) {
	l := float32(math.Log(3))
	logits := []float32{0, l} // probabilities 1/4, 3/4
	for _, tt := range []struct {
		r    float64
		want int
	}{{0, 0}, {0.2499, 0}, {0.2501, 1}, {0.9999, 1}} {
		if got := Pick(Candidates(logits, nil), tt.r); got != tt.want {
			t.Errorf("Pick(r=%v) = %d, want %d", tt.r, got, tt.want)
		}
	}
}

func TestSoftmax(t *testing.T) {
	c := Candidates([]float32{1000, 1000, math.MaxFloat32 * 0}, nil)
	Softmax(c)
	if c[0].P != 0.5 || c[1].P != 0.5 || c[2].P != 0 {
		t.Errorf("Softmax = %v", c)
	}
}
