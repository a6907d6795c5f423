package llama

import (
	"testing"

	"github.com/herdllm/herd/model"
)

// FuzzLoadHparams loads the tiny model under random hyperparameters: every
// combination must either load and run a token or fail with an error, never
// panic.
func FuzzLoadHparams(f *testing.F) {
	f.Add(uint32(32), uint32(2), uint32(4), uint32(2), uint32(48), uint32(8), uint32(8), float32(10000), float32(1e-5), "")
	f.Add(uint32(32), uint32(2), uint32(4), uint32(4), uint32(48), uint32(8), uint32(4), float32(500000), float32(1e-6), "linear")
	f.Add(uint32(32), uint32(3), uint32(0), uint32(2), uint32(48), uint32(8), uint32(8), float32(1), float32(0), "llama3")
	f.Add(uint32(64), uint32(2), uint32(8), uint32(3), uint32(48), uint32(0), uint32(7), float32(-1), float32(2), "yarn")
	f.Fuzz(func(t *testing.T, dim, layers, heads, kvHeads, ffn, headDim, rot uint32, base, eps float32, scaling string) {
		meta, ts := tinyGGUF(tiny, 1)
		meta.Set("llama.embedding_length", dim)
		meta.Set("llama.block_count", layers)
		meta.Set("llama.attention.head_count", heads)
		meta.Set("llama.attention.head_count_kv", kvHeads)
		meta.Set("llama.feed_forward_length", ffn)
		meta.Set("llama.attention.key_length", headDim)
		meta.Set("llama.rope.dimension_count", rot)
		meta.Set("llama.rope.freq_base", base)
		meta.Set("llama.attention.layer_norm_rms_epsilon", eps)
		if scaling != "" {
			meta.Set("llama.rope.scaling.type", scaling)
			meta.Set("llama.rope.scaling.factor", float32(4))
		}
		m, err := writeTiny(t, meta, ts)
		if err != nil {
			return
		}
		c := m.NewCache(4)
		if _, err := m.Forward(c, []model.Token{{ID: 1}, {ID: 2, Pos: 1}}, nil); err != nil {
			t.Fatalf("loaded but Forward failed: %v", err)
		}
	})
}
