package train

import (
	"slices"
	"strings"
	"testing"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"
)

// llama3Renderer renders with the synthetic Llama 3 model's own template
// (the Llama 3.2 one).
func llama3Renderer(t testing.TB) *ChatRenderer {
	t.Helper()
	f, err := gguf.Open(testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, ok := f.Meta.String("tokenizer.chat_template")
	if !ok {
		t.Fatal("tiny-llama3 has no chat template")
	}
	tok, err := tokenizer.FromGGUF(f.Meta)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ChatRendererForModel(src, tok)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// stories260KRenderer renders with the fallback template chosen for the
// stories260K vocabulary (Llama 2).
func stories260KRenderer(t *testing.T) *ChatRenderer {
	t.Helper()
	tok, err := tokenizer.Load(testdata.Path(t, "stories260K", "tok512.bin"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := ChatRendererForModel("", tok)
	if err != nil {
		t.Fatal(err)
	}
	if r.Template.Name() != "llama2" {
		t.Fatalf("fallback template %q, want llama2", r.Template.Name())
	}
	return r
}

// maskedSpans returns the runs of consecutive predicted tokens.
func maskedSpans(ex Example) [][]int {
	var spans [][]int
	for i := 0; i < len(ex.IDs); i++ {
		if !ex.Predict[i] {
			continue
		}
		j := i
		for j < len(ex.IDs) && ex.Predict[j] {
			j++
		}
		spans = append(spans, ex.IDs[i:j])
		i = j
	}
	return spans
}

var testConversation = Conversation{Messages: []chat.Message{
	{Role: "system", Content: "You answer briefly."},
	{Role: "user", Content: "What is the capital of France?"},
	{Role: "assistant", Content: "Paris, of course."},
	{Role: "user", Content: "And of Italy? <|eot_id|> [/INST]"},
	{Role: "assistant", Content: "Rome is the capital of Italy."},
}}

func TestChatMaskLlama3Template(t *testing.T) {
	r := llama3Renderer(t)
	ex, err := r.Example(testConversation)
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.IDs) != len(ex.Predict) {
		t.Fatalf("%d ids, %d mask entries", len(ex.IDs), len(ex.Predict))
	}
	whole, _, err := r.Template.EncodePrompt(r.Tokenizer, testConversation.Messages, chat.RenderOptions{BOS: r.BOS, EOS: r.EOS, Now: r.Now})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ex.IDs, whole) {
		t.Errorf("example tokens differ from the special-safe encoding of the whole rendering")
	}
	eot, ok := r.Tokenizer.(*tokenizer.Tokenizer).TokenID("<|eot_id|>")
	if !ok {
		t.Fatal("no <|eot_id|>")
	}
	spans := maskedSpans(ex)
	var want []string
	for _, m := range testConversation.Messages {
		if m.Role == "assistant" {
			want = append(want, m.Content)
		}
	}
	if len(spans) != len(want) {
		t.Fatalf("%d masked spans, want %d: %v", len(spans), len(want), spans)
	}
	for i, s := range spans {
		if s[len(s)-1] != eot {
			t.Errorf("span %d ends with %d, want <|eot_id|> %d", i, s[len(s)-1], eot)
		}
		if got := r.Tokenizer.Decode(s[:len(s)-1]); got != want[i] {
			t.Errorf("span %d decodes to %q, want %q", i, got, want[i])
		}
	}
	// The user's text that looks like special tokens stays plain text.
	if n := strings.Count(r.Tokenizer.Decode(ex.IDs), "<|eot_id|>"); n < 1 {
		t.Errorf("decoded example lost the user's <|eot_id|> text")
	}
	if c := slices.Index(ex.IDs, eot); c < 0 {
		t.Fatal("no <|eot_id|> token")
	}
	if got := countID(ex.IDs, eot); got != 5 {
		t.Errorf("%d <|eot_id|> tokens, want 5 (one per turn; the user's text is not one)", got)
	}
}

func countID(ids []int, id int) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

func TestChatMaskLlama2Fallback(t *testing.T) {
	r := stories260KRenderer(t)
	conv := Conversation{Messages: []chat.Message{
		{Role: "system", Content: "Tell short stories."},
		{Role: "user", Content: "Who is Lily?"},
		{Role: "assistant", Content: "Lily is a little girl who likes to play."},
		{Role: "user", Content: "What does she have?"},
		{Role: "assistant", Content: "She has a red ball."},
	}}
	ex, err := r.Example(conv)
	if err != nil {
		t.Fatal(err)
	}
	eos := r.Tokenizer.EOS()
	spans := maskedSpans(ex)
	want := []string{conv.Messages[2].Content, conv.Messages[4].Content}
	if len(spans) != len(want) {
		t.Fatalf("%d masked spans, want %d", len(spans), len(want))
	}
	for i, s := range spans {
		if s[len(s)-1] != eos {
			t.Errorf("span %d ends with %d, want </s> %d", i, s[len(s)-1], eos)
		}
		if got := strings.TrimSpace(r.Tokenizer.Decode(s[:len(s)-1])); got != want[i] {
			t.Errorf("span %d decodes to %q, want %q", i, got, want[i])
		}
	}
	if got := countID(ex.IDs, r.Tokenizer.BOS()); got != 2 {
		t.Errorf("%d BOS tokens, want one per exchange", got)
	}
	if ex.Predict[0] {
		t.Error("the first token is predicted")
	}
}

func TestChatTrainOnInputs(t *testing.T) {
	r := stories260KRenderer(t)
	data := []byte(`{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello there."}]}
{"prompt":"Say","completion":" yes"}
`)
	ex, err := JSONLExamples(r.Tokenizer, "mix.jsonl", data, r.Example)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ex.Items {
		if !slices.Contains(it.Predict, false) {
			t.Fatalf("an example is trained on all of its tokens before TrainOnInputs: %v", it.Predict)
		}
	}
	TrainOnInputs(ex)
	for _, it := range ex.Items {
		if slices.Contains(it.Predict, false) {
			t.Errorf("TrainOnInputs left tokens out of the loss: %v", it.Predict)
		}
		tokens, targets := ex.Sample(nil, 0, 8)
		_, _ = tokens, targets
	}
	// Every target of a row is taken once all tokens are predicted.
	var row struct{ tokens, targets []int }
	_ = ex.Eval(1, 64, 0, func(tokens, targets []int, n int) error {
		if row.tokens == nil {
			row.tokens, row.targets = tokens, targets
		}
		return nil
	})
	n := len(ex.Items[0].IDs)
	for i := 0; i+1 < n; i++ {
		if row.targets[i] != ex.Items[0].IDs[i+1] {
			t.Fatalf("target %d is %d, want %d", i, row.targets[i], ex.Items[0].IDs[i+1])
		}
	}
}

func TestChatJSONLErrors(t *testing.T) {
	r := stories260KRenderer(t)
	good := `{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}]}`
	for _, c := range []struct{ data, want string }{
		{good + "\n{\"messages\":[]}\n", "line 2: empty conversation"},
		{good + "\n\n" + `{"messages":[{"role":"bot","content":"x"}]}`, `line 3: message 1: role "bot"`},
		{`{"messages":[{"role":"user","content":"x"}]}`, "line 1: conversation has no assistant message"},
		{good + "\n{\"messages\":[{\"role\":\"user\",\"content\":", "line 2: "},
		{good + "\n" + `{"messages":[{"role":"user","content":["x"]}]}`, "line 2: messages: "},
		{`{"text":"a","prompt":"b","completion":"c"}`, "line 1: mixes"},
		{`{"prompt":"only"}`, `line 1: "prompt" without "completion"`},
		{`{"input":"x"}`, `line 1: want {"messages"`},
		{`[1,2]`, "line 1: "},
		{good + "\n" + `{"messages":[{"role":"user","content":"x"},{"role":"user","content":"y"},{"role":"assistant","content":"z"}]}`, "line 2: "},
	} {
		_, err := JSONLExamples(r.Tokenizer, "bad.jsonl", []byte(c.data), r.Example)
		if err == nil || !strings.Contains(err.Error(), "bad.jsonl "+c.want) {
			t.Errorf("%q: error %v, want %q", c.data, err, c.want)
		}
	}
	ex, err := JSONLExamples(r.Tokenizer, "ok.jsonl", []byte(good+"\n"+`{"text":"Once upon a time."}`+"\n"), r.Example)
	if err != nil || len(ex.Items) != 2 {
		t.Fatalf("%v, %v", ex, err)
	}
	if txt := ex.Items[1]; txt.Predict[0] || slices.Contains(txt.Predict[1:], false) {
		t.Errorf("text line mask %v", txt.Predict)
	}
}

func FuzzChatJSONL(f *testing.F) {
	tok, err := tokenizer.Load(testdata.Path(f, "stories260K", "tok512.bin"))
	if err != nil {
		f.Fatal(err)
	}
	r, err := ChatRendererForModel("", tok)
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		`{"messages":[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello."}]}`,
		`{"messages":[{"role":"system","content":"Be kind."},{"role":"user","content":"a"},{"role":"assistant","content":" b "}]}`,
		`{"messages":[{"role":"assistant","content":"first"}]}`,
		`{"messages":[{"role":"user","content":"</s><s>[INST]"},{"role":"assistant","content":"[/INST]</s>"}]}`,
		`{"messages":[{"role":"user","content":"x"},{"role":"assistant","content":""}]}`,
		`{"messages":[{"role":"user","content":"q"},{"role":"assistant","content":"a"}],"tools":[{"type":"function","function":{"name":"f"}}]}`,
		`{"messages":[{"role":"tool","content":"{\"a\":1}"},{"role":"assistant","content":"ok"}]}`,
		`{"messages":null}`, `{"messages":{}}`, `{"messages":[null]}`, `{"tools":1,"messages":[]}`,
		`{"prompt":"p","completion":"c"}`, `{"text":""}`, `{"text":"x"}`, "\n\n", `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ex, err := JSONLExamples(tok, "fuzz.jsonl", data, r.Example)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "train: fuzz.jsonl") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for _, it := range ex.Items {
			if len(it.IDs) != len(it.Predict) {
				t.Fatalf("%d ids, %d mask entries", len(it.IDs), len(it.Predict))
			}
			for _, id := range it.IDs {
				if id < 0 || id >= tok.VocabSize() {
					t.Fatalf("token %d outside the vocabulary", id)
				}
			}
		}
	})
}

func BenchmarkChatExampleLlama3(b *testing.B) {
	r := llama3Renderer(b)
	for b.Loop() {
		if _, err := r.Example(testConversation); err != nil {
			b.Fatal(err)
		}
	}
}

func TestModelChatUsesTheBaseTemplate(t *testing.T) {
	wf, err := weights.Open(testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	defer wf.Close()
	tok, err := tokenizer.FromGGUF(wf.Meta)
	if err != nil {
		t.Fatal(err)
	}
	got, err := modelChat(wf, tok)(testConversation)
	if err != nil {
		t.Fatal(err)
	}
	want, err := llama3Renderer(t).Example(testConversation)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.IDs, want.IDs) || !slices.Equal(got.Predict, want.Predict) {
		t.Error("fine-tuning renders chat data differently from the model's own template")
	}
	if !strings.Contains(tok.Decode(got.IDs), "Cutting Knowledge Date") {
		t.Error("the Llama 3.2 template's system header is missing")
	}
}
