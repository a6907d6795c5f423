package weights

import "github.com/herdllm/herd/gguf"

// LlamaHParams are the hyperparameters a Llama model file states, written as
// GGUF's general.* and llama.* keys by every reader and writer that makes
// such a file (llama2.c and Hugging Face checkpoints, trained models,
// synthetic models).
type LlamaHParams struct {
	Name     string
	FileType uint32 // llama.cpp's general.file_type
	Vocab    int
	Context  int // 0 leaves llama.context_length out
	Dim      int // embedding width
	FFN      int // feed-forward width
	Layers   int
	Heads    int
	KVHeads  int
	HeadDim  int // written as key/value length too when Heads·HeadDim ≠ Dim
	RopeBase float32
	NormEps  float32 // RMSNorm epsilon
}

// Metadata returns new metadata holding h's keys.
func (h LlamaHParams) Metadata() *gguf.Metadata {
	m := gguf.NewMetadata()
	m.Set("general.architecture", "llama")
	m.Set("general.name", h.Name)
	m.Set("general.file_type", h.FileType)
	m.Set("llama.vocab_size", uint32(h.Vocab))
	if h.Context > 0 {
		m.Set("llama.context_length", uint32(h.Context))
	}
	m.Set("llama.embedding_length", uint32(h.Dim))
	m.Set("llama.feed_forward_length", uint32(h.FFN))
	m.Set("llama.block_count", uint32(h.Layers))
	m.Set("llama.attention.head_count", uint32(h.Heads))
	m.Set("llama.attention.head_count_kv", uint32(h.KVHeads))
	m.Set("llama.rope.dimension_count", uint32(h.HeadDim))
	if h.HeadDim*h.Heads != h.Dim {
		m.Set("llama.attention.key_length", uint32(h.HeadDim))
		m.Set("llama.attention.value_length", uint32(h.HeadDim))
	}
	m.Set("llama.rope.freq_base", h.RopeBase)
	m.Set("llama.attention.layer_norm_rms_epsilon", h.NormEps)
	return m
}
