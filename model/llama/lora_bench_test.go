package llama

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// randomAdapter returns an in-memory F32 adapter of the given rank on every
// projection of every block of f.
func randomAdapter(tb testing.TB, f *weights.File, layers, rank int) *lora.Adapter {
	rng := rand.New(rand.NewPCG(1, 2))
	matrix := func(rows, cols int) tensor.Matrix {
		data := make([]byte, 4*rows*cols)
		for i := 0; i < len(data); i += 4 {
			binary.LittleEndian.PutUint32(data[i:], math.Float32bits(float32(rng.NormFloat64()*0.02)))
		}
		m, err := tensor.NewMatrix(tensor.F32, rows, cols, data)
		if err != nil {
			tb.Fatal(err)
		}
		return m
	}
	a := &lora.Adapter{Path: "random", Architecture: "llama", Alpha: float64(rank)}
	for l := range layers {
		for _, kind := range loraNames {
			name := fmt.Sprintf("blk.%d.%s.weight", l, kind)
			w, ok := f.Tensor(name)
			if !ok {
				tb.Fatalf("no %s", name)
			}
			in, out := int(w.Shape[0]), int(w.Shape[1])
			a.Targets = append(a.Targets, &lora.Target{Name: name, A: matrix(rank, in), B: matrix(out, rank)})
		}
	}
	return a
}

// benchLoRA measures decode and 64-token prefill of the model at path with
// no adapter and with a rank-16 adapter on every projection.
func benchLoRA(b *testing.B, path string) {
	f, err := weights.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	pool := tensor.NewPool(2)
	defer pool.Close()
	layers, _ := f.Meta.Uint("llama.block_count")
	ad := randomAdapter(b, f, int(layers), 16)
	for _, c := range []struct {
		name     string
		adapters []lora.Scaled
	}{{"base", nil}, {"rank16", []lora.Scaled{{Adapter: ad, Scale: 1}}}} {
		m, err := model.New(f, model.Options{Pool: pool, LoRA: c.adapters})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/decode", func(b *testing.B) {
			cache := m.NewCache(m.Config().ContextLength)
			pos := 0
			for b.Loop() {
				if pos == cache.Size() {
					cache.Truncate(0, 0)
					pos = 0
				}
				if _, err := m.Forward(cache, []model.Token{{ID: 1, Pos: pos}}, nil); err != nil {
					b.Fatal(err)
				}
				pos++
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
		})
		b.Run(c.name+"/prefill64", func(b *testing.B) {
			batch := make([]model.Token, 64)
			for i := range batch {
				batch[i] = model.Token{ID: 1 + i%100, Pos: i}
			}
			for b.Loop() {
				if _, err := m.Forward(m.NewCache(64), batch, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(batch))/b.Elapsed().Seconds(), "tokens/s")
		})
	}
}

// BenchmarkLoRATinyKQ4K shows what run-time adapters cost on the synthetic
// Q4_K model (n_embd 256, ffn 768).
func BenchmarkLoRATinyKQ4K(b *testing.B) {
	benchLoRA(b, testdata.Path(b, "synthetic", "tiny-k-Q4_K.gguf"))
}
