package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/herdllm/herd/model"
	"github.com/herdllm/herd/sample"
)

// Session is a conversation with its own KV cache. It remembers the tokens
// its cache holds, so a later Generate whose prompt starts with them (the
// same conversation plus a new turn) only processes the new tokens. A
// Session is not safe for concurrent use; use one per conversation.
type Session struct {
	m      *Model
	cache  *model.Cache
	tokens []int // the tokens whose keys and values the cache holds
}

// seq is the cache sequence a session uses.
const seq = 0

// NewSession returns a session with an empty cache.
func (m *Model) NewSession() *Session {
	return &Session{m: m, cache: m.net.NewCache(m.ctxLen)}
}

// Tokens returns the tokens the session's cache holds (prompt and generated
// tokens of the last generation, except a final token that was never fed
// back).
func (s *Session) Tokens() []int { return append([]int(nil), s.tokens...) }

// Reset empties the session's cache.
func (s *Session) Reset() {
	s.cache.Truncate(seq, 0)
	s.tokens = s.tokens[:0]
}

// Generate runs req in a fresh session; see Session.Generate.
func (m *Model) Generate(ctx context.Context, req GenerateRequest, fn func(TokenEvent) error) (Result, error) {
	return m.NewSession().Generate(ctx, req, fn)
}

// Generate continues the prompt, calling fn (when not nil) with each token as
// it is chosen. The prompt's longest prefix already in the session's cache
// is reused. Generation ends at an end-of-generation token, MaxTokens, a
// stop string or the end of the context (the Result's StopReason says
// which); an error from fn or a cancelled ctx ends it early and is returned
// with the partial Result.
func (s *Session) Generate(ctx context.Context, req GenerateRequest, fn func(TokenEvent) error) (Result, error) {
	m := s.m
	var res Result
	prompt, err := m.promptTokens(req)
	if err != nil {
		return res, err
	}
	if len(prompt) > m.ctxLen {
		if !req.Truncate {
			return res, &ContextError{Tokens: len(prompt), Context: m.ctxLen}
		}
		prompt, res.Truncated = truncate(prompt, m.ctxLen, req.MaxTokens, m.tok.BOS())
	}
	res.PromptTokens = len(prompt)

	start := time.Now()
	logits, cached, err := s.prefill(ctx, prompt)
	res.CachedTokens = cached
	res.PromptDuration = time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			res.StopReason = StopCancelled
		}
		return res, err
	}

	start = time.Now()
	err = s.decode(ctx, req, logits, &res, fn)
	res.GenerateDuration = time.Since(start)
	return res, err
}

// truncate keeps the tail of prompt that leaves room in a context of ctxLen
// for some generated tokens, keeping a leading BOS.
func truncate(prompt []int, ctxLen, maxTokens, bos int) ([]int, int) {
	reserve := ctxLen / 4
	if maxTokens > 0 {
		reserve = min(maxTokens, ctxLen/2)
	}
	keep := max(ctxLen-reserve, 1)
	head := []int(nil)
	if bos >= 0 && prompt[0] == bos && keep > 1 {
		head = []int{bos}
		keep--
	}
	out := append(head, prompt[len(prompt)-keep:]...)
	return out, len(prompt) - len(out)
}

// prefill brings the cache to hold prompt, reusing the longest cached prefix
// (but always running at least the last token), and returns the logits after
// the last prompt token and how many tokens were reused.
func (s *Session) prefill(ctx context.Context, prompt []int) ([]float32, int, error) {
	cached := 0
	for cached < len(s.tokens) && cached < len(prompt)-1 && s.tokens[cached] == prompt[cached] {
		cached++
	}
	s.cache.Truncate(seq, cached)
	s.tokens = s.tokens[:cached]
	var last []float32
	for lo := cached; lo < len(prompt); lo += s.m.batch {
		if err := ctx.Err(); err != nil {
			return nil, cached, err
		}
		hi := min(lo+s.m.batch, len(prompt))
		out, err := s.feed(prompt[lo:hi])
		if err != nil {
			return nil, cached, err
		}
		last = out
	}
	return last, cached, nil
}

// feed runs tokens at the session's next positions and returns the logits
// after the last of them.
func (s *Session) feed(ids []int) ([]float32, error) {
	batch := make([]model.Token, len(ids))
	for i, id := range ids {
		batch[i] = model.Token{ID: id, Pos: len(s.tokens) + i, Seq: seq}
	}
	out, err := s.m.forward(s.cache, batch, nil)
	if err != nil {
		s.cache.Truncate(seq, len(s.tokens))
		return nil, fmt.Errorf("engine: %w", err)
	}
	s.tokens = append(s.tokens, ids...)
	return out[len(out)-1], nil
}

// decode samples tokens until a stop condition, starting from the logits
// after the prompt.
func (s *Session) decode(ctx context.Context, req GenerateRequest, logits []float32, res *Result, fn func(TokenEvent) error) error {
	m := s.m
	smp := sample.New(req.Sampling)
	afterBOS := len(s.tokens) > 0 && s.tokens[len(s.tokens)-1] == m.tok.BOS()
	text := newTextStream(m.tok, req.Stop, afterBOS)
	history := append([]int(nil), s.tokens...)
	emit := func(ev TokenEvent) error {
		if fn == nil {
			return nil
		}
		return fn(ev)
	}
	finish := func(reason StopReason) error {
		res.StopReason = reason
		rest, _ := text.flush()
		res.Text = text.text
		if rest != "" {
			return emit(TokenEvent{ID: -1, Text: rest})
		}
		return nil
	}
	for {
		if err := ctx.Err(); err != nil {
			res.StopReason = StopCancelled
			res.Text = text.text[:text.emitted]
			return err
		}
		id := smp.Sample(logits, history)
		if !req.IgnoreEOG && m.IsEOG(id) {
			return finish(StopEOG)
		}
		ev := TokenEvent{ID: id}
		if req.LogProbs > 0 {
			ev.LogProb, ev.TopLogProbs = sample.LogProbs(logits, id, req.LogProbs)
		}
		res.Tokens = append(res.Tokens, id)
		history = append(history, id)
		chunk, stopped := text.add(id)
		ev.Text = chunk
		if stopped {
			res.StopReason = StopString
			res.Text = text.text
			return emit(ev)
		}
		if err := emit(ev); err != nil {
			res.Text = text.text[:text.emitted]
			return err
		}
		if req.MaxTokens > 0 && len(res.Tokens) >= req.MaxTokens {
			return finish(StopLength)
		}
		if len(s.tokens) >= m.ctxLen {
			return finish(StopContext)
		}
		var err error
		if logits, err = s.feed([]int{id}); err != nil {
			res.Text = text.text[:text.emitted]
			return err
		}
	}
}
