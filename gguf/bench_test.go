package gguf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
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

// BenchmarkOpenSparse4GiB opens a file with one 4 GiB tensor (a sparse
// file): the cost must not depend on the size of the tensor data.
func BenchmarkOpenSparse4GiB(b *testing.B) {
	const n = 1 << 30 // float32 elements
	path := filepath.Join(b.TempDir(), "big.gguf")
	head := header(1, 0).tensorInfo("big", tensor.F32, 0, n).data(DefaultAlignment, 0).Bytes()
	if err := os.WriteFile(path, head, 0o644); err != nil {
		b.Fatal(err)
	}
	if err := os.Truncate(path, int64(len(head))+4*n); err != nil {
		b.Skip("cannot make a sparse file:", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		f, err := Open(path)
		if err != nil {
			b.Fatal(err)
		}
		d, err := f.Data(&f.Tensors[0])
		if err != nil || len(d) != 4*n {
			b.Fatal(len(d), err)
		}
		f.Close()
	}
}
