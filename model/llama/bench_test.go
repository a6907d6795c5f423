package llama

import (
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/model"
)

// benchDecode measures one-token forward passes after a short prompt.
func benchDecode(b *testing.B, path string, threads int) {
	m := openModel(b, path, threads)
	c := m.NewCache(m.Config().ContextLength)
	pos := 0
	for b.Loop() {
		if pos == c.Size() {
			c.Truncate(0, 0)
			pos = 0
		}
		if _, err := m.Forward(c, []model.Token{{ID: 1, Pos: pos}}, nil); err != nil {
			b.Fatal(err)
		}
		pos++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tokens/s")
}

// benchPrefill measures a 64-token prompt as one batch.
func benchPrefill(b *testing.B, path string, threads int) {
	m := openModel(b, path, threads)
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
}

func BenchmarkDecodeStories260K(b *testing.B) {
	benchDecode(b, testdata.Path(b, "stories260K", "stories260K.bin"), 1)
}

func BenchmarkPrefillStories260K(b *testing.B) {
	benchPrefill(b, testdata.Path(b, "stories260K", "stories260K.bin"), 1)
}

func BenchmarkDecodeTinyLlama3Q8(b *testing.B) {
	benchDecode(b, testdata.Path(b, "synthetic", "tiny-llama3-Q8_0.gguf"), 2)
}

func BenchmarkPrefillTinyKQ4K(b *testing.B) {
	benchPrefill(b, testdata.Path(b, "synthetic", "tiny-k-Q4_K.gguf"), 2)
}
