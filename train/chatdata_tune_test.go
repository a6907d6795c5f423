package train

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/internal/testdata"
)

// lastTurnTemplate renders the final assistant turn differently from
// earlier ones, so prefix renderings are not prefixes of the whole.
const lastTurnTemplate = `{%- for m in messages -%}
{{- '<|start_header_id|>' + m.role + '<|end_header_id|>\n\n' -}}
{%- if m.role == 'assistant' and loop.last -%}{{- 'Final answer: ' -}}{%- endif -%}
{{- m.content + '<|eot_id|>' -}}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- '<|start_header_id|>assistant<|end_header_id|>\n\n' -}}{%- endif -%}`

func TestChatMaskFallbacks(t *testing.T) {
	r := llama3Renderer(t)
	eot := r.Tokenizer.(interface{ TokenID(string) (int, bool) })
	eotID, _ := eot.TokenID("<|eot_id|>")

	// Piecewise tokenization at the turn boundaries agrees with the whole
	// tokenization where the boundaries fall between tokens.
	opts := chat.RenderOptions{BOS: r.BOS, EOS: r.EOS, Now: r.Now}
	segs, err := r.Template.RenderSegments(testConversation.Messages, opts)
	if err != nil {
		t.Fatal(err)
	}
	turns, ok, err := r.assistantTurns(testConversation, opts)
	if err != nil || !ok {
		t.Fatalf("turns %v, %v", ok, err)
	}
	whole, ok := r.byTokenPrefix(segs, turns)
	if !ok {
		t.Fatal("Llama 3.2 template renderings are not token prefixes")
	}
	pieces := r.piecewise(segs, turns, false)
	if !slices.Equal(whole.IDs, pieces.IDs) || !slices.Equal(whole.Predict, pieces.Predict) {
		t.Errorf("piecewise example differs from the whole one")
	}

	// A template that renders the last turn differently falls back to
	// the assistant contents and their end-of-turn tokens.
	tmpl, err := chat.New("last-turn", lastTurnTemplate)
	if err != nil {
		t.Fatal(err)
	}
	lr := NewChatRenderer(tmpl, r.Tokenizer)
	ex, err := lr.Example(testConversation)
	if err != nil {
		t.Fatal(err)
	}
	spans := maskedSpans(ex)
	want := []string{"Paris, of course.", "Rome is the capital of Italy."}
	if len(spans) != len(want) {
		t.Fatalf("%d masked spans, want %d", len(spans), len(want))
	}
	for i, s := range spans {
		if s[len(s)-1] != eotID || r.Tokenizer.Decode(s[:len(s)-1]) != want[i] {
			t.Errorf("span %d = %q + %d, want %q + <|eot_id|>", i, r.Tokenizer.Decode(s[:len(s)-1]), s[len(s)-1], want[i])
		}
	}
}

// zorbitChats writes n conversations about a robot the base model has
// never seen, as JSONL chat lines.
func zorbitChats(rng *rand.Rand, n int) []byte {
	friends := []string{"Lily", "Tom", "Ben", "Mia", "Sue", "Max"}
	toys := []string{"ball", "kite", "red car", "doll", "drum", "boat"}
	var b strings.Builder
	for range n {
		f, toy := friends[rng.IntN(len(friends))], toys[rng.IntN(len(toys))]
		conv := Conversation{Messages: []chat.Message{
			{Role: "user", Content: fmt.Sprintf("Who plays with %s?", f)},
			{Role: "assistant", Content: fmt.Sprintf("Zorbit the robot plays with %s. They play with the %s.", f, toy)},
			{Role: "user", Content: "Is Zorbit happy?"},
			{Role: "assistant", Content: "Yes, Zorbit the robot is very happy."},
		}}
		line, _ := json.Marshal(conv)
		b.Write(line)
		b.WriteByte('\n')
	}
	return []byte(b.String())
}

func TestChatFineTuneLowersValidationLoss(t *testing.T) {
	dir := t.TempDir()
	rng := rand.New(rand.NewPCG(7, 7))
	trainPath, validPath := filepath.Join(dir, "train.jsonl"), filepath.Join(dir, "valid.jsonl")
	if err := os.WriteFile(trainPath, zorbitChats(rng, 40), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(validPath, zorbitChats(rng, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := FineTuneConfig{
		Base:      testdata.Path(t, "stories260K", "stories260K.bin"),
		Tokenizer: testdata.Path(t, "stories260K", "tok512.bin"),
		Data:      []string{trainPath},
		Valid:     validPath,
		LoRA:      LoRAOptions{Rank: 8, Alpha: 16, Targets: AllLoRATargets},
		Options:   Options{Steps: 12, Batch: 4, Seq: 128, LR: 1e-2, MinLR: 1e-3, Warmup: 2, ClipNorm: 1, Seed: 1},
	}
	pool := NewPool(2)
	defer pool.Close()
	ft, err := NewFineTuning(cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer ft.Close()
	valid := ft.Trainer.Valid.(*Examples)
	for _, it := range valid.Items {
		if !slices.Contains(it.Predict, true) || !slices.Contains(it.Predict, false) {
			t.Fatalf("validation example mask %v: want assistant turns only", it.Predict)
		}
	}
	if ft.Truncated != 0 {
		t.Errorf("%d examples truncated at 128 tokens", ft.Truncated)
	}
	before, err := EvalLoss(ft.Model, ft.Trainer.Valid, 4, 128, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := ft.Trainer.Run(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	t.Logf("validation loss on assistant turns %.3f -> %.3f", before, ft.Trainer.ValLoss)
	if math.IsNaN(ft.Trainer.ValLoss) || ft.Trainer.ValLoss > 0.8*before {
		t.Errorf("validation loss %.3f -> %.3f, want at least 20%% lower", before, ft.Trainer.ValLoss)
	}

	// With TrainOnInputs every token is in the loss, and the truncation
	// count reports examples longer than the context.
	cfg.TrainOnInputs = true
	cfg.Options.Seq = 16
	all, err := NewFineTuning(cfg, pool)
	if err != nil {
		t.Fatal(err)
	}
	defer all.Close()
	for _, it := range all.Trainer.Train.(*Examples).Items {
		if slices.Contains(it.Predict, false) {
			t.Fatalf("train-on-inputs example mask %v", it.Predict)
		}
	}
	if all.Truncated != 46 {
		t.Errorf("%d examples truncated at 16 tokens, want all 46", all.Truncated)
	}
}
