package lora

import (
	"fmt"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// VocabWriter writes a tokenizer's tokenizer.ggml.* keys (the tokenizer
// package's Tokenizer is one).
type VocabWriter interface {
	WriteGGUF(meta *gguf.Metadata)
}

// MergeOptions are the settings of Merge.
type MergeOptions struct {
	// Retype stores every matrix (tensor of 2 or more dimensions) as Type, falling
	// back as llama.cpp's quantizer does where a row length does not fit the
	// type's blocks. Without it each tensor keeps its type.
	Retype bool
	Type   tensor.Type
	// Vocab is written into the metadata when the base carries no
	// vocabulary (llama2.c checkpoints, Hugging Face directories).
	Vocab VocabWriter
	// Pool runs the merge of each tensor in parallel; nil runs it inline.
	Pool *tensor.Pool
}

// term is one adapter's scaled update of a weight.
type term struct {
	t     *Target
	scale float64
}

// Merge returns base with the adapters baked in, as GGUF metadata and
// tensors ready for gguf.WriteFile: each adapted weight W becomes
// W + Σ scale·B·A (see Adapter.Scale), computed in float32 from the
// dequantized weight with float64 sums and stored again in W's type (or
// opts.Type). Unadapted tensors are copied as they are unless retyped. The
// tensors are computed while the file is written, one at a time, and read
// base's data, which must stay open until then.
func Merge(base *weights.File, adapters []Scaled, opts MergeOptions) (*gguf.Metadata, []gguf.WriteTensor, error) {
	updates := map[string][]term{}
	for _, s := range adapters {
		if err := s.Adapter.Check(base); err != nil {
			return nil, nil, err
		}
		for _, t := range s.Adapter.Targets {
			updates[t.Name] = append(updates[t.Name], term{t, s.Adapter.Scale(t, s.Scale)})
		}
	}
	if opts.Retype && !tensor.CanQuantize(opts.Type) {
		return nil, nil, fmt.Errorf("lora: cannot write tensors of type %v", opts.Type)
	}

	meta := gguf.NewMetadata()
	for _, kv := range base.Meta.KVs() {
		meta.Set(kv.Key, kv)
	}
	if opts.Retype {
		if ft, ok := fileTypes[opts.Type]; ok {
			meta.Set("general.file_type", ft)
		} else {
			meta.Delete("general.file_type")
		}
	}
	if _, ok := meta.Get("tokenizer.ggml.tokens"); !ok && opts.Vocab != nil {
		opts.Vocab.WriteGGUF(meta)
	}

	var out []gguf.WriteTensor
	for _, w := range base.Tensors {
		typ := w.Type
		if opts.Retype && len(w.Shape) >= 2 {
			typ = fitType(opts.Type, w.Type, w.Shape[0])
		}
		terms := updates[w.Name]
		if len(terms) == 0 && typ == w.Type {
			out = append(out, gguf.WriteTensor{Name: w.Name, Shape: w.Shape, Type: w.Type, Data: w.Data})
			continue
		}
		if !tensor.CanDequantize(w.Type) {
			return nil, nil, fmt.Errorf("lora: tensor %s: cannot read type %v", w.Name, w.Type)
		}
		if !tensor.CanQuantize(typ) {
			return nil, nil, fmt.Errorf("lora: tensor %s: cannot write type %v; choose another output type", w.Name, typ)
		}
		if len(terms) == 0 && len(w.Shape) == 1 {
			w := w
			out = append(out, gguf.WriteTensor{Name: w.Name, Shape: w.Shape, Type: typ, Fill: func(dst []byte) error {
				return retypeVector(w, typ, dst)
			}})
			continue
		}
		src, err := baseMatrix(w)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, gguf.WriteTensor{Name: w.Name, Shape: w.Shape, Type: typ, Fill: func(dst []byte) error {
			if err := mergeInto(opts.Pool, dst, typ, src, terms); err != nil {
				return fmt.Errorf("lora: tensor %s: %w", src.name, err)
			}
			return nil
		}})
	}
	return meta, out, nil
}

// named is a base matrix with its tensor name.
type named struct {
	tensor.Matrix
	name string
}

// baseMatrix views a base tensor of two or more dimensions as a matrix of
// rows of Shape[0] values (stacked expert matrices become more rows).
func baseMatrix(w *weights.Tensor) (named, error) {
	rows := uint64(1)
	for _, d := range w.Shape[1:] {
		rows *= d
	}
	if len(w.Shape) < 2 || w.Shape[0] > 1<<31 || rows > 1<<31 || (w.Shape[0] != 0 && w.Elements()/w.Shape[0] != rows) {
		return named{}, fmt.Errorf("lora: tensor %s: shape %v is not a matrix", w.Name, w.Shape)
	}
	m, err := tensor.NewMatrix(w.Type, int(rows), int(w.Shape[0]), w.Data)
	if err != nil {
		return named{}, fmt.Errorf("lora: tensor %s: %w", w.Name, err)
	}
	return named{m, w.Name}, nil
}

// retypeVector converts a 1-D tensor to typ.
func retypeVector(w *weights.Tensor, typ tensor.Type, dst []byte) error {
	x := make([]float32, w.Elements())
	if err := tensor.Dequantize(w.Type, w.Data, x); err != nil {
		return fmt.Errorf("lora: tensor %s: %w", w.Name, err)
	}
	if err := tensor.Quantize(typ, x, dst); err != nil {
		return fmt.Errorf("lora: tensor %s: %w", w.Name, err)
	}
	return nil
}

// mergeRows is how many rows one task of mergeInto handles.
const mergeRows = 64

// mergeInto writes src + Σ scale·B·A, stored as typ, into dst, a block of
// rows at a time.
func mergeInto(p *tensor.Pool, dst []byte, typ tensor.Type, src named, terms []term) error {
	rows, cols := src.Rows, src.Cols
	rowBytes, err := typ.RowSize(int64(cols))
	if err != nil {
		return err
	}
	// The low-rank factors as float32: A row-major [rank][cols], B [rows][rank].
	as := make([][]float32, len(terms))
	bs := make([][]float32, len(terms))
	for i, tm := range terms {
		if as[i], err = dequantizeMatrix(tm.t.A); err != nil {
			return err
		}
		if bs[i], err = dequantizeMatrix(tm.t.B); err != nil {
			return err
		}
	}
	tasks := (rows + mergeRows - 1) / mergeRows
	errs := make([]error, tasks)
	p.Run(tasks, func(lo, hi int) {
		w := make([]float32, mergeRows*cols)
		acc := make([]float64, cols)
		for task := lo; task < hi; task++ {
			r0, r1 := task*mergeRows, min(rows, (task+1)*mergeRows)
			chunk := w[:(r1-r0)*cols]
			if err := tensor.Dequantize(src.Type, src.Data[r0*src.RowBytes():r1*src.RowBytes()], chunk); err != nil {
				errs[task] = err
				return
			}
			for r := r0; r < r1; r++ {
				clear(acc)
				for i, tm := range terms {
					rank := tm.t.Rank()
					a, b := as[i], bs[i][r*rank:(r+1)*rank]
					for k, bk := range b {
						f := tm.scale * float64(bk)
						for c, ac := range a[k*cols : (k+1)*cols] {
							acc[c] += f * float64(ac)
						}
					}
				}
				row := chunk[(r-r0)*cols : (r-r0+1)*cols]
				for c, d := range acc {
					row[c] = float32(float64(row[c]) + d)
				}
			}
			if err := tensor.Quantize(typ, chunk, dst[int64(r0)*rowBytes:int64(r1)*rowBytes]); err != nil {
				errs[task] = err
				return
			}
		}
	})
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// dequantizeMatrix returns m's values as float32, row-major.
func dequantizeMatrix(m tensor.Matrix) ([]float32, error) {
	x := make([]float32, m.Rows*m.Cols)
	if err := tensor.Dequantize(m.Type, m.Data, x); err != nil {
		return nil, err
	}
	return x, nil
}

// fitType returns want, or what llama.cpp's quantizer falls back to when
// rows of cols elements do not fill want's blocks: IQ4_NL for Q2_K, Q3_K
// and IQ4_XS, Q5_0 for Q4_K, Q5_1 for Q5_K, Q8_0 for Q6_K, and the tensor's
// own type when even that does not fit.
func fitType(want, own tensor.Type, cols uint64) tensor.Type {
	if cols%uint64(want.BlockSize()) == 0 {
		return want
	}
	fallback := map[tensor.Type]tensor.Type{
		tensor.Q2_K: tensor.IQ4_NL, tensor.Q3_K: tensor.IQ4_NL, tensor.IQ4_XS: tensor.IQ4_NL,
		tensor.Q4_K: tensor.Q5_0, tensor.Q5_K: tensor.Q5_1, tensor.Q6_K: tensor.Q8_0,
	}
	if f, ok := fallback[want]; ok && cols%uint64(f.BlockSize()) == 0 {
		return f
	}
	return own
}

// fileTypes are llama.cpp's general.file_type values for a model stored
// mostly in one type.
var fileTypes = map[tensor.Type]uint32{
	tensor.F32: 0, tensor.F16: 1, tensor.Q4_0: 2, tensor.Q4_1: 3, tensor.Q8_0: 7, tensor.Q5_0: 8, tensor.Q5_1: 9,
	tensor.Q2_K: 10, tensor.Q3_K: 11, tensor.Q4_K: 14, tensor.Q5_K: 16, tensor.Q6_K: 18,
	tensor.IQ4_NL: 25, tensor.IQ4_XS: 30, tensor.BF16: 32,
}
