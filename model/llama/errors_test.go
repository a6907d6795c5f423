package llama

import (
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/weights"
)

// TestLoadErrors checks that broken models fail to load with an error that
// names the tensor or key at fault.
func TestLoadErrors(t *testing.T) {
	type mutate func(meta *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor
	drop := func(name string) mutate {
		return func(_ *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor {
			out := ts[:0]
			for _, x := range ts {
				if x.Name != name {
					out = append(out, x)
				}
			}
			return out
		}
	}
	reshape := func(name string, shape ...uint64) mutate {
		return func(_ *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor {
			for i := range ts {
				if ts[i].Name == name {
					n := uint64(1)
					for _, d := range shape {
						n *= d
					}
					ts[i].Shape = shape
					ts[i].Data = make([]byte, 4*n)
				}
			}
			return ts
		}
	}
	setKey := func(key string, v any) mutate {
		return func(meta *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor {
			meta.Set(key, v)
			return ts
		}
	}
	delKey := func(key string) mutate {
		return func(meta *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor {
			meta.Delete(key)
			return ts
		}
	}
	tests := []struct {
		name   string
		change mutate
		want   string
	}{
		{"missing tensor", drop("blk.1.ffn_up.weight"), "blk.1.ffn_up.weight"},
		{"missing embedding", drop("token_embd.weight"), "token_embd.weight"},
		{"missing norm", drop("output_norm.weight"), "output_norm.weight"},
		{"wrong shape", reshape("blk.0.attn_k.weight", 32, 24), "blk.0.attn_k.weight"},
		{"wrong rank", reshape("blk.0.attn_norm.weight", 32, 1), "blk.0.attn_norm.weight"},
		{"wrong output shape", reshape("output.weight", 32, 41), "output.weight"},
		{"unsupported architecture", setKey("general.architecture", "mamba9"), "mamba9"},
		{"vocab mismatch", setKey("llama.vocab_size", uint32(41)), "vocab_size"},
		{"tokenizer size mismatch", setKey("tokenizer.ggml.tokens", make([]string, 39)), "tokenizer.ggml.tokens"},
		{"missing key", delKey("llama.block_count"), "llama.block_count"},
		{"bad head count", setKey("llama.attention.head_count_kv", uint32(3)), "head_count_kv"},
		{"bad rope scaling", setKey("llama.rope.scaling.type", "yarn-ish"), "rope.scaling.type"},
		{"bad rope_freqs", func(meta *gguf.Metadata, ts []gguf.WriteTensor) []gguf.WriteTensor {
			return append(ts, gguf.WriteTensor{Name: "rope_freqs.weight", Shape: []uint64{3}, Type: 0, Data: make([]byte, 12)})
		}, "rope_freqs.weight"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta, ts := tinyGGUF(tiny, 3)
			ts = tt.change(meta, ts)
			_, err := writeTiny(t, meta, ts)
			if err == nil {
				t.Fatal("loaded without error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not name %q", err, tt.want)
			}
		})
	}
}

// TestTiedOutput checks that a model without output.weight uses the token
// embedding as its output head.
func TestTiedOutput(t *testing.T) {
	meta, ts := tinyGGUF(tiny, 3)
	var embd []byte
	out := ts[:0]
	for _, x := range ts {
		if x.Name == "token_embd.weight" {
			embd = x.Data
		}
		if x.Name != "output.weight" {
			out = append(out, x)
		}
	}
	m, err := writeTiny(t, meta, out)
	if err != nil {
		t.Fatal(err)
	}
	lm := m.(*Model)
	if &lm.output.Data[0] != &lm.embd.Data[0] || len(lm.output.Data) != len(embd) {
		t.Error("output head is not the token embedding")
	}
}

// TestLoadErrorsInMemory edits an opened file's tensor list and metadata
// directly: the loader must see the edits.
func TestLoadErrorsInMemory(t *testing.T) {
	path := testdata.Path(t, "stories260K", "stories260K-f32.gguf")
	for _, tt := range []struct {
		name   string
		change func(f *weights.File)
		want   string
	}{
		{"drop tensor", func(f *weights.File) {
			f.Tensors = slices.DeleteFunc(f.Tensors, func(x *weights.Tensor) bool { return x.Name == "blk.3.attn_v.weight" })
		}, "blk.3.attn_v.weight"},
		{"reshape", func(f *weights.File) {
			for _, x := range f.Tensors {
				if x.Name == "blk.0.ffn_down.weight" {
					x.Shape = []uint64{x.Shape[1], x.Shape[0]}
				}
			}
		}, "blk.0.ffn_down.weight"},
		{"architecture", func(f *weights.File) { f.Meta.Set("general.architecture", "rwkv") }, "rwkv"},
		{"vocab", func(f *weights.File) { f.Meta.Set("llama.vocab_size", uint32(500)) }, "vocab_size"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := weights.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			f.Tensor("token_embd.weight") // any index built before the edit must not hide it
			tt.change(f)
			_, err = model.New(f, model.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v does not name %q", err, tt.want)
			}
		})
	}
}
