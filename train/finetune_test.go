package train

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tokenizer"
)

// zorbitStories writes n short stories about a robot the base model has
// never seen, varying friends, places and toys.
func zorbitStories(rng *rand.Rand, n int) string {
	friends := []string{"Lily", "Tom", "Ben", "Mia", "Sue", "Max", "Anna", "Sam", "Lucy", "Jack"}
	places := []string{"park", "garden", "big house", "forest", "town", "farm"}
	toys := []string{"ball", "kite", "red car", "doll", "drum", "boat", "book"}
	feelings := []string{"happy", "glad", "proud", "excited"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		f, p, t, e := friends[rng.IntN(len(friends))], places[rng.IntN(len(places))], toys[rng.IntN(len(toys))], feelings[rng.IntN(len(feelings))]
		fmt.Fprintf(&b, "Once upon a time, there was a little robot named Zorbit. Zorbit lived in a %s. ", p)
		fmt.Fprintf(&b, "One day, Zorbit met a friend named %s. %s said, \"Hello Zorbit! Do you want to play with my %s?\" ", f, f, t)
		fmt.Fprintf(&b, "Zorbit said, \"Yes! I love to play!\" Zorbit and %s played with the %s all day. ", f, t)
		fmt.Fprintf(&b, "Zorbit the robot was very %s.\n\n", e)
	}
	return b.String()
}

// loadStories260K opens the llama2.c stories260K checkpoint as a frozen base, with its tokenizer.
func loadStories260K(t *testing.T, pool *Pool) (*Model, Tokenizer, func()) {
	t.Helper()
	m, f, err := OpenBase(testdata.Path(t, "stories260K", "stories260K.bin"), pool)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.Load(testdata.Path(t, "stories260K", "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	return m, tok, func() { f.Close() }
}

func TestLoRAFineTuneLearnsNewCharacter(t *testing.T) {
	pool := NewPool(0)
	defer pool.Close()
	m, tok, done := loadStories260K(t, pool)
	defer done()
	rng := rand.New(rand.NewPCG(2024, 1))
	trainSet := TextStream(tok, zorbitStories(rng, 40))
	validSet := TextStream(tok, zorbitStories(rng, 6))

	prompt := tok.Encode("Once upon a time,", true, false)
	gen := func() string {
		ids, err := m.Greedy(prompt, 40, tok.EOS())
		if err != nil {
			t.Fatal(err)
		}
		return tok.Decode(ids)
	}
	baseText := gen()
	opts := Options{Steps: 30, Batch: 4, Seq: 64, LR: 1e-2, MinLR: 1e-3, Warmup: 5, ClipNorm: 1, Seed: 1}
	baseLoss, err := EvalLoss(m, validSet, opts.Batch, opts.Seq, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.AddLoRA(LoRAOptions{Rank: 8, Alpha: 16, Targets: AllLoRATargets}, 1); err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, opts, trainSet, validSet)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	tunedText := gen()
	t.Logf("validation loss %.3f -> %.3f", baseLoss, tr.ValLoss)
	t.Logf("base:  %q", baseText)
	t.Logf("tuned: %q", tunedText)
	if math.IsNaN(tr.ValLoss) || tr.ValLoss > 0.7*baseLoss {
		t.Errorf("validation loss fell from %.3f to %.3f, want at least 30%% lower", baseLoss, tr.ValLoss)
	}
	if strings.Contains(baseText, "Zorbit") {
		t.Errorf("base model already writes Zorbit: %q", baseText)
	}
	if !strings.Contains(tunedText, "Zorbit") {
		t.Errorf("tuned model does not write Zorbit: %q", tunedText)
	}
}

func TestLoRAOnQuantizedBase(t *testing.T) {
	pool := NewPool(2)
	defer pool.Close()
	m, f, err := OpenBase(testdata.Path(t, "stories260K", "stories260K-q8_0.gguf"), pool)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if m.Blocks[0].Q.Q == nil || m.Blocks[0].Q.W != nil {
		t.Fatal("Q8_0 base weights were copied to float32")
	}
	tok, err := tokenizer.Load(testdata.Path(t, "stories260K", "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	data := TextStream(tok, zorbitStories(rand.New(rand.NewPCG(3, 3)), 10))
	if err := m.AddLoRA(LoRAOptions{Rank: 4, Alpha: 8, Dropout: 0.05}, 2); err != nil {
		t.Fatal(err)
	}
	opts := Options{Steps: 8, Batch: 2, Seq: 48, LR: 1e-2, Seed: 4}
	before, err := EvalLoss(m, data, 2, 48, 0)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := NewTrainer(m, opts, data, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	if !(tr.ValLoss < before) {
		t.Errorf("loss %.3f -> %.3f, want lower", before, tr.ValLoss)
	}
}

func TestFineTuningWritesLlamaCppAdapter(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "zorbit.txt")
	if err := os.WriteFile(data, []byte(zorbitStories(rand.New(rand.NewPCG(5, 5)), 8)), 0o644); err != nil {
		t.Fatal(err)
	}
	jsonl := filepath.Join(dir, "qa.jsonl")
	if err := os.WriteFile(jsonl, []byte(`{"prompt":"Who is Zorbit?","completion":" A little robot."}`+"\n"+`{"prompt":"Where does Zorbit live?","completion":" In a park."}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := FineTuneConfig{
		Base:      testdata.Path(t, "stories260K", "stories260K.bin"),
		Tokenizer: testdata.Path(t, "stories260K", "tok512.bin"),
		Data:      []string{data},
		LoRA:      LoRAOptions{Rank: 4, Alpha: 8},
		Options:   Options{Batch: 2, Seq: 32, LR: 1e-2, Seed: 1},
		Epochs:    0.5,
	}
	ft, err := NewFineTuning(cfg, NewPool(2))
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Close()
	if err := ft.Trainer.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "adapter.gguf")
	if err := ft.SaveAdapter(out, 1.5); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for k, want := range map[string]string{"general.type": "adapter", "adapter.type": "lora", "general.architecture": "llama"} {
		if got, _ := f.Meta.String(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if a, _ := f.Meta.Float("adapter.lora.alpha"); a != 8 {
		t.Errorf("adapter.lora.alpha = %v, want 8", a)
	}
	sums, _ := f.Meta.Strings("training.data.sha256")
	if base, _ := f.Meta.String("training.base.sha256"); len(base) != 64 || len(sums) != 1 || sums[0] != ft.DataInfo[0].SHA256 {
		t.Errorf("provenance: base %q, data %v", base, sums)
	}
	if _, ok := f.Meta.Float("training.valid_loss"); !ok {
		t.Error("training.valid_loss missing")
	}
	a, okA := f.Tensor("blk.0.attn_q.weight.lora_a")
	b, okB := f.Tensor("blk.0.attn_q.weight.lora_b")
	if !okA || !okB || a.Shape[0] != 64 || a.Shape[1] != 4 || b.Shape[0] != 4 || b.Shape[1] != 64 {
		t.Fatalf("lora tensors %v %v", a, b)
	}
	if k, ok := f.Tensor("blk.4.attn_k.weight.lora_b"); !ok || k.Shape[1] != 32 {
		t.Fatalf("attn_k lora_b %v, want n_out 32", k)
	}
	if _, ok := f.Tensor("blk.0.ffn_up.weight.lora_a"); ok {
		t.Error("feed-forward adapters written though not asked for")
	}
	// Reloading the adapter onto a fresh base reproduces the tuned model.
	fresh, wf, err := OpenBase(cfg.Base, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	if err := fresh.LoadAdapter(f); err != nil {
		t.Fatal(err)
	}
	ids := ft.Tokenizer.Encode("Zorbit said", true, false)
	x, _ := ft.Model.Logits(ids)
	y, _ := fresh.Logits(ids)
	for i := range x {
		if x[i] != y[i] {
			t.Fatalf("logit %d: %v reloaded, %v trained", i, y[i], x[i])
		}
	}
	// Prompt/completion data trains on completions only.
	ex, err := LoadDataset(jsonl, ft.Tokenizer, nil)
	if err != nil {
		t.Fatal(err)
	}
	it := ex.(*Examples).Items[0]
	if it.Predict[0] || !it.Predict[len(it.Predict)-1] || it.IDs[len(it.IDs)-1] != ft.Tokenizer.EOS() {
		t.Errorf("example mask %v for %v", it.Predict, it.IDs)
	}
}
