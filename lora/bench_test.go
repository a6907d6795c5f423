package lora_test

import (
	"io"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// BenchmarkMerge bakes a rank-16 F32 adapter of every projection into the
// synthetic Q4_K model (n_embd 256, ffn 768) and writes the result, keeping
// the types and re-quantizing the adapted weights to Q4_K.
func BenchmarkMerge(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	var ts []gguf.WriteTensor
	for l := range 2 {
		for _, p := range []struct {
			kind    string
			in, out int
		}{{"attn_q", 256, 256}, {"attn_k", 256, 128}, {"attn_v", 256, 128}, {"attn_output", 256, 256},
			{"ffn_gate", 256, 768}, {"ffn_up", 256, 768}, {"ffn_down", 768, 256}} {
			ts = append(ts, randomPair(b, rng, "blk."+string(rune('0'+l))+"."+p.kind+".weight", p.in, 16, p.out, tensor.F32, 0.02)...)
		}
	}
	path := filepath.Join(b.TempDir(), "adapter.gguf")
	if err := gguf.WriteFile(path, adapterMeta(), ts); err != nil {
		b.Fatal(err)
	}
	a, err := lora.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	base, err := weights.Open(testdata.Path(b, "synthetic", "tiny-k-Q4_K.gguf"))
	if err != nil {
		b.Fatal(err)
	}
	defer base.Close()
	pool := tensor.NewPool(2)
	defer pool.Close()
	for b.Loop() {
		meta, ts, err := lora.Merge(base, []lora.Scaled{{Adapter: a, Scale: 1}}, lora.MergeOptions{Pool: pool})
		if err != nil {
			b.Fatal(err)
		}
		if err := gguf.Write(io.Discard, meta, ts); err != nil {
			b.Fatal(err)
		}
	}
}
