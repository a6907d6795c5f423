package train

import (
	"fmt"
	"unsafe"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// VocabWriter writes a tokenizer's tokenizer.ggml.* keys (satisfied by
// *Vocab and by the tokenizer package's Tokenizer).
type VocabWriter interface {
	WriteGGUF(m *gguf.Metadata)
}

// Metadata returns the llama.* and general.* keys that describe the model's
// shape, as llama.cpp reads them.
func (c Config) Metadata(name string) *gguf.Metadata {
	return weights.LlamaHParams{
		Name: name, FileType: 0, // all F32
		Vocab: c.Vocab, Context: c.Context, Dim: c.Dim, FFN: c.Hidden, Layers: c.Layers,
		Heads: c.Heads, KVHeads: c.KVHeads, HeadDim: c.HeadDim(), RopeBase: c.RopeBase, NormEps: c.NormEps,
	}.Metadata()
}

// ConfigFromMetadata reads a Llama shape from GGUF-vocabulary metadata.
// vocab is the number of rows of token_embd.weight; tied says whether the
// file lacks output.weight.
func ConfigFromMetadata(m *gguf.Metadata, vocab int, tied bool) (Config, error) {
	if a, _ := m.String("general.architecture"); a != "llama" {
		return Config{}, fmt.Errorf("train: general.architecture is %q, only llama can be trained", a)
	}
	get := func(k string) (int, error) {
		v, ok := m.Uint("llama." + k)
		if !ok {
			return 0, fmt.Errorf("train: metadata llama.%s missing", k)
		}
		return int(v), nil
	}
	c := Config{Vocab: vocab, TiedOutput: tied, RopeBase: 10000, NormEps: 1e-5}
	var err error
	for _, f := range []struct {
		key string
		dst *int
	}{{"embedding_length", &c.Dim}, {"block_count", &c.Layers}, {"attention.head_count", &c.Heads}, {"feed_forward_length", &c.Hidden}, {"context_length", &c.Context}} {
		if *f.dst, err = get(f.key); err != nil {
			return Config{}, err
		}
	}
	c.KVHeads = c.Heads
	if v, ok := m.Uint("llama.attention.head_count_kv"); ok {
		c.KVHeads = int(v)
	}
	if v, ok := m.Float("llama.rope.freq_base"); ok {
		c.RopeBase = float32(v)
	}
	if v, ok := m.Float("llama.attention.layer_norm_rms_epsilon"); ok {
		c.NormEps = float32(v)
	}
	if v, ok := m.Uint("llama.rope.dimension_count"); ok && int(v) != c.HeadDim() {
		return Config{}, fmt.Errorf("train: llama.rope.dimension_count %d differs from the head width %d (partial RoPE is not supported)", v, c.HeadDim())
	}
	return c, c.Validate()
}

// f32Bytes views float32 values as their little-endian bytes.
func f32Bytes(v []float32) []byte {
	if len(v) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&v[0])), 4*len(v))
}

// GGUF returns the metadata and F32 tensors of the whole model in llama.cpp's
// layout, with the tokenizer's keys when vocab is not nil. The tensors share
// memory with the model.
func (m *Model) GGUF(name string, vocab VocabWriter) (*gguf.Metadata, []gguf.WriteTensor, error) {
	meta := m.Config.Metadata(name)
	if vocab != nil {
		vocab.WriteGGUF(meta)
	}
	var ts []gguf.WriteTensor
	for _, p := range m.Tensors() {
		if p.W == nil {
			return nil, nil, fmt.Errorf("train: %s is a frozen %v tensor; only float32 models are written", p.Name, p.Q.Type)
		}
		ts = append(ts, gguf.WriteTensor{Name: p.Name, Shape: p.Shape(), Type: tensor.F32, Data: f32Bytes(p.W)})
	}
	return meta, ts, nil
}

// SaveGGUF writes the model as an F32 GGUF file that a llama.cpp-compatible
// runtime can load.
func (m *Model) SaveGGUF(path, name string, vocab VocabWriter) error {
	meta, ts, err := m.GGUF(name, vocab)
	if err != nil {
		return err
	}
	if err := gguf.WriteFile(path, meta, ts); err != nil {
		return fmt.Errorf("train: %s: %w", path, err)
	}
	return nil
}

// SourceTensor is one stored weight: its type, shape in ggml order and bytes.
type SourceTensor struct {
	Type  tensor.Type
	Shape []uint64
	Data  []byte
}

// TensorSource looks weights up by GGUF name.
type TensorSource func(name string) (SourceTensor, bool)

// GGUFSource looks tensors up in an open GGUF file.
func GGUFSource(f *gguf.File) TensorSource {
	return func(name string) (SourceTensor, bool) {
		ti, ok := f.Tensor(name)
		if !ok {
			return SourceTensor{}, false
		}
		data, err := f.Data(ti)
		if err != nil {
			return SourceTensor{}, false
		}
		return SourceTensor{Type: ti.Type, Shape: ti.Shape, Data: data}, true
	}
}

// LoadModel builds a model of shape c from stored weights. With frozen
// false every weight is copied to trainable float32 (continued training).
// With frozen true nothing is trainable and nothing is copied: F32 weights
// are used in place (data must stay mapped and unmodified), other types are
// dequantized a block of rows at a time when used.
func LoadModel(c Config, src TensorSource, frozen bool, pool *Pool) (*Model, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	if _, ok := src("rope_freqs.weight"); ok {
		return nil, fmt.Errorf("train: rope_freqs.weight (scaled RoPE) is not supported for training")
	}
	m := buildModel(c, func(name string, rows, cols int, _ float64) *Param {
		return &Param{Name: name, Rows: rows, Cols: cols}
	})
	m.pool = pool
	for _, p := range m.Tensors() {
		st, ok := src(p.Name)
		if !ok {
			return nil, fmt.Errorf("train: tensor %s missing", p.Name)
		}
		want := p.Shape()
		if len(st.Shape) != len(want) && !(len(want) == 1 && len(st.Shape) == 2 && st.Shape[1] == 1) {
			return nil, fmt.Errorf("train: tensor %s has shape %v, want %v", p.Name, st.Shape, want)
		}
		for i := range want {
			if st.Shape[i] != want[i] {
				return nil, fmt.Errorf("train: tensor %s has shape %v, want %v", p.Name, st.Shape, want)
			}
		}
		fz, err := newFrozen(st.Type, p.Rows, p.Cols, st.Data)
		if err != nil {
			return nil, fmt.Errorf("train: tensor %s: %w", p.Name, err)
		}
		switch {
		case frozen && st.Type == tensor.F32:
			p.W, p.G = f32View(st.Data), nil
		case frozen && p.Rows > 1:
			p.W, p.G, p.Q = nil, nil, fz
		default: // trainable, or a small frozen vector: a float32 copy
			p.W = make([]float32, p.Rows*p.Cols)
			fz.rows(0, p.Rows, p.W)
			if !frozen {
				p.G = make([]float32, len(p.W))
			}
		}
	}
	return m, nil
}

// ConfigOfGGUF reads the shape of the Llama model in a GGUF file (vocabulary
// from token_embd.weight, tied output when output.weight is absent).
func ConfigOfGGUF(f *gguf.File) (Config, error) {
	emb, ok := f.Tensor("token_embd.weight")
	if !ok || len(emb.Shape) != 2 {
		return Config{}, fmt.Errorf("train: %s: no 2-D token_embd.weight", f.Path)
	}
	_, hasOut := f.Tensor("output.weight")
	c, err := ConfigFromMetadata(f.Meta, int(emb.Shape[1]), !hasOut)
	if err != nil {
		return Config{}, fmt.Errorf("train: %s: %w", f.Path, err)
	}
	return c, nil
}
