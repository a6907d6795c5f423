package chat

import (
	"encoding/json"
	"testing"
)

// BenchmarkEncodePromptLlama32 renders a tool-calling conversation with
// the Llama 3.2 template into segments and tokenizes it.
func BenchmarkEncodePromptLlama32(b *testing.B) {
	tpl := loadTemplateTB(b, "meta-llama-Llama-3.2-3B-Instruct.jinja")
	tok := loadLlama3TokenizerTB(b)
	msgs := []Message{
		{Role: "system", Content: "You are a helpful assistant."},
		{Role: "user", Content: "What is the weather in Paris?"},
		{Role: "assistant", ToolCalls: []ToolCall{{Function: FunctionCall{Name: "get_weather", Arguments: json.RawMessage(`{"city":"Paris"}`)}}}},
		{Role: "tool", Content: `{"temperature": 21}`},
		{Role: "assistant", Content: "It is 21 degrees in Paris."},
		{Role: "user", Content: "And tomorrow?"},
	}
	opts := RenderOptions{BOS: bot, EOS: eot, Now: testNow, AddGenerationPrompt: true, Tools: []Tool{weatherTool}}
	for b.Loop() {
		if _, _, err := tpl.EncodePrompt(tok, msgs, opts); err != nil {
			b.Fatal(err)
		}
	}
}
