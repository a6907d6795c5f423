package lora

import (
	"fmt"

	"github.com/herdllm/herd/weights"
)

// Check reports whether a fits base: the same general.architecture, and
// every target naming a 2-D tensor of base whose shape is the update's
// (In values per row, Out rows). Errors name the adapter file and tensor.
func (a *Adapter) Check(base *weights.File) error {
	arch, _ := base.Meta.String("general.architecture")
	if arch != a.Architecture {
		return fmt.Errorf("lora: %s: general.architecture is %q but the base model %s is %q", a.Path, a.Architecture, base.Path, arch)
	}
	for _, t := range a.Targets {
		if t.Name == "token_embd.weight" {
			return fmt.Errorf("lora: %s: adapters of token_embd.weight are not supported", a.Path)
		}
		w, ok := base.Tensor(t.Name)
		if !ok {
			return fmt.Errorf("lora: %s: tensor %s adapts %s, which the base model %s does not have", a.Path, t.Name+SuffixA, t.Name, base.Path)
		}
		if len(w.Shape) != 2 || w.Shape[0] != uint64(t.In()) || w.Shape[1] != uint64(t.Out()) {
			return fmt.Errorf("lora: %s: the update of %s has shape [%d %d] (from %s [%d %d] and %s [%d %d]) but the base tensor has %v",
				a.Path, t.Name, t.In(), t.Out(), t.Name+SuffixA, t.In(), t.Rank(), t.Name+SuffixB, t.Rank(), t.Out(), w.Shape)
		}
	}
	return nil
}

// Scaled is an adapter applied with a user scale (1: as trained, 0: off).
type Scaled struct {
	Adapter *Adapter
	Scale   float64
}
