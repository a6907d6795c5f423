package server

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
)

// oaChatRequest is the body of POST /v1/chat/completions.
type oaChatRequest struct {
	Model               string          `json:"model"`
	Messages            []oaMessage     `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *oaStreamOpts   `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Stop                json.RawMessage `json:"stop"`
	N                   *int            `json:"n"`
	Logprobs            bool            `json:"logprobs"`
	TopLogprobs         *int            `json:"top_logprobs"`
	Tools               []chat.Tool     `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ResponseFormat      *oaFormat       `json:"response_format"`
	samplerFields
	adapterField
}

type oaStreamOpts struct {
	IncludeUsage bool `json:"include_usage"`
}

type oaFormat struct {
	Type       string `json:"type"` // text, json_object or json_schema
	JSONSchema *struct {
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
	} `json:"json_schema"`
}

// oaMessage is a chat message as OpenAI clients send it: content is a
// string, a list of parts or null, and tool call arguments are JSON text.
type oaMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name,omitempty"`
	ToolCalls  []oaToolCall    `json:"tool_calls,omitempty"`
	ToolCallID string          `json:"tool_call_id,omitempty"`
}

type oaToolCall struct {
	Index    *int   `json:"index,omitempty"`
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// oaUsage counts a request's tokens.
type oaUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
}

func usageOf(r engine.Result) *oaUsage {
	u := &oaUsage{PromptTokens: r.PromptTokens, CompletionTokens: len(r.Tokens), TotalTokens: r.PromptTokens + len(r.Tokens)}
	u.PromptTokensDetails.CachedTokens = r.CachedTokens
	return u
}

// text returns a message's content: a string, or the text parts of a list.
func (m oaMessage) text() (string, error) {
	c := m.Content
	if len(c) == 0 || string(c) == "null" {
		return "", nil
	}
	var s string
	if json.Unmarshal(c, &s) == nil {
		return s, nil
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(c, &parts); err != nil {
		return "", badRequest("messages", "message content must be a string or a list of content parts")
	}
	var b strings.Builder
	for _, p := range parts {
		if p.Type != "text" {
			return "", badRequest("messages", "content part type %q is not supported (only text)", p.Type)
		}
		b.WriteString(p.Text)
	}
	return b.String(), nil
}

// chatMessages converts OpenAI messages.
func chatMessages(in []oaMessage) ([]chat.Message, error) {
	if len(in) == 0 {
		return nil, badRequest("messages", "messages must not be empty")
	}
	out := make([]chat.Message, 0, len(in))
	for i, m := range in {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool", "ipython":
		default:
			return nil, badRequest("messages", "message %d: unknown role %q", i, m.Role)
		}
		if m.Role == "developer" {
			m.Role = "system"
		}
		text, err := m.text()
		if err != nil {
			return nil, err
		}
		cm := chat.Message{Role: m.Role, Content: text, Name: m.Name, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			args := json.RawMessage(tc.Function.Arguments)
			if !json.Valid(args) {
				args, _ = json.Marshal(tc.Function.Arguments)
			}
			cm.ToolCalls = append(cm.ToolCalls, chat.ToolCall{ID: tc.ID, Type: "function",
				Function: chat.FunctionCall{Name: tc.Function.Name, Arguments: args}})
		}
		out = append(out, cm)
	}
	return out, nil
}

// parseChat turns an OpenAI chat request into a generation request.
func parseChat(req *oaChatRequest) (*genRequest, error) {
	if req.N != nil && *req.N != 1 {
		return nil, badRequest("n", "n must be 1: herd returns one choice per request")
	}
	gr := &genRequest{model: req.Model}
	var err error
	if gr.messages, err = chatMessages(req.Messages); err != nil {
		return nil, err
	}
	if gr.sampling, err = req.samplerFields.options(); err != nil {
		return nil, err
	}
	if gr.stop, err = stopList("stop", req.Stop); err != nil {
		return nil, err
	}
	if gr.maxTokens, err = maxTokens(req.MaxCompletionTokens, req.MaxTokens); err != nil {
		return nil, err
	}
	if req.Logprobs {
		gr.logprobs = -1
		if req.TopLogprobs != nil {
			if *req.TopLogprobs < 0 || *req.TopLogprobs > 20 {
				return nil, badRequest("top_logprobs", "top_logprobs must be between 0 and 20")
			}
			if *req.TopLogprobs > 0 {
				gr.logprobs = *req.TopLogprobs
			}
		}
	}
	if f := req.ResponseFormat; f != nil {
		switch f.Type {
		case "", "text":
		case "json_object":
			gr.format, _ = schemaGrammar("response_format", nil)
		case "json_schema":
			if f.JSONSchema == nil || len(f.JSONSchema.Schema) == 0 {
				return nil, badRequest("response_format", "json_schema needs a schema")
			}
			if gr.format, err = schemaGrammar("response_format", f.JSONSchema.Schema); err != nil {
				return nil, err
			}
		default:
			return nil, badRequest("response_format", "unknown response_format type %q", f.Type)
		}
	}
	gr.tools = req.Tools
	if err := applyToolChoice(gr, req.ToolChoice); err != nil {
		return nil, err
	}
	if gr.adapters, err = req.adapterField.parse(); err != nil {
		return nil, err
	}
	return gr, nil
}

// maxTokens reads the output limit: 0 (none) when absent, an error when
// negative.
func maxTokens(fields ...*int) (int, error) {
	for _, f := range fields {
		if f != nil {
			if *f < 0 {
				return 0, badRequest("max_tokens", "max_tokens must not be negative")
			}
			return *f, nil
		}
	}
	return 0, nil
}

// applyToolChoice reads tool_choice: "none" drops the tools, "auto" lets
// the model choose, "required" or a named function forces a call.
func applyToolChoice(gr *genRequest, raw json.RawMessage) error {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch mode {
		case "auto":
		case "none":
			gr.tools = nil
		case "required":
			if len(gr.tools) == 0 {
				return badRequest("tool_choice", "tool_choice \"required\" needs tools")
			}
			gr.forceTools = true
		default:
			return badRequest("tool_choice", "unknown tool_choice %q", mode)
		}
		return nil
	}
	var named struct {
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &named); err != nil || named.Function.Name == "" {
		return badRequest("tool_choice", "tool_choice must be a string or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	for _, t := range gr.tools {
		if t.Function.Name == named.Function.Name {
			gr.tools = []chat.Tool{t}
			gr.forceTools = true
			return nil
		}
	}
	return badRequest("tool_choice", "tool_choice names %q, which is not among the tools", named.Function.Name)
}

// oaToolCalls converts parsed calls to OpenAI's shape, arguments as JSON
// text, with fresh ids.
func oaToolCalls(calls []chat.ToolCall) []oaToolCall {
	out := make([]oaToolCall, len(calls))
	for i, c := range calls {
		idx := i
		out[i].Index = &idx
		out[i].ID = "call_" + randomID()
		out[i].Type = "function"
		out[i].Function.Name = c.Function.Name
		args := string(c.Function.Arguments)
		if args == "" {
			args = "{}"
		}
		out[i].Function.Arguments = args
	}
	return out
}

func randomID() string {
	var b [12]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// openaiChat serves POST /v1/chat/completions.
func (s *Server) openaiChat(w http.ResponseWriter, r *http.Request) {
	var req oaChatRequest
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	gr, err := parseChat(&req)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	id := "chatcmpl-" + randomID()
	created := time.Now().Unix()
	if !req.Stream {
		res, err := s.generate(r.Context(), gr, nil)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		msg := map[string]any{"role": "assistant", "content": res.content}
		if len(res.calls) > 0 {
			msg["tool_calls"] = oaToolCalls(res.calls)
			if res.content == "" {
				msg["content"] = nil
			}
		}
		choice := map[string]any{"index": 0, "message": msg, "finish_reason": res.finish, "logprobs": nil}
		if gr.logprobs != 0 {
			choice["logprobs"] = map[string]any{"content": chatLogprobs(gr.tok, res.logprobs, gr.logprobs)}
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "chat.completion", "created": created,
			"model": res.model, "choices": []any{choice}, "usage": usageOf(res.Result), "system_fingerprint": "herd"})
		return
	}
	sse := newSSE(w)
	chunk := func(delta map[string]any, finish any, logprobs any) map[string]any {
		return map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": gr.name,
			"system_fingerprint": "herd",
			"choices":            []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": logprobs}}}
	}
	started := false
	begin := func() error {
		if started {
			return nil
		}
		started = true
		return sse.send(chunk(map[string]any{"role": "assistant", "content": ""}, nil, nil))
	}
	res, err := s.generate(r.Context(), gr, func(ev engine.TokenEvent) error {
		if err := begin(); err != nil {
			return err
		}
		if ev.Text == "" {
			return nil
		}
		var lp any
		if gr.logprobs != 0 && ev.ID >= 0 {
			lp = map[string]any{"content": chatLogprobs(gr.tok, []engine.TokenEvent{ev}, gr.logprobs)}
		}
		return sse.send(chunk(map[string]any{"content": ev.Text}, nil, lp))
	})
	if err != nil {
		if !started {
			writeErr(w, r, err)
			return
		}
		sse.sendError(r, err)
		return
	}
	begin()
	if len(res.calls) > 0 || (len(gr.tools) > 0 && res.content != "") {
		delta := map[string]any{}
		if res.content != "" {
			delta["content"] = res.content
		}
		if len(res.calls) > 0 {
			delta["tool_calls"] = oaToolCalls(res.calls)
		}
		sse.send(chunk(delta, nil, nil))
	}
	sse.send(chunk(map[string]any{}, res.finish, nil))
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		sse.send(map[string]any{"id": id, "object": "chat.completion.chunk", "created": created, "model": res.model,
			"choices": []any{}, "usage": usageOf(res.Result)})
	}
	sse.done()
}
