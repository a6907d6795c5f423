package gguf

import (
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// benchmarkOpen measures opening (memory-mapping and parsing) a file.
func benchmarkOpen(b *testing.B, elem ...string) {
	path := testdata.Path(b, elem...)
	b.ReportAllocs()
	for b.Loop() {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		f.Close()
	}
}

func BenchmarkOpenStories260K(b *testing.B) {
	benchmarkOpen(b, "stories260K", "stories260K-f32.gguf")
}

func BenchmarkOpenTinyLlama3(b *testing.B) {
	benchmarkOpen(b, "synthetic", "tiny-llama3-Q8_0.gguf")
}
