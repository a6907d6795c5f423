package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/weights"
)

// LoRA names a low-rank adapter file (llama.cpp's GGUF layout) to apply at
// run time with a scale: 1 applies it as trained, 0 turns it off.
type LoRA struct {
	Path  string
	Scale float64
}

// ParseLoRA reads "FILE" (scale 1) or "FILE:SCALE", the form of herd's
// --lora flag. A colon followed by anything but a number is part of FILE.
func ParseLoRA(s string) (LoRA, error) {
	if i := strings.LastIndexByte(s, ':'); i >= 0 {
		if scale, err := strconv.ParseFloat(s[i+1:], 64); err == nil {
			if math.IsNaN(scale) || math.IsInf(scale, 0) {
				return LoRA{}, fmt.Errorf("engine: adapter %q: scale must be a finite number", s)
			}
			if i == 0 {
				return LoRA{}, fmt.Errorf("engine: adapter %q: no file", s)
			}
			return LoRA{Path: s[:i], Scale: scale}, nil
		}
	}
	if s == "" {
		return LoRA{}, fmt.Errorf("engine: empty adapter name")
	}
	return LoRA{Path: s, Scale: 1}, nil
}

// LoRAError is why Load could not use an adapter: its file is missing or
// is not an adapter, or the adapter does not fit the model (another
// architecture, other tensor shapes). Servers answer it as a bad request.
type LoRAError struct {
	Path string // the adapter file
	Err  error
}

func (e *LoRAError) Error() string { return "engine: " + e.Err.Error() }

// Unwrap returns the cause.
func (e *LoRAError) Unwrap() error { return e.Err }

// openLoRA reads the adapter files into memory.
func openLoRA(list []LoRA) ([]lora.Scaled, error) {
	var out []lora.Scaled
	for _, l := range list {
		a, err := lora.Open(l.Path)
		if err != nil {
			return nil, &LoRAError{Path: l.Path, Err: err}
		}
		out = append(out, lora.Scaled{Adapter: a, Scale: l.Scale})
	}
	return out, nil
}

// checkLoRA checks that every adapter fits the model file f.
func checkLoRA(f *weights.File, adapters []lora.Scaled) error {
	for _, a := range adapters {
		if err := a.Adapter.Check(f); err != nil {
			return &LoRAError{Path: a.Adapter.Path, Err: err}
		}
	}
	return nil
}
