package chat

import (
	"encoding/json"
	"strings"
	"testing"
)

type call struct{ name, args string }

func TestParseToolCalls(t *testing.T) {
	for _, tc := range []struct {
		reply string
		calls []call
	}{
		{`{"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}}`,
			[]call{{"get_weather", `{"city":"Paris","unit":"celsius"}`}}},
		{"  <|python_tag|>{\"name\": \"f\", \"arguments\": {\"x\": [1, 2.5, null]}}<|eom_id|>",
			[]call{{"f", `{"x":[1,2.5,null]}`}}},
		{`{"name": "a", "parameters": {}}; {"name": "b", "parameters": {"q": "x;y"}};`,
			[]call{{"a", `{}`}, {"b", `{"q":"x;y"}`}}},
		{`{"name": "s", "arguments": "{\"k\": true}"}`, []call{{"s", `{"k":true}`}}},
		{`{"name": "noargs"}`, []call{{"noargs", `{}`}}},
		{`[get_weather(city="San Francisco", unit='celsius'), search(q="it's", n=3, exact=True, filters=None)]`,
			[]call{{"get_weather", `{"city":"San Francisco","unit":"celsius"}`}, {"search", `{"q":"it's","n":3,"exact":true,"filters":null}`}}},
		{`[f(xs=[1, -2.5, 1e3], d={"a": [True, False], 'b': {"c": None}}, t=(1, 2), s="tab\tline\n\u00e9")]`,
			[]call{{"f", `{"xs":[1,-2.5,1000],"d":{"a":[true,false],"b":{"c":null}},"t":[1,2],"s":"tab\tline\né"}`}}},
		{`[ping()]`, []call{{"ping", `{}`}}},
		{"<|python_tag|>brave_search.call(query=\"current weather in Menlo Park\")",
			[]call{{"brave_search", `{"query":"current weather in Menlo Park"}`}}},
		{"<|python_tag|>import math\nprint(math.sqrt(2))",
			[]call{{"python", `{"code":"import math\nprint(math.sqrt(2))"}`}}},
	} {
		content, calls, err := ParseToolCalls(tc.reply)
		if err != nil {
			t.Errorf("%q: %v", tc.reply, err)
			continue
		}
		if content != "" || len(calls) != len(tc.calls) {
			t.Errorf("%q: content %q, %d calls", tc.reply, content, len(calls))
			continue
		}
		for i, c := range calls {
			if c.Function.Name != tc.calls[i].name || !jsonSame(t, c.Function.Arguments, tc.calls[i].args) || c.Type != "function" {
				t.Errorf("%q: call %d = %s(%s), want %s(%s)", tc.reply, i, c.Function.Name, c.Function.Arguments, tc.calls[i].name, tc.calls[i].args)
			}
		}
	}
}

func jsonSame(t *testing.T, got json.RawMessage, want string) bool {
	t.Helper()
	if !json.Valid(got) {
		t.Errorf("arguments %q are not JSON", got)
		return false
	}
	return string(got) == want
}

func TestParseToolCallsPlainAndMalformed(t *testing.T) {
	for _, reply := range []string{
		"The capital of France is Paris.",
		"[1, 2, 3] are numbers",
		"",
		"{ this is not a call, just braces",
	} {
		content, calls, err := ParseToolCalls(reply)
		if strings.HasPrefix(reply, "{") {
			if err == nil || content != reply || calls != nil {
				t.Errorf("%q: want the reply back with an error, got %q %v %v", reply, content, calls, err)
			}
			continue
		}
		if err != nil || content != reply || calls != nil {
			t.Errorf("%q: got %q %v %v", reply, content, calls, err)
		}
	}
	for _, reply := range []string{
		`{"name": "f", "parameters": {"a": 1}`,
		`{"parameters": {"a": 1}}`,
		`{"name": "f", "parameters": [1]}`,
		`{"name": "f", "parameters": {}} trailing`,
		`{"name": "f", "parameters": {}}; {"name":`,
		`[f(a=1), g(b=]`,
		`[f(a=1) g()]`,
		`[f(a=1, a=2)]`,
		`[f(1)]`,
		`[f(a=undefined_name)]`,
		`[f(a="unterminated)]`,
		`[f(a=1e999)]`,
		`[f(a=` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `)]`,
		"<|python_tag|>{\"name\": 3}",
	} {
		content, calls, err := ParseToolCalls(reply)
		if err == nil || content != reply || calls != nil {
			t.Errorf("%q: want an error and the reply as content, got %q %v %v", reply, content, calls, err)
		}
	}
}

func FuzzParseToolCalls(f *testing.F) {
	for _, s := range []string{
		`{"name": "f", "parameters": {"a": 1}}`, `[f(a=1, b="x"), g()]`, `<|python_tag|>x.call(a=1)`,
		`{"name": "a"}; {"name": "b"}`, `[f(a={"k": [1, (2, 3)]})]`, `[f(a='\x41\u00e9')]`, "plain text",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, reply string) {
		content, calls, err := ParseToolCalls(reply)
		if err != nil || len(calls) == 0 {
			if content != reply {
				t.Fatalf("content %q differs from the reply", content)
			}
			return
		}
		for _, c := range calls {
			if c.Function.Name == "" || !json.Valid(c.Function.Arguments) {
				t.Fatalf("bad call %+v", c)
			}
		}
	})
}

func TestMaybeToolCall(t *testing.T) {
	for prefix, want := range map[string]bool{
		"": true, "  ": true, "{": true, `{"na`: true, "<|python": true, "<|python_tag|>x": true,
		"[": true, "[get_": true, "[ f(": true, "Hello": false, "[1, 2]": false, "The {": false,
	} {
		if got := MaybeToolCall(prefix); got != want {
			t.Errorf("MaybeToolCall(%q) = %v, want %v", prefix, got, want)
		}
	}
}
