package lora_test

import (
	"bytes"
	"encoding/binary"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// f32 returns n float32 values as bytes, each a small distinct number.
func f32(n int) []byte {
	b := make([]byte, 4*n)
	for i := range n {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(float32(i%7)/100))
	}
	return b
}

// pair returns the lora_a [in, rank] and lora_b [rank, out] tensors of name.
func pair(name string, in, rank, out int) []gguf.WriteTensor {
	return []gguf.WriteTensor{
		{Name: name + ".lora_a", Shape: []uint64{uint64(in), uint64(rank)}, Type: tensor.F32, Data: f32(in * rank)},
		{Name: name + ".lora_b", Shape: []uint64{uint64(rank), uint64(out)}, Type: tensor.F32, Data: f32(rank * out)},
	}
}

// adapterMeta returns the keys of a llama LoRA adapter with alpha 8.
func adapterMeta() *gguf.Metadata {
	m := gguf.NewMetadata()
	m.Set("general.architecture", "llama")
	m.Set("general.type", "adapter")
	m.Set("adapter.type", "lora")
	m.Set("adapter.lora.alpha", float32(8))
	return m
}

func TestAdapterErrors(t *testing.T) {
	good := pair("blk.0.attn_q.weight", 64, 4, 64)
	cases := []struct {
		name    string
		edit    func(m *gguf.Metadata) []gguf.WriteTensor
		openErr bool // Open fails; otherwise applying it to the base does
		want    string
	}{
		{"wrong architecture", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Set("general.architecture", "gemma")
			return good
		}, false, `general.architecture is "gemma"`},
		{"not an adapter", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Set("general.type", "model")
			return good
		}, true, `general.type is "model"`},
		{"not LoRA", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Set("adapter.type", "control_vector")
			return good
		}, true, `adapter.type is "control_vector"`},
		{"no architecture", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Delete("general.architecture")
			return good
		}, true, "general.architecture is missing"},
		{"negative alpha", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Set("adapter.lora.alpha", float32(-1))
			return good
		}, true, "adapter.lora.alpha"},
		{"text alpha", func(m *gguf.Metadata) []gguf.WriteTensor {
			m.Set("adapter.lora.alpha", "eight")
			return good
		}, true, "adapter.lora.alpha"},
		{"missing lora_b", func(*gguf.Metadata) []gguf.WriteTensor {
			return good[:1]
		}, true, "blk.0.attn_q.weight.lora_a has no blk.0.attn_q.weight.lora_b"},
		{"missing lora_a", func(*gguf.Metadata) []gguf.WriteTensor {
			return good[1:]
		}, true, "blk.0.attn_q.weight.lora_b has no blk.0.attn_q.weight.lora_a"},
		{"stray tensor", func(*gguf.Metadata) []gguf.WriteTensor {
			return append(pair("blk.0.attn_q.weight", 64, 4, 64), gguf.WriteTensor{Name: "blk.0.attn_q.weight", Shape: []uint64{4}, Type: tensor.F32, Data: f32(4)})
		}, true, "tensor blk.0.attn_q.weight is neither"},
		{"no tensors", func(*gguf.Metadata) []gguf.WriteTensor { return nil }, true, "no adapter tensors"},
		{"rank mismatch", func(*gguf.Metadata) []gguf.WriteTensor {
			p := pair("blk.0.attn_q.weight", 64, 4, 64)
			q := pair("blk.0.attn_q.weight", 64, 2, 64)
			return []gguf.WriteTensor{p[0], q[1]}
		}, true, "ranks 4 and 2 differ"},
		{"shape mismatch", func(*gguf.Metadata) []gguf.WriteTensor {
			return pair("blk.1.attn_k.weight", 64, 4, 64) // attn_k has 32 rows
		}, false, "the update of blk.1.attn_k.weight has shape [64 64]"},
		{"transposed", func(*gguf.Metadata) []gguf.WriteTensor {
			return pair("blk.1.ffn_down.weight", 64, 4, 172) // ffn_down is [172 64]
		}, false, "blk.1.ffn_down.weight has shape [64 172]"},
		{"unknown target", func(*gguf.Metadata) []gguf.WriteTensor {
			return pair("blk.9.attn_q.weight", 64, 4, 64)
		}, false, "blk.9.attn_q.weight, which the base model"},
		{"norm target", func(*gguf.Metadata) []gguf.WriteTensor {
			return pair("blk.0.attn_norm.weight", 64, 4, 1)
		}, false, "blk.0.attn_norm.weight"},
		{"embedding target", func(*gguf.Metadata) []gguf.WriteTensor {
			return pair("token_embd.weight", 64, 4, 512)
		}, false, "token_embd.weight are not supported"},
	}
	base, err := weights.Open(baseBin(t))
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	dir := t.TempDir()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			meta := adapterMeta()
			ts := c.edit(meta)
			path := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".gguf")
			if err := gguf.WriteFile(path, meta, ts); err != nil {
				t.Fatal(err)
			}
			a, err := lora.Open(path)
			if !c.openErr {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				_, err = model.New(base, model.Options{LoRA: []lora.Scaled{{Adapter: a, Scale: 1}}})
				if err == nil {
					t.Fatal("the model loaded with the adapter")
				}
				if _, _, merr := lora.Merge(base, []lora.Scaled{{Adapter: a, Scale: 1}}, lora.MergeOptions{}); merr == nil {
					t.Error("Merge accepted the adapter")
				}
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), path) {
				t.Errorf("error %v, want one naming %s and saying %q", err, path, c.want)
			}
		})
	}
}

// TestRankOneVector reads a rank-1 lora_a stored as a vector (GGUF writers
// drop trailing dimensions of 1) and applies it without alpha.
func TestRankOneVector(t *testing.T) {
	meta := adapterMeta()
	meta.Delete("adapter.lora.alpha")
	ts := pair("blk.0.attn_output.weight", 64, 1, 64)
	ts[0].Shape = ts[0].Shape[:1]
	path := filepath.Join(t.TempDir(), "r1.gguf")
	if err := gguf.WriteFile(path, meta, ts); err != nil {
		t.Fatal(err)
	}
	a, err := lora.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	tg, ok := a.Target("blk.0.attn_output.weight")
	if !ok || tg.Rank() != 1 || tg.In() != 64 || tg.Out() != 64 || a.Scale(tg, 0.5) != 0.5 {
		t.Fatalf("target %+v", tg)
	}
	if d := maxDiff(logits(t, baseBin(t)), logits(t, baseBin(t), lora.Scaled{Adapter: a, Scale: 1})); d == 0 {
		t.Error("the rank-1 adapter changes nothing")
	}
}

// FuzzRead feeds arbitrary bytes to the adapter reader: it must return an
// adapter or an error, never panic.
func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := gguf.Write(&buf, adapterMeta(), pair("blk.0.attn_q.weight", 32, 2, 32)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	buf.Reset()
	meta := adapterMeta()
	meta.Set("adapter.lora.alpha", uint32(3))
	ts := append(pair("blk.0.ffn_up.weight", 32, 1, 8), pair("output.weight", 32, 2, 4)...)
	ts[0].Shape = ts[0].Shape[:1]
	if err := gguf.Write(&buf, meta, ts); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		g, err := gguf.Parse("fuzz.gguf", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		a, err := lora.Read(g)
		if err != nil {
			return
		}
		for _, tg := range a.Targets {
			if tg.Rank() <= 0 || tg.A.Rows != tg.B.Cols || a.Scale(tg, 1) < 0 {
				t.Fatalf("inconsistent target %s", tg.Name)
			}
		}
	})
}
