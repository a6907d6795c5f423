package llama

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/weights"
)

// tinySpec describes a small random Llama written as a GGUF by tests.
type tinySpec struct {
	dim, layers, heads, kvHeads, ffn, vocab int
}

var tiny = tinySpec{dim: 32, layers: 2, heads: 4, kvHeads: 2, ffn: 48, vocab: 40}

func f32Bytes(v []float32) []byte {
	b := make([]byte, 4*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(x))
	}
	return b
}

// tinyGGUF returns the metadata and tensors of a random tiny Llama.
func tinyGGUF(s tinySpec, seed uint64) (*gguf.Metadata, []gguf.WriteTensor) {
	rng := rand.New(rand.NewPCG(seed, 1))
	meta := gguf.NewMetadata()
	meta.Set("general.architecture", "llama")
	meta.Set("llama.embedding_length", uint32(s.dim))
	meta.Set("llama.block_count", uint32(s.layers))
	meta.Set("llama.attention.head_count", uint32(s.heads))
	meta.Set("llama.attention.head_count_kv", uint32(s.kvHeads))
	meta.Set("llama.feed_forward_length", uint32(s.ffn))
	meta.Set("llama.context_length", uint32(64))
	meta.Set("llama.rope.freq_base", float32(10000))
	meta.Set("llama.attention.layer_norm_rms_epsilon", float32(1e-5))
	var ts []gguf.WriteTensor
	add := func(name string, shape ...int) {
		n := 1
		sh := make([]uint64, len(shape))
		for i, d := range shape {
			n *= d
			sh[i] = uint64(d)
		}
		v := make([]float32, n)
		for i := range v {
			if len(shape) == 1 {
				v[i] = 1 + 0.05*float32(rng.NormFloat64())
			} else {
				v[i] = 0.3 * float32(rng.NormFloat64())
			}
		}
		ts = append(ts, gguf.WriteTensor{Name: name, Shape: sh, Type: tensor.F32, Data: f32Bytes(v)})
	}
	hd := s.dim / s.heads
	add("token_embd.weight", s.dim, s.vocab)
	for l := range s.layers {
		p := "blk." + string(rune('0'+l)) + "."
		add(p+"attn_norm.weight", s.dim)
		add(p+"attn_q.weight", s.dim, s.heads*hd)
		add(p+"attn_k.weight", s.dim, s.kvHeads*hd)
		add(p+"attn_v.weight", s.dim, s.kvHeads*hd)
		add(p+"attn_output.weight", s.heads*hd, s.dim)
		add(p+"ffn_norm.weight", s.dim)
		add(p+"ffn_gate.weight", s.dim, s.ffn)
		add(p+"ffn_up.weight", s.dim, s.ffn)
		add(p+"ffn_down.weight", s.ffn, s.dim)
	}
	add("output_norm.weight", s.dim)
	add("output.weight", s.dim, s.vocab)
	return meta, ts
}

// writeTiny writes a GGUF and loads it; it returns the load error.
func writeTiny(t *testing.T, meta *gguf.Metadata, ts []gguf.WriteTensor) (model.Model, error) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny.gguf")
	if err := gguf.WriteFile(path, meta, ts); err != nil {
		t.Fatal(err)
	}
	f, err := weights.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return model.New(f, model.Options{})
}

func loadTiny(t *testing.T) *Model {
	meta, ts := tinyGGUF(tiny, 7)
	m, err := writeTiny(t, meta, ts)
	if err != nil {
		t.Fatal(err)
	}
	return m.(*Model)
}

func rowsClose(t *testing.T, what string, got, want []float32, tol float64) {
	t.Helper()
	for i := range want {
		if d := math.Abs(float64(got[i] - want[i])); d > tol {
			t.Fatalf("%s: logit %d = %v, want %v", what, i, got[i], want[i])
		}
	}
}

// TestBatchedMatchesSequential checks that a prompt run as one batch gives
// the same logits as running it one token at a time.
func TestBatchedMatchesSequential(t *testing.T) {
	m := loadTiny(t)
	prompt := []int{1, 5, 9, 3, 7, 22, 39, 0}
	c := m.NewCache(32)
	batch := make([]model.Token, len(prompt))
	for i, id := range prompt {
		batch[i] = model.Token{ID: id, Pos: i}
	}
	all := make([]bool, len(prompt))
	for i := range all {
		all[i] = true
	}
	batched, err := m.Forward(c, batch, all)
	if err != nil {
		t.Fatal(err)
	}
	c2 := m.NewCache(32)
	for i := range prompt {
		out, err := m.Forward(c2, batch[i:i+1], nil)
		if err != nil {
			t.Fatal(err)
		}
		rowsClose(t, "position "+string(rune('0'+i)), batched[i], out[0], 1e-5)
	}
}

// TestMultiSequenceBatch checks that two sequences interleaved in one batch,
// each with its own cache slots, give what each gives alone.
func TestMultiSequenceBatch(t *testing.T) {
	m := loadTiny(t)
	a := []int{1, 4, 8, 15}
	b := []int{1, 16, 23, 42 % tiny.vocab, 3, 2}
	alone := func(ids []int) []float32 {
		c := m.NewCache(16)
		var batch []model.Token
		for i, id := range ids {
			batch = append(batch, model.Token{ID: id, Pos: i, Seq: 5})
		}
		out, err := m.Forward(c, batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out[len(ids)-1]
	}
	c := m.NewCache(16)
	// First pass: a[0:2] and b[0:3] mixed; second pass the rest.
	tok := func(id, pos, seq int) model.Token { return model.Token{ID: id, Pos: pos, Seq: seq} }
	first := []model.Token{tok(a[0], 0, 0), tok(b[0], 0, 1), tok(a[1], 1, 0), tok(b[1], 1, 1), tok(b[2], 2, 1)}
	if _, err := m.Forward(c, first, []bool{false, false, false, false, false}); err != nil {
		t.Fatal(err)
	}
	second := []model.Token{tok(b[3], 3, 1), tok(a[2], 2, 0), tok(b[4], 4, 1), tok(a[3], 3, 0), tok(b[5], 5, 1)}
	out, err := m.Forward(c, second, []bool{false, false, false, true, true})
	if err != nil {
		t.Fatal(err)
	}
	if out[0] != nil || out[1] != nil {
		t.Error("logits returned for tokens that did not ask")
	}
	rowsClose(t, "sequence 0", out[3], alone(a), 1e-5)
	rowsClose(t, "sequence 1", out[4], alone(b), 1e-5)
	if c.Len(0) != len(a) || c.Len(1) != len(b) {
		t.Errorf("cache lengths %d, %d; want %d, %d", c.Len(0), c.Len(1), len(a), len(b))
	}
}

// TestCacheTruncateReuse checks that cutting a sequence back and running
// other tokens gives what a fresh cache gives.
func TestCacheTruncateReuse(t *testing.T) {
	m := loadTiny(t)
	run := func(c *model.Cache, ids []int, from int) []float32 {
		var batch []model.Token
		for i, id := range ids[from:] {
			batch = append(batch, model.Token{ID: id, Pos: from + i})
		}
		out, err := m.Forward(c, batch, nil)
		if err != nil {
			t.Fatal(err)
		}
		return out[len(batch)-1]
	}
	c := m.NewCache(16)
	run(c, []int{1, 2, 3, 4, 5}, 0)
	c.Truncate(0, 3)
	got := run(c, []int{1, 2, 3, 9, 10}, 3)
	want := run(m.NewCache(16), []int{1, 2, 3, 9, 10}, 0)
	rowsClose(t, "after truncate", got, want, 1e-5)
}

func TestForwardRejectsBadBatch(t *testing.T) {
	m := loadTiny(t)
	c := m.NewCache(4)
	for _, tt := range []struct {
		name  string
		batch []model.Token
	}{
		{"empty", nil},
		{"id out of range", []model.Token{{ID: tiny.vocab}}},
		{"negative id", []model.Token{{ID: -1}}},
		{"gap", []model.Token{{ID: 1, Pos: 1}}},
		{"beyond context", []model.Token{{ID: 1, Pos: 0}, {ID: 1, Pos: 1}, {ID: 1, Pos: 2}, {ID: 1, Pos: 3}, {ID: 1, Pos: 4}}},
	} {
		if _, err := m.Forward(c, tt.batch, nil); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if c.Len(0) != 0 {
		t.Errorf("a rejected batch left %d positions in the cache", c.Len(0))
	}
}

// TestRopeMatchesFormula checks the rotation against θ = p·base^(−2i/d)/f_i
// computed in float64.
func TestRopeMatchesFormula(t *testing.T) {
	freqs := []float32{1, 1, 2.5, 8}
	r := newRope(8, 500000, 1, freqs)
	cos, sin := make([]float32, 4), make([]float32, 4)
	for _, pos := range []int{0, 1, 17, 963} {
		r.table(pos, cos, sin)
		x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9, 10} // one head of 8, 2 extra untouched dims
		want := append([]float32(nil), x...)
		for i := range 4 {
			theta := float64(pos) * math.Pow(500000, -2*float64(i)/8) / float64(freqs[i])
			c, s := math.Cos(theta), math.Sin(theta)
			x0, x1 := float64(want[2*i]), float64(want[2*i+1])
			want[2*i], want[2*i+1] = float32(x0*c-x1*s), float32(x0*s+x1*c)
		}
		r.apply(x[:8], 8, cos, sin)
		for i := range want[:8] {
			if math.Abs(float64(x[i]-want[i])) > 1e-3*max(1, math.Abs(float64(want[i]))) {
				t.Errorf("pos %d: x[%d] = %v, want %v", pos, i, x[i], want[i])
			}
		}
	}
}

// TestLlama3FreqsFromMetadata checks that llama3 rope scaling keys give the
// divisors the GGUF converter stores in rope_freqs (tiny-llama3's tensor:
// base 500000, head 16, factor 8, low 1, high 4, original context 8192).
func TestLlama3FreqsFromMetadata(t *testing.T) {
	h := hparams{rotDims: 16, ropeBase: 500000, llama3Factor: 8, llama3Low: 1, llama3High: 4, llama3Orig: 8192}
	want := []float32{1, 1, 1, 1, 2.69453, 8, 8, 8}
	for i, got := range h.llama3Freqs() {
		if math.Abs(float64(got-want[i])) > 1e-4 {
			t.Errorf("freq %d = %v, want %v", i, got, want[i])
		}
	}
}

// TestHidden checks that the hidden states Hidden returns, through the
// output head, give Forward's logits.
func TestHidden(t *testing.T) {
	m := loadTiny(t)
	batch := []model.Token{{ID: 1}, {ID: 7, Pos: 1}, {ID: 30, Pos: 2}}
	hidden, err := m.Hidden(m.NewCache(8), batch)
	if err != nil {
		t.Fatal(err)
	}
	logits, err := m.Forward(m.NewCache(8), batch, []bool{true, true, true})
	if err != nil {
		t.Fatal(err)
	}
	for i, h := range hidden {
		if len(h) != tiny.dim {
			t.Fatalf("hidden row %d has %d values", i, len(h))
		}
		got := make([]float32, tiny.vocab)
		tensor.MatMul(nil, got, m.output, h, 1)
		rowsClose(t, "hidden→logits", got, logits[i], 1e-5)
	}
}
