package gguf_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// Writing a file and reading it back.
func Example() {
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "llama")
	meta.Set("llama.block_count", uint32(2))
	meta.Set("tokenizer.ggml.tokens", []string{"<unk>", "<s>", "</s>"})
	data := make([]byte, 4*8) // 8 float32 zeros
	var buf bytes.Buffer
	err := gguf.Write(&buf, meta, []gguf.WriteTensor{
		{Name: "output_norm.weight", Shape: []uint64{8}, Type: tensor.F32, Data: data},
	})
	if err != nil {
		log.Fatal(err)
	}

	f, err := gguf.Parse("example.gguf", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	for _, kv := range f.Meta.KVs() {
		fmt.Println(kv)
	}
	n, _ := f.Meta.Uint("llama.block_count")
	t, _ := f.Tensor("output_norm.weight")
	b, _ := f.Data(t)
	fmt.Println(n, t.Type, t.Shape, len(b))
	// Output:
	// general.architecture = "llama"
	// llama.block_count = 2
	// tokenizer.ggml.tokens = ["<unk>", "<s>", "</s>"]
	// 2 F32 [8] 32
}
