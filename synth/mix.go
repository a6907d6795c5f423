package synth

import (
	"fmt"
	"sort"
	"strings"

	"github.com/herdllm/herd/tensor"
)

// Mix is a file type as llama-quantize names it: the type most 2-D weights
// get, and the rules that give some tensors more bits.
type Mix struct {
	Name     string
	FileType uint32      // llama.cpp's general.file_type value
	Base     tensor.Type // type of most 2-D weights
	// KM marks the _K_M mixes: attn_v and ffn_down of some layers, and the
	// output head, get Q6_K.
	KM bool
	// Pure gives every 2-D weight the base type (no Q6_K output head).
	Pure bool
}

// Mixes lists the file types synth can write, by llama-quantize's name.
var Mixes = map[string]Mix{
	"F32":    {Name: "F32", FileType: 0, Base: tensor.F32, Pure: true},
	"F16":    {Name: "F16", FileType: 1, Base: tensor.F16, Pure: true},
	"BF16":   {Name: "BF16", FileType: 32, Base: tensor.BF16, Pure: true},
	"Q8_0":   {Name: "Q8_0", FileType: 7, Base: tensor.Q8_0, Pure: true},
	"Q4_0":   {Name: "Q4_0", FileType: 2, Base: tensor.Q4_0},
	"Q4_1":   {Name: "Q4_1", FileType: 3, Base: tensor.Q4_1},
	"Q5_0":   {Name: "Q5_0", FileType: 8, Base: tensor.Q5_0},
	"Q5_1":   {Name: "Q5_1", FileType: 9, Base: tensor.Q5_1},
	"Q4_K_M": {Name: "Q4_K_M", FileType: 15, Base: tensor.Q4_K, KM: true},
	"Q5_K_M": {Name: "Q5_K_M", FileType: 17, Base: tensor.Q5_K, KM: true},
	"Q6_K":   {Name: "Q6_K", FileType: 18, Base: tensor.Q6_K},
}

// LookupMix returns the file type called name (case-insensitive).
func LookupMix(name string) (Mix, error) {
	if m, ok := Mixes[strings.ToUpper(name)]; ok {
		return m, nil
	}
	names := make([]string, 0, len(Mixes))
	for n := range Mixes {
		names = append(names, n)
	}
	sort.Strings(names)
	return Mix{}, fmt.Errorf("synth: unknown type %q (known: %s)", name, strings.Join(names, ", "))
}

// useMoreBits is llama.cpp's choice of the layers that get more bits in the
// _K_M mixes: the first and last eighth, and every third one between.
func useMoreBits(layer, layers int) bool {
	return layer < layers/8 || layer >= 7*layers/8 || (layer-layers/8)%3 == 2
}

// typeFor returns the type of a 2-D weight in this mix. kind is the tensor's
// name without the block prefix (e.g. "attn_v.weight"); layer is -1 outside
// blocks; output says whether the tensor serves as the output head.
func (m Mix) typeFor(kind string, layer, layers int, output bool, rowLen int) tensor.Type {
	t := m.Base
	if !m.Pure && output && m.Base != tensor.F16 && m.Base != tensor.BF16 {
		t = tensor.Q6_K
	}
	if m.KM && layer >= 0 && (kind == "attn_v.weight" || kind == "ffn_down.weight") && useMoreBits(layer, layers) {
		t = tensor.Q6_K
	}
	return fallback(t, rowLen)
}

// fallback swaps a type whose blocks do not fit rows of rowLen elements for
// the nearest legacy type, as llama-quantize does.
func fallback(t tensor.Type, rowLen int) tensor.Type {
	if rowLen%t.BlockSize() == 0 {
		return t
	}
	switch t {
	case tensor.Q4_K:
		t = tensor.Q5_0
	case tensor.Q5_K:
		t = tensor.Q5_1
	case tensor.Q6_K:
		t = tensor.Q8_0
	}
	if rowLen%t.BlockSize() == 0 {
		return t
	}
	return tensor.F16
}
