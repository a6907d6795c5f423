package herdfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParseAllInstructions(t *testing.T) {
	src := "# Mario persona\n" +
		"from ./models/mario.gguf\n" +
		"\n" +
		"SYSTEM \"\"\"\n" +
		"You are Mario.\n" +
		"  Stay in character.\n" +
		"\"\"\"\n" +
		"Parameter temperature 0.7\n" +
		"PARAMETER top-k 20\n" +
		"PARAMETER stop \"<|eot_id|>\"\n" +
		"PARAMETER stop User:\n" +
		"PARAMETER max_tokens 64\n" +
		"PARAMETER\tseed\t42\n" +
		"TEMPLATE \"\"\"{% for m in messages %}{{ m.content }}{% endfor %}\"\"\"\n" +
		"MESSAGE user Who are you?\n" +
		"message ASSISTANT \"\"\"It's-a me,\n" +
		"Mario!\"\"\"\n" +
		"   # an indented comment\n" +
		"ADAPTER mario-lora.gguf\r\n" +
		"LICENSE \"\"\"MIT\n\"\"\"\n"
	h, err := Parse(strings.NewReader(src))
	if err != nil {
		t.Fatal(err)
	}
	want := &Herdfile{
		From:      "./models/mario.gguf",
		System:    "You are Mario.\n  Stay in character.",
		HasSystem: true,
		Template:  "{% for m in messages %}{{ m.content }}{% endfor %}",
		Parameters: []Parameter{
			{"temperature", "0.7", 8},
			{"top_k", "20", 9},
			{"stop", "<|eot_id|>", 10},
			{"stop", "User:", 11},
			{"num_predict", "64", 12},
			{"seed", "42", 13},
		},
		Messages: []Message{
			{"user", "Who are you?", 15},
			{"assistant", "It's-a me,\nMario!", 16},
		},
		Adapters: []string{"mario-lora.gguf"},
	}
	if !reflect.DeepEqual(h, want) {
		t.Errorf("got  %+v\nwant %+v", h, want)
	}

	s := DefaultSettings()
	if err := s.Apply(h.Parameters); err != nil {
		t.Fatal(err)
	}
	if s.Temperature != 0.7 || s.TopK != 20 || s.NumPredict != 64 || s.Seed != 42 ||
		!reflect.DeepEqual(s.Stop, []string{"<|eot_id|>", "User:"}) {
		t.Errorf("settings %+v", s)
	}
	if o := s.Sampling(7); o.Seed != 42 || o.Temperature != 0.7 || o.TopK != 20 {
		t.Errorf("sampling %+v", o)
	}
}

func TestParseEmptyAndSingleLine(t *testing.T) {
	h, err := Parse(strings.NewReader("# nothing but a comment\n\n"))
	if err != nil || !reflect.DeepEqual(h, &Herdfile{}) {
		t.Errorf("empty: %+v, %v", h, err)
	}
	h, err = Parse(strings.NewReader("SYSTEM   You are terse.   \nSYSTEM_X"))
	if err == nil {
		t.Errorf("SYSTEM_X accepted: %+v", h)
	}
	h, err = Parse(strings.NewReader("SYSTEM   You are terse.   \n"))
	if err != nil || h.System != "You are terse." || !h.HasSystem {
		t.Errorf("single-line SYSTEM: %+v, %v", h, err)
	}
	h, err = Parse(strings.NewReader(`SYSTEM ""`))
	if err != nil || h.System != "" || !h.HasSystem {
		t.Errorf("empty SYSTEM: %+v, %v", h, err)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		src  string
		line int
		msg  string
	}{
		{"FROM a\nBOGUS x", 2, `unknown instruction "BOGUS"`},
		{"FROM a\n\nFROM b", 3, "a second FROM (the first is on line 1)"},
		{"# c\nFROM", 2, "FROM needs a model"},
		{"SYSTEM \"\"\"hello\nworld\n", 1, `""" is never closed`},
		{"SYSTEM \"\"\"a\"\"\" b", 1, `after the closing`},
		{"\nPARAMETER temperature warm", 2, `parameter temperature: "warm" is not a number`},
		{"PARAMETER top_k -3", 1, "top_k"},
		{"PARAMETER top_p inf", 1, "not a number"},
		{"PARAMETER nonsense 1", 1, `unknown parameter "nonsense"`},
		{"PARAMETER", 1, "needs a name"},
		{"PARAMETER stop", 1, "empty stop string"},
		{"MESSAGE robot hi", 1, `role "robot"`},
		{"MESSAGE", 1, "needs a role"},
		{"ADAPTER", 1, "ADAPTER needs a path"},
		{"TEMPLATE \"\"\"\n\"\"\"", 1, "TEMPLATE is empty"},
		{`SYSTEM "unterminated`, 1, "bad quoted string"},
		{"SYSTEM a\nTEMPLATE x\nSYSTEM b", 3, "a second SYSTEM"},
	} {
		_, err := Parse(strings.NewReader(tt.src))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: error %v, want an *Error", tt.src, err)
			continue
		}
		if e.Line != tt.line || !strings.Contains(e.Msg, tt.msg) {
			t.Errorf("%q: %v, want line %d and %q", tt.src, err, tt.line, tt.msg)
		}
		if !strings.HasPrefix(err.Error(), "herdfile: line ") {
			t.Errorf("%q: error %q lacks the line prefix", tt.src, err)
		}
	}
}

func TestSettings(t *testing.T) {
	s := DefaultSettings()
	for _, kv := range [][2]string{
		{"temp", "0.5"}, {"TOP_P", "0.9"}, {"min-p", "0.1"}, {"repeat_penalty", "1.1"},
		{"repeat_last_n", "-1"}, {"presence_penalty", "0.2"}, {"frequency_penalty", "0.3"},
		{"seed", "-1"}, {"num_predict", "12"}, {"stop", "a b"}, {"num_ctx", "256"}, {"top_k", "5"},
	} {
		if err := s.Set(kv[0], kv[1]); err != nil {
			t.Fatalf("Set(%q, %q): %v", kv[0], kv[1], err)
		}
	}
	want := Settings{Temperature: 0.5, TopK: 5, TopP: 0.9, MinP: 0.1, RepeatPenalty: 1.1, RepeatLastN: -1,
		PresencePenalty: 0.2, FrequencyPenalty: 0.3, Seed: -1, NumPredict: 12, Stop: []string{"a b"}, NumCtx: 256}
	if !reflect.DeepEqual(s, want) {
		t.Errorf("got  %+v\nwant %+v", s, want)
	}
	for _, n := range Names {
		if _, err := s.Get(n); err != nil {
			t.Errorf("Get(%s): %v", n, err)
		}
	}
	if v, _ := s.Get("temp"); v != "0.5" {
		t.Errorf("temp = %s", v)
	}
	if v, _ := s.Get("stop"); v != `"a b"` {
		t.Errorf("stop = %s", v)
	}
	if o := s.Sampling(99); o.Seed != 99 {
		t.Errorf("random seed not used: %d", o.Seed)
	}
	s.ResetStop()
	if s.Stop != nil {
		t.Error("stop not reset")
	}
	if err := s.Set("seed", "-2"); err == nil {
		t.Error("seed -2 accepted")
	}
}

func TestStringRoundTrip(t *testing.T) {
	h := &Herdfile{
		From: "models/x y.gguf", System: " leading space\nand \"quotes\"", HasSystem: true,
		Template:   `{{ "x" }}`,
		Parameters: []Parameter{{Name: "stop", Value: `"""`}, {Name: "temperature", Value: "0.1"}},
		Messages:   []Message{{Role: "user", Content: "# not a comment"}, {Role: "assistant", Content: ""}},
		Adapters:   []string{"a.gguf"},
	}
	back, err := Parse(strings.NewReader(h.String()))
	if err != nil {
		t.Fatalf("%v in\n%s", err, h.String())
	}
	if !sameContent(h, back) {
		t.Errorf("round trip\n%s\ngave %+v", h.String(), back)
	}
}

// sameContent compares Herdfiles ignoring line numbers.
func sameContent(a, b *Herdfile) bool {
	strip := func(h *Herdfile) Herdfile {
		c := *h
		c.Parameters = append([]Parameter(nil), h.Parameters...)
		for i := range c.Parameters {
			c.Parameters[i].Line = 0
		}
		c.Messages = append([]Message(nil), h.Messages...)
		for i := range c.Messages {
			c.Messages[i].Line = 0
		}
		if len(c.Parameters) == 0 {
			c.Parameters = nil
		}
		if len(c.Messages) == 0 {
			c.Messages = nil
		}
		if len(c.Adapters) == 0 {
			c.Adapters = nil
		}
		return c
	}
	return reflect.DeepEqual(strip(a), strip(b))
}
