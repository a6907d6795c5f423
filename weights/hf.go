package weights

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/herdllm/herd/tensor"
)

// sniffSafetensors claims Hugging Face directories (config.json beside
// safetensors weights), .safetensors files, and files that open with a
// safetensors header.
func sniffSafetensors(path string, head []byte, isDir bool) bool {
	if isDir {
		_, err := os.Stat(filepath.Join(path, "config.json"))
		return err == nil
	}
	if strings.EqualFold(filepath.Ext(path), ".safetensors") {
		return true
	}
	return len(head) > 9 && binary.LittleEndian.Uint64(head) <= maxSafetensorsHeader && head[8] == '{'
}

// hfTensor is a tensor as a safetensors file stores it.
type hfTensor struct {
	file string
	stTensor
	data []byte
}

// openHF opens a Hugging Face checkpoint: a directory with config.json and
// model.safetensors or a sharded model.safetensors.index.json, or a single
// .safetensors file with config.json beside it.
func openHF(path string) (*File, error) {
	dir, shards, weightMap := path, []string(nil), map[string]string(nil)
	if isDir(path) {
		var err error
		if shards, weightMap, err = hfShards(path); err != nil {
			return nil, err
		}
	} else {
		dir, shards = filepath.Dir(path), []string{path}
	}
	cfgPath := filepath.Join(dir, "config.json")
	if _, err := os.Stat(cfgPath); errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("weights: %s: safetensors weights need a config.json beside them", path)
	}
	cfg, err := readHFConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	f := &File{Path: path, Format: "safetensors"}
	raw := map[string]*hfTensor{}
	for _, shard := range shards {
		if err := mapShard(f, shard, raw); err != nil {
			f.Close()
			return nil, err
		}
	}
	for name, file := range weightMap {
		if rt, ok := raw[name]; !ok || filepath.Base(rt.file) != file {
			f.Close()
			return nil, fmt.Errorf("weights: %s: model.safetensors.index.json places %q in %s, which does not hold it", dir, name, file)
		}
	}
	if err := hfConvert(f, cfg, raw); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// hfShards lists the safetensors files of a checkpoint directory and, for a
// sharded one, its index's map from tensor name to file name.
func hfShards(dir string) ([]string, map[string]string, error) {
	single := filepath.Join(dir, "model.safetensors")
	if _, err := os.Stat(single); err == nil {
		return []string{single}, nil, nil
	}
	indexPath := filepath.Join(dir, "model.safetensors.index.json")
	b, err := os.ReadFile(indexPath)
	if err != nil {
		return nil, nil, fmt.Errorf("weights: %s: no model.safetensors or model.safetensors.index.json", dir)
	}
	var index struct {
		WeightMap map[string]string `json:"weight_map"`
	}
	if err := json.Unmarshal(b, &index); err != nil {
		return nil, nil, fmt.Errorf("weights: %s: %w", indexPath, err)
	}
	seen := map[string]bool{}
	var shards []string
	for tensorName, file := range index.WeightMap {
		if file == "" || filepath.Base(file) != file {
			return nil, nil, fmt.Errorf("weights: %s: weight_map entry %q names file %q outside the directory", indexPath, tensorName, file)
		}
		if !seen[file] {
			seen[file] = true
			shards = append(shards, filepath.Join(dir, file))
		}
	}
	if len(shards) == 0 {
		return nil, nil, fmt.Errorf("weights: %s: empty weight_map", indexPath)
	}
	sort.Strings(shards)
	return shards, index.WeightMap, nil
}

// mapShard maps one safetensors file and adds its tensors to raw.
func mapShard(f *File, path string, raw map[string]*hfTensor) error {
	data, unmap, err := mapFile(path)
	if err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	f.OnClose(unmap)
	h, err := parseSafetensorsHeader(path, data, int64(len(data)))
	if err != nil {
		return err
	}
	for _, t := range h.Tensors {
		if prev, dup := raw[t.Name]; dup {
			return fmt.Errorf("weights: tensor %q is in both %s and %s", t.Name, prev.file, path)
		}
		lo, hi := h.DataOffset+t.Begin, h.DataOffset+t.End
		raw[t.Name] = &hfTensor{file: path, stTensor: t, data: data[lo:hi:hi]}
	}
	return nil
}

// hfLayerNames maps a layer tensor's Hugging Face suffix to its GGUF suffix.
var hfLayerNames = map[string]string{
	"input_layernorm.weight":          "attn_norm.weight",
	"self_attn.q_proj.weight":         "attn_q.weight",
	"self_attn.k_proj.weight":         "attn_k.weight",
	"self_attn.v_proj.weight":         "attn_v.weight",
	"self_attn.o_proj.weight":         "attn_output.weight",
	"post_attention_layernorm.weight": "ffn_norm.weight",
	"mlp.gate_proj.weight":            "ffn_gate.weight",
	"mlp.up_proj.weight":              "ffn_up.weight",
	"mlp.down_proj.weight":            "ffn_down.weight",
}

// hfName returns the GGUF name of a Hugging Face tensor, "" for tensors
// that carry nothing a GGUF model needs, or an error for unknown ones.
func hfName(name string, layers int) (string, error) {
	switch name {
	case "model.embed_tokens.weight":
		return "token_embd.weight", nil
	case "model.norm.weight":
		return "output_norm.weight", nil
	case "lm_head.weight":
		return "output.weight", nil
	}
	if rest, ok := strings.CutPrefix(name, "model.layers."); ok {
		if num, suffix, ok := strings.Cut(rest, "."); ok {
			n, err := strconv.Atoi(num)
			if err != nil || n < 0 || n >= layers || strconv.Itoa(n) != num {
				return "", fmt.Errorf("tensor %q: layer %q outside 0..%d", name, num, layers-1)
			}
			if suffix == "self_attn.rotary_emb.inv_freq" {
				return "", nil // recomputed from rope_theta
			}
			if g, ok := hfLayerNames[suffix]; ok {
				return "blk." + num + "." + g, nil
			}
		}
	}
	return "", fmt.Errorf("tensor %q is not part of a Llama checkpoint", name)
}

// hfType maps a safetensors dtype to the ggml type herd keeps it in.
func hfType(dtype string) (tensor.Type, bool) {
	switch dtype {
	case "F32":
		return tensor.F32, true
	case "F16":
		return tensor.F16, true
	case "BF16":
		return tensor.BF16, true
	}
	return 0, false
}

// hfConvert fills f's tensors and metadata from the raw Hugging Face tensors.
func hfConvert(f *File, cfg *hfConfig, raw map[string]*hfTensor) error {
	names := make([]string, 0, len(raw))
	for n := range raw {
		names = append(names, n)
	}
	sort.Strings(names)
	typeCount := map[tensor.Type]int{}
	for _, hfn := range names {
		rt := raw[hfn]
		name, err := hfName(hfn, cfg.NumHiddenLayers)
		if err != nil {
			return fmt.Errorf("weights: %s: %w", rt.file, err)
		}
		if name == "" || (name == "output.weight" && cfg.tied()) {
			continue
		}
		typ, ok := hfType(rt.DType)
		if !ok {
			return fmt.Errorf("weights: %s: tensor %q: dtype %s not supported (want F32, F16 or BF16)", rt.file, hfn, rt.DType)
		}
		typeCount[typ]++
		t := &Tensor{Name: name, Type: typ, Shape: make([]uint64, len(rt.Shape)), Data: rt.data}
		for i, d := range rt.Shape {
			t.Shape[len(rt.Shape)-1-i] = d
		}
		switch {
		case strings.HasSuffix(name, ".attn_q.weight"):
			t.Data, err = unpermuteRows(rt.data, rt.Shape, cfg.NumAttentionHeads, uint64(typ.TypeSize()))
		case strings.HasSuffix(name, ".attn_k.weight"):
			t.Data, err = unpermuteRows(rt.data, rt.Shape, cfg.NumKeyValueHeads, uint64(typ.TypeSize()))
		}
		if err != nil {
			return fmt.Errorf("weights: %s: tensor %q: %w", rt.file, hfn, err)
		}
		f.Tensors = append(f.Tensors, t)
	}
	f.indexTensors()
	if err := checkLlamaTensors(f, cfg); err != nil {
		return err
	}
	dtype, most := tensor.F32, 0
	for _, typ := range []tensor.Type{tensor.F32, tensor.F16, tensor.BF16} {
		if typeCount[typ] > most {
			dtype, most = typ, typeCount[typ]
		}
	}
	meta, err := cfg.meta(f.Path, dtype)
	if err != nil {
		return err
	}
	f.Meta = meta
	if cfg.ropeScalingType() == "llama3" {
		freqs := cfg.llama3RopeFreqs()
		data := make([]byte, 4*len(freqs))
		for i, v := range freqs {
			binary.LittleEndian.PutUint32(data[4*i:], math.Float32bits(v))
		}
		f.Tensors = append(f.Tensors, &Tensor{Name: "rope_freqs.weight", Type: tensor.F32, Shape: []uint64{uint64(len(freqs))}, Data: data})
	}
	sortTensors(f.Tensors)
	f.indexTensors()
	return nil
}

// unpermuteRows undoes the row order Hugging Face's conversion gives the q
// and k projections, returning a copy in Meta's layout, where RoPE rotates
// adjacent pairs. Within each head, HF row c*half+i (c in {0,1}, i < half)
// is Meta row 2*i+c; this is convert_hf_to_gguf's permute:
// reshape(heads, 2, rows/heads/2, cols).swapaxes(1, 2).
func unpermuteRows(src []byte, shape []uint64, heads int, elemSize uint64) ([]byte, error) {
	if len(shape) != 2 {
		return nil, fmt.Errorf("shape %v is not a matrix", shape)
	}
	rows, cols := shape[0], shape[1]
	if heads <= 0 || rows%(2*uint64(heads)) != 0 {
		return nil, fmt.Errorf("%d rows do not split into %d heads of rotated pairs", rows, heads)
	}
	rowBytes := cols * elemSize
	headDim := rows / uint64(heads)
	half := headDim / 2
	dst := make([]byte, len(src))
	for h := uint64(0); h < uint64(heads); h++ {
		for c := uint64(0); c < 2; c++ {
			for i := uint64(0); i < half; i++ {
				from := (h*headDim + c*half + i) * rowBytes
				to := (h*headDim + 2*i + c) * rowBytes
				copy(dst[to:to+rowBytes], src[from:from+rowBytes])
			}
		}
	}
	return dst, nil
}

// checkLlamaTensors reports the first tensor a Llama model needs that f
// lacks, or one whose shape disagrees with the configuration.
func checkLlamaTensors(f *File, cfg *hfConfig) error {
	dim, ff := uint64(cfg.HiddenSize), uint64(cfg.IntermediateSize)
	q, kv := uint64(cfg.NumAttentionHeads*cfg.HeadDim), uint64(cfg.NumKeyValueHeads*cfg.HeadDim)
	want := map[string][]uint64{
		"token_embd.weight":  {dim, uint64(cfg.VocabSize)},
		"output_norm.weight": {dim},
	}
	for l := 0; l < cfg.NumHiddenLayers; l++ {
		p := "blk." + strconv.Itoa(l) + "."
		want[p+"attn_norm.weight"] = []uint64{dim}
		want[p+"attn_q.weight"] = []uint64{dim, q}
		want[p+"attn_k.weight"] = []uint64{dim, kv}
		want[p+"attn_v.weight"] = []uint64{dim, kv}
		want[p+"attn_output.weight"] = []uint64{q, dim}
		want[p+"ffn_norm.weight"] = []uint64{dim}
		want[p+"ffn_gate.weight"] = []uint64{dim, ff}
		want[p+"ffn_up.weight"] = []uint64{dim, ff}
		want[p+"ffn_down.weight"] = []uint64{ff, dim}
	}
	if _, ok := f.Tensor("output.weight"); ok {
		want["output.weight"] = []uint64{dim, uint64(cfg.VocabSize)}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		if t, ok := f.Tensor(name); ok && !slices.Equal(t.Shape, want[name]) {
			return fmt.Errorf("weights: %s: %s has shape %v, config.json implies %v", f.Path, name, t.Shape, want[name])
		}
	}
	for _, name := range keys {
		if _, ok := f.Tensor(name); !ok {
			return fmt.Errorf("weights: %s: checkpoint lacks %s", f.Path, name)
		}
	}
	return nil
}
