package synth

import (
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"runtime"
	"sync"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// weightStd is the spread of the random weights: uniform values with the
// standard deviation of a typical trained Llama projection.
const weightStd = 0.02

// Model returns the metadata and tensors of a random-weight Llama model of
// the given shape and file type. Tensor data is produced while the file is
// written (gguf.WriteTensor.Fill), deterministically from seed, so a model
// of any size can be written with memory for one tensor.
func Model(s Shape, m Mix, seed uint64) (*gguf.Metadata, []gguf.WriteTensor, error) {
	if err := s.validate(); err != nil {
		return nil, nil, err
	}
	hd := s.HeadDim()
	meta := weights.LlamaHParams{
		Name: "synthetic " + s.Name, FileType: m.FileType, Vocab: s.Vocab, Context: s.Context,
		Dim: s.Dim, FFN: s.FFN, Layers: s.Layers, Heads: s.Heads, KVHeads: s.KVHeads, HeadDim: hd,
		RopeBase: s.RopeBase, NormEps: 1e-5,
	}.Metadata()
	addVocab(meta, s.Vocab)

	var ts []gguf.WriteTensor
	weight := func(name, kind string, layer, rows, cols int, output bool) {
		t := m.typeFor(kind, layer, s.Layers, output, cols)
		ts = append(ts, gguf.WriteTensor{
			Name: name, Shape: []uint64{uint64(cols), uint64(rows)}, Type: t,
			Fill: randomFill(t, rows, cols, seed, name),
		})
	}
	norm := func(name string) {
		ts = append(ts, gguf.WriteTensor{Name: name, Shape: []uint64{uint64(s.Dim)}, Type: tensor.F32, Fill: onesFill})
	}
	weight("token_embd.weight", "token_embd.weight", -1, s.Vocab, s.Dim, s.Tied)
	if s.RopeFactor != 0 {
		scaling := weights.Llama3Scaling{Factor: s.RopeFactor, LowFreqFactor: 1, HighFreqFactor: 4, OriginalContext: 8192}
		freqs := scaling.RopeFreqs(s.RopeBase, hd)
		ts = append(ts, gguf.WriteTensor{Name: "rope_freqs.weight", Shape: []uint64{uint64(len(freqs))}, Type: tensor.F32,
			Fill: func(dst []byte) error { return tensor.Quantize(tensor.F32, freqs, dst) }})
	}
	norm("output_norm.weight")
	if !s.Tied {
		weight("output.weight", "output.weight", -1, s.Vocab, s.Dim, true)
	}
	kv := s.KVHeads * hd
	for i := 0; i < s.Layers; i++ {
		p := fmt.Sprintf("blk.%d.", i)
		norm(p + "attn_norm.weight")
		weight(p+"attn_q.weight", "attn_q.weight", i, s.Dim, s.Dim, false)
		weight(p+"attn_k.weight", "attn_k.weight", i, kv, s.Dim, false)
		weight(p+"attn_v.weight", "attn_v.weight", i, kv, s.Dim, false)
		weight(p+"attn_output.weight", "attn_output.weight", i, s.Dim, s.Dim, false)
		norm(p + "ffn_norm.weight")
		weight(p+"ffn_gate.weight", "ffn_gate.weight", i, s.FFN, s.Dim, false)
		weight(p+"ffn_up.weight", "ffn_up.weight", i, s.FFN, s.Dim, false)
		weight(p+"ffn_down.weight", "ffn_down.weight", i, s.Dim, s.FFN, false)
	}
	return meta, ts, nil
}

// WriteFile writes a random-weight model (see Model) to path.
func WriteFile(path string, s Shape, m Mix, seed uint64) error {
	meta, ts, err := Model(s, m, seed)
	if err != nil {
		return err
	}
	return gguf.WriteFile(path, meta, ts)
}

// onesFill fills an F32 tensor with 1.0, the RMSNorm weight of a fresh model.
func onesFill(dst []byte) error {
	one := math.Float32bits(1)
	for i := 0; i+4 <= len(dst); i += 4 {
		dst[i], dst[i+1], dst[i+2], dst[i+3] = byte(one), byte(one>>8), byte(one>>16), byte(one>>24)
	}
	return nil
}

// randomFill returns a Fill function that quantizes rows of uniform random
// values to type t, seeded by seed and the tensor's name, in parallel over
// row chunks (each chunk has its own stream, so the result does not depend
// on the number of workers).
func randomFill(t tensor.Type, rows, cols int, seed uint64, name string) func([]byte) error {
	return func(dst []byte) error {
		rowBytes, err := t.RowSize(int64(cols))
		if err != nil {
			return err
		}
		h := fnv.New64a()
		h.Write([]byte(name))
		base := h.Sum64() ^ seed
		const chunk = 64
		chunks := (rows + chunk - 1) / chunk
		workers := min(runtime.GOMAXPROCS(0), chunks)
		var wg sync.WaitGroup
		errs := make([]error, workers)
		amp := float32(weightStd * math.Sqrt(3))
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				buf := make([]float32, chunk*cols)
				for c := w; c < chunks; c += workers {
					r0, r1 := c*chunk, min(rows, (c+1)*chunk)
					rng := rand.New(rand.NewPCG(base, uint64(c)))
					x := buf[:(r1-r0)*cols]
					for i := range x {
						x[i] = amp * (2*rng.Float32() - 1)
					}
					if err := tensor.Quantize(t, x, dst[int64(r0)*rowBytes:int64(r1)*rowBytes]); err != nil {
						errs[w] = err
						return
					}
				}
			}(w)
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				return fmt.Errorf("synth: %s: %w", name, err)
			}
		}
		return nil
	}
}
