package chat

import (
	"os"
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func TestLlama3HFConfig(t *testing.T) {
	data, err := os.ReadFile(testdata.Path(t, "llama3", "tokenizer_config.json"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ParseHFConfig(data)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Template == nil || cfg.BOS != bot || cfg.EOS != "<|end_of_text|>" {
		t.Fatalf("config: %+v", cfg)
	}
	msgs := []Message{
		{Role: "system", Content: "You are a pirate."},
		{Role: "user", Content: " Hello! "},
		{Role: "assistant", Content: "Arr."},
		{Role: "user", Content: "Where is the treasure?"},
	}
	opts := RenderOptions{BOS: cfg.BOS, EOS: cfg.EOS, AddGenerationPrompt: true}
	// Llama 3 format: BOS, then a header and an <|eot_id|> per message, and
	// the assistant header (this template writes it unconditionally).
	want := bot + hdr + "system" + ehdr + "You are a pirate." + eot +
		hdr + "user" + ehdr + "Hello!" + eot +
		hdr + "assistant" + ehdr + "Arr." + eot +
		hdr + "user" + ehdr + "Where is the treasure?" + eot +
		hdr + "assistant" + ehdr
	got, err := cfg.Template.Render(msgs, opts)
	if err != nil || got != want {
		t.Fatalf("got %q (%v)\nwant %q", got, err, want)
	}
	noSystem, err := cfg.Template.Render(msgs[1:2], opts)
	if wantNS := bot + hdr + "user" + ehdr + "Hello!" + eot + hdr + "assistant" + ehdr; err != nil || noSystem != wantNS {
		t.Errorf("no system: got %q (%v)", noSystem, err)
	}
	tok := loadLlama3Tokenizer(t)
	ids, _, err := cfg.Template.EncodePrompt(tok, msgs, opts)
	if err != nil {
		t.Fatal(err)
	}
	wantSpecial := []int{128000, 128006, 128007, 128009, 128006, 128007, 128009, 128006, 128007, 128009, 128006, 128007, 128009, 128006, 128007}
	if got := specialIDs(tok, ids); !slices.Equal(got, wantSpecial) {
		t.Errorf("special ids %v, want %v", got, wantSpecial)
	}
}

func TestParseHFConfigForms(t *testing.T) {
	cfg, err := ParseHFConfig([]byte(`{"bos_token": {"content": "<s>", "lstrip": false}, "eos_token": "</s>",
		"chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "{{ bos_token }}D"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	out, err := cfg.Template.Render(nil, RenderOptions{BOS: cfg.BOS})
	if err != nil || out != "<s>D" || cfg.EOS != "</s>" {
		t.Errorf("got %q %v %+v", out, err, cfg)
	}
	if cfg, err := ParseHFConfig([]byte(`{}`)); err != nil || cfg.Template != nil {
		t.Errorf("empty config: %+v %v", cfg, err)
	}
	for _, bad := range []string{`{`, `{"chat_template": 3}`, `{"bos_token": 3}`, `{"chat_template": "{% if %}"}`} {
		if _, err := ParseHFConfig([]byte(bad)); err == nil {
			t.Errorf("%s: no error", bad)
		}
	}
}

func FuzzParseHFConfig(f *testing.F) {
	for _, s := range []string{
		`{"bos_token": "<s>", "eos_token": {"content": "</s>"}, "chat_template": "{{ bos_token }}{% for m in messages %}{{ m.content }}{% endfor %}"}`,
		`{"chat_template": [{"name": "default", "template": "x"}]}`, `{}`, `[]`, `{"chat_template": null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := ParseHFConfig(data)
		if err != nil || cfg.Template == nil {
			return
		}
		_, _ = cfg.Template.Render([]Message{{Role: "user", Content: "hi"}}, RenderOptions{BOS: cfg.BOS, EOS: cfg.EOS})
	})
}
