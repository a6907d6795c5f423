package engine

import (
	"context"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/train"
)

func TestParseLoRA(t *testing.T) {
	cases := []struct {
		in   string
		want LoRA
		err  bool
	}{
		{"a.gguf", LoRA{"a.gguf", 1}, false},
		{"a.gguf:0.5", LoRA{"a.gguf", 0.5}, false},
		{"dir/a.gguf:-2", LoRA{"dir/a.gguf", -2}, false},
		{"C:\\x\\a.gguf", LoRA{"C:\\x\\a.gguf", 1}, false},
		{"C:\\x\\a.gguf:0", LoRA{"C:\\x\\a.gguf", 0}, false},
		{"a:b.gguf", LoRA{"a:b.gguf", 1}, false},
		{":0.5", LoRA{}, true},
		{"", LoRA{}, true},
		{"a.gguf:NaN", LoRA{}, true},
		{"a.gguf:inf", LoRA{}, true},
	}
	for _, c := range cases {
		got, err := ParseLoRA(c.in)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("ParseLoRA(%q) = %+v, %v; want %+v, error %v", c.in, got, err, c.want, c.err)
		}
	}
}

// testAdapter writes a random rank-4 adapter of the stories260K attention
// projections in llama.cpp's layout.
func testAdapter(t *testing.T) string {
	t.Helper()
	m, f, err := train.OpenBase(testdata.Path(t, "stories260K", "stories260K.bin"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.AddLoRA(train.LoRAOptions{Rank: 4, Alpha: 4}, 9); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for _, p := range m.Adapters() {
		for i := range p.LoRA.B.W {
			p.LoRA.B.W[i] = float32(rng.NormFloat64() * 0.2)
		}
	}
	path := filepath.Join(t.TempDir(), "adapter.gguf")
	if err := m.SaveAdapter(path, "test", nil); err != nil {
		t.Fatal(err)
	}
	return path
}

// lastLogits loads the stories260K checkpoint with opts and returns the
// logits after a short prompt.
func lastLogits(t *testing.T, opts Options) []float32 {
	t.Helper()
	m, err := Load(testdata.Path(t, "stories260K", "stories260K.bin"), opts)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	ids := m.Tokenize("Once upon a time", true, false)
	batch := make([]model.Token, len(ids))
	for i, id := range ids {
		batch[i] = model.Token{ID: id, Pos: i}
	}
	out, err := m.forward(m.net.NewCache(len(ids)), batch, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out[len(ids)-1]
}

func TestLoadWithLoRA(t *testing.T) {
	path := testAdapter(t)
	base := lastLogits(t, Options{Threads: 1})
	off := lastLogits(t, Options{Threads: 1, LoRA: []LoRA{{path, 0}}})
	on := lastLogits(t, Options{Threads: 1, LoRA: []LoRA{{path, 1}}})
	twice := lastLogits(t, Options{Threads: 1, LoRA: []LoRA{{path, 0.5}, {path, 0.5}}})
	diff := func(a, b []float32) float32 {
		d := float32(0)
		for i := range a {
			d = max(d, a[i]-b[i], b[i]-a[i])
		}
		return d
	}
	if d := diff(base, off); d != 0 {
		t.Errorf("scale 0 moves the logits by %g", d)
	}
	if d := diff(base, on); d < 0.05 {
		t.Errorf("the adapter moves the logits by only %g", d)
	}
	if d := diff(on, twice); d > 1e-4 {
		t.Errorf("the adapter twice at scale 0.5 differs from once at 1 by %g", d)
	}

	m, err := Load(testdata.Path(t, "stories260K", "stories260K.bin"), Options{Threads: 1, LoRA: []LoRA{{path, 1}}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	res, err := m.Generate(context.Background(), GenerateRequest{Prompt: "Once upon a time", Sampling: sample.Options{Temperature: 0}, MaxTokens: 8}, nil)
	if err != nil || res.Text == "" {
		t.Errorf("generation with the adapter: %q, %v", res.Text, err)
	}
}

func TestLoadLoRAErrors(t *testing.T) {
	base := testdata.Path(t, "stories260K", "stories260K.bin")
	missing := filepath.Join(t.TempDir(), "none.gguf")
	_, err := Load(base, Options{LoRA: []LoRA{{missing, 1}}})
	var le *LoRAError
	if err == nil || !strings.Contains(err.Error(), missing) || !errors.As(err, &le) || le.Path != missing {
		t.Errorf("missing adapter: %v", err)
	}
	// An adapter of another model does not fit.
	if _, err := Load(testdata.Path(t, "synthetic", "tiny-k-F32.gguf"), Options{LoRA: []LoRA{{testAdapter(t), 1}}}); !errors.As(err, &le) {
		t.Errorf("adapter of another model: %v", err)
	}
	// A model file is not an adapter.
	if _, err := Load(base, Options{LoRA: []LoRA{{testdata.Path(t, "stories260K", "stories260K-f32.gguf"), 1}}}); err == nil || !strings.Contains(err.Error(), "general.type") {
		t.Errorf("model as adapter: %v", err)
	}
}
