package chat

import (
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// Segment is a piece of a rendered prompt: template text, where special
// token texts are meant as special tokens, or message content, which is
// plain text whatever it contains.
type Segment struct {
	Text    string
	Content bool
}

// Join returns the prompt text of segments.
func Join(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Placeholders mark where message content lands in a rendering: private
// use characters around the message index.
const (
	markOpen  = "\uE000"
	markClose = "\uE001"
)

var markRE = regexp.MustCompile(markOpen + `([0-9]+)` + markClose)

// RenderSegments renders messages like Render and tells template text from
// message content. Content is located by rendering once more with each
// message's content replaced by a placeholder (keeping its surrounding
// whitespace, so trim and strip behave alike); when the template inspects
// content in ways a placeholder cannot stand for, content is instead found
// by searching the rendering for each message's text in order.
func (t *Template) RenderSegments(messages []Message, opts RenderOptions) ([]Segment, error) {
	text, err := t.Render(messages, opts)
	if err != nil {
		return nil, err
	}
	cores := make([]string, len(messages))
	usable := true
	for i, m := range messages {
		cores[i] = strings.TrimFunc(m.Content, unicode.IsSpace)
		if strings.Contains(m.Content, markOpen) || strings.Contains(m.Content, markClose) {
			usable = false
		}
	}
	if usable {
		marked, err := t.render(messages, opts, func(i int) string {
			c := messages[i].Content
			if cores[i] == "" {
				return c
			}
			start := strings.Index(c, cores[i])
			return c[:start] + markOpen + strconv.Itoa(i) + markClose + c[start+len(cores[i]):]
		})
		if err == nil {
			if segs, ok := splitMarked(marked, cores); ok && Join(segs) == text {
				return markStructured(segs, messages), nil
			}
		}
	}
	return markStructured(searchContent(text, cores), messages), nil
}

// markStructured marks as content the JSON that tool results given as
// JSON objects or arrays render to (templates print them with tojson, so
// no placeholder can stand in for them).
func markStructured(segs []Segment, messages []Message) []Segment {
	for _, m := range messages {
		if (m.Role != "tool" && m.Role != "ipython") || !structuredJSON(m.Content) {
			continue
		}
		vb := &valueBuilder{}
		v, err := vb.fromJSON([]byte(m.Content))
		var forms []string
		if err == nil {
			for _, indent := range []int{0, 2, 4} {
				if s, err := pyJSON(v, indent); err == nil {
					forms = append(forms, s)
				}
			}
		}
		vb.release()
		forms = append(forms, strings.TrimSpace(m.Content))
		for _, form := range forms {
			if marked, ok := markFirst(segs, form); ok {
				segs = marked
				break
			}
		}
	}
	return segs
}

// markFirst splits the first template segment holding text and marks that
// occurrence as content.
func markFirst(segs []Segment, text string) ([]Segment, bool) {
	for i, s := range segs {
		if s.Content {
			continue
		}
		at := strings.Index(s.Text, text)
		if at < 0 {
			continue
		}
		var out []Segment
		for _, p := range segs[:i] {
			out = appendSegment(out, p.Text, p.Content)
		}
		out = appendSegment(out, s.Text[:at], false)
		out = appendSegment(out, text, true)
		out = appendSegment(out, s.Text[at+len(text):], false)
		for _, p := range segs[i+1:] {
			out = appendSegment(out, p.Text, p.Content)
		}
		return out, true
	}
	return segs, false
}

// splitMarked replaces placeholders by content segments.
func splitMarked(marked string, cores []string) ([]Segment, bool) {
	var segs []Segment
	last := 0
	for _, loc := range markRE.FindAllStringSubmatchIndex(marked, -1) {
		i, err := strconv.Atoi(marked[loc[2]:loc[3]])
		if err != nil || i >= len(cores) {
			return nil, false
		}
		segs = appendSegment(segs, marked[last:loc[0]], false)
		segs = appendSegment(segs, cores[i], true)
		last = loc[1]
	}
	segs = appendSegment(segs, marked[last:], false)
	return segs, true
}

// searchContent marks, in order, the first occurrence of each message's
// content after the previous one.
func searchContent(text string, cores []string) []Segment {
	var segs []Segment
	pos := 0
	for _, c := range cores {
		if c == "" {
			continue
		}
		i := strings.Index(text[pos:], c)
		if i < 0 {
			continue
		}
		segs = appendSegment(segs, text[pos:pos+i], false)
		segs = appendSegment(segs, c, true)
		pos += i + len(c)
	}
	return appendSegment(segs, text[pos:], false)
}

func appendSegment(segs []Segment, text string, content bool) []Segment {
	if text == "" {
		return segs
	}
	if n := len(segs); n > 0 && segs[n-1].Content == content {
		segs[n-1].Text += text
		return segs
	}
	return append(segs, Segment{Text: text, Content: content})
}

// EncodePrompt renders messages and tokenizes the prompt with Encode. It
// returns the token ids and the prompt text.
func (t *Template) EncodePrompt(tok Tokenizer, messages []Message, opts RenderOptions) ([]int, string, error) {
	segs, err := t.RenderSegments(messages, opts)
	if err != nil {
		return nil, "", err
	}
	return Encode(tok, segs), Join(segs), nil
}

// special is a special token's text and id.
type special struct {
	text string
	id   int
}

// specialsCache holds, per tokenizer, its special tokens longest first.
var specialsCache sync.Map // Tokenizer → []special

func specialTexts(tok Tokenizer) []special {
	cacheable := reflect.TypeOf(tok).Comparable()
	if cacheable {
		if v, ok := specialsCache.Load(tok); ok {
			return v.([]special)
		}
	}
	var specials []special
	for id := range tok.VocabSize() {
		if tok.IsSpecial(id) {
			if p := tok.Piece(id); p != "" {
				specials = append(specials, special{p, id})
			}
		}
	}
	// Longest first, so the longest special token wins at each position.
	sort.SliceStable(specials, func(i, j int) bool { return len(specials[i].text) > len(specials[j].text) })
	if cacheable {
		specialsCache.Store(tok, specials)
	}
	return specials
}

// Tokenizer is what Encode needs of a tokenizer (tokenizer.Tokenizer
// satisfies it).
type Tokenizer interface {
	Encode(text string, addSpecial, parseSpecial bool) []int
	VocabSize() int
	Piece(id int) string
	IsSpecial(id int) bool
}

// Encode tokenizes a rendered prompt: special token texts in template
// segments become their tokens, everything else (template text around them
// and all message content) is tokenized as plain text, with adjacent text
// tokenized together exactly as a whole-prompt tokenization would. No BOS
// is added: templates write it themselves.
func Encode(tok Tokenizer, segs []Segment) []int {
	specials := specialTexts(tok)
	var ids []int
	var run strings.Builder
	flush := func() {
		if run.Len() > 0 {
			ids = append(ids, tok.Encode(run.String(), false, false)...)
			run.Reset()
		}
	}
	for _, s := range segs {
		if s.Content {
			run.WriteString(s.Text)
			continue
		}
		// Every occurrence of every special text, then leftmost-longest.
		type match struct{ at, n, id int }
		var found []match
		for _, sp := range specials {
			for from := 0; ; {
				j := strings.Index(s.Text[from:], sp.text)
				if j < 0 {
					break
				}
				found = append(found, match{from + j, len(sp.text), sp.id})
				from += j + 1
			}
		}
		sort.SliceStable(found, func(i, j int) bool { return found[i].at < found[j].at })
		pos := 0
		for _, m := range found {
			if m.at < pos {
				continue
			}
			run.WriteString(s.Text[pos:m.at])
			flush()
			ids = append(ids, m.id)
			pos = m.at + m.n
		}
		run.WriteString(s.Text[pos:])
	}
	flush()
	return ids
}
