package server

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"math"
	"net/http"
	"time"

	"github.com/herdllm/herd/engine"
)

// oaCompletionRequest is the body of POST /v1/completions.
type oaCompletionRequest struct {
	Model          string          `json:"model"`
	Prompt         json.RawMessage `json:"prompt"`
	Stream         bool            `json:"stream"`
	StreamOptions  *oaStreamOpts   `json:"stream_options"`
	MaxTokens      *int            `json:"max_tokens"`
	Stop           json.RawMessage `json:"stop"`
	N              *int            `json:"n"`
	BestOf         *int            `json:"best_of"`
	Echo           bool            `json:"echo"`
	Suffix         *string         `json:"suffix"`
	Logprobs       *int            `json:"logprobs"`
	ResponseFormat *oaFormat       `json:"response_format"`
	samplerFields
	adapterField
}

// promptText reads a completion prompt: a string or a list of token ids,
// or a list holding exactly one of those.
func promptText(raw json.RawMessage) (string, []int, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil, nil
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return "", ids, nil
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil && len(list) == 1 {
		return list[0], nil, nil
	}
	var lists [][]int
	if json.Unmarshal(raw, &lists) == nil && len(lists) == 1 && len(lists[0]) > 0 {
		return "", lists[0], nil
	}
	return "", nil, badRequest("prompt", "prompt must be a string or a list of token ids (or a list of exactly one of those)")
}

// openaiCompletion serves POST /v1/completions.
func (s *Server) openaiCompletion(w http.ResponseWriter, r *http.Request) {
	var req oaCompletionRequest
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	gr, err := parseCompletion(&req)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	id := "cmpl-" + randomID()
	created := time.Now().Unix()
	echo := ""
	if req.Echo {
		echo = gr.prompt
	}
	if !req.Stream {
		res, err := s.generate(r.Context(), gr, nil)
		if err != nil {
			writeErr(w, r, err)
			return
		}
		choice := map[string]any{"index": 0, "text": echo + res.content, "finish_reason": res.finish, "logprobs": nil}
		if gr.logprobs != 0 {
			choice["logprobs"] = completionLogprobs(gr.tok, res.logprobs, gr.logprobs)
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": id, "object": "text_completion", "created": created,
			"model": res.model, "choices": []any{choice}, "usage": usageOf(res.Result), "system_fingerprint": "herd"})
		return
	}
	sse := newSSE(w)
	chunk := func(text string, finish any, lp any) map[string]any {
		return map[string]any{"id": id, "object": "text_completion", "created": created, "model": gr.name,
			"choices": []any{map[string]any{"index": 0, "text": text, "finish_reason": finish, "logprobs": lp}}}
	}
	if echo != "" {
		e, ok := s.models.find(req.Model)
		if !ok {
			writeErr(w, r, notFound(req.Model))
			return
		}
		gr.name = e.name
		// Sent before generating; an error after this is reported in the stream.
		sse.send(chunk(echo, nil, nil))
	}
	res, err := s.generate(r.Context(), gr, func(ev engine.TokenEvent) error {
		if ev.Text == "" {
			return nil
		}
		var lp any
		if gr.logprobs != 0 && ev.ID >= 0 {
			lp = completionLogprobs(gr.tok, []engine.TokenEvent{ev}, gr.logprobs)
		}
		return sse.send(chunk(ev.Text, nil, lp))
	})
	if err != nil {
		if !sse.started {
			writeErr(w, r, err)
			return
		}
		sse.sendError(r, err)
		return
	}
	sse.send(chunk("", res.finish, nil))
	if req.StreamOptions != nil && req.StreamOptions.IncludeUsage {
		sse.send(map[string]any{"id": id, "object": "text_completion", "created": created, "model": res.model,
			"choices": []any{}, "usage": usageOf(res.Result)})
	}
	sse.done()
}

// parseCompletion turns an OpenAI completion request into a generation
// request.
func parseCompletion(req *oaCompletionRequest) (*genRequest, error) {
	if req.N != nil && *req.N != 1 {
		return nil, badRequest("n", "n must be 1: herd returns one choice per request")
	}
	if req.BestOf != nil && *req.BestOf != 1 {
		return nil, badRequest("best_of", "best_of must be 1")
	}
	if req.Suffix != nil && *req.Suffix != "" {
		return nil, badRequest("suffix", "suffix (fill-in-the-middle) is not supported")
	}
	gr := &genRequest{model: req.Model}
	var err error
	if gr.prompt, gr.tokens, err = promptText(req.Prompt); err != nil {
		return nil, err
	}
	if gr.sampling, err = req.samplerFields.options(); err != nil {
		return nil, err
	}
	if gr.stop, err = stopList("stop", req.Stop); err != nil {
		return nil, err
	}
	if req.MaxTokens == nil {
		req.MaxTokens = new(16) // OpenAI's default for completions
	}
	if gr.maxTokens, err = maxTokens(req.MaxTokens); err != nil {
		return nil, err
	}
	if req.Logprobs != nil {
		if *req.Logprobs < 0 || *req.Logprobs > 5 {
			return nil, badRequest("logprobs", "logprobs must be between 0 and 5")
		}
		gr.logprobs = -1
		if *req.Logprobs > 0 {
			gr.logprobs = *req.Logprobs
		}
	}
	if f := req.ResponseFormat; f != nil && f.Type != "" && f.Type != "text" {
		var schema json.RawMessage
		if f.JSONSchema != nil {
			schema = f.JSONSchema.Schema
		}
		if gr.format, err = schemaGrammar("response_format", schema); err != nil {
			return nil, err
		}
	}
	if gr.adapters, err = req.adapterField.parse(); err != nil {
		return nil, err
	}
	return gr, nil
}

// oaEmbeddingRequest is the body of POST /v1/embeddings.
type oaEmbeddingRequest struct {
	Model          string          `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
	Pooling        string          `json:"pooling"` // herd: "mean" or "last"
}

// openaiEmbeddings serves POST /v1/embeddings.
func (s *Server) openaiEmbeddings(w http.ResponseWriter, r *http.Request) {
	var req oaEmbeddingRequest
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	if req.EncodingFormat != "" && req.EncodingFormat != "float" && req.EncodingFormat != "base64" {
		writeErr(w, r, badRequest("encoding_format", "encoding_format must be float or base64"))
		return
	}
	inputs, err := embedInputs(req.Input)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	pool, err := poolingOf(req.Pooling)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	res, err := s.embed(r, req.Model, inputs, pool, nil, false)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	data := make([]any, len(res.vectors))
	for i, v := range res.vectors {
		if req.Dimensions != nil {
			v = shortenEmbedding(v, *req.Dimensions)
		}
		var emb any = v
		if req.EncodingFormat == "base64" {
			b := make([]byte, 4*len(v))
			for k, x := range v {
				binary.LittleEndian.PutUint32(b[4*k:], math.Float32bits(x))
			}
			emb = base64.StdEncoding.EncodeToString(b)
		}
		data[i] = map[string]any{"object": "embedding", "index": i, "embedding": emb}
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data, "model": res.model,
		"usage": map[string]int{"prompt_tokens": res.tokens, "total_tokens": res.tokens}})
}

// openaiModels serves GET /v1/models.
func (s *Server) openaiModels(w http.ResponseWriter, r *http.Request) {
	data := []any{}
	for _, e := range s.models.list() {
		data = append(data, oaModel(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"object": "list", "data": data})
}

// openaiModel serves GET /v1/models/{model}.
func (s *Server) openaiModel(w http.ResponseWriter, r *http.Request) {
	e, ok := s.models.find(r.PathValue("model"))
	if !ok {
		writeErr(w, r, notFound(r.PathValue("model")))
		return
	}
	writeJSON(w, http.StatusOK, oaModel(e))
}

func oaModel(e modelEntry) map[string]any {
	return map[string]any{"id": e.name, "object": "model", "created": e.modified.Unix(), "owned_by": "herd"}
}
