package server

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/sample/grammar"
)

// olOptions are the entries of Ollama's "options" object herd uses; others
// are ignored, as Ollama ignores options a runner does not know.
type olOptions struct {
	samplerFields
	NumPredict *int            `json:"num_predict"`
	Stop       json.RawMessage `json:"stop"`
}

// olCommon are the fields /api/generate and /api/chat share.
type olCommon struct {
	Model       string          `json:"model"`
	Stream      *bool           `json:"stream"`
	Format      json.RawMessage `json:"format"`
	KeepAlive   json.RawMessage `json:"keep_alive"`
	Options     json.RawMessage `json:"options"`
	Logprobs    bool            `json:"logprobs"`
	TopLogprobs int             `json:"top_logprobs"`
	Truncate    *bool           `json:"truncate"`
	adapterField
}

type olGenerateRequest struct {
	olCommon
	Prompt  string   `json:"prompt"`
	Suffix  string   `json:"suffix"`
	System  string   `json:"system"`
	Raw     bool     `json:"raw"`
	Context []int    `json:"context"`
	Images  []string `json:"images"`
}

type olMessage struct {
	Role       string       `json:"role"`
	Content    string       `json:"content"`
	Images     []string     `json:"images,omitempty"`
	ToolCalls  []olToolCall `json:"tool_calls,omitempty"`
	ToolName   string       `json:"tool_name,omitempty"`
	ToolCallID string       `json:"tool_call_id,omitempty"`
}

type olToolCall struct {
	ID       string `json:"id,omitempty"`
	Function struct {
		Index     int             `json:"index"`
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
}

type olChatRequest struct {
	olCommon
	Messages []olMessage `json:"messages"`
	Tools    []chat.Tool `json:"tools"`
}

// olMetrics are the timing fields of a final chunk, in nanoseconds.
type olMetrics struct {
	TotalDuration      int64 `json:"total_duration,omitempty"`
	LoadDuration       int64 `json:"load_duration,omitempty"`
	PromptEvalCount    int   `json:"prompt_eval_count,omitempty"`
	PromptEvalDuration int64 `json:"prompt_eval_duration,omitempty"`
	EvalCount          int   `json:"eval_count,omitempty"`
	EvalDuration       int64 `json:"eval_duration,omitempty"`
}

func metricsOf(r *genResult) olMetrics {
	return olMetrics{
		TotalDuration: int64(r.total), LoadDuration: int64(r.load),
		PromptEvalCount: r.PromptTokens, PromptEvalDuration: int64(r.PromptDuration),
		EvalCount: len(r.Tokens), EvalDuration: int64(r.GenerateDuration),
	}
}

// parseKeepAlive reads keep_alive: seconds as a number, or a duration
// string ("5m"); negative keeps the model loaded.
func parseKeepAlive(raw json.RawMessage) (*time.Duration, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var d time.Duration
	var num float64
	var str string
	switch {
	case json.Unmarshal(raw, &num) == nil:
		d = time.Duration(num * float64(time.Second))
	case json.Unmarshal(raw, &str) == nil:
		if n, err := strconv.ParseFloat(str, 64); err == nil {
			d = time.Duration(n * float64(time.Second))
		} else if d, err = time.ParseDuration(str); err != nil {
			return nil, badRequest("keep_alive", "invalid keep_alive %q", str)
		}
	default:
		return nil, badRequest("keep_alive", "keep_alive must be a number of seconds or a duration")
	}
	if d < 0 {
		d = -1
	}
	return &d, nil
}

// parse reads the shared fields into gr.
func (c *olCommon) parse(gr *genRequest) error {
	gr.model = c.Model
	var opts olOptions
	if len(c.Options) > 0 && string(c.Options) != "null" {
		if err := json.Unmarshal(c.Options, &opts); err != nil {
			return badRequest("options", "invalid options: %v", err)
		}
	}
	var err error
	if gr.sampling, err = opts.options(); err != nil {
		return err
	}
	if gr.stop, err = stopList("stop", opts.Stop); err != nil {
		return err
	}
	if n := opts.NumPredict; n != nil {
		switch {
		case *n >= 0:
			gr.maxTokens = *n
		case *n < -2:
			return badRequest("num_predict", "num_predict must be -1 (no limit), -2 (fill the context) or at least 0")
		}
	}
	if gr.keepAlive, err = parseKeepAlive(c.KeepAlive); err != nil {
		return err
	}
	if gr.format, err = olFormat(c.Format); err != nil {
		return err
	}
	if c.Logprobs {
		gr.logprobs = -1
		if c.TopLogprobs < 0 || c.TopLogprobs > 20 {
			return badRequest("top_logprobs", "top_logprobs must be between 0 and 20")
		}
		if c.TopLogprobs > 0 {
			gr.logprobs = c.TopLogprobs
		}
	}
	gr.truncate = c.Truncate == nil || *c.Truncate
	gr.adapters, err = c.adapterField.parse()
	return err
}

// olFormat reads format: "json", a JSON Schema object, or nothing.
func olFormat(raw json.RawMessage) (*grammar.Grammar, error) {
	if len(raw) == 0 || string(raw) == "null" || string(raw) == `""` {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s != "json" {
			return nil, badRequest("format", "format must be \"json\" or a JSON schema, not %q", s)
		}
		return grammar.JSON(), nil
	}
	return schemaGrammar("format", raw)
}

func streaming(p *bool) bool { return p == nil || *p }

func now() string { return time.Now().UTC().Format(time.RFC3339Nano) }

// ollamaGenerate serves POST /api/generate.
func (s *Server) ollamaGenerate(w http.ResponseWriter, r *http.Request) {
	var req olGenerateRequest
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	gr := &genRequest{prompt: req.Prompt, system: req.System, template: !req.Raw, context: req.Context}
	if err := req.parse(gr); err != nil {
		writeErr(w, r, err)
		return
	}
	if len(req.Images) > 0 {
		writeErr(w, r, badRequest("images", "images are not supported"))
		return
	}
	if req.Suffix != "" {
		writeErr(w, r, badRequest("suffix", "suffix (fill-in-the-middle) is not supported"))
		return
	}
	if req.Prompt == "" && len(req.Context) == 0 {
		s.ollamaLoadOnly(w, r, gr)
		return
	}
	stream := streaming(req.Stream)
	nd := newNDJSON(w)
	res, err := s.generate(r.Context(), gr, func(ev engine.TokenEvent) error {
		if !stream || ev.Text == "" {
			return nil
		}
		return nd.send(map[string]any{"model": gr.name, "created_at": now(), "response": ev.Text, "done": false})
	})
	if err != nil {
		s.ollamaFail(w, r, nd, err)
		return
	}
	final := map[string]any{"model": res.model, "created_at": now(), "response": "", "done": true,
		"done_reason": res.finish, "context": res.tokens}
	if !stream {
		final["response"] = res.content
	}
	if gr.logprobs != 0 {
		final["logprobs"] = olLogprobs(gr, res.logprobs)
	}
	s.ollamaFinal(w, nd, stream, final, metricsOf(res))
}

// ollamaLoadOnly answers a request without a prompt: Ollama's way to load
// (or, with keep_alive 0, unload) a model.
func (s *Server) ollamaLoadOnly(w http.ResponseWriter, r *http.Request, gr *genRequest) {
	start := time.Now()
	adapters, err := s.models.resolveAdapters(gr.adapters)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	inst, release, err := s.models.acquire(r.Context(), gr.model, adapters, gr.keepAlive)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	release()
	reason := "load"
	if gr.keepAlive != nil && *gr.keepAlive == 0 {
		reason = "unload"
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": inst.entry.name, "created_at": now(), "response": "",
		"message": map[string]string{"role": "assistant", "content": ""}, "done": true, "done_reason": reason,
		"total_duration": int64(time.Since(start))})
}

// ollamaFail reports an error before or during a stream.
func (s *Server) ollamaFail(w http.ResponseWriter, r *http.Request, nd *ndjson, err error) {
	if !nd.started {
		writeErr(w, r, err)
		return
	}
	nd.send(map[string]string{"error": statusOf(err).msg})
}

// ollamaFinal sends the final chunk (or the whole answer) with timings.
func (s *Server) ollamaFinal(w http.ResponseWriter, nd *ndjson, stream bool, final map[string]any, m olMetrics) {
	b, _ := json.Marshal(m)
	json.Unmarshal(b, &final)
	if stream {
		nd.send(final)
		return
	}
	writeJSON(w, http.StatusOK, final)
}

// olLogprobs converts log-probabilities to Ollama's shape.
func olLogprobs(gr *genRequest, evs []engine.TokenEvent) []any {
	out := []any{}
	for _, lp := range chatLogprobs(gr.tok, evs, gr.logprobs) {
		top := []any{}
		for _, t := range lp.TopLogprobs {
			top = append(top, map[string]any{"token": t.Token, "logprob": t.Logprob, "bytes": t.Bytes})
		}
		out = append(out, map[string]any{"token": lp.Token, "logprob": lp.Logprob, "bytes": lp.Bytes, "top_logprobs": top})
	}
	return out
}

// ollamaChat serves POST /api/chat.
func (s *Server) ollamaChat(w http.ResponseWriter, r *http.Request) {
	var req olChatRequest
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	gr := &genRequest{tools: req.Tools}
	if err := req.parse(gr); err != nil {
		writeErr(w, r, err)
		return
	}
	if len(req.Messages) == 0 {
		s.ollamaLoadOnly(w, r, gr)
		return
	}
	for i, m := range req.Messages {
		if len(m.Images) > 0 {
			writeErr(w, r, badRequest("messages", "message %d: images are not supported", i))
			return
		}
		switch strings.ToLower(m.Role) {
		case "system", "user", "assistant", "tool":
		default:
			writeErr(w, r, badRequest("messages", "message %d: unknown role %q", i, m.Role))
			return
		}
		cm := chat.Message{Role: strings.ToLower(m.Role), Content: m.Content, Name: m.ToolName, ToolCallID: m.ToolCallID}
		for _, tc := range m.ToolCalls {
			args := tc.Function.Arguments
			if len(args) == 0 {
				args = json.RawMessage("{}")
			}
			cm.ToolCalls = append(cm.ToolCalls, chat.ToolCall{ID: tc.ID, Type: "function",
				Function: chat.FunctionCall{Name: tc.Function.Name, Arguments: args}})
		}
		gr.messages = append(gr.messages, cm)
	}
	stream := streaming(req.Stream)
	nd := newNDJSON(w)
	chunk := func(content string, done bool) map[string]any {
		return map[string]any{"model": gr.name, "created_at": now(),
			"message": map[string]any{"role": "assistant", "content": content}, "done": done}
	}
	res, err := s.generate(r.Context(), gr, func(ev engine.TokenEvent) error {
		if !stream || ev.Text == "" {
			return nil
		}
		return nd.send(chunk(ev.Text, false))
	})
	if err != nil {
		s.ollamaFail(w, r, nd, err)
		return
	}
	msg := map[string]any{"role": "assistant", "content": ""}
	if !stream || len(gr.tools) > 0 {
		msg["content"] = res.content
	}
	if len(res.calls) > 0 {
		var calls []olToolCall
		for i, c := range res.calls {
			var tc olToolCall
			tc.ID = "call_" + randomID()
			tc.Function.Index = i
			tc.Function.Name = c.Function.Name
			tc.Function.Arguments = c.Function.Arguments
			calls = append(calls, tc)
		}
		msg["tool_calls"] = calls
	}
	if stream && (len(res.calls) > 0 || msg["content"] != "") {
		c := chunk("", false)
		c["message"] = msg
		nd.send(c)
		msg = map[string]any{"role": "assistant", "content": ""}
	}
	final := chunk("", true)
	final["model"] = res.model
	final["message"] = msg
	final["done_reason"] = res.finish
	if res.finish == "tool_calls" {
		final["done_reason"] = "stop"
	}
	if gr.logprobs != 0 {
		final["logprobs"] = olLogprobs(gr, res.logprobs)
	}
	s.ollamaFinal(w, nd, stream, final, metricsOf(res))
}
