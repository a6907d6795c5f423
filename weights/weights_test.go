package weights

import (
	"io/fs"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
)

// floats decodes a tensor to float32 values.
func floats(t *testing.T, tn *Tensor) []float32 {
	t.Helper()
	out := make([]float32, tn.Elements())
	if err := tensor.Dequantize(tn.Type, tn.Data, out); err != nil {
		t.Fatalf("%s: %v", tn.Name, err)
	}
	return out
}

// open opens path with Open and closes it when the test ends.
func open(t *testing.T, path string) *File {
	t.Helper()
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := f.Close(); err != nil {
			t.Error(err)
		}
	})
	return f
}

// sameTensors checks that got holds exactly want's tensors, bit for bit as
// float32. A tied classifier (output.weight absent) matches an explicit
// output.weight equal to token_embd.weight.
func sameTensors(t *testing.T, want, got *File) {
	t.Helper()
	resolve := func(f *File, name string) *Tensor {
		if tn, ok := f.Tensor(name); ok {
			return tn
		}
		if name == "output.weight" {
			tn, _ := f.Tensor("token_embd.weight")
			return tn
		}
		return nil
	}
	names := map[string]bool{}
	for _, f := range []*File{want, got} {
		for _, tn := range f.Tensors {
			names[tn.Name] = true
		}
	}
	for name := range names {
		a, b := resolve(want, name), resolve(got, name)
		if a == nil || b == nil {
			t.Errorf("%s: tensor %s in only one of %s (%v) and %s (%v)", name, name, want.Format, a != nil, got.Format, b != nil)
			continue
		}
		if !slices.Equal(a.Shape, b.Shape) {
			t.Errorf("%s: shape %v in %s, %v in %s", name, a.Shape, want.Format, b.Shape, got.Format)
			continue
		}
		fa, fb := floats(t, a), floats(t, b)
		for i := range fa {
			if math.Float32bits(fa[i]) != math.Float32bits(fb[i]) {
				t.Errorf("%s[%d]: %v in %s, %v in %s", name, i, fa[i], want.Format, fb[i], got.Format)
				break
			}
		}
	}
}

// hyperparameters are the keys every format of a Llama model must agree on.
var hyperparameters = []string{
	"general.architecture", "llama.embedding_length", "llama.feed_forward_length", "llama.block_count",
	"llama.attention.head_count", "llama.attention.head_count_kv", "llama.rope.dimension_count",
	"llama.attention.layer_norm_rms_epsilon",
}

func sameHyperparameters(t *testing.T, want, got *File) {
	t.Helper()
	for _, k := range hyperparameters {
		a, okA := want.Meta.Get(k)
		b, okB := got.Meta.Get(k)
		if !okA || !okB {
			t.Errorf("%s: present in %s %v, in %s %v", k, want.Format, okA, got.Format, okB)
			continue
		}
		if a.Type != b.Type || a.Value != b.Value {
			t.Errorf("%s: %v (%v) in %s, %v (%v) in %s", k, a.Value, a.Type, want.Format, b.Value, b.Type, got.Format)
		}
	}
}

func TestStories260KFormatsAgree(t *testing.T) {
	ref := open(t, testdata.Path(t, "stories260K", "stories260K-f32.gguf"))
	bin := open(t, testdata.Path(t, "stories260K", "stories260K.bin"))
	hf := open(t, testdata.Path(t, "stories260K", "hf"))
	st := open(t, testdata.Path(t, "stories260K", "hf", "model.safetensors"))
	for _, c := range []struct {
		f      *File
		format string
	}{{ref, "gguf"}, {bin, "llama2c"}, {hf, "safetensors"}, {st, "safetensors"}} {
		if c.f.Format != c.format {
			t.Errorf("%s: format %q, want %q", c.f.Path, c.f.Format, c.format)
		}
	}
	for _, f := range []*File{bin, hf, st} {
		t.Run(f.Format+"/"+filepath.Base(f.Path), func(t *testing.T) {
			sameTensors(t, ref, f)
			sameHyperparameters(t, ref, f)
			if _, ok := f.Tensor("output.weight"); ok {
				t.Error("tied classifier yields an output.weight tensor")
			}
			for _, k := range []string{"llama.context_length", "llama.vocab_size"} {
				if v, ok := f.Meta.Uint(k); !ok || v != 512 {
					t.Errorf("%s = %d, %v; want 512", k, v, ok)
				}
			}
			if v, ok := f.Meta.Float("llama.rope.freq_base"); !ok || v != 10000 {
				t.Errorf("llama.rope.freq_base = %v, %v; want 10000", v, ok)
			}
		})
	}
	if v, _ := bin.Meta.Uint("general.file_type"); v != 0 {
		t.Errorf("llama2c general.file_type = %d, want 0 (F32)", v)
	}
}

// TestLlama2cNoCopy checks that llama2.c tensors alias one mapping, in order.
func TestLlama2cNoCopy(t *testing.T) {
	f := open(t, testdata.Path(t, "stories260K", "stories260K.bin"))
	emb, _ := f.Tensor("token_embd.weight")
	norm, _ := f.Tensor("blk.0.attn_norm.weight")
	if len(emb.Data) != 512*64*4 {
		t.Fatalf("token_embd.weight holds %d bytes", len(emb.Data))
	}
	// In the legacy layout rms_att_weight directly follows the embedding table.
	end := &emb.Data[len(emb.Data)-1]
	next := &norm.Data[0]
	if uintptrOf(next)-uintptrOf(end) != 1 {
		t.Error("blk.0.attn_norm.weight does not directly follow token_embd.weight in the mapping")
	}
}

func TestEveryGGUFOpens(t *testing.T) {
	root := testdata.Path(t)
	n := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".gguf") {
			return err
		}
		n++
		f, err := Open(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		if f.Format != "gguf" {
			t.Errorf("%s: format %q", path, f.Format)
		}
		for _, tn := range f.Tensors {
			size, err := tn.Type.Bytes(tn.Shape)
			if err != nil || int64(len(tn.Data)) != size {
				t.Errorf("%s: %s: %d bytes, want %d (%v)", path, tn.Name, len(tn.Data), size, err)
			}
		}
		return f.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no GGUF files found")
	}
}

func TestFormats(t *testing.T) {
	got := strings.Join(Formats(), ",")
	if !strings.HasPrefix(got, "gguf,safetensors,llama2c") {
		t.Errorf("Formats() = %s", got)
	}
}

// TestRegisterFormat adds a format and checks Open dispatches to it.
func TestRegisterFormat(t *testing.T) {
	RegisterFormat(Format{
		Name:  "test-magic",
		Sniff: func(_ string, head []byte, _ bool) bool { return strings.HasPrefix(string(head), "HERDTEST") },
		Open: func(path string) (*File, error) {
			f := NewFile(path, "test-magic", nil, []*Tensor{{Name: "x", Type: tensor.F32, Shape: []uint64{1}, Data: make([]byte, 4)}})
			f.OnClose(func() error { return nil })
			return f, nil
		},
	})
	f := open(t, writeTemp(t, "model.test", []byte("HERDTEST and then some")))
	if f.Format != "test-magic" {
		t.Fatalf("format %q", f.Format)
	}
	if _, ok := f.Tensor("x"); !ok {
		t.Error("tensor x not found")
	}
	if s := Describe(f); s.Parameters != 1 || s.Architecture != "" {
		t.Errorf("Describe without metadata: %+v", s)
	}
	if _, err := Open(writeTemp(t, "model.unknown", []byte("nothing to see"))); err == nil || !strings.Contains(err.Error(), "unrecognised") {
		t.Errorf("unknown format: err = %v", err)
	}
}
