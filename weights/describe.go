package weights

import (
	"math"
	"sort"
	"strings"

	"github.com/herdllm/herd/gguf"
)

// Summary describes a model file for people and for APIs such as Ollama's
// /api/show: its architecture, size, encoding, hyperparameters, vocabulary
// and tensors. Fields a file does not state are zero, or null in JSON for
// token ids.
type Summary struct {
	Path              string               `json:"path"`
	Format            string               `json:"format"`
	Architecture      string               `json:"architecture"`
	Name              string               `json:"name,omitempty"`
	Parameters        uint64               `json:"parameters"`
	FileType          string               `json:"file_type"`
	ContextLength     uint64               `json:"context_length"`
	EmbeddingLength   uint64               `json:"embedding_length"`
	BlockCount        uint64               `json:"block_count"`
	HeadCount         uint64               `json:"head_count"`
	HeadCountKV       uint64               `json:"head_count_kv"`
	FeedForwardLength uint64               `json:"feed_forward_length"`
	RMSNormEpsilon    float64              `json:"rms_norm_epsilon,omitempty"`
	Rope              Rope                 `json:"rope"`
	VocabType         string               `json:"vocab_type"`
	VocabSize         uint64               `json:"vocab_size"`
	BOSTokenID        *int64               `json:"bos_token_id"`
	EOSTokenID        *int64               `json:"eos_token_id"`
	EOTTokenID        *int64               `json:"eot_token_id"`
	BOSToken          string               `json:"bos_token,omitempty"`
	EOSToken          string               `json:"eos_token,omitempty"`
	EOTToken          string               `json:"eot_token,omitempty"`
	ChatTemplate      bool                 `json:"chat_template"`
	TypeMix           map[string]TypeCount `json:"type_mix"`
	Metadata          map[string]any       `json:"metadata"`
	Tensors           []TensorSummary      `json:"tensors"`
}

// Rope describes a model's rotary position embedding.
type Rope struct {
	FreqBase       float64     `json:"freq_base"`
	DimensionCount uint64      `json:"dimension_count"`
	Scaling        RopeScaling `json:"scaling"`
}

// RopeScaling describes how RoPE is stretched for longer contexts.
type RopeScaling struct {
	Type                  string  `json:"type"` // "none", "linear", "yarn", ...
	Factor                float64 `json:"factor,omitempty"`
	OriginalContextLength uint64  `json:"original_context_length,omitempty"`
	FreqFactors           bool    `json:"freq_factors"` // a rope_freqs tensor divides each pair's frequency (Llama 3.1 style)
}

// TypeCount is how many tensors of one type a file holds and their bytes.
type TypeCount struct {
	Tensors int   `json:"tensors"`
	Bytes   int64 `json:"bytes"`
}

// TensorSummary describes one tensor.
type TensorSummary struct {
	Name  string   `json:"name"`
	Type  string   `json:"type"`
	Shape []uint64 `json:"shape"`
	Bytes int64    `json:"bytes"`
}

// defaultRopeBase is the RoPE base llama.cpp assumes when a file states none.
const defaultRopeBase = 10000

// eotPieces are the texts llama.cpp recognises as end-of-turn tokens when a
// vocabulary names none.
var eotPieces = []string{"<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>"}

// provenancePrefixes select the metadata keys a Summary lists verbatim.
var provenancePrefixes = []string{"general.", "adapter.", "training."}

// Describe summarises an opened model file.
func Describe(f *File) *Summary {
	if f.Meta == nil {
		withMeta := *f
		withMeta.Meta = gguf.NewMetadata()
		f = &withMeta
	}
	m := f.Meta
	s := &Summary{
		Path: f.Path, Format: f.Format, FileType: fileType(f),
		TypeMix: map[string]TypeCount{}, Metadata: map[string]any{}, Tensors: []TensorSummary{},
	}
	s.Architecture, _ = m.String("general.architecture")
	s.Name, _ = m.String("general.name")
	arch := s.Architecture + "."
	u := func(key string) uint64 { v, _ := m.Uint(arch + key); return v }
	s.ContextLength = u("context_length")
	s.EmbeddingLength = u("embedding_length")
	s.BlockCount = u("block_count")
	s.HeadCount = u("attention.head_count")
	s.HeadCountKV = u("attention.head_count_kv")
	if s.HeadCountKV == 0 {
		s.HeadCountKV = s.HeadCount
	}
	s.FeedForwardLength = u("feed_forward_length")
	s.RMSNormEpsilon, _ = m.Float(arch + "attention.layer_norm_rms_epsilon")
	s.RMSNormEpsilon = finite(s.RMSNormEpsilon)
	s.Rope = describeRope(f, arch, s)

	for _, t := range f.Tensors {
		s.Parameters += t.Elements()
		tc := s.TypeMix[t.Type.String()]
		tc.Tensors++
		tc.Bytes += int64(len(t.Data))
		s.TypeMix[t.Type.String()] = tc
		s.Tensors = append(s.Tensors, TensorSummary{Name: t.Name, Type: t.Type.String(), Shape: t.Shape, Bytes: int64(len(t.Data))})
	}
	describeVocab(f, arch, s)
	_, s.ChatTemplate = m.Get("tokenizer.chat_template")
	for _, kv := range m.KVs() {
		for _, p := range provenancePrefixes {
			if strings.HasPrefix(kv.Key, p) {
				s.Metadata[kv.Key] = jsonValue(kv.Value)
			}
		}
	}
	return s
}

// describeRope gathers the RoPE settings, with llama.cpp's defaults for
// those a file leaves out.
func describeRope(f *File, arch string, s *Summary) Rope {
	m := f.Meta
	r := Rope{FreqBase: defaultRopeBase, Scaling: RopeScaling{Type: "none"}}
	if v, ok := m.Float(arch + "rope.freq_base"); ok {
		r.FreqBase = v
	}
	r.DimensionCount, _ = m.Uint(arch + "rope.dimension_count")
	if r.DimensionCount == 0 && s.HeadCount > 0 {
		r.DimensionCount = s.EmbeddingLength / s.HeadCount
	}
	if v, ok := m.String(arch + "rope.scaling.type"); ok {
		r.Scaling.Type = v
	}
	r.Scaling.Factor, _ = m.Float(arch + "rope.scaling.factor")
	if r.Scaling.Factor == 0 {
		r.Scaling.Factor, _ = m.Float(arch + "rope.scale_linear")
		if r.Scaling.Factor != 0 && r.Scaling.Type == "none" {
			r.Scaling.Type = "linear"
		}
	}
	r.Scaling.OriginalContextLength, _ = m.Uint(arch + "rope.scaling.original_context_length")
	_, r.Scaling.FreqFactors = f.Tensor("rope_freqs.weight")
	r.FreqBase, r.Scaling.Factor = finite(r.FreqBase), finite(r.Scaling.Factor)
	return r
}

// describeVocab fills the vocabulary kind, size and special tokens.
func describeVocab(f *File, arch string, s *Summary) {
	m := f.Meta
	s.VocabType, _ = m.String("tokenizer.ggml.model")
	tokens, _ := m.Strings("tokenizer.ggml.tokens")
	s.VocabSize = uint64(len(tokens))
	if s.VocabSize == 0 {
		s.VocabSize, _ = m.Uint(arch + "vocab_size")
	}
	if t, ok := f.Tensor("token_embd.weight"); ok && s.VocabSize == 0 && len(t.Shape) == 2 {
		s.VocabSize = t.Shape[1]
	}
	token := func(key string) (*int64, string) {
		id, ok := m.Int(key)
		if !ok || id < 0 || id == 0xFFFFFFFF {
			return nil, ""
		}
		piece := ""
		if id < int64(len(tokens)) {
			piece = tokens[id]
		}
		return &id, piece
	}
	s.BOSTokenID, s.BOSToken = token("tokenizer.ggml.bos_token_id")
	s.EOSTokenID, s.EOSToken = token("tokenizer.ggml.eos_token_id")
	s.EOTTokenID, s.EOTToken = token("tokenizer.ggml.eot_token_id")
	if s.EOTTokenID == nil {
		for id, p := range tokens {
			for _, want := range eotPieces {
				if p == want {
					i := int64(id)
					s.EOTTokenID, s.EOTToken = &i, p
					return
				}
			}
		}
	}
}

// maxMetadataArray bounds the arrays a Summary lists element by element;
// longer ones are described by gguf.FormatValue.
const maxMetadataArray = 64

// jsonValue turns a metadata value into something encoding/json renders
// plainly.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float32:
		if !isFinite(float64(x)) {
			return gguf.FormatValue(x)
		}
	case float64:
		if !isFinite(x) {
			return gguf.FormatValue(x)
		}
	case gguf.Array:
		switch vals := x.Values.(type) {
		case []float32, []float64:
			return gguf.FormatValue(x) // may hold NaN, which JSON cannot
		case []uint8:
			if len(vals) <= maxMetadataArray {
				ints := make([]int, len(vals))
				for i, b := range vals {
					ints[i] = int(b)
				}
				return ints // not base64, as encoding/json renders []byte
			}
		}
		if x.Len() > maxMetadataArray || x.Elem == gguf.TypeArray || x.Elem == gguf.TypeUint8 {
			return gguf.FormatValue(x)
		}
		return x.Values
	}
	return v
}

// isFinite reports whether v is neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// finite returns v, or 0 when JSON cannot represent it.
func finite(v float64) float64 {
	if !isFinite(v) {
		return 0
	}
	return v
}

// sortedTypeMix returns the type mix's type names, most bytes first.
func (s *Summary) sortedTypeMix() []string {
	names := make([]string, 0, len(s.TypeMix))
	for n := range s.TypeMix {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := s.TypeMix[names[i]], s.TypeMix[names[j]]
		if a.Bytes != b.Bytes {
			return a.Bytes > b.Bytes
		}
		return names[i] < names[j]
	})
	return names
}
