package weights

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

// llama2cLegacyHeader encodes a legacy llama2.c header.
func llama2cLegacyHeader(v ...int32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], uint32(x))
	}
	return b
}

// safetensorsFile encodes a safetensors file with the given JSON header and
// data section.
func safetensorsFile(header string, data []byte) []byte {
	b := binary.LittleEndian.AppendUint64(nil, uint64(len(header)))
	return append(append(b, header...), data...)
}

// writeTemp writes a file under a fresh temporary directory.
func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// wantOpenError opens path and checks the error names the file and contains
// each of the fragments.
func wantOpenError(t *testing.T, path string, fragments ...string) {
	t.Helper()
	f, err := Open(path)
	if err == nil {
		f.Close()
		t.Fatalf("Open(%s) succeeded", path)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "weights: ") || !strings.Contains(msg, filepath.Base(path)) {
		t.Errorf("error %q lacks the package prefix or the file name", msg)
	}
	for _, s := range fragments {
		if !strings.Contains(msg, s) {
			t.Errorf("error %q lacks %q", msg, s)
		}
	}
}

func TestLlama2cHostile(t *testing.T) {
	good, err := os.ReadFile(testdata.Path(t, "stories260K", "stories260K.bin"))
	if err != nil {
		t.Fatal(err)
	}
	big := llama2cLegacyHeader(1<<24, 1<<24, 1<<24, 1, 1, 1<<24, 1<<24)
	cases := []struct {
		name      string
		data      []byte
		fragments []string
	}{
		{"truncated.bin", good[:len(good)/2], []string{"implies 1056540 bytes"}},
		{"extended.bin", append(append([]byte(nil), good...), 0, 0, 0, 0), []string{"file has 1056544"}},
		{"short.bin", good[:10], []string{"truncated"}},
		{"empty.bin", nil, []string{"truncated"}},
		{"negdim.bin", llama2cLegacyHeader(-64, 172, 5, 8, 4, 512, 512), []string{"dim = -64"}},
		{"zeroheads.bin", llama2cLegacyHeader(64, 172, 5, 0, 4, 512, 512), []string{"n_heads = 0"}},
		{"gqa.bin", llama2cLegacyHeader(64, 172, 5, 8, 3, 512, 512), []string{"n_kv_heads 3"}},
		{"oddhead.bin", llama2cLegacyHeader(63, 172, 5, 7, 7, 512, 512), []string{"even head size"}},
		{"huge.bin", big, []string{"overflow"}},
		{"toolarge.bin", llama2cLegacyHeader(1<<30, 172, 5, 8, 4, 512, 512), []string{"out of range"}},
		{"v2.bin", llama2cLegacyHeader(llama2cMagic, 2, 64, 172, 5, 8, 4, 512, 512), []string{"version 2"}},
		{"v9.bin", llama2cLegacyHeader(llama2cMagic, 9, 0, 0, 0, 0, 0, 0, 0), []string{"version 9"}},
		{"v1short.bin", llama2cLegacyHeader(llama2cMagic, 1, 64, 172, 5, 8, 4, 512, 512), []string{"version 1 header truncated"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantOpenError(t, writeTemp(t, c.name, c.data), c.fragments...)
		})
	}
}

// TestLlama2cVersion1 rewrites the legacy checkpoint in the version 1 layout
// and checks both read the same.
func TestLlama2cVersion1(t *testing.T) {
	legacy := open(t, testdata.Path(t, "stories260K", "stories260K.bin"))
	hdr := make([]byte, llama2cV1HeaderLen)
	copy(hdr, llama2cLegacyHeader(llama2cMagic, 1, 64, 172, 5, 8, 4, 512, 512))
	hdr[36] = 1 // shared classifier
	out := hdr
	add := func(name string) {
		tn, ok := legacy.Tensor(name)
		if !ok {
			t.Fatalf("legacy checkpoint lacks %s", name)
		}
		out = append(out, tn.Data...)
	}
	perLayer := func(role string) {
		for l := 0; l < 5; l++ {
			add("blk." + string(rune('0'+l)) + "." + role + ".weight")
		}
	}
	perLayer("attn_norm")
	perLayer("ffn_norm")
	add("output_norm.weight")
	add("token_embd.weight")
	for _, r := range []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_down", "ffn_up"} {
		perLayer(r)
	}
	v1 := open(t, writeTemp(t, "v1.ckpt", out))
	if v1.Format != "llama2c" {
		t.Fatalf("format %q", v1.Format)
	}
	sameTensors(t, legacy, v1)
	sameHyperparameters(t, legacy, v1)
}

func TestSafetensorsHostile(t *testing.T) {
	data := make([]byte, 64)
	cases := []struct {
		name, header string
		fragments    []string
	}{
		{"pastEOF", `{"a":{"dtype":"F32","shape":[4,8],"data_offsets":[0,128]}}`, []string{"outside the 64-byte data section"}},
		{"overlap", `{"a":{"dtype":"F32","shape":[8],"data_offsets":[0,32]},"b":{"dtype":"F32","shape":[8],"data_offsets":[16,48]}}`, []string{"overlap"}},
		{"overflow", `{"a":{"dtype":"F32","shape":[4294967296,4294967296,16],"data_offsets":[0,64]}}`, []string{"overflows"}},
		{"mismatch", `{"a":{"dtype":"F16","shape":[8],"data_offsets":[0,32]}}`, []string{"needs 16 bytes"}},
		{"negative", `{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}`, []string{`tensor "a"`}},
		{"reversed", `{"a":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}}`, []string{"outside"}},
		{"dtype", `{"a":{"dtype":"F99","shape":[1],"data_offsets":[0,4]}}`, []string{`unknown dtype "F99"`}},
		{"nooffsets", `{"a":{"dtype":"F32","shape":[1]}}`, []string{"data_offsets"}},
		{"notjson", `{"a":`, []string{"safetensors header"}},
		{"array", `[1,2]`, []string{"safetensors header"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseSafetensorsHeader(c.name, safetensorsFile(c.header, data), int64(8+len(c.header)+len(data)))
			if err == nil {
				t.Fatal("parse succeeded")
			}
			for _, s := range append(c.fragments, c.name) {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
	t.Run("headerPastEOF", func(t *testing.T) {
		b := binary.LittleEndian.AppendUint64(nil, 1<<40)
		if _, err := parseSafetensorsHeader("x", b, 8); err == nil || !strings.Contains(err.Error(), "exceeds") {
			t.Errorf("err = %v", err)
		}
	})
}

// hfDir writes a Hugging Face directory with a tiny config and one tensor file.
func hfDir(t *testing.T, config, header string, data []byte) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(config), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "model.safetensors"), safetensorsFile(header, data), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestSafetensorsWithoutConfig(t *testing.T) {
	wantOpenError(t, writeTemp(t, "model.safetensors", safetensorsFile(tinyHFTensors, make([]byte, 4096))), "need a config.json")
}

func TestHFHostile(t *testing.T) {
	cases := []struct {
		name, config, header string
		fragments            []string
	}{
		{"dtype", tinyHFConfig, `{"model.embed_tokens.weight":{"dtype":"I32","shape":[3,4],"data_offsets":[0,48]}}`, []string{"dtype I32 not supported"}},
		{"missing", tinyHFConfig, `{"model.embed_tokens.weight":{"dtype":"F32","shape":[3,8],"data_offsets":[0,96]}}`, []string{"lacks"}},
		{"shape", tinyHFConfig, `{"model.embed_tokens.weight":{"dtype":"F32","shape":[4,3],"data_offsets":[0,48]}}`, []string{"token_embd.weight has shape [3 4]"}},
		{"unknown", tinyHFConfig, `{"model.layers.0.mlp.bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, []string{"not part of a Llama checkpoint"}},
		{"layer", tinyHFConfig, `{"model.layers.7.mlp.up_proj.weight":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, []string{"outside 0..0"}},
		{"arch", `{"model_type":"gpt2"}`, `{}`, []string{`model_type "gpt2"`}},
		{"heads", strings.Replace(tinyHFConfig, `"num_key_value_heads":1`, `"num_key_value_heads":3`, 1), `{}`, []string{"num_key_value_heads 3"}},
		{"rope", strings.Replace(tinyHFConfig, `"vocab_size":3`, `"vocab_size":3,"rope_scaling":{"type":"dynamic","factor":2}`, 1), tinyHFTensors, []string{`rope_scaling type "dynamic"`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := hfDir(t, c.config, c.header, make([]byte, 4096))
			f, err := Open(dir)
			if err == nil {
				f.Close()
				t.Fatal("Open succeeded")
			}
			for _, s := range c.fragments {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
		})
	}
}
