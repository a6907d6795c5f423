package server

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/herdllm/herd/engine"
)

// embedInput is one text to embed, or its token ids.
type embedInput struct {
	text   string
	tokens []int
}

// embedInputs reads an input field: a string, a list of strings, a list of
// token ids or a list of such lists.
func embedInputs(raw json.RawMessage) ([]embedInput, error) {
	var one string
	if json.Unmarshal(raw, &one) == nil {
		return []embedInput{{text: one}}, nil
	}
	var texts []string
	if json.Unmarshal(raw, &texts) == nil && len(texts) > 0 {
		out := make([]embedInput, len(texts))
		for i, t := range texts {
			out[i] = embedInput{text: t}
		}
		return out, nil
	}
	var ids []int
	if json.Unmarshal(raw, &ids) == nil && len(ids) > 0 {
		return []embedInput{{tokens: ids}}, nil
	}
	var lists [][]int
	if json.Unmarshal(raw, &lists) == nil && len(lists) > 0 {
		out := make([]embedInput, len(lists))
		for i, l := range lists {
			out[i] = embedInput{tokens: l}
		}
		return out, nil
	}
	return nil, badRequest("input", "input must be a non-empty string, list of strings, or list(s) of token ids")
}

// embedResult holds the vectors of an embedding request.
type embedResult struct {
	model   string
	vectors [][]float32
	tokens  int
	load    time.Duration
	total   time.Duration
}

// poolingOf reads the herd-specific "pooling" field: "mean" (the
// default) or "last".
func poolingOf(name string) (engine.Pooling, error) {
	switch name {
	case "", "mean":
		return engine.PoolMean, nil
	case "last":
		return engine.PoolLast, nil
	}
	return 0, badRequest("pooling", "pooling must be \"mean\" or \"last\", not %q", name)
}

// embed computes one normalized vector per input, pooled over its tokens.
func (s *Server) embed(r *http.Request, model string, inputs []embedInput, pool engine.Pooling, keepAlive *time.Duration, truncate bool) (*embedResult, error) {
	start := time.Now()
	inst, release, err := s.models.acquire(r.Context(), model, nil, keepAlive)
	if err != nil {
		return nil, err
	}
	defer release()
	res := &embedResult{model: inst.entry.name, load: time.Since(start)}
	vocab := inst.model.Config().VocabSize
	for i, in := range inputs {
		ids := in.tokens
		if ids == nil {
			if in.text == "" {
				return nil, badRequest("input", "input %d is empty", i)
			}
			ids = inst.model.Tokenize(in.text, true, false)
		}
		for _, id := range ids {
			if id < 0 || id >= vocab {
				return nil, badRequest("input", "input %d: token id %d outside the vocabulary of %d", i, id, vocab)
			}
		}
		v, err := inst.model.Embed(r.Context(), ids, pool, truncate)
		if err != nil {
			return nil, err
		}
		res.vectors = append(res.vectors, v)
		res.tokens += min(len(ids), inst.model.ContextLength())
	}
	res.total = time.Since(start)
	return res, nil
}

// shortenEmbedding keeps the first dims values of a unit embedding (dims ≤ 0
// or not shorter: all of them) and rescales them to unit length, as the APIs'
// "dimensions" option asks.
func shortenEmbedding(v []float32, dims int) []float32 {
	if dims <= 0 || dims >= len(v) {
		return v
	}
	v = v[:dims]
	engine.Normalize(v)
	return v
}
