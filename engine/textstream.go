package engine

import (
	"strings"

	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/tokenizer"
)

// textStream turns generated tokens into text to show, holding back text
// that could still turn out to begin a stop string.
type textStream struct {
	dec     *tokenizer.StreamDecoder
	stops   []string
	text    string // all text decoded so far
	emitted int    // bytes of text already released
	maxStop int
	// trimSpace drops the space SentencePiece puts before the first word
	// when generation starts right after BOS (as llama2.c does).
	trimSpace bool
}

func newTextStream(tok *tokenizer.Tokenizer, stops []string, afterBOS bool) *textStream {
	s := &textStream{dec: tok.NewStreamDecoder(), stops: stops}
	s.trimSpace = afterBOS && tok.Kind() == tokenizer.SPM && tok.Vocab().AddSpacePrefix
	for _, x := range stops {
		s.maxStop = max(s.maxStop, len(x))
	}
	return s
}

// add decodes id and returns the text now safe to show, and whether a stop
// string was found (then the text runs up to it and s.text ends before it).
func (s *textStream) add(id int) (string, bool) {
	piece := s.dec.Add(id)
	if s.trimSpace && piece != "" {
		piece = strings.TrimPrefix(piece, " ")
		s.trimSpace = false
	}
	s.text += piece
	return s.release(false)
}

// flush releases everything still held back at the end of generation.
func (s *textStream) flush() (string, bool) {
	s.text += s.dec.Flush()
	return s.release(true)
}

func (s *textStream) release(final bool) (string, bool) {
	from := max(0, s.emitted-s.maxStop)
	at, hold := sample.FindStop(s.text[from:], s.stops)
	if at >= 0 {
		end := max(from+at, s.emitted)
		out := s.text[s.emitted:end]
		s.text = s.text[:from+at]
		s.emitted = len(s.text)
		return out, true
	}
	if final {
		hold = 0
	}
	end := max(len(s.text)-hold, s.emitted)
	out := s.text[s.emitted:end]
	s.emitted = end
	return out, false
}
