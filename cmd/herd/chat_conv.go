package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/herdfile"
	"github.com/herdllm/herd/sample/grammar"
)

// conversation is a chat with a model: its messages, settings and the
// generator that keeps the KV cache of earlier turns.
type conversation struct {
	m        *engine.Model
	name     string // the model, as shown to the user
	tmpl     *chat.Template
	gen      generator
	messages []chat.Message // a system message, when set, comes first
	settings herdfile.Settings
	grammar  *grammar.Grammar // constrains answers; nil for free text
	format   string           // what grammar was made from: "json" or a schema file
	verbose  bool
	stderr   io.Writer
}

// generator runs generations that reuse the cache of earlier ones.
type generator interface {
	generate(ctx context.Context, req engine.BatchRequest, fn func(engine.TokenEvent) error) (engine.Result, error)
	close()
}

// sessionGen generates with a Session: its cache survives interrupted
// answers, but it cannot follow a grammar.
type sessionGen struct{ s *engine.Session }

func (g sessionGen) generate(ctx context.Context, req engine.BatchRequest, fn func(engine.TokenEvent) error) (engine.Result, error) {
	if req.Grammar != nil {
		return engine.Result{}, errors.New("chat: grammars need the scheduler")
	}
	return g.s.Generate(ctx, req.GenerateRequest, fn)
}

func (g sessionGen) close() {}

// schedulerGen generates with a one-sequence Scheduler, which follows
// grammars and reuses the previous turn's cache by prefix.
type schedulerGen struct{ s *engine.Scheduler }

func (g schedulerGen) generate(ctx context.Context, req engine.BatchRequest, fn func(engine.TokenEvent) error) (engine.Result, error) {
	return g.s.Submit(ctx, req, fn)
}

func (g schedulerGen) close() { g.s.Close() }

// newGenerator picks the generator: the scheduler when answers follow a
// grammar, else a session.
func newGenerator(m *engine.Model, constrained bool) generator {
	if constrained {
		return schedulerGen{m.NewScheduler(engine.SchedulerOptions{Parallel: 1, QueueSize: -1})}
	}
	return sessionGen{m.NewSession()}
}

// system returns the system message, if there is one.
func (c *conversation) system() (string, bool) {
	if len(c.messages) > 0 && c.messages[0].Role == "system" {
		return c.messages[0].Content, true
	}
	return "", false
}

// setSystem replaces the system message; empty text removes it.
func (c *conversation) setSystem(text string) {
	_, has := c.system()
	switch {
	case text == "" && has:
		c.messages = c.messages[1:]
	case text == "":
	case has:
		c.messages[0].Content = text
	default:
		c.messages = append([]chat.Message{{Role: "system", Content: text}}, c.messages...)
	}
}

// clear forgets every message but the system message.
func (c *conversation) clear() {
	sys, has := c.system()
	c.messages = nil
	if has {
		c.setSystem(sys)
	}
}

// encode renders messages with an open assistant turn and tokenizes them,
// special tokens only where the template put them.
func (c *conversation) encode(messages []chat.Message) ([]int, error) {
	tok := c.m.Tokenizer()
	opts := chat.RenderOptions{AddGenerationPrompt: true}
	if id := tok.BOS(); id >= 0 {
		opts.BOS = tok.Piece(id)
	}
	if id := tok.EOS(); id >= 0 {
		opts.EOS = tok.Piece(id)
	}
	ids, _, err := c.tmpl.EncodePrompt(tok, messages, opts)
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	if len(ids) == 0 {
		return nil, errors.New("chat: the template rendered an empty prompt")
	}
	return ids, nil
}

// reserve is the room an answer needs in the context.
func (c *conversation) reserve() int {
	ctx := c.m.ContextLength()
	if n := c.settings.NumPredict; n > 0 {
		return min(n, ctx/2)
	}
	return max(ctx/8, 1)
}

// fit returns the prompt for the next answer, first dropping the oldest
// turns (never the system message or the last message) while the prompt
// and room for the answer overflow the context. It says what it dropped;
// when even the last message does not fit, it drops nothing.
func (c *conversation) fit() ([]int, error) {
	ctxLen := c.m.ContextLength()
	msgs := append([]chat.Message(nil), c.messages...)
	first := 0
	if _, has := c.system(); has {
		first = 1
	}
	for {
		ids, err := c.encode(msgs)
		if err != nil {
			return nil, err
		}
		last := first >= len(msgs)-1 // nothing left to drop
		if len(ids)+c.reserve() <= ctxLen || (last && len(ids) < ctxLen) {
			// Fits (when nothing is left to drop, the answer gets what
			// room remains).
			if n := len(c.messages) - len(msgs); n > 0 {
				fmt.Fprintf(c.stderr, "herd: the conversation no longer fits the context of %d tokens: dropped the oldest %d messages\n", ctxLen, n)
			}
			c.messages = msgs
			return ids, nil
		}
		if last {
			return nil, fmt.Errorf("chat: the message needs %d tokens but the context holds %d (--ctx)", len(ids), ctxLen)
		}
		// Drop one exchange: the oldest message and what follows up to the
		// next user message, keeping the last message.
		end := first + 1
		for end < len(msgs)-1 && msgs[end].Role != "user" {
			end++
		}
		msgs = append(msgs[:first], msgs[end:]...)
	}
}

// ask adds a user message and answers it.
func (c *conversation) ask(ctx context.Context, text string, out io.Writer) (engine.Result, error) {
	c.messages = append(c.messages, chat.Message{Role: "user", Content: text})
	return c.answer(ctx, out)
}

// answer generates the assistant's answer to the conversation, streaming
// it to out, and adds it (also when interrupted) to the conversation.
func (c *conversation) answer(ctx context.Context, out io.Writer) (engine.Result, error) {
	prompt, err := c.fit()
	if err != nil {
		c.messages = c.messages[:len(c.messages)-1]
		return engine.Result{}, err
	}
	req := engine.BatchRequest{
		GenerateRequest: engine.GenerateRequest{
			Tokens:    prompt,
			Sampling:  c.settings.Sampling(uint64(time.Now().UnixNano())),
			MaxTokens: c.settings.NumPredict,
			Stop:      c.settings.Stop,
		},
		Grammar: c.grammar,
	}
	res, err := c.gen.generate(ctx, req, func(ev engine.TokenEvent) error {
		if _, err := io.WriteString(out, ev.Text); err != nil {
			return err
		}
		return ctx.Err()
	})
	if err != nil && errors.Is(err, context.Canceled) {
		res.StopReason = engine.StopCancelled
	}
	switch {
	case res.Text != "" || err == nil:
		c.messages = append(c.messages, chat.Message{Role: "assistant", Content: res.Text})
	default:
		// Nothing was said: forget the question too, so roles keep
		// alternating.
		c.messages = c.messages[:len(c.messages)-1]
	}
	if c.verbose {
		fmt.Fprintf(c.stderr, "herd: prompt: %d tokens (%d cached) in %v, %.1f tokens/s; generated: %d tokens in %v, %.1f tokens/s (stop: %s)\n",
			res.PromptTokens, res.CachedTokens, res.PromptDuration.Round(time.Microsecond), res.PromptTokensPerSecond(),
			len(res.Tokens), res.GenerateDuration.Round(time.Microsecond), res.TokensPerSecond(), res.StopReason)
	}
	if err != nil {
		return res, err
	}
	if c.grammar != nil {
		if err := closeAnswer(c, res, out); err != nil {
			return res, err
		}
	}
	ctxLen := c.m.ContextLength()
	if used := min(res.PromptTokens+len(res.Tokens), ctxLen); used*10 > ctxLen*9 {
		fmt.Fprintf(c.stderr, "herd: the conversation fills %d of the %d context tokens (%d%%); the oldest turns will be dropped to make room (/clear starts over)\n",
			used, ctxLen, used*100/ctxLen)
	}
	if res.StopReason == engine.StopContext {
		fmt.Fprintln(c.stderr, "herd: the answer stopped at the end of the context")
	}
	return res, nil
}

// chatFile is a saved conversation.
type chatFile struct {
	Messages []chat.Message    `json:"messages"`
	Settings herdfile.Settings `json:"settings"`
}

// save writes the conversation and settings to path as JSON.
func (c *conversation) save(path string) error {
	b, err := json.MarshalIndent(chatFile{Messages: c.messages, Settings: c.settings}, "", "  ")
	if err != nil {
		return fmt.Errorf("chat: save: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("chat: save: %w", err)
	}
	return nil
}

// load replaces the conversation and settings with those saved at path;
// settings the file lacks keep their values.
func (c *conversation) load(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("chat: load: %w", err)
	}
	f := chatFile{Settings: c.settings}
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("chat: load %s: %w", path, err)
	}
	for i, m := range f.Messages {
		switch m.Role {
		case "system", "user", "assistant", "tool", "ipython":
		default:
			return fmt.Errorf("chat: load %s: message %d: unknown role %q", path, i, m.Role)
		}
	}
	c.messages, c.settings = f.Messages, f.Settings
	return nil
}
