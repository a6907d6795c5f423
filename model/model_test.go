package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/weights"
)

func TestRegistry(t *testing.T) {
	called := false
	Register("test-arch", func(f *weights.File, _ Options) (Model, error) { called = true; return nil, nil })
	defer func() {
		mu.Lock()
		delete(archs, "test-arch")
		mu.Unlock()
	}()
	if !slices.Contains(Architectures(), "test-arch") {
		t.Errorf("Architectures() = %v", Architectures())
	}
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "test-arch")
	if _, err := New(weights.NewFile("x.gguf", "gguf", meta, nil), Options{}); err != nil || !called {
		t.Errorf("New: %v, called %v", err, called)
	}
	meta.Set("general.architecture", "nope")
	if _, err := New(weights.NewFile("x.gguf", "gguf", meta, nil), Options{}); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown architecture: %v", err)
	}
	meta.Delete("general.architecture")
	if _, err := New(weights.NewFile("x.gguf", "gguf", meta, nil), Options{}); err == nil || !strings.Contains(err.Error(), "general.architecture") {
		t.Errorf("missing architecture: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering a name twice did not panic")
		}
	}()
	Register("test-arch", nil)
}

func TestCache(t *testing.T) {
	c := NewCache(2, 3, 40)
	c.Reserve(7, 20)
	for l := range 2 {
		k := c.Keys(l, 7, 20)
		for i := range k {
			k[i] = float32(100*l + i)
		}
	}
	c.Extend(7, 20)
	c.Reserve(7, 40) // growing keeps what is stored
	if c.Len(7) != 20 || c.Keys(1, 7, 20)[59] != 159 {
		t.Errorf("after growing: len %d, key %v", c.Len(7), c.Keys(1, 7, 20)[59])
	}
	c.Truncate(7, 5)
	if c.Len(7) != 5 || c.Len(8) != 0 {
		t.Errorf("lengths %d, %d", c.Len(7), c.Len(8))
	}
	c.Remove(7)
	if c.Len(7) != 0 {
		t.Errorf("removed sequence has %d positions", c.Len(7))
	}
}

func TestCheckBatch(t *testing.T) {
	cfg := Config{VocabSize: 10}
	c := NewCache(1, 2, 4)
	c.Extend(1, 2)
	ok := []Token{{ID: 1, Pos: 0}, {ID: 2, Pos: 2, Seq: 1}, {ID: 3, Pos: 1}, {ID: 4, Pos: 3, Seq: 1}}
	if err := CheckBatch(cfg, c, ok, nil); err != nil {
		t.Errorf("valid batch: %v", err)
	}
	for _, tt := range []struct {
		name  string
		batch []Token
		want  []bool
	}{
		{"empty", nil, nil},
		{"flags", ok, []bool{true}},
		{"vocab", []Token{{ID: 10}}, nil},
		{"repeat position", []Token{{ID: 1}, {ID: 1}}, nil},
		{"skip cached", []Token{{ID: 1, Pos: 0, Seq: 1}}, nil},
		{"past the end", []Token{{ID: 1, Pos: 2, Seq: 1}, {ID: 1, Pos: 3, Seq: 1}, {ID: 1, Pos: 4, Seq: 1}}, nil},
	} {
		if err := CheckBatch(cfg, c, tt.batch, tt.want); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}
