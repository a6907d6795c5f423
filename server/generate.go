package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/sample/grammar"
	"github.com/herdllm/herd/tokenizer"
)

// genRequest is a generation request in a form both APIs map onto.
type genRequest struct {
	model     string
	keepAlive *time.Duration
	adapters  []engine.LoRA // LoRA adapters the request asks for, as sent

	// Chat requests: messages rendered with the model's chat template.
	messages []chat.Message
	tools    []chat.Tool
	// forceTools makes the reply a call of one of tools (tool_choice
	// "required" or a named function), enforced by a grammar.
	forceTools bool

	// Completion requests: the prompt, templated as a user turn when
	// template is set and the model has its own chat template.
	prompt   string
	template bool
	system   string
	context  []int // tokens to put before the prompt (Ollama's context)
	tokens   []int // the prompt as token ids, used as given

	sampling  sample.Options
	maxTokens int
	stop      []string
	logprobs  int // alternatives to report per token; -1 for the chosen token only
	format    *grammar.Grammar
	truncate  bool

	tok  *tokenizer.Tokenizer // the model's, set once it is loaded
	name string               // the model's name, set once it is loaded
}

// genResult is a finished generation.
type genResult struct {
	engine.Result
	model    string
	content  string          // the text, or the text left after tool calls
	calls    []chat.ToolCall // tool calls parsed from the text
	tokens   []int           // prompt and generated tokens (Ollama's context)
	load     time.Duration   // time spent waiting for the model to load
	total    time.Duration   // the whole request
	finish   string          // "stop", "length" or "tool_calls"
	logprobs []engine.TokenEvent
}

// generate runs a request on its model, calling fn with each token (when
// fn is not nil and the reply is not held back to look for tool calls).
func (s *Server) generate(ctx context.Context, gr *genRequest, fn func(engine.TokenEvent) error) (*genResult, error) {
	start := time.Now()
	adapters, err := s.models.resolveAdapters(gr.adapters)
	if err != nil {
		return nil, err
	}
	inst, release, err := s.models.acquire(ctx, gr.model, adapters, gr.keepAlive)
	if err != nil {
		return nil, err
	}
	defer release()
	out := &genResult{model: inst.entry.name, load: time.Since(start)}
	m := inst.model
	gr.tok, gr.name = m.Tokenizer(), inst.entry.name
	req := engine.BatchRequest{GenerateRequest: engine.GenerateRequest{
		Sampling: gr.sampling, MaxTokens: gr.maxTokens, Stop: gr.stop, Truncate: gr.truncate,
	}}
	switch {
	case gr.messages != nil:
		if inst.tmpl == nil {
			return nil, badRequest("messages", "model %s has no usable chat template", inst.entry.name)
		}
		segs, err := inst.tmpl.RenderSegments(gr.messages, chat.RenderOptions{
			Tools: gr.tools, AddGenerationPrompt: true,
			BOS: pieceOf(m, m.Tokenizer().BOS()), EOS: pieceOf(m, m.Tokenizer().EOS()),
		})
		if err != nil {
			return nil, badRequest("messages", "%v", err)
		}
		req.Tokens = chat.Encode(m.Tokenizer(), segs)
	case gr.template && m.HasChatTemplate():
		var msgs []chat.Message
		if gr.system != "" {
			msgs = append(msgs, chat.Message{Role: "system", Content: gr.system})
		}
		msgs = append(msgs, chat.Message{Role: "user", Content: gr.prompt})
		segs, err := inst.tmpl.RenderSegments(msgs, chat.RenderOptions{AddGenerationPrompt: true,
			BOS: pieceOf(m, m.Tokenizer().BOS()), EOS: pieceOf(m, m.Tokenizer().EOS())})
		if err != nil {
			return nil, badRequest("prompt", "%v", err)
		}
		req.Tokens = append(append([]int(nil), gr.context...), chat.Encode(m.Tokenizer(), segs)...)
	case gr.tokens != nil:
		req.Tokens = gr.tokens
	default:
		prompt := gr.prompt
		if gr.system != "" {
			prompt = gr.system + "\n\n" + prompt
		}
		if gr.context != nil {
			req.Tokens = append(append([]int(nil), gr.context...), m.Tokenize(prompt, false, true)...)
		} else {
			req.Tokens = m.Tokenize(prompt, true, true)
		}
	}
	if len(req.Tokens) == 0 {
		return nil, badRequest("prompt", "the prompt is empty")
	}
	vocab := m.Config().VocabSize
	for _, id := range req.Tokens {
		if id < 0 || id >= vocab {
			return nil, badRequest("prompt", "token id %d outside the vocabulary of %d", id, vocab)
		}
	}
	if gr.logprobs != 0 {
		req.LogProbs = max(gr.logprobs, 1)
	}
	req.Grammar = gr.format
	if gr.forceTools {
		g, err := toolGrammar(gr.tools)
		if err != nil {
			return nil, err
		}
		req.Grammar = g
	}
	holdBack := len(gr.tools) > 0
	res, err := inst.sched.Submit(ctx, req, func(ev engine.TokenEvent) error {
		if gr.logprobs != 0 && ev.ID >= 0 {
			out.logprobs = append(out.logprobs, ev)
		}
		if fn == nil || holdBack {
			return nil
		}
		return fn(ev)
	})
	out.Result = res
	out.total = time.Since(start)
	s.log.LogAttrs(ctx, slog.LevelInfo, "generation", slog.String("model", out.model),
		slog.Int("prompt_tokens", res.PromptTokens), slog.Int("cached_tokens", res.CachedTokens),
		slog.Int("generated_tokens", len(res.Tokens)), slog.String("stop", string(res.StopReason)),
		slog.Duration("prompt_time", res.PromptDuration), slog.Duration("generate_time", res.GenerateDuration),
		slog.Float64("tokens_per_second", res.TokensPerSecond()), slog.Any("error", err))
	if err != nil {
		return out, err
	}
	out.content = res.Text
	out.finish = "stop"
	if res.StopReason == engine.StopLength || res.StopReason == engine.StopContext {
		out.finish = "length"
	}
	if len(gr.tools) > 0 {
		content, calls, perr := chat.ParseToolCalls(res.Text)
		if perr == nil && len(calls) > 0 {
			out.content, out.calls, out.finish = content, calls, "tool_calls"
		}
	}
	out.tokens = append(append([]int(nil), req.Tokens...), res.Tokens...)
	return out, nil
}

// pieceOf returns the text of a special token, "" when absent.
func pieceOf(m *engine.Model, id int) string {
	if id < 0 {
		return ""
	}
	return m.Tokenizer().Piece(id)
}

// toolGrammar builds the grammar of a reply that calls one of tools:
// {"name": <one of the names>, "parameters": <that tool's arguments>}.
func toolGrammar(tools []chat.Tool) (*grammar.Grammar, error) {
	if len(tools) == 0 {
		return nil, badRequest("tool_choice", "tool_choice requires tools")
	}
	var alts []string
	for _, t := range tools {
		name, _ := json.Marshal(t.Function.Name)
		params := []byte(t.Function.Parameters)
		if len(params) == 0 || string(params) == "null" {
			params = []byte(`{"type":"object"}`)
		}
		if _, err := grammar.FromSchema(params); err != nil {
			params = []byte(`{"type":"object"}`)
		}
		alts = append(alts, fmt.Sprintf(`{"type":"object","properties":{"name":{"const":%s},"parameters":%s},"required":["name","parameters"]}`, name, params))
	}
	schema := alts[0]
	if len(alts) > 1 {
		schema = `{"anyOf":[` + strings.Join(alts, ",") + `]}`
	}
	g, err := grammar.FromSchema([]byte(schema))
	if err != nil {
		return nil, badRequest("tools", "tool parameters: %v", err)
	}
	return g, nil
}

// schemaGrammar compiles a JSON Schema given in a request field.
func schemaGrammar(param string, schema json.RawMessage) (*grammar.Grammar, error) {
	if len(schema) == 0 || string(schema) == "null" {
		return grammar.JSON(), nil
	}
	g, err := grammar.FromSchema(schema)
	if err != nil {
		return nil, badRequest(param, "invalid JSON schema: %v", err)
	}
	return g, nil
}

// samplerFields are the sampling settings both APIs accept, all optional.
type samplerFields struct {
	Temperature      *float32 `json:"temperature"`
	TopP             *float32 `json:"top_p"`
	TopK             *int     `json:"top_k"`
	MinP             *float32 `json:"min_p"`
	RepeatPenalty    *float32 `json:"repeat_penalty"`
	RepeatLastN      *int     `json:"repeat_last_n"`
	PresencePenalty  *float32 `json:"presence_penalty"`
	FrequencyPenalty *float32 `json:"frequency_penalty"`
	Seed             *int64   `json:"seed"`
	NumCtx           *int     `json:"num_ctx"`
}

// options turns the fields into sampler options on llama.cpp's defaults,
// checking their ranges.
func (f *samplerFields) options() (sample.Options, error) {
	o := sample.Defaults()
	if f.Temperature != nil {
		if *f.Temperature < 0 || *f.Temperature > 100 {
			return o, badRequest("temperature", "temperature %g out of range [0, 100]", *f.Temperature)
		}
		o.Temperature = *f.Temperature
	}
	if f.TopP != nil {
		if *f.TopP < 0 || *f.TopP > 1 {
			return o, badRequest("top_p", "top_p %g out of range [0, 1]", *f.TopP)
		}
		o.TopP = *f.TopP
	}
	if f.TopK != nil {
		o.TopK = *f.TopK
	}
	if f.MinP != nil {
		o.MinP = *f.MinP
	}
	if f.RepeatPenalty != nil {
		o.RepeatPenalty = *f.RepeatPenalty
	}
	if f.RepeatLastN != nil {
		o.RepeatLastN = *f.RepeatLastN
	}
	if f.PresencePenalty != nil {
		if *f.PresencePenalty < -2 || *f.PresencePenalty > 2 {
			return o, badRequest("presence_penalty", "presence_penalty %g out of range [-2, 2]", *f.PresencePenalty)
		}
		o.PresencePenalty = *f.PresencePenalty
	}
	if f.FrequencyPenalty != nil {
		if *f.FrequencyPenalty < -2 || *f.FrequencyPenalty > 2 {
			return o, badRequest("frequency_penalty", "frequency_penalty %g out of range [-2, 2]", *f.FrequencyPenalty)
		}
		o.FrequencyPenalty = *f.FrequencyPenalty
	}
	if f.NumCtx != nil && *f.NumCtx < 0 {
		return o, badRequest("num_ctx", "num_ctx must not be negative")
	}
	if f.Seed != nil && *f.Seed >= 0 {
		o.Seed = uint64(*f.Seed)
	} else {
		o.Seed = rand.Uint64()
	}
	return o, nil
}

// stopList reads a stop field: a string or a list of strings.
func stopList(param string, raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []string{one}, nil
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err != nil {
		return nil, badRequest(param, "%s must be a string or a list of strings", param)
	}
	return many, nil
}
