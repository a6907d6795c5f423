package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// LoRAOptions choose where adapters go and how they are shaped.
type LoRAOptions struct {
	Rank    int
	Alpha   float64
	Dropout float32
	// Targets are tensor kinds to adapt: attn_q, attn_k, attn_v, attn_output,
	// ffn_gate, ffn_up, ffn_down. Empty means the four attention matrices.
	Targets []string
}

// DefaultLoRATargets are the attention projections.
var DefaultLoRATargets = []string{"attn_q", "attn_k", "attn_v", "attn_output"}

// AllLoRATargets adds the feed-forward matrices to DefaultLoRATargets.
var AllLoRATargets = []string{"attn_q", "attn_k", "attn_v", "attn_output", "ffn_gate", "ffn_up", "ffn_down"}

// AddLoRA freezes every weight of m and attaches fresh adapters (A drawn
// uniformly in ±1/√in, B zero, so that the model starts unchanged) to the
// targeted matrices of every block.
func (m *Model) AddLoRA(o LoRAOptions, seed uint64) error {
	if o.Rank <= 0 {
		return fmt.Errorf("train: LoRA rank %d must be positive", o.Rank)
	}
	if o.Alpha == 0 {
		o.Alpha = float64(o.Rank)
	}
	targets := o.Targets
	if len(targets) == 0 {
		targets = DefaultLoRATargets
	}
	want := map[string]bool{}
	for _, t := range targets {
		if !contains(AllLoRATargets, t) {
			return fmt.Errorf("train: unknown LoRA target %q (want one of %s)", t, strings.Join(AllLoRATargets, ", "))
		}
		want[t] = true
	}
	for _, p := range m.Tensors() {
		p.G = nil
	}
	rng := rand.New(rand.NewPCG(seed, 0x10ba))
	for l := range m.Blocks {
		b := &m.Blocks[l]
		for _, p := range []*Param{b.Q, b.K, b.V, b.O, b.Gate, b.Up, b.Down} {
			if !want[kindOf(p.Name)] {
				continue
			}
			bound := 1 / math.Sqrt(float64(p.Cols))
			a := &Param{Name: p.Name + ".lora_a", Rows: o.Rank, Cols: p.Cols, W: make([]float32, o.Rank*p.Cols), G: make([]float32, o.Rank*p.Cols)}
			for i := range a.W {
				a.W[i] = float32((2*rng.Float64() - 1) * bound)
			}
			bb := &Param{Name: p.Name + ".lora_b", Rows: p.Rows, Cols: o.Rank, W: make([]float32, p.Rows*o.Rank), G: make([]float32, p.Rows*o.Rank)}
			p.LoRA = &LoRA{A: a, B: bb, Scale: float32(o.Alpha / float64(o.Rank)), Dropout: o.Dropout}
		}
	}
	return nil
}

// kindOf returns "attn_q" for "blk.3.attn_q.weight".
func kindOf(name string) string {
	parts := strings.Split(name, ".")
	if len(parts) < 3 {
		return name
	}
	return parts[2]
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Adapters lists the adapted tensors in model order.
func (m *Model) Adapters() []*Param {
	var ps []*Param
	for _, p := range m.Tensors() {
		if p.LoRA != nil {
			ps = append(ps, p)
		}
	}
	return ps
}

// AdapterGGUF returns a llama.cpp LoRA adapter: general.type "adapter",
// adapter.type "lora", adapter.lora.alpha, and for each adapted W the F32
// tensors W.lora_a (ne [in, rank]) and W.lora_b (ne [rank, out]). extra's
// keys (provenance) are appended after the adapter keys.
func (m *Model) AdapterGGUF(name string, extra *gguf.Metadata) (*gguf.Metadata, []gguf.WriteTensor, error) {
	ad := m.Adapters()
	if len(ad) == 0 {
		return nil, nil, fmt.Errorf("train: the model has no adapters")
	}
	l := ad[0].LoRA
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "llama")
	meta.Set("general.type", "adapter")
	meta.Set("general.name", name)
	meta.Set("adapter.type", "lora")
	meta.Set("adapter.lora.alpha", l.Scale*float32(l.A.Rows))
	if extra != nil {
		for _, kv := range extra.KVs() {
			meta.Set(kv.Key, kv)
		}
	}
	var ts []gguf.WriteTensor
	for _, p := range ad {
		for _, t := range []*Param{p.LoRA.A, p.LoRA.B} {
			ts = append(ts, gguf.WriteTensor{Name: t.Name, Shape: t.Shape(), Type: tensor.F32, Data: f32Bytes(t.W)})
		}
	}
	return meta, ts, nil
}

// SaveAdapter writes the adapters as a llama.cpp LoRA GGUF file.
func (m *Model) SaveAdapter(path, name string, extra *gguf.Metadata) error {
	meta, ts, err := m.AdapterGGUF(name, extra)
	if err != nil {
		return err
	}
	if err := gguf.WriteFile(path, meta, ts); err != nil {
		return fmt.Errorf("train: %s: %w", path, err)
	}
	return nil
}

// LoadAdapter attaches the adapters of a llama.cpp LoRA GGUF file (as
// SaveAdapter writes) to m, trainable, freezing the base weights.
func (m *Model) LoadAdapter(f *gguf.File) error {
	if t, _ := f.Meta.String("adapter.type"); t != "lora" {
		return fmt.Errorf("train: %s: adapter.type is %q, want lora", f.Path, t)
	}
	alpha, ok := f.Meta.Float("adapter.lora.alpha")
	if !ok {
		return fmt.Errorf("train: %s: adapter.lora.alpha missing", f.Path)
	}
	for _, p := range m.Tensors() {
		p.G = nil
	}
	src := GGUFSource(f)
	found := 0
	for _, p := range m.Tensors() {
		a, okA := src(p.Name + ".lora_a")
		b, okB := src(p.Name + ".lora_b")
		if !okA && !okB {
			continue
		}
		if !okA || !okB || a.Type != tensor.F32 || b.Type != tensor.F32 || len(a.Shape) != 2 || len(b.Shape) != 2 ||
			int(a.Shape[0]) != p.Cols || int(b.Shape[1]) != p.Rows || a.Shape[1] != b.Shape[0] {
			return fmt.Errorf("train: %s: adapter tensors of %s are missing or mis-shaped (want F32 lora_a [%d, r] and lora_b [r, %d])", f.Path, p.Name, p.Cols, p.Rows)
		}
		r := int(a.Shape[1])
		pa := &Param{Name: p.Name + ".lora_a", Rows: r, Cols: p.Cols, W: append([]float32(nil), f32View(a.Data)...), G: make([]float32, r*p.Cols)}
		pb := &Param{Name: p.Name + ".lora_b", Rows: p.Rows, Cols: r, W: append([]float32(nil), f32View(b.Data)...), G: make([]float32, r*p.Rows)}
		p.LoRA = &LoRA{A: pa, B: pb, Scale: float32(alpha / float64(r))}
		found++
	}
	if found == 0 {
		return fmt.Errorf("train: %s: no adapter matches the model's tensors", f.Path)
	}
	return nil
}
