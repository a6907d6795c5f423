package train

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/herdllm/herd/chat"
)

// Conversation is one chat transcript of a JSONL data file:
// {"messages": [...], "tools": [...]}.
type Conversation struct {
	Messages []chat.Message `json:"messages"`
	Tools    []chat.Tool    `json:"tools,omitempty"`
}

// chatRoles are the roles a transcript may use.
var chatRoles = []string{"system", "user", "assistant", "tool", "ipython"}

// Validate checks that the conversation has messages, only known roles,
// and at least one assistant turn to learn from.
func (c Conversation) Validate() error {
	if len(c.Messages) == 0 {
		return errors.New("empty conversation")
	}
	assistant := false
	for i, m := range c.Messages {
		if !slices.Contains(chatRoles, m.Role) {
			return fmt.Errorf("message %d: role %q is not one of %s", i+1, m.Role, strings.Join(chatRoles, ", "))
		}
		assistant = assistant || m.Role == "assistant"
	}
	if !assistant {
		return errors.New("conversation has no assistant message to learn from")
	}
	return nil
}

// ChatTokenizer is what rendering chat data needs of a tokenizer: training's
// Tokenizer plus the vocabulary access of special-safe encoding (the
// tokenizer package's Tokenizer satisfies it).
type ChatTokenizer interface {
	Tokenizer
	chat.Tokenizer
}

// ChatRenderer turns conversations into training examples: it renders them
// through a chat template, tokenizes the rendering special-safely (template
// text may hold special tokens, message content never does), and marks for
// the loss exactly the assistant turns' tokens (their content and the
// end-of-turn token the template closes them with).
type ChatRenderer struct {
	Template  *chat.Template
	Tokenizer ChatTokenizer
	BOS, EOS  string    // bos_token and eos_token texts the template sees
	Now       time.Time // clock for templates that print today's date
}

// NewChatRenderer renders with tmpl and tokenizes with tok; bos_token and
// eos_token are the texts of tok's BOS and EOS.
func NewChatRenderer(tmpl *chat.Template, tok ChatTokenizer) *ChatRenderer {
	r := &ChatRenderer{Template: tmpl, Tokenizer: tok, Now: time.Now()}
	if id := tok.BOS(); id >= 0 {
		r.BOS = tok.Piece(id)
	}
	if id := tok.EOS(); id >= 0 {
		r.EOS = tok.Piece(id)
	}
	return r
}

// ChatRendererForModel picks the template as the engine does: the model's
// own chatTemplate (tokenizer.chat_template) when not empty, else the
// built-in format its vocabulary was made for.
func ChatRendererForModel(chatTemplate string, tok Tokenizer) (*ChatRenderer, error) {
	ct, ok := tok.(ChatTokenizer)
	if !ok {
		return nil, errors.New("train: chat data needs a tokenizer with a vocabulary of special tokens")
	}
	tmpl, err := chat.ForModel(chatTemplate, hasPiece(ct))
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return NewChatRenderer(tmpl, ct), nil
}

func hasPiece(tok ChatTokenizer) func(string) bool {
	if t, ok := tok.(interface{ TokenID(string) (int, bool) }); ok {
		return func(p string) bool { _, ok := t.TokenID(p); return ok }
	}
	pieces := map[string]bool{}
	for id := range tok.VocabSize() {
		pieces[tok.Piece(id)] = true
	}
	return func(p string) bool { return pieces[p] }
}

// Example renders c into token ids with the loss on the assistant turns.
//
// Each assistant turn is located by rendering the conversation up to it
// with the generation prompt, and through it: the tokens between the two
// are the turn. When the tokens of those renderings are not prefixes of the
// whole conversation's (a merge across the boundary), the rendering is
// tokenized piecewise at the turn boundaries instead; when even the texts
// are not prefixes (templates that render earlier turns differently), the
// assistant contents are found among the rendering's content segments.
func (r *ChatRenderer) Example(c Conversation) (Example, error) {
	if err := c.Validate(); err != nil {
		return Example{}, err
	}
	opts := chat.RenderOptions{Tools: c.Tools, BOS: r.BOS, EOS: r.EOS, Now: r.Now}
	segs, err := r.Template.RenderSegments(c.Messages, opts)
	if err != nil {
		return Example{}, err
	}
	turns, ok, err := r.assistantTurns(c, opts)
	if err != nil {
		return Example{}, err
	}
	if ok {
		if ex, ok := r.byTokenPrefix(segs, turns); ok {
			return ex, nil
		}
		return r.piecewise(segs, turns, false), nil
	}
	spans := contentSpans(segs, c.Messages)
	if len(spans) == 0 {
		return Example{}, errors.New("chat template renders no assistant content")
	}
	return r.piecewise(segs, spans, true), nil
}

// turn is an assistant turn: its byte span in the rendered text.
type turn struct{ from, to int }

// assistantTurns renders the prefixes around every assistant message; ok is
// false when the renderings are not text prefixes of one another.
func (r *ChatRenderer) assistantTurns(c Conversation, opts chat.RenderOptions) (turns []turn, ok bool, err error) {
	full, err := r.Template.Render(c.Messages, opts)
	if err != nil {
		return nil, false, err
	}
	gen := opts
	gen.AddGenerationPrompt = true
	for i, m := range c.Messages {
		if m.Role != "assistant" {
			continue
		}
		before, err := r.Template.Render(c.Messages[:i], gen)
		if err != nil {
			return nil, false, nil
		}
		through, err := r.Template.Render(c.Messages[:i+1], opts)
		if err != nil {
			return nil, false, nil
		}
		if !strings.HasPrefix(through, before) || !strings.HasPrefix(full, through) || len(through) == len(before) {
			return nil, false, nil
		}
		if n := len(turns); n > 0 && turns[n-1].to > len(before) {
			return nil, false, nil
		}
		turns = append(turns, turn{from: len(before), to: len(through)})
	}
	return turns, true, nil
}

// byTokenPrefix tokenizes the whole rendering at once and marks each turn's
// token span, when the tokens of the renderings before and through every
// turn, tokenized on their own, are prefixes of the whole's tokens.
func (r *ChatRenderer) byTokenPrefix(segs []chat.Segment, turns []turn) (Example, bool) {
	ids := chat.Encode(r.Tokenizer, segs)
	ex := Example{IDs: ids, Predict: make([]bool, len(ids))}
	for _, t := range turns {
		lead := chat.Encode(r.Tokenizer, cutSegments(segs, 0, t.from))
		through := chat.Encode(r.Tokenizer, cutSegments(segs, 0, t.to))
		if len(through) <= len(lead) || !slices.Equal(lead, through[:len(lead)]) ||
			len(ids) < len(through) || !slices.Equal(through, ids[:len(through)]) {
			return Example{}, false
		}
		for i := len(lead); i < len(through); i++ {
			ex.Predict[i] = true
		}
	}
	return ex, true
}

// piecewise tokenizes the rendering in pieces cut at the turns' byte spans
// and marks the turns' pieces. With closeTurn, the special token that
// follows a turn (its end-of-turn token) is marked too.
func (r *ChatRenderer) piecewise(segs []chat.Segment, turns []turn, closeTurn bool) Example {
	var ex Example
	add := func(from, to int, predict bool) {
		ids := chat.Encode(r.Tokenizer, cutSegments(segs, from, to))
		ex.IDs = append(ex.IDs, ids...)
		for range ids {
			ex.Predict = append(ex.Predict, predict)
		}
	}
	end := len(chat.Join(segs))
	pos := 0
	for _, t := range turns {
		add(pos, t.from, false)
		add(t.from, t.to, true)
		pos = t.to
		if closeTurn {
			pos += r.markTurnEnd(&ex, cutSegments(segs, pos, end))
		}
	}
	add(pos, end, false)
	return ex
}

// contentSpans finds the assistant messages' contents among the rendering's
// content segments, matching messages to segments in order.
func contentSpans(segs []chat.Segment, messages []chat.Message) []turn {
	var spans []turn
	pos, si := 0, 0
	offsets := make([]int, len(segs)+1)
	for i, s := range segs {
		offsets[i+1] = offsets[i] + len(s.Text)
	}
	for _, m := range messages {
		core := strings.TrimFunc(m.Content, unicode.IsSpace)
		if core == "" {
			continue
		}
		for j := si; j < len(segs); j++ {
			if segs[j].Content && offsets[j] >= pos && segs[j].Text == core {
				if m.Role == "assistant" {
					spans = append(spans, turn{from: offsets[j], to: offsets[j+1]})
				}
				pos, si = offsets[j+1], j+1
				break
			}
		}
	}
	return spans
}

// cutSegments returns the part of segs covering bytes [from, to) of their
// joined text.
func cutSegments(segs []chat.Segment, from, to int) []chat.Segment {
	var out []chat.Segment
	off := 0
	for _, s := range segs {
		lo, hi := max(from, off), min(to, off+len(s.Text))
		if lo < hi {
			out = append(out, chat.Segment{Text: s.Text[lo-off : hi-off], Content: s.Content})
		}
		off += len(s.Text)
	}
	return out
}

// markTurnEnd appends and marks the special token that rest (the rendering
// after an assistant content) starts with, returning its length in bytes
// (0 when rest starts with anything else).
func (r *ChatRenderer) markTurnEnd(ex *Example, rest []chat.Segment) int {
	if len(rest) == 0 || rest[0].Content {
		return 0
	}
	ids := chat.Encode(r.Tokenizer, rest[:1])
	if len(ids) == 0 || !r.Tokenizer.IsSpecial(ids[0]) {
		return 0
	}
	p := r.Tokenizer.Piece(ids[0])
	if p == "" || !strings.HasPrefix(rest[0].Text, p) {
		return 0
	}
	ex.IDs = append(ex.IDs, ids[0])
	ex.Predict = append(ex.Predict, true)
	return len(p)
}
