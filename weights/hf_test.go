package weights

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
)

// tinyHF describes a small Llama checkpoint: hidden 8, 2 heads of 4, 1 KV
// head, ffn 16, vocab 3, one layer.
const tinyHFConfig = `{"model_type":"llama","hidden_size":8,"intermediate_size":16,"num_hidden_layers":1,
"num_attention_heads":2,"num_key_value_heads":1,"vocab_size":3,"max_position_embeddings":16,
"rope_theta":500000.0,"rms_norm_eps":1e-6,"bos_token_id":1,"eos_token_id":[2,5]}`

// tinyHFShapes are the tiny checkpoint's tensors in Hugging Face's shapes.
var tinyHFShapes = []struct {
	name  string
	shape []uint64
}{
	{"model.embed_tokens.weight", []uint64{3, 8}},
	{"model.norm.weight", []uint64{8}},
	{"model.layers.0.input_layernorm.weight", []uint64{8}},
	{"model.layers.0.self_attn.q_proj.weight", []uint64{8, 8}},
	{"model.layers.0.self_attn.k_proj.weight", []uint64{4, 8}},
	{"model.layers.0.self_attn.v_proj.weight", []uint64{4, 8}},
	{"model.layers.0.self_attn.o_proj.weight", []uint64{8, 8}},
	{"model.layers.0.post_attention_layernorm.weight", []uint64{8}},
	{"model.layers.0.mlp.gate_proj.weight", []uint64{16, 8}},
	{"model.layers.0.mlp.up_proj.weight", []uint64{16, 8}},
	{"model.layers.0.mlp.down_proj.weight", []uint64{8, 16}},
}

// tinyHFShards encodes the tiny checkpoint in dtype as safetensors files,
// split round-robin over n shards; element k of every tensor holds the
// value k. It returns the files' contents and the weight map.
func tinyHFShards(dtype string, n int) ([][]byte, map[string]string) {
	headers := make([]map[string]any, n)
	datas := make([][]byte, n)
	weightMap := map[string]string{}
	for i := range headers {
		headers[i] = map[string]any{"__metadata__": map[string]string{"format": "pt"}}
	}
	for i, ts := range tinyHFShapes {
		s := i % n
		elems := uint64(1)
		for _, d := range ts.shape {
			elems *= d
		}
		begin := len(datas[s])
		for k := uint64(0); k < elems; k++ {
			v := float32(k)
			switch dtype {
			case "F32":
				datas[s] = binary.LittleEndian.AppendUint32(datas[s], math.Float32bits(v))
			case "F16":
				datas[s] = binary.LittleEndian.AppendUint16(datas[s], tensor.F32ToF16(v))
			case "BF16":
				datas[s] = binary.LittleEndian.AppendUint16(datas[s], tensor.F32ToBF16(v))
			}
		}
		headers[s][ts.name] = map[string]any{"dtype": dtype, "shape": ts.shape, "data_offsets": []int{begin, len(datas[s])}}
		weightMap[ts.name] = fmt.Sprintf("model-%05d-of-%05d.safetensors", s+1, n)
	}
	files := make([][]byte, n)
	for i := range files {
		h, _ := json.Marshal(headers[i])
		files[i] = safetensorsFile(string(h), datas[i])
	}
	return files, weightMap
}

// tinyHFTensors is the tiny checkpoint's F32 safetensors header.
var tinyHFTensors = func() string {
	files, _ := tinyHFShards("F32", 1)
	n := binary.LittleEndian.Uint64(files[0])
	return string(files[0][8 : 8+n])
}()

// writeHF writes the tiny checkpoint into a fresh directory, sharded when
// n > 1, with config as its config.json.
func writeHF(t *testing.T, config, dtype string, n int) string {
	t.Helper()
	dir := t.TempDir()
	files, weightMap := tinyHFShards(dtype, n)
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("config.json", []byte(config))
	if n == 1 {
		write("model.safetensors", files[0])
		return dir
	}
	for i, b := range files {
		write(fmt.Sprintf("model-%05d-of-%05d.safetensors", i+1, n), b)
	}
	index, _ := json.Marshal(map[string]any{"metadata": map[string]any{}, "weight_map": weightMap})
	write("model.safetensors.index.json", index)
	return dir
}

func TestHFDtypesAndShards(t *testing.T) {
	for _, c := range []struct {
		dtype    string
		shards   int
		typ      tensor.Type
		fileType uint64
	}{
		{"F32", 1, tensor.F32, 0}, {"F16", 3, tensor.F16, 1}, {"BF16", 2, tensor.BF16, 32},
	} {
		t.Run(fmt.Sprintf("%s-%d", c.dtype, c.shards), func(t *testing.T) {
			f := open(t, writeHF(t, tinyHFConfig, c.dtype, c.shards))
			if got, _ := f.Meta.Uint("general.file_type"); got != c.fileType {
				t.Errorf("general.file_type = %d, want %d", got, c.fileType)
			}
			if len(f.Tensors) != len(tinyHFShapes) {
				t.Errorf("%d tensors, want %d", len(f.Tensors), len(tinyHFShapes))
			}
			if f.Tensors[0].Name != "token_embd.weight" || f.Tensors[1].Name != "output_norm.weight" {
				t.Errorf("tensors start %s, %s", f.Tensors[0].Name, f.Tensors[1].Name)
			}
			for _, tn := range f.Tensors {
				if tn.Type != c.typ {
					t.Errorf("%s: type %v, want %v", tn.Name, tn.Type, c.typ)
				}
			}
			// Within each head the rows (c, i) → 2i+c: HF rows 0,1,2,3 are Meta rows 0,2,1,3.
			for name, rows := range map[string][]int{
				"blk.0.attn_q.weight": {0, 2, 1, 3, 4, 6, 5, 7},
				"blk.0.attn_k.weight": {0, 2, 1, 3},
				"blk.0.attn_v.weight": {0, 1, 2, 3},
			} {
				tn, _ := f.Tensor(name)
				if !slices.Equal(tn.Shape, []uint64{8, uint64(len(rows))}) {
					t.Fatalf("%s: shape %v", name, tn.Shape)
				}
				got := floats(t, tn)
				for r, from := range rows {
					if got[r*8] != float32(from*8) {
						t.Errorf("%s: row %d starts %v, want HF row %d (%d)", name, r, got[r*8], from, from*8)
					}
				}
			}
			for key, want := range map[string]float64{
				"llama.rope.freq_base": 500000, "llama.attention.layer_norm_rms_epsilon": float64(float32(1e-6)),
				"llama.context_length": 16, "llama.rope.dimension_count": 4, "llama.attention.head_count_kv": 1,
				"tokenizer.ggml.bos_token_id": 1, "tokenizer.ggml.eos_token_id": 2, "llama.vocab_size": 3,
			} {
				if got, ok := f.Meta.Float(key); !ok || got != want {
					t.Errorf("%s = %v, %v; want %v", key, got, ok, want)
				}
			}
		})
	}
}

func TestHFLinearScalingAndUntied(t *testing.T) {
	config := strings.Replace(tinyHFConfig, `"vocab_size":3`,
		`"vocab_size":3,"tie_word_embeddings":true,"rope_scaling":{"type":"linear","factor":4.0}`, 1)
	f := open(t, writeHF(t, config, "F32", 1))
	if s, _ := f.Meta.String("llama.rope.scaling.type"); s != "linear" {
		t.Errorf("llama.rope.scaling.type = %q", s)
	}
	if v, _ := f.Meta.Float("llama.rope.scaling.factor"); v != 4 {
		t.Errorf("llama.rope.scaling.factor = %v", v)
	}
}

// TestLlama3RopeFreqs checks the rope_freqs computed for a Llama 3.1 config
// against the tensor convert_hf_to_gguf's formula gave the synthetic model.
func TestLlama3RopeFreqs(t *testing.T) {
	g := open(t, testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"))
	want, ok := g.Tensor("rope_freqs.weight")
	if !ok {
		t.Fatal("no rope_freqs.weight")
	}
	var cfg hfConfig
	if err := json.Unmarshal([]byte(`{"rope_theta":500000.0,"head_dim":16,"rope_scaling":{"rope_type":"llama3",
		"factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}}`), &cfg); err != nil {
		t.Fatal(err)
	}
	got := cfg.llama3RopeFreqs()
	wantF := floats(t, want)
	if len(got) != len(wantF) {
		t.Fatalf("%d factors, want %d", len(got), len(wantF))
	}
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(wantF[i]) {
			t.Errorf("rope_freqs[%d] = %v, want %v", i, got[i], wantF[i])
		}
	}

	config := strings.Replace(tinyHFConfig, `"vocab_size":3`,
		`"vocab_size":3,"rope_scaling":{"rope_type":"llama3","factor":8.0,"low_freq_factor":1.0,"high_freq_factor":4.0,"original_max_position_embeddings":8192}`, 1)
	f := open(t, writeHF(t, config, "BF16", 1))
	if tn, ok := f.Tensor("rope_freqs.weight"); !ok || !slices.Equal(tn.Shape, []uint64{2}) || tn.Type != tensor.F32 {
		t.Errorf("rope_freqs.weight = %+v, %v", tn, ok)
	}
}

func TestHFBadIndex(t *testing.T) {
	for _, c := range []struct{ name, index, want string }{
		{"escape", `{"weight_map":{"model.norm.weight":"../model-00001-of-00002.safetensors"}}`, "outside the directory"},
		{"misplaced", `{"weight_map":{"model.norm.weight":"model-00001-of-00002.safetensors","model.embed_tokens.weight":"model-00002-of-00002.safetensors"}}`, "does not hold it"},
		{"empty", `{"weight_map":{}}`, "empty weight_map"},
		{"json", `{"weight_map":`, "index.json"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := writeHF(t, tinyHFConfig, "F32", 2)
			if err := os.WriteFile(filepath.Join(dir, "model.safetensors.index.json"), []byte(c.index), 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := Open(dir)
			if err == nil {
				f.Close()
				t.Fatal("Open succeeded")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q lacks %q", err, c.want)
			}
		})
	}
}
