package train

import "math/rand/v2"

// Param is one weight tensor of the model: a matrix of Rows rows of Cols
// values (a vector has Rows 1). W holds float32 values, either trainable or a
// read-only view of a frozen base; Q holds a frozen base stored in a
// quantized or half-precision type instead. G is the gradient, nil when the
// tensor is frozen.
type Param struct {
	Name       string
	Rows, Cols int
	W          []float32
	G          []float32
	Q          *Frozen
	LoRA       *LoRA
}

// LoRA is a low-rank adapter on a frozen matrix: W' = W + Scale·B·A with
// A [rank×in] and B [out×rank]. Dropout is applied to the adapter's input.
type LoRA struct {
	A, B    *Param
	Scale   float32
	Dropout float32
}

// Trainable reports whether the optimizer updates p.
func (p *Param) Trainable() bool { return p.G != nil }

// Shape is p's shape in ggml order (row length first).
func (p *Param) Shape() []uint64 {
	if p.Rows == 1 {
		return []uint64{uint64(p.Cols)}
	}
	return []uint64{uint64(p.Cols), uint64(p.Rows)}
}

// newParam allocates a trainable parameter filled with N(0, std²) values
// (or ones when std is negative, for norm weights).
func newParam(name string, rows, cols int, std float64, rng *rand.Rand) *Param {
	p := &Param{Name: name, Rows: rows, Cols: cols, W: make([]float32, rows*cols), G: make([]float32, rows*cols)}
	for i := range p.W {
		if std < 0 {
			p.W[i] = 1
		} else if std > 0 {
			p.W[i] = float32(rng.NormFloat64() * std)
		}
	}
	return p
}
