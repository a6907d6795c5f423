package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ollama/ollama/api"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/herdllm/herd/internal/testdata"
)

// TestLlama3ToolConversation sends a conversation with a tool call and its
// result through both SDKs to a model with the Llama 3.2 chat template
// (random weights: only the request handling is checked), and reads the
// model's template and capabilities back from /api/show.
func TestLlama3ToolConversation(t *testing.T) {
	path := testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf")
	_, ts := newTestServer(t, Config{Models: []string{path}, ContextLength: 512})
	ctx := context.Background()
	const name = "tiny-llama3-Q8_0"

	oc := openaiClient(ts.URL)
	tool := openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:       "get_weather",
		Parameters: shared.FunctionParameters{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
	})
	assistant := openai.ChatCompletionAssistantMessageParam{ToolCalls: []openai.ChatCompletionMessageToolCallUnionParam{{
		OfFunction: &openai.ChatCompletionMessageFunctionToolCallParam{ID: "call_1",
			Function: openai.ChatCompletionMessageFunctionToolCallFunctionParam{Name: "get_weather", Arguments: `{"city":"Paris"}`}},
	}}}
	resp, err := oc.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model: name,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are a helpful assistant."),
			openai.UserMessage("What is the weather in Paris?"),
			{OfAssistant: &assistant},
			openai.ToolMessage(`{"temperature": 21}`, "call_1"),
		},
		Tools:       []openai.ChatCompletionToolUnionParam{tool},
		MaxTokens:   openai.Int(3),
		Temperature: openai.Float(0),
	})
	if err != nil {
		t.Fatal(err)
	}
	if resp.Model != name || resp.Usage.PromptTokens < 50 || resp.Usage.CompletionTokens == 0 {
		t.Errorf("response %+v", resp)
	}

	olc := ollamaClient(t, ts.URL)
	var msgs []api.Message
	if err := json.Unmarshal([]byte(`[{"role":"user","content":"Weather in Paris?"},
		{"role":"assistant","content":"","tool_calls":[{"function":{"name":"get_weather","arguments":{"city":"Paris"}}}]},
		{"role":"tool","content":"{\"temperature\": 21}","tool_name":"get_weather"}]`), &msgs); err != nil {
		t.Fatal(err)
	}
	stream := false
	var last api.ChatResponse
	err = olc.Chat(ctx, &api.ChatRequest{Model: name, Messages: msgs, Stream: &stream, Options: map[string]any{"num_predict": 3}},
		func(r api.ChatResponse) error { last = r; return nil })
	if err != nil || !last.Done || last.PromptEvalCount < 20 {
		t.Errorf("ollama chat %+v: %v", last, err)
	}

	show, err := olc.Show(ctx, &api.ShowRequest{Model: name})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(show.Template, "start_header_id") || show.Details.Family != "llama" {
		t.Errorf("show: template %.60q, details %+v", show.Template, show.Details)
	}
	hasTools := false
	for _, c := range show.Capabilities {
		hasTools = hasTools || c == "tools"
	}
	if !hasTools {
		t.Errorf("capabilities %v lack tools", show.Capabilities)
	}
}
