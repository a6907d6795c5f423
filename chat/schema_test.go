package chat

import (
	"encoding/json"
	"testing"

	"github.com/herdllm/herd/sample/grammar"
)

func TestToolCallSchema(t *testing.T) {
	other := Tool{Function: Function{Name: "ping"}}
	schema, err := ToolCallSchema([]Tool{weatherTool, other})
	if err != nil {
		t.Fatal(err)
	}
	g, err := grammar.FromSchema(schema)
	if err != nil {
		t.Fatalf("%s: %v", schema, err)
	}
	for text, want := range map[string]bool{
		`{"name": "get_weather", "parameters": {"city": "Paris", "unit": "celsius"}}`: true,
		`{"name":"ping","parameters":{}}`:                                             true,
		`{"name": "get_weather", "parameters": {"unit": "celsius"}}`:                  false, // city is required
		`{"name": "nope", "parameters": {}}`:                                          false,
	} {
		if got := g.Matches([]byte(text)); got != want {
			t.Errorf("%s: match %v, want %v", text, got, want)
		}
		if want {
			_, calls, err := ParseToolCalls(text)
			if err != nil || len(calls) != 1 {
				t.Errorf("%s does not parse back: %v", text, err)
			}
		}
	}
	if _, err := ToolCallSchema(nil); err == nil {
		t.Error("schema for no tools")
	}
	if _, err := ToolCallSchema([]Tool{{Function: Function{Name: "x", Parameters: json.RawMessage(`{`)}}}); err == nil {
		t.Error("accepted broken parameters")
	}
}
