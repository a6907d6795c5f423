package weights

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// hfConfig holds the config.json fields of a Hugging Face Llama checkpoint.
type hfConfig struct {
	ModelType             string          `json:"model_type"`
	Architectures         []string        `json:"architectures"`
	HiddenSize            int             `json:"hidden_size"`
	IntermediateSize      int             `json:"intermediate_size"`
	NumHiddenLayers       int             `json:"num_hidden_layers"`
	NumAttentionHeads     int             `json:"num_attention_heads"`
	NumKeyValueHeads      int             `json:"num_key_value_heads"`
	HeadDim               int             `json:"head_dim"`
	VocabSize             int             `json:"vocab_size"`
	MaxPositionEmbeddings int             `json:"max_position_embeddings"`
	OrigMaxPosition       int             `json:"original_max_position_embeddings"`
	RMSNormEps            *float64        `json:"rms_norm_eps"`
	RopeTheta             *float64        `json:"rope_theta"`
	RopeScaling           map[string]any  `json:"rope_scaling"`
	TieWordEmbeddings     *bool           `json:"tie_word_embeddings"`
	BOSTokenID            json.RawMessage `json:"bos_token_id"`
	EOSTokenID            json.RawMessage `json:"eos_token_id"`
}

// hfArchitectures are the config model types herd reads as GGUF's "llama".
var hfArchitectures = map[string]bool{"llama": true, "mistral": true}

// readHFConfig reads and checks a config.json.
func readHFConfig(path string) (*hfConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	var c hfConfig
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("weights: %s: %w", path, err)
	}
	arch := c.ModelType
	if arch == "" && len(c.Architectures) > 0 {
		arch = strings.ToLower(strings.TrimSuffix(c.Architectures[0], "ForCausalLM"))
	}
	if !hfArchitectures[arch] {
		return nil, fmt.Errorf("weights: %s: model_type %q is not a Llama-family model herd reads", path, arch)
	}
	if c.NumKeyValueHeads == 0 {
		c.NumKeyValueHeads = c.NumAttentionHeads
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"hidden_size", c.HiddenSize}, {"intermediate_size", c.IntermediateSize},
		{"num_hidden_layers", c.NumHiddenLayers}, {"num_attention_heads", c.NumAttentionHeads},
		{"num_key_value_heads", c.NumKeyValueHeads}, {"vocab_size", c.VocabSize},
	} {
		if f.v <= 0 || f.v > math.MaxInt32 {
			return nil, fmt.Errorf("weights: %s: %s = %d out of range", path, f.name, f.v)
		}
	}
	if c.HeadDim == 0 {
		if c.HiddenSize%c.NumAttentionHeads != 0 {
			return nil, fmt.Errorf("weights: %s: hidden_size %d is not a multiple of num_attention_heads %d", path, c.HiddenSize, c.NumAttentionHeads)
		}
		c.HeadDim = c.HiddenSize / c.NumAttentionHeads
	}
	if c.HeadDim < 0 || c.HeadDim%2 != 0 {
		return nil, fmt.Errorf("weights: %s: head_dim %d is not a positive even number", path, c.HeadDim)
	}
	if c.NumAttentionHeads%c.NumKeyValueHeads != 0 {
		return nil, fmt.Errorf("weights: %s: num_attention_heads %d is not a multiple of num_key_value_heads %d", path, c.NumAttentionHeads, c.NumKeyValueHeads)
	}
	return &c, nil
}

// tied reports whether the output projection is the token embedding table.
func (c *hfConfig) tied() bool { return c.TieWordEmbeddings != nil && *c.TieWordEmbeddings }

// ropeTheta returns the RoPE base, 10000 when unset.
func (c *hfConfig) ropeTheta() float64 {
	if c.RopeTheta != nil {
		return *c.RopeTheta
	}
	return 10000
}

// ropeScalingType returns rope_scaling's type ("" when absent), under
// either of the names config files use for it.
func (c *hfConfig) ropeScalingType() string {
	for _, k := range []string{"rope_type", "type"} {
		if s, ok := c.RopeScaling[k].(string); ok {
			return strings.ToLower(s)
		}
	}
	return ""
}

// ropeScalingFloat returns a numeric rope_scaling field, or def.
func (c *hfConfig) ropeScalingFloat(key string, def float64) float64 {
	if v, ok := c.RopeScaling[key].(float64); ok {
		return v
	}
	return def
}

// tokenID decodes a config token id, which is a number, a list of numbers
// (the first is used) or null.
func tokenID(raw json.RawMessage) (uint32, bool) {
	var id uint32
	if json.Unmarshal(raw, &id) == nil && len(raw) > 0 && string(raw) != "null" {
		return id, true
	}
	var ids []uint32
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return ids[0], true
	}
	return 0, false
}

// meta describes the checkpoint in GGUF keys, as convert_hf_to_gguf does.
// dtype is the tensors' predominant type.
func (c *hfConfig) meta(path string, dtype tensor.Type) (*gguf.Metadata, error) {
	name := filepath.Base(path)
	if !isDir(path) {
		name = filepath.Base(filepath.Dir(path))
	}
	fileType := uint32(0) // LLAMA_FTYPE_ALL_F32
	switch dtype {
	case tensor.F16:
		fileType = 1 // LLAMA_FTYPE_MOSTLY_F16
	case tensor.BF16:
		fileType = 32 // LLAMA_FTYPE_MOSTLY_BF16
	}
	eps := 1e-6 // transformers' LlamaConfig default
	if c.RMSNormEps != nil {
		eps = *c.RMSNormEps
	}
	m := LlamaHParams{
		Name: name, FileType: fileType, Vocab: c.VocabSize, Context: c.MaxPositionEmbeddings,
		Dim: c.HiddenSize, FFN: c.IntermediateSize, Layers: c.NumHiddenLayers,
		Heads: c.NumAttentionHeads, KVHeads: c.NumKeyValueHeads, HeadDim: c.HeadDim,
		RopeBase: float32(c.ropeTheta()), NormEps: float32(eps),
	}.Metadata()
	switch typ := c.ropeScalingType(); typ {
	case "", "default", "llama3":
		// llama3 scaling becomes the rope_freqs tensor.
	case "linear":
		m.Set("llama.rope.scaling.type", "linear")
		m.Set("llama.rope.scaling.factor", float32(c.ropeScalingFloat("factor", 1)))
	case "yarn":
		m.Set("llama.rope.scaling.type", "yarn")
		m.Set("llama.rope.scaling.factor", float32(c.ropeScalingFloat("factor", 1)))
		if orig := c.ropeScalingFloat("original_max_position_embeddings", 0); orig > 0 {
			m.Set("llama.rope.scaling.original_context_length", uint32(orig))
		}
	default:
		return nil, fmt.Errorf("weights: %s: rope_scaling type %q is not supported (want linear, yarn or llama3)", path, typ)
	}
	if id, ok := tokenID(c.BOSTokenID); ok {
		m.Set("tokenizer.ggml.bos_token_id", id)
	}
	if id, ok := tokenID(c.EOSTokenID); ok {
		m.Set("tokenizer.ggml.eos_token_id", id)
	}
	return m, nil
}

// llama3RopeFreqs computes the rope_freqs tensor for rope_scaling type
// llama3 from the config's rope_scaling settings.
func (c *hfConfig) llama3RopeFreqs() []float32 {
	orig := 8192.0
	if c.OrigMaxPosition > 0 {
		orig = float64(c.OrigMaxPosition)
	}
	s := Llama3Scaling{
		Factor:          float32(c.ropeScalingFloat("factor", 8)),
		LowFreqFactor:   float32(c.ropeScalingFloat("low_freq_factor", 1)),
		HighFreqFactor:  float32(c.ropeScalingFloat("high_freq_factor", 4)),
		OriginalContext: float32(c.ropeScalingFloat("original_max_position_embeddings", orig)),
	}
	return s.RopeFreqs(float32(c.ropeTheta()), c.HeadDim)
}

// isDir reports whether path is a directory.
func isDir(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.IsDir()
}
