package weights

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"math"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
)

func TestDescribeStories260K(t *testing.T) {
	for _, elem := range [][]string{
		{"stories260K", "stories260K-f32.gguf"}, {"stories260K", "stories260K-q8_0.gguf"},
		{"stories260K", "stories260K.bin"}, {"stories260K", "hf"},
	} {
		t.Run(filepath.Join(elem...), func(t *testing.T) {
			s := Describe(open(t, testdata.Path(t, elem...)))
			if s.Architecture != "llama" || s.BlockCount != 5 || s.HeadCount != 8 || s.HeadCountKV != 4 ||
				s.VocabSize != 512 || s.EmbeddingLength != 64 || s.FeedForwardLength != 172 {
				t.Errorf("summary %+v", s)
			}
			if s.Rope.FreqBase != 10000 || s.Rope.DimensionCount != 8 || s.Rope.Scaling.Type != "none" {
				t.Errorf("rope %+v", s.Rope)
			}
		})
	}
	s := Describe(open(t, testdata.Path(t, "stories260K", "stories260K-f32.gguf")))
	if s.VocabType != "llama" || s.BOSTokenID == nil || *s.BOSTokenID != 1 || s.BOSToken != "<s>" ||
		s.EOSTokenID == nil || *s.EOSTokenID != 2 || s.EOSToken != "</s>" || s.EOTTokenID != nil || s.ChatTemplate {
		t.Errorf("vocabulary: %+v", s)
	}
	// 48 tensors: the converter writes output.weight although the classifier is shared.
	if s.Parameters != 64*512*2+64+5*(2*64+64*64*2+64*32*2+64*172*3) || len(s.Tensors) != 48 {
		t.Errorf("parameters %d, %d tensors", s.Parameters, len(s.Tensors))
	}
	if s.TypeMix["F32"].Tensors != 48 || s.TypeMix["F32"].Bytes != 4*int64(s.Parameters) || s.FileType != "F32 (guessed)" {
		t.Errorf("type mix %+v, file type %q", s.TypeMix, s.FileType)
	}
}

func TestDescribeLlama3Vocab(t *testing.T) {
	s := Describe(open(t, testdata.Path(t, "vocab", "ggml-vocab-llama-bpe.gguf")))
	if s.VocabSize != 128256 || s.VocabType != "gpt2" || s.Parameters != 0 || len(s.Tensors) != 0 {
		t.Errorf("vocab %q size %d, %d parameters, %d tensors", s.VocabType, s.VocabSize, s.Parameters, len(s.Tensors))
	}
	if s.BOSTokenID == nil || s.BOSToken != "<|begin_of_text|>" {
		t.Errorf("BOS %v %q", s.BOSTokenID, s.BOSToken)
	}
	if s.EOTTokenID == nil || s.EOTToken != "<|eot_id|>" || *s.EOTTokenID != 128009 {
		t.Errorf("EOT %v %q", s.EOTTokenID, s.EOTToken)
	}
}

func TestDescribeLlama3RopeFreqs(t *testing.T) {
	s := Describe(open(t, testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf")))
	if !s.Rope.Scaling.FreqFactors || s.Rope.FreqBase != 500000 || s.Rope.DimensionCount != 16 || !s.ChatTemplate || s.FileType != "Q8_0" {
		t.Errorf("summary %+v", s)
	}
}

// TestDescribeEveryGGUF describes, prints and encodes every GGUF in the test
// data, the vocabulary-only files and the quantization oracle included.
func TestDescribeEveryGGUF(t *testing.T) {
	root := testdata.Path(t)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".gguf") {
			return err
		}
		f, err := Open(path)
		if err != nil {
			t.Error(err)
			return nil
		}
		defer f.Close()
		s := Describe(f)
		var text bytes.Buffer
		if err := s.WriteText(&text, true); err != nil {
			t.Errorf("%s: %v", path, err)
		}
		if !strings.Contains(text.String(), "Tensors by type") {
			t.Errorf("%s: text output lacks the type mix:\n%s", path, text.String())
		}
		b, err := json.Marshal(s)
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return nil
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"architecture", "parameters", "file_type", "context_length", "embedding_length",
			"block_count", "head_count", "head_count_kv", "feed_forward_length", "rope", "vocab_type", "vocab_size",
			"bos_token_id", "eos_token_id", "eot_token_id", "chat_template", "type_mix", "tensors"} {
			if _, ok := m[k]; !ok {
				t.Errorf("%s: JSON lacks %q", path, k)
			}
		}
		if ts, ok := m["tensors"].([]any); !ok || len(ts) != len(f.Tensors) {
			t.Errorf("%s: JSON tensors %T with %d entries, want %d", path, m["tensors"], len(ts), len(f.Tensors))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestDescribeProvenance checks that adapter and training keys, and values
// JSON cannot hold as numbers, come through.
func TestDescribeProvenance(t *testing.T) {
	m := gguf.NewMetadata()
	m.Set("general.architecture", "llama")
	m.Set("general.type", "adapter")
	m.Set("adapter.type", "lora")
	m.Set("adapter.lora.alpha", float32(16))
	m.Set("training.steps", uint32(200))
	m.Set("training.loss", []float32{1.5, 1.25})
	m.Set("general.tags", []string{"a", "b"})
	m.Set("general.bytes", []uint8{1, 2})
	m.Set("llama.rope.freq_base", float32(math.NaN()))
	s := Describe(&File{Path: "adapter.gguf", Format: "gguf", Meta: m})
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"adapter.type":"lora"`, `"adapter.lora.alpha":16`, `"training.steps":200`,
		`"general.tags":["a","b"]`, `"general.bytes":[1,2]`, `"training.loss":"[1.5, 1.25]"`} {
		if !bytes.Contains(b, []byte(want)) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var text bytes.Buffer
	if err := s.WriteText(&text, false); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text.String(), "adapter.type") || !strings.Contains(text.String(), "training.steps") {
		t.Errorf("text lacks the provenance keys:\n%s", text.String())
	}
}
