package weights

import (
	"encoding/binary"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// llama2cMagic opens the versioned llama2.c checkpoints ("ak42" as a
// little-endian uint32); the legacy format has no magic.
const llama2cMagic = 0x616b3432

// Header sizes of the llama2.c checkpoint versions.
const (
	llama2cLegacyHeaderLen = 7 * 4
	llama2cV1HeaderLen     = 256
)

// maxLlama2cDim bounds every header dimension; real models are far smaller,
// and the bound keeps size arithmetic far from overflow.
const maxLlama2cDim = 1 << 24

// llama2cHeader is a llama2.c checkpoint's configuration.
type llama2cHeader struct {
	Version    int // 0 for the legacy headerless format, else 1
	Dim        int
	HiddenDim  int
	Layers     int
	Heads      int
	KVHeads    int
	Vocab      int
	SeqLen     int
	Shared     bool  // the classifier is the token embedding table
	DataOffset int64 // where the float32 arrays begin
}

// headSize returns the per-head dimension.
func (h *llama2cHeader) headSize() int { return h.Dim / h.Heads }

// parseLlama2cHeader decodes and checks the header at the start of b, a
// llama2.c checkpoint of size bytes named name. It checks the dimensions for
// consistency and that the file holds exactly the arrays they describe.
func parseLlama2cHeader(name string, b []byte, size int64) (*llama2cHeader, error) {
	if len(b) < llama2cLegacyHeaderLen {
		return nil, fmt.Errorf("weights: %s: llama2.c header truncated (%d bytes, want %d)", name, len(b), llama2cLegacyHeaderLen)
	}
	le := binary.LittleEndian
	h := &llama2cHeader{DataOffset: llama2cLegacyHeaderLen}
	fields := b[:llama2cLegacyHeaderLen]
	if le.Uint32(b) == llama2cMagic {
		if len(b) < 8 {
			return nil, fmt.Errorf("weights: %s: llama2.c header truncated", name)
		}
		h.Version = int(int32(le.Uint32(b[4:])))
		switch h.Version {
		case 1:
		case 2:
			return nil, fmt.Errorf("weights: %s: llama2.c version 2 (int8-quantized) checkpoints are not supported; export version 0 or 1 (float32)", name)
		default:
			return nil, fmt.Errorf("weights: %s: unknown llama2.c checkpoint version %d", name, h.Version)
		}
		if len(b) < llama2cV1HeaderLen {
			return nil, fmt.Errorf("weights: %s: llama2.c version 1 header truncated (%d bytes, want %d)", name, len(b), llama2cV1HeaderLen)
		}
		fields = b[8 : 8+llama2cLegacyHeaderLen]
		h.Shared = b[8+llama2cLegacyHeaderLen] != 0
		h.DataOffset = llama2cV1HeaderLen
	}
	v := make([]int, 7)
	for i := range v {
		v[i] = int(int32(le.Uint32(fields[4*i:])))
	}
	h.Dim, h.HiddenDim, h.Layers, h.Heads, h.KVHeads, h.Vocab, h.SeqLen = v[0], v[1], v[2], v[3], v[4], v[5], v[6]
	if h.Version == 0 {
		h.Shared = h.Vocab > 0
		if h.Vocab < 0 {
			h.Vocab = -h.Vocab
		}
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"dim", h.Dim}, {"hidden_dim", h.HiddenDim}, {"n_layers", h.Layers}, {"n_heads", h.Heads},
		{"n_kv_heads", h.KVHeads}, {"vocab_size", h.Vocab}, {"seq_len", h.SeqLen},
	} {
		if f.v <= 0 || f.v > maxLlama2cDim {
			return nil, fmt.Errorf("weights: %s: llama2.c header field %s = %d out of range (1..%d)", name, f.name, f.v, maxLlama2cDim)
		}
	}
	if h.Dim%h.Heads != 0 || h.headSize()%2 != 0 {
		return nil, fmt.Errorf("weights: %s: llama2.c header: dim %d is not n_heads %d times an even head size", name, h.Dim, h.Heads)
	}
	if h.KVHeads > h.Heads || h.Heads%h.KVHeads != 0 {
		return nil, fmt.Errorf("weights: %s: llama2.c header: n_heads %d is not a multiple of n_kv_heads %d", name, h.Heads, h.KVHeads)
	}
	want, ok := h.fileSize()
	if !ok {
		return nil, fmt.Errorf("weights: %s: llama2.c header: dimensions overflow", name)
	}
	if size != want {
		return nil, fmt.Errorf("weights: %s: llama2.c header (dim %d, hidden_dim %d, n_layers %d, vocab_size %d, seq_len %d) implies %d bytes, file has %d",
			name, h.Dim, h.HiddenDim, h.Layers, h.Vocab, h.SeqLen, want, size)
	}
	return h, nil
}

// llama2cArray is one float32 array in a llama2.c checkpoint: a tensor for
// each layer (perLayer) or a single tensor, or skipped data (name "").
type llama2cArray struct {
	name     string
	perLayer bool
	shape    []uint64
}

// arrays lists the checkpoint's arrays in file order.
func (h *llama2cHeader) arrays() []llama2cArray {
	dim, hid, kv := uint64(h.Dim), uint64(h.HiddenDim), uint64(h.KVHeads*h.headSize())
	vocab := uint64(h.Vocab)
	a := map[string]llama2cArray{
		"token_embd":  {"token_embd.weight", false, []uint64{dim, vocab}},
		"attn_norm":   {"attn_norm.weight", true, []uint64{dim}},
		"attn_q":      {"attn_q.weight", true, []uint64{dim, dim}},
		"attn_k":      {"attn_k.weight", true, []uint64{dim, kv}},
		"attn_v":      {"attn_v.weight", true, []uint64{dim, kv}},
		"attn_output": {"attn_output.weight", true, []uint64{dim, dim}},
		"ffn_norm":    {"ffn_norm.weight", true, []uint64{dim}},
		"ffn_gate":    {"ffn_gate.weight", true, []uint64{dim, hid}},
		"ffn_down":    {"ffn_down.weight", true, []uint64{hid, dim}},
		"ffn_up":      {"ffn_up.weight", true, []uint64{dim, hid}},
		"output_norm": {"output_norm.weight", false, []uint64{dim}},
		"output":      {"output.weight", false, []uint64{dim, vocab}},
		// freq_cis_real and freq_cis_imag: seq_len*head_size/2 floats each.
		"freq_cis": {"", false, []uint64{uint64(h.SeqLen) * uint64(h.headSize())}},
	}
	var order []string
	if h.Version == 0 {
		order = []string{"token_embd", "attn_norm", "attn_q", "attn_k", "attn_v", "attn_output",
			"ffn_norm", "ffn_gate", "ffn_down", "ffn_up", "output_norm", "freq_cis"}
	} else {
		order = []string{"attn_norm", "ffn_norm", "output_norm", "token_embd",
			"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_down", "ffn_up"}
	}
	if !h.Shared {
		order = append(order, "output")
	}
	out := make([]llama2cArray, len(order))
	for i, k := range order {
		out[i] = a[k]
	}
	return out
}

// fileSize returns the size in bytes a checkpoint with this header has, and
// false if it overflows.
func (h *llama2cHeader) fileSize() (int64, bool) {
	total := uint64(h.DataOffset)
	for _, a := range h.arrays() {
		n := uint64(4)
		if a.perLayer {
			n *= uint64(h.Layers)
		}
		for _, d := range a.shape {
			if d != 0 && n > (1<<62)/d {
				return 0, false
			}
			n *= d
		}
		total += n
		if total > 1<<62 {
			return 0, false
		}
	}
	return int64(total), true
}

// sniffLlama2c claims .bin files and files whose first bytes are a versioned
// llama2.c magic or a plausible legacy header.
func sniffLlama2c(path string, head []byte, isDir bool) bool {
	if isDir {
		return false
	}
	if strings.EqualFold(filepath.Ext(path), ".bin") {
		return true
	}
	if len(head) >= 4 && binary.LittleEndian.Uint32(head) == llama2cMagic {
		return true
	}
	if len(head) < llama2cLegacyHeaderLen {
		return false
	}
	for i := 0; i < 7; i++ {
		v := int32(binary.LittleEndian.Uint32(head[4*i:]))
		if i == 5 && v < 0 {
			v = -v
		}
		if v <= 0 || v > maxLlama2cDim {
			return false
		}
	}
	return true
}

// openLlama2c opens a llama2.c checkpoint, mapping its float32 arrays as
// tensors without copying.
func openLlama2c(path string) (*File, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, fmt.Errorf("weights: %w", err)
	}
	f, err := llama2cFromBytes(path, data)
	if err != nil {
		unmap()
		return nil, err
	}
	f.OnClose(unmap)
	return f, nil
}

// llama2cFromBytes builds a File over a whole llama2.c checkpoint held in data.
func llama2cFromBytes(path string, data []byte) (*File, error) {
	h, err := parseLlama2cHeader(path, data, int64(len(data)))
	if err != nil {
		return nil, err
	}
	f := &File{Path: path, Format: "llama2c", Meta: llama2cMeta(path, h)}
	off := h.DataOffset
	for _, a := range h.arrays() {
		n := int64(4)
		for _, d := range a.shape {
			n *= int64(d)
		}
		if !a.perLayer {
			if a.name == "" {
				off += n // freq_cis_real and freq_cis_imag, unused
			} else {
				f.Tensors = append(f.Tensors, &Tensor{Name: a.name, Type: tensor.F32, Shape: a.shape, Data: data[off : off+n : off+n]})
				off += n
			}
			continue
		}
		for l := 0; l < h.Layers; l++ {
			f.Tensors = append(f.Tensors, &Tensor{
				Name: fmt.Sprintf("blk.%d.%s", l, a.name), Type: tensor.F32,
				Shape: append([]uint64(nil), a.shape...), Data: data[off : off+n : off+n],
			})
			off += n
		}
	}
	sortTensors(f.Tensors)
	f.indexTensors()
	return f, nil
}

// llama2cMeta describes a llama2.c checkpoint in GGUF keys. The values
// llama2.c fixes rather than stores (RoPE base, norm epsilon) are its
// run.c constants.
func llama2cMeta(path string, h *llama2cHeader) *gguf.Metadata {
	return LlamaHParams{
		Name: strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)), FileType: 0, // LLAMA_FTYPE_ALL_F32
		Vocab: h.Vocab, Context: h.SeqLen, Dim: h.Dim, FFN: h.HiddenDim, Layers: h.Layers,
		Heads: h.Heads, KVHeads: h.KVHeads, HeadDim: h.headSize(), RopeBase: 10000, NormEps: 1e-5,
	}.Metadata()
}
