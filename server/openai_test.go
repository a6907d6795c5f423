package server

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/shared"
)

func openaiClient(url string) openai.Client {
	return openai.NewClient(option.WithBaseURL(url+"/v1/"), option.WithAPIKey("test-key"), option.WithMaxRetries(0))
}

// TestOpenAIChat drives chat completions through the official SDK, plain
// and streamed: greedy output is the same both ways, usage adds up.
func TestOpenAIChat(t *testing.T) {
	_, ts := newTestServer(t, Config{APIKey: "test-key"})
	c := openaiClient(ts.URL)
	ctx := context.Background()
	params := openai.ChatCompletionNewParams{
		Model:       "stories260K",
		Messages:    []openai.ChatCompletionMessageParamUnion{openai.SystemMessage("You tell stories."), openai.UserMessage("Tell me about Lily.")},
		MaxTokens:   openai.Int(24),
		Temperature: openai.Float(0),
		Logprobs:    openai.Bool(true),
		TopLogprobs: openai.Int(2),
	}
	resp, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Choices) != 1 || resp.Choices[0].Message.Content == "" || resp.Model != "stories260K" {
		t.Fatalf("response %+v", resp)
	}
	ch := resp.Choices[0]
	if ch.FinishReason != "length" || resp.Usage.CompletionTokens != 24 ||
		resp.Usage.TotalTokens != resp.Usage.PromptTokens+24 {
		t.Errorf("finish %q, usage %+v", ch.FinishReason, resp.Usage)
	}
	if n := len(ch.Logprobs.Content); n != 24 || len(ch.Logprobs.Content[0].TopLogprobs) != 2 {
		t.Errorf("%d logprobs", n)
	} else if lp := ch.Logprobs.Content[0]; lp.Logprob > 0 || lp.Logprob < lp.TopLogprobs[1].Logprob ||
		math.Abs(lp.Logprob-lp.TopLogprobs[0].Logprob) > 1e-6 {
		t.Errorf("greedy token logprob %v, top %+v", lp.Logprob, lp.TopLogprobs)
	}

	params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
	stream := c.Chat.Completions.NewStreaming(ctx, params)
	var acc openai.ChatCompletionAccumulator
	chunks := 0
	for stream.Next() {
		acc.AddChunk(stream.Current())
		chunks++
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if got := acc.Choices[0].Message.Content; got != ch.Message.Content || chunks < 10 {
		t.Errorf("streamed %q in %d chunks, plain %q", got, chunks, ch.Message.Content)
	}
	if acc.Usage.CompletionTokens != 24 || acc.Choices[0].FinishReason != "length" {
		t.Errorf("streamed usage %+v, finish %q", acc.Usage, acc.Choices[0].FinishReason)
	}
}

// TestOpenAICompletion drives legacy completions, plain and streamed,
// with a stop string.
func TestOpenAICompletion(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := openaiClient(ts.URL)
	ctx := context.Background()
	params := openai.CompletionNewParams{
		Model:       "stories260K",
		Prompt:      openai.CompletionNewParamsPromptUnion{OfString: openai.String("Once upon a time")},
		MaxTokens:   openai.Int(40),
		Temperature: openai.Float(0),
		Stop:        openai.CompletionNewParamsStopUnion{OfString: openai.String("Lily")},
		Seed:        openai.Int(1),
	}
	resp, err := c.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	want := ", there was a little girl named "
	if got := resp.Choices[0].Text; got != want || resp.Choices[0].FinishReason != "stop" {
		t.Errorf("text %q finish %q, want %q", got, resp.Choices[0].FinishReason, want)
	}
	stream := c.Completions.NewStreaming(ctx, params)
	var text strings.Builder
	for stream.Next() {
		for _, ch := range stream.Current().Choices {
			text.WriteString(ch.Text)
		}
	}
	if err := stream.Err(); err != nil {
		t.Fatal(err)
	}
	if text.String() != want {
		t.Errorf("streamed %q, want %q", text.String(), want)
	}
}

// TestOpenAIToolsAndSchema checks forced tool calls (arguments as JSON
// text) and json_schema answers, both constrained by grammars.
func TestOpenAIToolsAndSchema(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := openaiClient(ts.URL)
	ctx := context.Background()
	tool := openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name:        "get_weather",
		Description: openai.String("Weather in a city"),
		Parameters: shared.FunctionParameters{
			"type":       "object",
			"properties": map[string]any{"city": map[string]any{"type": "string", "maxLength": 20}},
			"required":   []string{"city"},
		},
	})
	resp, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
		Model:      "stories260K",
		Messages:   []openai.ChatCompletionMessageParamUnion{openai.UserMessage("What is the weather in Paris?")},
		Tools:      []openai.ChatCompletionToolUnionParam{tool},
		ToolChoice: openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String("required")},
		MaxTokens:  openai.Int(200),
	})
	if err != nil {
		t.Fatal(err)
	}
	ch := resp.Choices[0]
	if ch.FinishReason != "tool_calls" || len(ch.Message.ToolCalls) != 1 {
		t.Fatalf("finish %q, message %+v", ch.FinishReason, ch.Message)
	}
	call := ch.Message.ToolCalls[0]
	var args struct {
		City *string `json:"city"`
	}
	if err := json.Unmarshal([]byte(call.Function.Arguments), &args); err != nil || args.City == nil ||
		call.Function.Name != "get_weather" || call.ID == "" {
		t.Errorf("call %+v: %v", call, err)
	}

	schema := map[string]any{
		"type": "object",
		"properties": map[string]any{
			"name": map[string]any{"type": "string", "maxLength": 16},
			"age":  map[string]any{"type": "integer"},
		},
		"required": []string{"name", "age"},
	}
	for seed := range 2 {
		resp, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{
			Model:    "stories260K",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Describe a person as JSON.")},
			ResponseFormat: openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
				JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "person", Schema: schema}}},
			Seed:      openai.Int(int64(seed)),
			MaxTokens: openai.Int(300),
		})
		if err != nil {
			t.Fatal(err)
		}
		var person struct {
			Name *string
			Age  *int
		}
		text := resp.Choices[0].Message.Content
		if err := json.Unmarshal([]byte(text), &person); err != nil || person.Name == nil || person.Age == nil {
			t.Errorf("seed %d: %q: %v", seed, text, err)
		}
	}
}

// TestOpenAIEmbeddingsAndModels checks embeddings (float and base64, as
// the SDK may ask) and the model list.
func TestOpenAIEmbeddingsAndModels(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	c := openaiClient(ts.URL)
	ctx := context.Background()
	resp, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model: "stories260K",
		Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"Lily likes cats.", "Lily likes cats.", "The sun is hot."}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(resp.Data) != 3 || resp.Usage.PromptTokens == 0 {
		t.Fatalf("response %+v", resp)
	}
	dot := func(a, b []float64) (s float64) {
		for i := range a {
			s += a[i] * b[i]
		}
		return s
	}
	e0, e1, e2 := resp.Data[0].Embedding, resp.Data[1].Embedding, resp.Data[2].Embedding
	if math.Abs(dot(e0, e0)-1) > 1e-4 || math.Abs(dot(e0, e1)-1) > 1e-4 || dot(e0, e2) > 0.9999 {
		t.Errorf("norms/similarities: %v %v %v", dot(e0, e0), dot(e0, e1), dot(e0, e2))
	}
	b64, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{
		Model:          "stories260K",
		Input:          openai.EmbeddingNewParamsInputUnion{OfString: openai.String("Lily likes cats.")},
		EncodingFormat: openai.EmbeddingNewParamsEncodingFormatBase64,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(b64.Data) != 1 || math.Abs(dot(b64.Data[0].Embedding, e0)-1) > 1e-4 {
		t.Errorf("base64 embedding differs: %d values", len(b64.Data[0].Embedding))
	}

	models, err := c.Models.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(models.Data) != 1 || models.Data[0].ID != "stories260K" {
		t.Errorf("models %+v", models.Data)
	}
	m, err := c.Models.Get(ctx, "stories260K")
	if err != nil || m.ID != "stories260K" {
		t.Errorf("model %+v: %v", m, err)
	}
}
