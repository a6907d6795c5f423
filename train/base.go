package train

import (
	"fmt"

	"github.com/herdllm/herd/weights"
)

// WeightsSource looks tensors up in a checkpoint opened by package weights.
func WeightsSource(f *weights.File) TensorSource {
	return func(name string) (SourceTensor, bool) {
		t, ok := f.Tensor(name)
		if !ok {
			return SourceTensor{}, false
		}
		return SourceTensor{Type: t.Type, Shape: t.Shape, Data: t.Data}, true
	}
}

// ConfigOf reads the shape of the Llama model in f.
func ConfigOf(f *weights.File) (Config, error) {
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

// OpenBase opens a model file (GGUF, llama2.c checkpoint or Hugging Face
// directory) as a frozen base for adapter training. The model uses the
// file's memory; close the returned file only when done with the model.
func OpenBase(path string, pool *Pool) (*Model, *weights.File, error) {
	f, err := weights.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("train: %w", err)
	}
	c, err := ConfigOf(f)
	if err == nil {
		var m *Model
		if m, err = LoadModel(c, WeightsSource(f), true, pool); err == nil {
			return m, f, nil
		}
	}
	f.Close()
	return nil, nil, fmt.Errorf("train: %s: %w", path, err)
}
