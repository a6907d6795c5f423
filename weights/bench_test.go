package weights

import (
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// BenchmarkOpen measures opening each format of stories260K: header parsing,
// mapping, and for Hugging Face the q/k row copies.
func BenchmarkOpen(b *testing.B) {
	for _, c := range []struct{ name, file string }{
		{"gguf", "stories260K-f32.gguf"}, {"llama2c", "stories260K.bin"}, {"safetensors", "hf"},
	} {
		path := testdata.Path(b, "stories260K", c.file)
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				f, err := Open(path)
				if err != nil {
					b.Fatal(err)
				}
				f.Close()
			}
		})
	}
}

// BenchmarkUnpermuteRows measures undoing the HF q/k row order on a
// 4096x4096 F16 projection (Llama 2 7B's q_proj).
func BenchmarkUnpermuteRows(b *testing.B) {
	src := make([]byte, 4096*4096*2)
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		if _, err := unpermuteRows(src, []uint64{4096, 4096}, 32, 2); err != nil {
			b.Fatal(err)
		}
	}
}
