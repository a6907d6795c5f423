package train

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// Checkpoint keys and tensor-name prefixes for optimizer state.
const (
	keyStep       = "training.step"
	keyOptions    = "training.options"
	prefixMoment1 = "optimizer.m."
	prefixMoment2 = "optimizer.v."
)

// SaveCheckpoint writes meta and tensors (a model's or an adapter's, from
// Model.GGUF or Model.AdapterGGUF) plus the optimizer's moments, its step and
// the run's options to path, so that training can resume from it. The file
// is written to a temporary name first and renamed, so an interrupted save
// leaves the previous checkpoint intact.
func (t *Trainer) SaveCheckpoint(path string, meta *gguf.Metadata, tensors []gguf.WriteTensor) error {
	opts, err := json.Marshal(t.Options)
	if err != nil {
		return fmt.Errorf("train: checkpoint options: %w", err)
	}
	meta.Set(keyStep, uint64(t.Opt.Step))
	meta.Set(keyOptions, string(opts))
	for i, p := range t.params {
		tensors = append(tensors,
			gguf.WriteTensor{Name: prefixMoment1 + p.Name, Shape: p.Shape(), Type: tensor.F32, Data: f32Bytes(t.Opt.M[i])},
			gguf.WriteTensor{Name: prefixMoment2 + p.Name, Shape: p.Shape(), Type: tensor.F32, Data: f32Bytes(t.Opt.V[i])})
	}
	tmp := path + ".tmp"
	if err := gguf.WriteFile(tmp, meta, tensors); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("train: checkpoint %s: %w", path, err)
	}
	return nil
}

// Restore loads the optimizer state and step of a checkpoint written by
// SaveCheckpoint. The model's weights (or adapters) must already have been
// loaded from the same file (LoadModel with GGUFSource, or LoadAdapter).
func (t *Trainer) Restore(f *gguf.File) error {
	step, ok := f.Meta.Uint(keyStep)
	if !ok {
		return fmt.Errorf("train: %s: %s missing; not a checkpoint", f.Path, keyStep)
	}
	src := GGUFSource(f)
	for i, p := range t.params {
		for _, part := range []struct {
			prefix string
			dst    []float32
		}{{prefixMoment1, t.Opt.M[i]}, {prefixMoment2, t.Opt.V[i]}} {
			st, ok := src(part.prefix + p.Name)
			if !ok || st.Type != tensor.F32 || len(st.Data) != 4*len(part.dst) {
				return fmt.Errorf("train: %s: optimizer state %s%s missing or mis-sized", f.Path, part.prefix, p.Name)
			}
			copy(part.dst, f32View(st.Data))
		}
	}
	t.Opt.Step = int(step)
	return nil
}

// CheckpointOptions returns the options a checkpoint was saved with.
func CheckpointOptions(f *gguf.File) (Options, error) {
	var o Options
	s, ok := f.Meta.String(keyOptions)
	if !ok {
		return o, fmt.Errorf("train: %s: %s missing; not a checkpoint", f.Path, keyOptions)
	}
	if err := json.Unmarshal([]byte(s), &o); err != nil {
		return o, fmt.Errorf("train: %s: %s: %w", f.Path, keyOptions, err)
	}
	return o, nil
}
