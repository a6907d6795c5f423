package engine

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/herdllm/herd/lora"
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

// openLoRA reads the adapter files into memory.
func openLoRA(list []LoRA) ([]lora.Scaled, error) {
	var out []lora.Scaled
	for _, l := range list {
		a, err := lora.Open(l.Path)
		if err != nil {
			return nil, fmt.Errorf("engine: %w", err)
		}
		out = append(out, lora.Scaled{Adapter: a, Scale: l.Scale})
	}
	return out, nil
}
