// Package lora reads low-rank adapters in llama.cpp's GGUF layout and bakes
// them into base models. An adapter file has general.type "adapter",
// adapter.type "lora", an optional adapter.lora.alpha and, for each adapted
// weight W of the base, two tensors W.lora_a (ggml shape [in, rank]) and
// W.lora_b (ggml shape [rank, out]). Applied with a user scale s, the
// adapter changes W into W + s·(alpha/rank)·B·A (alpha 0: W + s·B·A, as
// llama.cpp does).
package lora

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
)

// Suffixes of the two halves of an adapted weight's tensor names.
const (
	SuffixA = ".lora_a"
	SuffixB = ".lora_b"
)

// Adapter is a LoRA adapter read into memory.
type Adapter struct {
	Path         string
	Name         string // general.name, if any
	Architecture string // general.architecture
	Alpha        float64
	Meta         *gguf.Metadata
	// Targets are the adapted weights, sorted by name.
	Targets []*Target
}

// Target is the low-rank update of one base weight: A holds Rank rows of In
// values, B holds Out rows of Rank values, so B·A has the base weight's
// shape (Out rows of In values).
type Target struct {
	Name string // the base tensor, e.g. blk.0.attn_q.weight
	A, B tensor.Matrix
}

// Rank returns the adapter's rank for this weight.
func (t *Target) Rank() int { return t.A.Rows }

// In returns the row length of the adapted weight.
func (t *Target) In() int { return t.A.Cols }

// Out returns the number of rows of the adapted weight.
func (t *Target) Out() int { return t.B.Rows }

// Scale returns the factor B·A is multiplied by for a user scale s:
// s·alpha/rank, or s when the adapter has no alpha.
func (a *Adapter) Scale(t *Target, s float64) float64 {
	if a.Alpha == 0 {
		return s
	}
	return s * a.Alpha / float64(t.Rank())
}

// Target returns the update of the named base weight.
func (a *Adapter) Target(name string) (*Target, bool) {
	i := sort.Search(len(a.Targets), func(i int) bool { return a.Targets[i].Name >= name })
	if i < len(a.Targets) && a.Targets[i].Name == name {
		return a.Targets[i], true
	}
	return nil, false
}

// Open reads the adapter file at path into memory and checks it.
func Open(path string) (*Adapter, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("lora: %w", err)
	}
	defer f.Close()
	return Read(f)
}

// Read checks an opened adapter file and copies its tensors into memory, so
// the file may be closed afterwards.
func Read(f *gguf.File) (*Adapter, error) {
	fail := func(format string, args ...any) (*Adapter, error) {
		return nil, fmt.Errorf("lora: %s: "+format, append([]any{f.Path}, args...)...)
	}
	if t, _ := f.Meta.String("general.type"); t != "adapter" {
		return fail("general.type is %q, want \"adapter\"", t)
	}
	if t, _ := f.Meta.String("adapter.type"); t != "lora" {
		return fail("adapter.type is %q, want \"lora\"", t)
	}
	a := &Adapter{Path: f.Path, Meta: f.Meta}
	a.Name, _ = f.Meta.String("general.name")
	var ok bool
	if a.Architecture, ok = f.Meta.String("general.architecture"); !ok || a.Architecture == "" {
		return fail("general.architecture is missing")
	}
	if kv, ok := f.Meta.Get("adapter.lora.alpha"); ok {
		alpha, isNum := f.Meta.Float("adapter.lora.alpha")
		if !isNum {
			return fail("adapter.lora.alpha is a %v, want a number", kv.Type)
		}
		if math.IsNaN(alpha) || math.IsInf(alpha, 0) || alpha < 0 {
			return fail("adapter.lora.alpha = %v, want a finite number ≥ 0", alpha)
		}
		a.Alpha = alpha
	}

	halves := map[string]*[2]*gguf.TensorInfo{}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		base, half := splitName(ti.Name)
		if half < 0 {
			return fail("tensor %s is neither a %s nor a %s tensor", ti.Name, SuffixA, SuffixB)
		}
		h := halves[base]
		if h == nil {
			h = new([2]*gguf.TensorInfo)
			halves[base] = h
		}
		h[half] = ti
	}
	if len(halves) == 0 {
		return fail("no adapter tensors")
	}
	for base, h := range halves {
		t, err := readTarget(f, base, h[0], h[1])
		if err != nil {
			return fail("%v", err)
		}
		a.Targets = append(a.Targets, t)
	}
	sort.Slice(a.Targets, func(i, j int) bool { return a.Targets[i].Name < a.Targets[j].Name })
	return a, nil
}

// splitName splits "W.lora_a" into W and 0, "W.lora_b" into W and 1; other
// names give -1.
func splitName(name string) (string, int) {
	if b, ok := strings.CutSuffix(name, SuffixA); ok && b != "" {
		return b, 0
	}
	if b, ok := strings.CutSuffix(name, SuffixB); ok && b != "" {
		return b, 1
	}
	return name, -1
}

// readTarget checks and copies the two halves of base's update.
func readTarget(f *gguf.File, base string, a, b *gguf.TensorInfo) (*Target, error) {
	if a == nil {
		return nil, fmt.Errorf("tensor %s has no %s", base+SuffixB, base+SuffixA)
	}
	if b == nil {
		return nil, fmt.Errorf("tensor %s has no %s", base+SuffixA, base+SuffixB)
	}
	a, b = as2D(a), as2D(b)
	if len(a.Shape) != 2 || len(b.Shape) != 2 {
		return nil, fmt.Errorf("tensors %s %v and %s %v must be 2-D", a.Name, a.Shape, b.Name, b.Shape)
	}
	if a.Shape[1] != b.Shape[0] {
		return nil, fmt.Errorf("tensor %s has shape %v and %s %v: ranks %d and %d differ (lora_a is [in, rank], lora_b [rank, out])",
			a.Name, a.Shape, b.Name, b.Shape, a.Shape[1], b.Shape[0])
	}
	t := &Target{Name: base}
	var err error
	if t.A, err = readMatrix(f, a); err != nil {
		return nil, err
	}
	if t.B, err = readMatrix(f, b); err != nil {
		return nil, err
	}
	if t.Rank() == 0 || t.In() == 0 || t.Out() == 0 {
		return nil, fmt.Errorf("tensors %s %v and %s %v: empty update", a.Name, a.Shape, b.Name, b.Shape)
	}
	return t, nil
}

// readMatrix copies a 2-D tensor out of f as a Matrix in its stored type.
func readMatrix(f *gguf.File, ti *gguf.TensorInfo) (tensor.Matrix, error) {
	if !tensor.MatMulSupported(ti.Type) || !tensor.CanDequantize(ti.Type) {
		return tensor.Matrix{}, fmt.Errorf("tensor %s: type %v is not supported", ti.Name, ti.Type)
	}
	if ti.Shape[0] > 1<<31 || ti.Shape[1] > 1<<31 {
		return tensor.Matrix{}, fmt.Errorf("tensor %s: shape %v too large", ti.Name, ti.Shape)
	}
	data, err := f.Data(ti)
	if err != nil {
		return tensor.Matrix{}, fmt.Errorf("tensor %s: %w", ti.Name, err)
	}
	m, err := tensor.NewMatrix(ti.Type, int(ti.Shape[1]), int(ti.Shape[0]), append([]byte(nil), data...))
	if err != nil {
		return tensor.Matrix{}, fmt.Errorf("tensor %s: %w", ti.Name, err)
	}
	return m, nil
}

// as2D returns ti with a 1-D shape [n] read as [n, 1]: GGUF writers drop
// trailing dimensions of 1, so a rank-1 lora_a is stored as a vector.
func as2D(ti *gguf.TensorInfo) *gguf.TensorInfo {
	if len(ti.Shape) != 1 {
		return ti
	}
	c := *ti
	c.Shape = []uint64{ti.Shape[0], 1}
	return &c
}
