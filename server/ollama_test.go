package server

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/ollama/ollama/api"
)

func ollamaClient(t *testing.T, raw string) *api.Client {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return api.NewClient(u, http.DefaultClient)
}

// TestOllamaGenerateAndChat drives /api/generate and /api/chat through
// Ollama's Go client, streamed and not, and checks the final chunk's
// timing fields.
func TestOllamaGenerateAndChat(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := ollamaClient(t, ts.URL)
	ctx := context.Background()
	opts := map[string]any{"temperature": 0, "num_predict": 30, "seed": 3}
	var streamed strings.Builder
	var final api.GenerateResponse
	chunks := 0
	err := c.Generate(ctx, &api.GenerateRequest{Model: "stories260K", Prompt: "Once upon a time", Options: opts},
		func(r api.GenerateResponse) error {
			streamed.WriteString(r.Response)
			chunks++
			if r.Done {
				final = r
			}
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(streamed.String(), ", there was a little girl named Lily") || chunks < 10 {
		t.Errorf("streamed %q in %d chunks", streamed.String(), chunks)
	}
	m := final.Metrics
	if !final.Done || final.DoneReason != "length" || m.EvalCount != 30 || m.PromptEvalCount != 5 ||
		m.TotalDuration <= 0 || m.EvalDuration <= 0 || m.PromptEvalDuration <= 0 || m.LoadDuration <= 0 || len(final.Context) != 35 {
		t.Errorf("final chunk %+v", final)
	}
	stream := false
	var whole api.GenerateResponse
	err = c.Generate(ctx, &api.GenerateRequest{Model: "stories260K:latest", Prompt: "Once upon a time", Options: opts, Stream: &stream},
		func(r api.GenerateResponse) error { whole = r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if whole.Response != streamed.String() || !whole.Done {
		t.Errorf("unstreamed %q, streamed %q", whole.Response, streamed.String())
	}

	var reply strings.Builder
	var last api.ChatResponse
	err = c.Chat(ctx, &api.ChatRequest{Model: "stories260K", Options: opts, Messages: []api.Message{
		{Role: "system", Content: "You tell stories."}, {Role: "user", Content: "Tell me about a dog."}}},
		func(r api.ChatResponse) error {
			reply.WriteString(r.Message.Content)
			last = r
			return nil
		})
	if err != nil {
		t.Fatal(err)
	}
	if reply.Len() == 0 || !last.Done || last.EvalCount != 30 || last.Message.Role != "assistant" {
		t.Errorf("chat %q, last %+v", reply.String(), last)
	}
}

// TestOllamaFormatAndTools checks a JSON Schema format and a tool call,
// and the listing endpoints.
func TestOllamaFormatAndTools(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := ollamaClient(t, ts.URL)
	ctx := context.Background()
	stream := false
	schema := json.RawMessage(`{"type":"object","properties":{"color":{"enum":["red","green","blue"]},"count":{"type":"integer"}},"required":["color","count"]}`)
	var resp api.ChatResponse
	err := c.Chat(ctx, &api.ChatRequest{Model: "stories260K", Stream: &stream, Format: schema,
		Messages: []api.Message{{Role: "user", Content: "Pick a color."}}, Options: map[string]any{"num_predict": 200}},
		func(r api.ChatResponse) error { resp = r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Color string
		Count *int
	}
	if err := json.Unmarshal([]byte(resp.Message.Content), &v); err != nil || v.Count == nil ||
		(v.Color != "red" && v.Color != "green" && v.Color != "blue") {
		t.Errorf("format answer %q: %v", resp.Message.Content, err)
	}

	// A tool call: the format holds the reply to the call shape, which the
	// server then returns as tool_calls.
	var tools api.Tools
	if err := json.Unmarshal([]byte(`[{"type":"function","function":{"name":"add","description":"Add two numbers",
		"parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}}}]`), &tools); err != nil {
		t.Fatal(err)
	}
	call := json.RawMessage(`{"type":"object","properties":{"name":{"const":"add"},"parameters":{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"integer"}},"required":["a","b"]}},"required":["name","parameters"]}`)
	err = c.Chat(ctx, &api.ChatRequest{Model: "stories260K", Stream: &stream, Format: call, Tools: tools,
		Messages: []api.Message{{Role: "user", Content: "Add 2 and 3."}}, Options: map[string]any{"num_predict": 200}},
		func(r api.ChatResponse) error { resp = r; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Message.ToolCalls) != 1 || resp.Message.ToolCalls[0].Function.Name != "add" {
		t.Fatalf("tool calls %+v (content %q)", resp.Message.ToolCalls, resp.Message.Content)
	}
	if _, ok := resp.Message.ToolCalls[0].Function.Arguments.Get("a"); !ok {
		t.Errorf("arguments %v", resp.Message.ToolCalls[0].Function.Arguments)
	}

	list, err := c.List(ctx)
	if err != nil || len(list.Models) != 1 || list.Models[0].Name != "stories260K" {
		t.Fatalf("list %+v: %v", list, err)
	}
	show, err := c.Show(ctx, &api.ShowRequest{Model: "stories260K"})
	if err != nil {
		t.Fatal(err)
	}
	if show.ModelInfo["general.architecture"] != "llama" || show.ModelInfo["llama.embedding_length"] != float64(64) {
		t.Errorf("show model_info %v", show.ModelInfo)
	}
	ps, err := c.ListRunning(ctx)
	if err != nil || len(ps.Models) != 1 || ps.Models[0].ContextLength != 512 || !ps.Models[0].ExpiresAt.After(time.Now()) {
		t.Errorf("ps %+v: %v", ps, err)
	}
	v2, err := c.Version(ctx)
	if err != nil || v2 != Version {
		t.Errorf("version %q: %v", v2, err)
	}
	emb, err := c.Embed(ctx, &api.EmbedRequest{Model: "stories260K", Input: []string{"a cat", "a dog"}})
	if err != nil || len(emb.Embeddings) != 2 || len(emb.Embeddings[0]) == 0 || emb.PromptEvalCount == 0 {
		t.Errorf("embed %+v: %v", emb, err)
	}
}

// TestOllamaKeepAlive checks that keep_alive 0 unloads the model after the
// request.
func TestOllamaKeepAlive(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := ollamaClient(t, ts.URL)
	ctx := context.Background()
	stream := false
	err := c.Generate(ctx, &api.GenerateRequest{Model: "stories260K", Prompt: "Lily", Stream: &stream,
		KeepAlive: &api.Duration{Duration: 0}, Options: map[string]any{"num_predict": 3}},
		func(api.GenerateResponse) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	ps, err := c.ListRunning(ctx)
	if err != nil || len(ps.Models) != 0 {
		t.Errorf("after keep_alive 0: %+v: %v", ps, err)
	}
}

// TestIdleUnload checks that a model unloads after the keep-alive and
// loads again on the next request.
func TestIdleUnload(t *testing.T) {
	srv, ts := newTestServer(t, Config{KeepAlive: 50 * time.Millisecond})
	c := ollamaClient(t, ts.URL)
	ctx := context.Background()
	stream := false
	gen := func() {
		err := c.Generate(ctx, &api.GenerateRequest{Model: "stories260K", Prompt: "Lily", Stream: &stream,
			Options: map[string]any{"num_predict": 2}}, func(api.GenerateResponse) error { return nil })
		if err != nil {
			t.Fatal(err)
		}
	}
	gen()
	if _, ok := srv.Stats("stories260K"); !ok {
		t.Fatal("model not loaded after a request")
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		if _, ok := srv.Stats("stories260K"); !ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("model still loaded long after its keep-alive")
		}
		time.Sleep(20 * time.Millisecond)
	}
	gen()
}
