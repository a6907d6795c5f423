package llama

import (
	"fmt"
	"math"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/weights"
)

// hparams are the hyperparameters of a Llama model, read from the llama.*
// metadata keys.
type hparams struct {
	vocab     int // 0 when the metadata does not say; taken from token_embd
	context   int
	dim       int
	layers    int
	heads     int
	kvHeads   int
	headDim   int // per-head width of queries and keys (= values)
	ffn       int
	rotDims   int // leading dims of each head that RoPE rotates
	eps       float32
	ropeBase  float32
	freqScale float32 // 1/linear scaling factor

	// llama3 frequency scaling from metadata (used when rope_freqs is absent)
	llama3Factor, llama3Low, llama3High, llama3Orig float64
}

func readHparams(arch string, meta *gguf.Metadata) (hparams, error) {
	key := func(k string) string { return arch + "." + k }
	need := func(k string) (int, error) {
		v, ok := meta.Uint(key(k))
		if !ok {
			return 0, fmt.Errorf("missing or invalid %s", key(k))
		}
		if v == 0 || v > 1<<24 {
			return 0, fmt.Errorf("%s = %d out of range", key(k), v)
		}
		return int(v), nil
	}
	optional := func(k string, def int) (int, error) {
		if _, present := meta.Get(key(k)); !present {
			return def, nil
		}
		return need(k)
	}
	var h hparams
	var err error
	if h.dim, err = need("embedding_length"); err != nil {
		return h, err
	}
	if h.layers, err = need("block_count"); err != nil {
		return h, err
	}
	if h.heads, err = need("attention.head_count"); err != nil {
		return h, err
	}
	if h.ffn, err = need("feed_forward_length"); err != nil {
		return h, err
	}
	if h.kvHeads, err = optional("attention.head_count_kv", h.heads); err != nil {
		return h, err
	}
	if h.heads%h.kvHeads != 0 {
		return h, fmt.Errorf("%s = %d is not a multiple of %s = %d", key("attention.head_count"), h.heads, key("attention.head_count_kv"), h.kvHeads)
	}
	if h.headDim, err = optional("attention.key_length", h.dim/h.heads); err != nil {
		return h, err
	}
	if v, err := optional("attention.value_length", h.headDim); err != nil {
		return h, err
	} else if v != h.headDim {
		return h, fmt.Errorf("%s = %d differs from key_length %d (unsupported)", key("attention.value_length"), v, h.headDim)
	}
	if h.headDim == 0 {
		return h, fmt.Errorf("%s = %d smaller than %s = %d", key("embedding_length"), h.dim, key("attention.head_count"), h.heads)
	}
	if h.rotDims, err = optional("rope.dimension_count", h.headDim); err != nil {
		return h, err
	}
	if h.rotDims > h.headDim || h.rotDims%2 != 0 {
		return h, fmt.Errorf("%s = %d does not fit head size %d", key("rope.dimension_count"), h.rotDims, h.headDim)
	}
	if h.context, err = optional("context_length", 2048); err != nil {
		return h, err
	}
	if h.vocab, err = optional("vocab_size", 0); err != nil {
		return h, err
	}
	h.eps = 1e-5
	if v, ok := meta.Float(key("attention.layer_norm_rms_epsilon")); ok {
		if !(v > 0 && v < 1) {
			return h, fmt.Errorf("%s = %v out of range", key("attention.layer_norm_rms_epsilon"), v)
		}
		h.eps = float32(v)
	}
	h.ropeBase = 10000
	if v, ok := meta.Float(key("rope.freq_base")); ok {
		if !(v > 1) || math.IsInf(v, 0) {
			return h, fmt.Errorf("%s = %v out of range", key("rope.freq_base"), v)
		}
		h.ropeBase = float32(v)
	}
	h.freqScale = 1
	typ, _ := meta.String(key("rope.scaling.type"))
	factor, hasFactor := meta.Float(key("rope.scaling.factor"))
	if !hasFactor {
		factor, hasFactor = meta.Float(key("rope.scale_linear"))
		if hasFactor {
			typ = "linear"
		}
	}
	switch typ {
	case "", "none":
	case "linear":
		if !hasFactor || !(factor > 0) {
			return h, fmt.Errorf("%s: linear scaling needs a positive %s", key("rope.scaling.type"), key("rope.scaling.factor"))
		}
		h.freqScale = float32(1 / factor)
	case "llama3":
		if !hasFactor || !(factor > 0) {
			return h, fmt.Errorf("%s: llama3 scaling needs a positive %s", key("rope.scaling.type"), key("rope.scaling.factor"))
		}
		h.llama3Factor = factor
		h.llama3Low, _ = meta.Float(key("rope.scaling.low_freq_factor"))
		h.llama3High, _ = meta.Float(key("rope.scaling.high_freq_factor"))
		h.llama3Orig, _ = meta.Float(key("rope.scaling.original_context_length"))
		if !(h.llama3Low > 0 && h.llama3High > h.llama3Low && h.llama3Orig > 0) {
			return h, fmt.Errorf("%s: llama3 scaling needs low_freq_factor < high_freq_factor and original_context_length", key("rope.scaling.type"))
		}
	default:
		return h, fmt.Errorf("%s = %q is not supported (none, linear, llama3)", key("rope.scaling.type"), typ)
	}
	return h, nil
}

// llama3Freqs computes Llama 3.1's per-pair frequency divisors the way the
// GGUF converter does for its rope_freqs tensor.
func (h hparams) llama3Freqs() []float32 {
	s := weights.Llama3Scaling{
		Factor:          float32(h.llama3Factor),
		LowFreqFactor:   float32(h.llama3Low),
		HighFreqFactor:  float32(h.llama3High),
		OriginalContext: float32(h.llama3Orig),
	}
	return s.RopeFreqs(h.ropeBase, h.rotDims)
}
