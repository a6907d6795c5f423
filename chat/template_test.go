package chat

import (
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/herdllm/herd/internal/testdata"
)

// Fixed clock: 5 Sep 2024, so templates that call strftime_now differ
// from the "26 Jul 2024" default of those that do not.
var testNow = time.Date(2024, 9, 5, 10, 0, 0, 0, time.UTC)

func loadTemplate(t *testing.T, file string) *Template {
	return loadTemplateTB(t, file)
}

func loadTemplateTB(t testing.TB, file string) *Template {
	t.Helper()
	src, err := os.ReadFile(testdata.Path(t, "templates", file))
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := New(file, string(src))
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

var weatherTool = Tool{Type: "function", Function: Function{
	Name:        "get_weather",
	Description: "Get the current weather in a city",
	Parameters:  json.RawMessage(`{"type": "object", "properties": {"city": {"type": "string", "description": "City name"}, "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}}, "required": ["city"]}`),
}}

// weatherToolJSON is the tool as the Llama 3.1 format prints it: Python's
// json.dumps with indent 4, keys in their given order.
const weatherToolJSON = `{
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {
                    "type": "string",
                    "description": "City name"
                },
                "unit": {
                    "type": "string",
                    "enum": [
                        "celsius",
                        "fahrenheit"
                    ]
                }
            },
            "required": [
                "city"
            ]
        }
    }
}`

const (
	bot  = "<|begin_of_text|>"
	eot  = "<|eot_id|>"
	hdr  = "<|start_header_id|>"
	ehdr = "<|end_header_id|>\n\n"
)

func llama3Header(date string, ipython bool) string {
	s := bot + hdr + "system" + ehdr
	if ipython {
		s += "Environment: ipython\n"
	}
	return s + "Cutting Knowledge Date: December 2023\nToday Date: " + date + "\n\n"
}

func TestLlama3Templates(t *testing.T) {
	for _, tc := range []struct{ file, date string }{
		{"meta-llama-Llama-3.1-8B-Instruct.jinja", "26 Jul 2024"},
		{"meta-llama-Llama-3.2-3B-Instruct.jinja", "05 Sep 2024"}, // strftime_now("%d %b %Y")
		{"meta-llama-Llama-3.3-70B-Instruct.jinja", "26 Jul 2024"},
	} {
		tpl := loadTemplate(t, tc.file)
		opts := RenderOptions{BOS: bot, EOS: eot, Now: testNow, AddGenerationPrompt: true}
		check := func(name string, msgs []Message, opts RenderOptions, want string) {
			t.Helper()
			got, err := tpl.Render(msgs, opts)
			if err != nil {
				t.Fatalf("%s %s: %v", tc.file, name, err)
			}
			if got != want {
				t.Errorf("%s %s:\n got %q\nwant %q", tc.file, name, got, want)
			}
		}
		check("system+user", []Message{
			{Role: "system", Content: "You are a helpful assistant."},
			{Role: "user", Content: "What is the capital of France?"},
		}, opts, llama3Header(tc.date, false)+"You are a helpful assistant."+eot+
			hdr+"user"+ehdr+"What is the capital of France?"+eot+hdr+"assistant"+ehdr)

		noGen := opts
		noGen.AddGenerationPrompt = false
		check("no system, multi-turn", []Message{
			{Role: "user", Content: "  Hi!\n"},
			{Role: "assistant", Content: "Hello. How can I help?"},
			{Role: "user", Content: "Tell me a joke."},
		}, noGen, llama3Header(tc.date, false)+eot+
			hdr+"user"+ehdr+"Hi!"+eot+
			hdr+"assistant"+ehdr+"Hello. How can I help?"+eot+
			hdr+"user"+ehdr+"Tell me a joke."+eot)

		tools := opts
		tools.Tools = []Tool{weatherTool}
		toolPreamble := "Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
			`Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.` + "\n\n" +
			weatherToolJSON + "\n\n"
		check("tools in user message", []Message{
			{Role: "system", Content: "You are a helpful assistant."},
			{Role: "user", Content: "What is the weather in Paris?"},
		}, tools, llama3Header(tc.date, true)+"You are a helpful assistant."+eot+
			hdr+"user"+ehdr+toolPreamble+"What is the weather in Paris?"+eot+hdr+"assistant"+ehdr)

		check("tool call and result", []Message{
			{Role: "user", Content: "What is the weather in Paris?"},
			{Role: "assistant", ToolCalls: []ToolCall{{ID: "call_1", Type: "function", Function: FunctionCall{Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris","unit":"celsius"}`)}}}},
			{Role: "tool", ToolCallID: "call_1", Content: `{"temperature": 21.5, "sky": "clear"}`},
		}, tools, llama3Header(tc.date, true)+eot+
			hdr+"user"+ehdr+toolPreamble+"What is the weather in Paris?"+eot+
			hdr+"assistant"+ehdr+`{"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}}`+eot+
			hdr+"ipython"+ehdr+`{"temperature": 21.5, "sky": "clear"}`+eot+
			hdr+"assistant"+ehdr)

		inSystem := tools
		inSystem.Vars = map[string]any{"tools_in_user_message": false, "date_string": "1 Jan 2025"}
		check("tools in system message", []Message{
			{Role: "system", Content: "Be brief."},
			{Role: "user", Content: "Weather in Oslo?"},
		}, inSystem, llama3Header("1 Jan 2025", true)+
			"You have access to the following functions. To call a function, please respond with JSON for a function call."+
			`Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.`+"\n\n"+
			weatherToolJSON+"\n\nBe brief."+eot+
			hdr+"user"+ehdr+"Weather in Oslo?"+eot+hdr+"assistant"+ehdr)

		custom := opts
		custom.Vars = map[string]any{"custom_tools": []Tool{weatherTool}}
		check("custom_tools", []Message{{Role: "user", Content: "Weather?"}}, custom,
			llama3Header(tc.date, true)+eot+hdr+"user"+ehdr+toolPreamble+"Weather?"+eot+hdr+"assistant"+ehdr)

		_, err := tpl.Render([]Message{
			{Role: "user", Content: "Two calls"},
			{Role: "assistant", ToolCalls: []ToolCall{
				{Function: FunctionCall{Name: "a", Arguments: json.RawMessage(`{}`)}},
				{Function: FunctionCall{Name: "b", Arguments: json.RawMessage(`{}`)}},
			}},
		}, opts)
		if !errors.Is(err, ErrTemplateException) || !strings.Contains(err.Error(), "single tool-calls") {
			t.Errorf("%s: two tool calls: error %v, want the template's exception", tc.file, err)
		}
		_, err = tpl.Render([]Message{{Role: "system", Content: "x"}}, tools)
		if !errors.Is(err, ErrTemplateException) {
			t.Errorf("%s: tools without a user message: error %v", tc.file, err)
		}
	}
}

func TestLlama31BuiltinTools(t *testing.T) {
	tpl := loadTemplate(t, "meta-llama-Llama-3.1-8B-Instruct.jinja")
	got, err := tpl.Render([]Message{
		{Role: "user", Content: "Search the news"},
		{Role: "assistant", ToolCalls: []ToolCall{{Function: FunctionCall{Name: "brave_search", Arguments: json.RawMessage(`{"query":"news","when":"today"}`)}}}},
		{Role: "ipython", Content: "no news"},
	}, RenderOptions{BOS: bot, Now: testNow, Vars: map[string]any{"builtin_tools": []string{"brave_search", "code_interpreter"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := bot + hdr + "system" + ehdr + "Environment: ipython\nTools: brave_search\n\n" +
		"Cutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024\n\n" + eot +
		hdr + "user" + ehdr + "Search the news" + eot +
		hdr + "assistant" + ehdr + `<|python_tag|>brave_search.call(query="news", when="today")<|eom_id|>` +
		// A string is iterable in Jinja, so the template writes it as JSON.
		hdr + "ipython" + ehdr + `"no news"` + eot
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}

func TestOtherTemplates(t *testing.T) {
	msgs := []Message{
		{Role: "system", Content: "Be nice."},
		{Role: "user", Content: "Hi"},
		{Role: "assistant", Content: "<think>hmm</think>Hello!"},
		{Role: "user", Content: "Bye"},
	}
	for _, tc := range []struct {
		file string
		opts RenderOptions
		want string
	}{
		{"microsoft-Phi-3.5-mini-instruct.jinja", RenderOptions{AddGenerationPrompt: true, EOS: "<|endoftext|>"},
			"<|system|>\nBe nice.<|end|>\n<|user|>\nHi<|end|>\n<|assistant|>\n<think>hmm</think>Hello!<|end|>\n<|user|>\nBye<|end|>\n<|assistant|>\n"},
		{"deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", RenderOptions{AddGenerationPrompt: true, BOS: "<｜begin▁of▁sentence｜>", EOS: "<｜end▁of▁sentence｜>"},
			"<｜begin▁of▁sentence｜>Be nice.<｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>Bye<｜Assistant｜><think>\n"},
		{"mistralai-Mistral-Nemo-Instruct-2407.jinja", RenderOptions{BOS: "<s>", EOS: "</s>"},
			"<s>[INST]Hi[/INST]<think>hmm</think>Hello!</s>[INST]Be nice.\n\nBye[/INST]"},
	} {
		got, err := loadTemplate(t, tc.file).Render(msgs, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.file, got, tc.want)
		}
	}
	// Without a system prompt.
	short := []Message{{Role: "user", Content: "Hi"}, {Role: "assistant", Content: "Hello!"}, {Role: "user", Content: "Bye"}}
	for _, tc := range []struct{ file, want string }{
		{"microsoft-Phi-3.5-mini-instruct.jinja", "<|user|>\nHi<|end|>\n<|assistant|>\nHello!<|end|>\n<|user|>\nBye<|end|>\n<|endoftext|>"},
		{"deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja", "<s><｜User｜>Hi<｜Assistant｜>Hello!<｜end▁of▁sentence｜><｜User｜>Bye"},
		{"mistralai-Mistral-Nemo-Instruct-2407.jinja", "<s>[INST]Hi[/INST]Hello!<|endoftext|>[INST]Bye[/INST]"},
	} {
		got, err := loadTemplate(t, tc.file).Render(short, RenderOptions{BOS: "<s>", EOS: "<|endoftext|>"})
		if err != nil || got != tc.want {
			t.Errorf("%s without system:\n got %q (%v)\nwant %q", tc.file, got, err, tc.want)
		}
	}
	// DeepSeek writes tool-call arguments as a JSON string.
	got, err := loadTemplate(t, "deepseek-ai-DeepSeek-R1-Distill-Llama-8B.jinja").Render([]Message{
		{Role: "user", Content: "W"},
		{Role: "assistant", ToolCalls: []ToolCall{{Type: "function", Function: FunctionCall{Name: "f", Arguments: json.RawMessage(`{"a":1,"b":"x"}`)}}}},
		{Role: "tool", Content: "42"},
	}, RenderOptions{})
	wantDS := "<｜User｜>W<｜Assistant｜><｜tool▁calls▁begin｜><｜tool▁call▁begin｜>function<｜tool▁sep｜>f\n```json\n{\"a\": 1, \"b\": \"x\"}\n```<｜tool▁call▁end｜>" +
		"<｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>42<｜tool▁output▁end｜><｜tool▁outputs▁end｜>"
	if err != nil || got != wantDS {
		t.Errorf("deepseek tool call:\n got %q (%v)\nwant %q", got, err, wantDS)
	}
	// Mistral's tool list iterates tool.items(): Python's dict order.
	got, err = loadTemplate(t, "mistralai-Mistral-Nemo-Instruct-2407.jinja").Render(
		[]Message{{Role: "user", Content: "Weather?"}},
		RenderOptions{BOS: "<s>", Tools: []Tool{{Function: Function{Name: "f", Description: "d", Parameters: json.RawMessage(`{"type":"object","properties":{}}`)}}}})
	if err != nil {
		t.Fatal(err)
	}
	want := `<s>[AVAILABLE_TOOLS][{"type": "function", "function": {"name": "f", "description": "d", "parameters": {"type": "object", "properties": {}}}}][/AVAILABLE_TOOLS][INST]Weather?[/INST]`
	if got != want {
		t.Errorf("mistral tools:\n got %q\nwant %q", got, want)
	}
}

func TestBuiltinTemplates(t *testing.T) {
	msgs := []Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "Hi"},
		{Role: "assistant", Content: "Hello."},
		{Role: "user", Content: "Bye"},
	}
	for _, tc := range []struct {
		name string
		opts RenderOptions
		want string
	}{
		{"llama2", RenderOptions{BOS: "<s>", EOS: "</s>"},
			"<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST] Hello. </s><s>[INST] Bye [/INST]"},
		{"llama3", RenderOptions{BOS: bot, AddGenerationPrompt: true},
			bot + hdr + "system" + ehdr + "Be brief." + eot + hdr + "user" + ehdr + "Hi" + eot +
				hdr + "assistant" + ehdr + "Hello." + eot + hdr + "user" + ehdr + "Bye" + eot + hdr + "assistant" + ehdr},
		{"chatml", RenderOptions{AddGenerationPrompt: true},
			"<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n"},
	} {
		tpl, err := Builtin(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := tpl.Render(msgs, tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
	// Llama 2 without a system prompt, and its role check.
	l2, _ := Builtin("llama2")
	got, err := l2.Render([]Message{{Role: "user", Content: "Hi"}}, RenderOptions{BOS: "<s>", EOS: "</s>"})
	if err != nil || got != "<s>[INST] Hi [/INST]" {
		t.Errorf("llama2 single turn: %q %v", got, err)
	}
	if _, err := l2.Render([]Message{{Role: "assistant", Content: "x"}}, RenderOptions{}); !errors.Is(err, ErrTemplateException) {
		t.Errorf("llama2 wrong order: %v", err)
	}
	// Llama 3 fallback with tools and a tool turn.
	l3, _ := Builtin("llama3")
	got, err = l3.Render([]Message{
		{Role: "user", Content: "Weather?"},
		{Role: "assistant", ToolCalls: []ToolCall{{Function: FunctionCall{Name: "get_weather", Arguments: json.RawMessage(`{"city":"Oslo"}`)}}}},
		{Role: "tool", Content: "-3C"},
	}, RenderOptions{BOS: bot, Tools: []Tool{weatherTool}})
	if err != nil {
		t.Fatal(err)
	}
	want := bot + hdr + "system" + ehdr + "Environment: ipython\n\n" + eot + hdr + "user" + ehdr +
		"Given the following functions, please respond with a JSON for a function call with its proper arguments that best answers the given prompt.\n\n" +
		`Respond in the format {"name": function name, "parameters": dictionary of argument name and its value}.Do not use variables.` + "\n\n" +
		weatherToolJSON + "\n\nWeather?" + eot + hdr + "assistant" + ehdr + `{"name": "get_weather", "parameters": {"city": "Oslo"}}` + eot +
		hdr + "ipython" + ehdr + "-3C" + eot
	if got != want {
		t.Errorf("llama3 tools:\n got %q\nwant %q", got, want)
	}

	pieces := func(list ...string) func(string) bool {
		return func(p string) bool {
			for _, x := range list {
				if x == p {
					return true
				}
			}
			return false
		}
	}
	for _, tc := range []struct {
		vocab []string
		want  string
	}{
		{[]string{"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"}, "llama3"},
		{[]string{"<|im_start|>", "<|im_end|>"}, "chatml"},
		{[]string{"<s>", "</s>"}, "llama2"},
	} {
		if got := FallbackName(pieces(tc.vocab...)); got != tc.want {
			t.Errorf("FallbackName(%v) = %s, want %s", tc.vocab, got, tc.want)
		}
		tpl, err := ForModel("", pieces(tc.vocab...))
		if err != nil || tpl.Name() != tc.want {
			t.Errorf("ForModel for %v: %v %v", tc.vocab, tpl, err)
		}
	}
}

func TestTemplateErrors(t *testing.T) {
	if _, err := New("bad", "{% if %}"); err == nil {
		t.Error("parsed a broken template")
	}
	if _, err := New("inc", `{% include "/etc/passwd" %}`); err == nil {
		tpl, _ := New("inc", `{% include "/etc/passwd" %}`)
		if out, err := tpl.Render(nil, RenderOptions{}); err == nil {
			t.Errorf("include read a file: %q", out)
		}
	}
	tpl, err := New("raise", `{{ raise_exception("nope") }}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tpl.Render(nil, RenderOptions{}); !errors.Is(err, ErrTemplateException) || !strings.Contains(err.Error(), "nope") {
		t.Errorf("raise_exception: %v", err)
	}
}

func TestJinjaFeatures(t *testing.T) {
	src := `{%- set ns = namespace(n=0, names=[]) -%}
{%- for m in messages if m.role != 'system' -%}
{%- if loop.index > 3 %}{% break %}{% endif -%}
{%- if m.content.startswith('skip') %}{% continue %}{% endif -%}
{%- set ns.n = ns.n + 1 -%}
[{{ loop.index0 }}:{{ m.content.strip().split(' ')[0] | upper }}{{ '|last' if loop.last }}]
{%- endfor -%}
{{ ns.n }} {{ strftime_now('%Y-%m-%d %H:%M %a %B %-d') }} {{ {'b': 1, 'a': [1.5, true, none, 'é"']} | tojson }}`
	tpl, err := New("features", src)
	if err != nil {
		t.Fatal(err)
	}
	got, err := tpl.Render([]Message{
		{Role: "system", Content: "sys"},
		{Role: "user", Content: "  hello world "},
		{Role: "assistant", Content: "skip me"},
		{Role: "user", Content: "third one"},
		{Role: "user", Content: "fourth"},
	}, RenderOptions{Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	want := `[0:HELLO][2:THIRD]2 2024-09-05 10:00 Thu September 5 {"b": 1, "a": [1.5, true, null, "é\""]}`
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
