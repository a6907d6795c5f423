package grammar

import (
	"math"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tokenizer"
)

var (
	llama3Once  sync.Once
	llama3Vocab *Vocab
	llama3Err   error
)

// loadLlama3Vocab prepares the 128256-token Llama 3 vocabulary once.
func loadLlama3Vocab(tb testing.TB) *Vocab {
	path := testdata.Path(tb, "vocab", "ggml-vocab-llama-bpe.gguf")
	llama3Once.Do(func() {
		tok, err := tokenizer.Load(path)
		if err != nil {
			llama3Err = err
			return
		}
		llama3Vocab, llama3Err = NewVocabFrom(tok)
	})
	if llama3Err != nil {
		tb.Fatal(llama3Err)
	}
	return llama3Vocab
}

func TestLlama3VocabMask(t *testing.T) {
	v := loadLlama3Vocab(t)
	if v.Size() != 128256 {
		t.Fatalf("vocab size %d", v.Size())
	}
	g := JSON()
	st := g.NewState()
	if err := st.Accept([]byte(`{"key": "va`)); err != nil {
		t.Fatal(err)
	}
	allowed := make([]bool, v.Size())
	if err := st.Allowed(v, allowed); err != nil {
		t.Fatal(err)
	}
	// Every allowed token must keep the text a valid prefix, and every
	// refused token must break it: compare with token-by-token checks.
	for id := range v.Size() {
		b := v.tokens[id]
		want := len(b) > 0 && !v.isEOG[id] && st.Clone().Accept(b) == nil
		if allowed[id] != want {
			t.Fatalf("token %d %q: allowed %v, want %v", id, b, allowed[id], want)
		}
	}
	n, _ := st.AllowedCount(v)
	t.Logf("%d of %d tokens allowed inside a JSON string; trie has %d nodes", n, v.Size(), v.Nodes())
}

func BenchmarkNewVocabLlama3(b *testing.B) {
	path := testdata.Path(b, "vocab", "ggml-vocab-llama-bpe.gguf")
	tok, err := tokenizer.Load(path)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := NewVocabFrom(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkMaskLlama3 measures one uncached mask computation (a full trie
// walk with cached byte transitions) in the most permissive JSON state:
// inside a string, where nearly every token is allowed.
func BenchmarkMaskLlama3(b *testing.B) {
	v := loadLlama3Vocab(b)
	st := JSON().NewState()
	if err := st.Accept([]byte(`{"key": "va`)); err != nil {
		b.Fatal(err)
	}
	logits := make([]float32, v.Size())
	_ = st.MaskLogits(v, logits)
	b.ResetTimer()
	for b.Loop() {
		st.g.mu.Lock()
		delete(st.g.masks, v)
		st.g.mu.Unlock()
		_ = st.MaskLogits(v, logits)
	}
}

// BenchmarkColdMaskLlama3 measures the first mask of a fresh grammar in
// the JSON-string state: every byte transition is computed too.
func BenchmarkColdMaskLlama3(b *testing.B) {
	v := loadLlama3Vocab(b)
	logits := make([]float32, v.Size())
	for b.Loop() {
		st := JSON().NewState()
		if err := st.Accept([]byte(`{"key": "va`)); err != nil {
			b.Fatal(err)
		}
		if err := st.MaskLogits(v, logits); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateLlama3 measures the grammar's whole per-token overhead
// (MaskLogits + AcceptToken, caches warm as they are in a long
// generation) while sampling schema-constrained JSON from random logits.
func BenchmarkGenerateLlama3(b *testing.B) {
	v := loadLlama3Vocab(b)
	g, err := FromSchema([]byte(testSchemas[3]))
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	logits := make([]float32, v.Size())
	noise := make([]float32, v.Size())
	for i := range noise {
		noise[i] = rng.Float32()
	}
	st := g.NewState()
	var grammarTime time.Duration
	b.ResetTimer()
	for b.Loop() {
		copy(logits, noise)
		logits[rng.IntN(len(noise))] += 0.5 // vary the draw cheaply
		start := time.Now()
		if st.Done() {
			st = g.NewState()
		}
		if err := st.MaskLogits(v, logits); err != nil {
			b.Fatal(err)
		}
		grammarTime += time.Since(start)
		best := 0
		for i, x := range logits {
			if x > logits[best] {
				best = i
			}
		}
		if math.IsInf(float64(logits[best]), -1) {
			b.Fatal("no token allowed")
		}
		start = time.Now()
		if err := st.AcceptToken(v, best); err != nil {
			b.Fatal(err)
		}
		grammarTime += time.Since(start)
	}
	b.ReportMetric(float64(grammarTime.Nanoseconds())/float64(b.N), "grammar-ns/token")
}
