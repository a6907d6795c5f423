package llama

import (
	"fmt"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

func init() { model.Register("llama", New) }

// layer holds one transformer block's weights, in their file types.
type layer struct {
	attnNorm       []float32
	wq, wk, wv, wo tensor.Matrix
	ffnNorm        []float32
	gate, up, down tensor.Matrix
}

// Model is a Llama-architecture transformer: token embedding, blocks of
// RMSNorm → grouped-query attention with RoPE → RMSNorm → SwiGLU, a final
// RMSNorm and the output head. Weights stay in the file's types; the
// matrix products run directly on their blocks.
type Model struct {
	hp       hparams
	cfg      model.Config
	rope     rope
	embd     tensor.Matrix
	layers   []layer
	outNorm  []float32
	output   tensor.Matrix // token_embd when the output head is tied
	pool     *tensor.Pool
	attScale float32
	lora     *loraSet // adapters added at run time; nil: none
}

// New builds a Llama model from f, checking every hyperparameter and every
// tensor's presence, type and shape. It is the constructor registered for
// "llama".
func New(f *weights.File, opts model.Options) (model.Model, error) {
	m, err := load(f, opts)
	if err != nil {
		return nil, fmt.Errorf("llama: %s: %w", f.Path, err)
	}
	return m, nil
}

func load(f *weights.File, opts model.Options) (*Model, error) {
	arch, _ := f.Meta.String("general.architecture")
	if arch == "" {
		arch = "llama"
	}
	hp, err := readHparams(arch, f.Meta)
	if err != nil {
		return nil, err
	}
	m := &Model{hp: hp, pool: opts.Pool}
	// Index the tensor list as it is now (callers may have edited it).
	f = weights.NewFile(f.Path, f.Format, f.Meta, f.Tensors)
	qDim, kvDim := hp.heads*hp.headDim, hp.kvHeads*hp.headDim

	if m.embd, err = matrix(f, "token_embd.weight", hp.dim, -1); err != nil {
		return nil, err
	}
	vocab := m.embd.Rows
	if hp.vocab != 0 && hp.vocab != vocab {
		return nil, fmt.Errorf("%s.vocab_size = %d but token_embd.weight has %d rows", arch, hp.vocab, vocab)
	}
	if toks, ok := f.Meta.Strings("tokenizer.ggml.tokens"); ok && len(toks) != vocab {
		return nil, fmt.Errorf("tokenizer.ggml.tokens has %d entries but token_embd.weight has %d rows", len(toks), vocab)
	}
	m.hp.vocab = vocab

	m.layers = make([]layer, hp.layers)
	for i := range m.layers {
		l := &m.layers[i]
		name := func(s string) string { return fmt.Sprintf("blk.%d.%s.weight", i, s) }
		if l.attnNorm, err = vector(f, name("attn_norm"), hp.dim); err != nil {
			return nil, err
		}
		if l.wq, err = matrix(f, name("attn_q"), hp.dim, qDim); err != nil {
			return nil, err
		}
		if l.wk, err = matrix(f, name("attn_k"), hp.dim, kvDim); err != nil {
			return nil, err
		}
		if l.wv, err = matrix(f, name("attn_v"), hp.dim, kvDim); err != nil {
			return nil, err
		}
		if l.wo, err = matrix(f, name("attn_output"), qDim, hp.dim); err != nil {
			return nil, err
		}
		if l.ffnNorm, err = vector(f, name("ffn_norm"), hp.dim); err != nil {
			return nil, err
		}
		if l.gate, err = matrix(f, name("ffn_gate"), hp.dim, hp.ffn); err != nil {
			return nil, err
		}
		if l.up, err = matrix(f, name("ffn_up"), hp.dim, hp.ffn); err != nil {
			return nil, err
		}
		if l.down, err = matrix(f, name("ffn_down"), hp.ffn, hp.dim); err != nil {
			return nil, err
		}
	}
	if m.outNorm, err = vector(f, "output_norm.weight", hp.dim); err != nil {
		return nil, err
	}
	if _, ok := f.Tensor("output.weight"); ok {
		if m.output, err = matrix(f, "output.weight", hp.dim, vocab); err != nil {
			return nil, err
		}
	} else {
		m.output = m.embd
	}

	m.repack()

	var freqs []float32
	if _, ok := f.Tensor("rope_freqs.weight"); ok {
		if freqs, err = vector(f, "rope_freqs.weight", hp.rotDims/2); err != nil {
			return nil, err
		}
		for i, v := range freqs {
			if !(v > 0) {
				return nil, fmt.Errorf("tensor rope_freqs.weight: element %d = %v, want > 0", i, v)
			}
		}
	} else if hp.llama3Factor != 0 {
		freqs = hp.llama3Freqs()
	}
	if m.lora, err = newLoRA(f, opts.LoRA, hp.layers, opts.Pool); err != nil {
		return nil, err
	}
	m.rope = newRope(hp.rotDims, hp.ropeBase, hp.freqScale, freqs)
	m.attScale = float32(1 / sqrt64(float64(hp.headDim)))
	m.cfg = model.Config{
		Architecture:      arch,
		VocabSize:         vocab,
		ContextLength:     hp.context,
		EmbeddingLength:   hp.dim,
		Layers:            hp.layers,
		Heads:             hp.heads,
		KVHeads:           hp.kvHeads,
		HeadDim:           hp.headDim,
		FeedForwardLength: hp.ffn,
	}
	return m, nil
}

// repack gives every matrix of the forward pass the layout this CPU's
// fastest kernels read (tensor.Repack: a copy, for the types that have
// one). The embedding table stays as it is: it is only read by rows.
func (m *Model) repack() {
	for i := range m.layers {
		l := &m.layers[i]
		for _, w := range []*tensor.Matrix{&l.wq, &l.wk, &l.wv, &l.wo, &l.gate, &l.up, &l.down} {
			*w = tensor.Repack(*w)
		}
	}
	m.output = tensor.Repack(m.output)
}

// matrix returns the 2-D tensor name as a Matrix of rows rows of cols
// elements (rows < 0: any number of rows), or an error naming the tensor.
func matrix(f *weights.File, name string, cols, rows int) (tensor.Matrix, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return tensor.Matrix{}, fmt.Errorf("missing tensor %s", name)
	}
	if len(t.Shape) != 2 || t.Shape[0] != uint64(cols) || (rows >= 0 && t.Shape[1] != uint64(rows)) || t.Shape[1] == 0 || t.Shape[1] > 1<<31 {
		want := fmt.Sprintf("[%d %d]", cols, rows)
		if rows < 0 {
			want = fmt.Sprintf("[%d n]", cols)
		}
		return tensor.Matrix{}, fmt.Errorf("tensor %s: shape %v, want %s", name, t.Shape, want)
	}
	mat, err := tensor.NewMatrix(t.Type, int(t.Shape[1]), cols, t.Data)
	if err != nil {
		return tensor.Matrix{}, fmt.Errorf("tensor %s: %w", name, err)
	}
	return mat, nil
}

// vector returns the 1-D tensor name of n elements as float32.
func vector(f *weights.File, name string, n int) ([]float32, error) {
	t, ok := f.Tensor(name)
	if !ok {
		return nil, fmt.Errorf("missing tensor %s", name)
	}
	if len(t.Shape) != 1 || t.Shape[0] != uint64(n) {
		return nil, fmt.Errorf("tensor %s: shape %v, want [%d]", name, t.Shape, n)
	}
	mat, err := tensor.NewMatrix(t.Type, 1, n, t.Data)
	if err != nil {
		return nil, fmt.Errorf("tensor %s: %w", name, err)
	}
	out := make([]float32, n)
	mat.Row(0, out)
	return out, nil
}
