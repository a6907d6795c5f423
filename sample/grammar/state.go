package grammar

import "fmt"

// State is the position of one generation within a Grammar. It is a small
// value: copy it (or use Clone) to branch. A State is not safe for
// concurrent use, but many States may share one Grammar.
type State struct {
	g     *Grammar
	id    int32
	ended bool // an end-of-generation token was accepted
}

// NewState returns the state before any output.
func (g *Grammar) NewState() *State {
	return &State{g: g, id: g.rt.initial}
}

// Clone returns an independent copy of the state.
func (s *State) Clone() *State {
	c := *s
	return &c
}

// Accept advances the state over the bytes of one token. On error the state
// is unchanged.
func (s *State) Accept(b []byte) error {
	if s.ended {
		return fmt.Errorf("grammar: text after the end of generation")
	}
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	id := s.id
	for i, c := range b {
		id = s.g.rt.next(id, c)
		if id == deadState {
			return fmt.Errorf("grammar: byte %d (%q) of %q does not match", i, c, b)
		}
	}
	s.id = id
	return nil
}

// AcceptToken advances the state over token id of vocab. An end-of-generation
// token is accepted only where the grammar may end, and ends the state.
func (s *State) AcceptToken(v *Vocab, id int) error {
	if id < 0 || id >= v.Size() {
		return fmt.Errorf("grammar: token %d outside the vocabulary", id)
	}
	if v.isEOG[id] {
		if !s.CanEnd() {
			return fmt.Errorf("grammar: end of generation before the grammar is complete")
		}
		s.ended = true
		return nil
	}
	if len(v.tokens[id]) == 0 {
		return fmt.Errorf("grammar: token %d has no text", id)
	}
	return s.Accept(v.tokens[id])
}

// CanEnd reports whether the text accepted so far is a complete match, so
// that an end-of-generation token is allowed now.
func (s *State) CanEnd() bool {
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	return s.g.rt.states[s.id].accept
}

// Done reports whether generation must stop: an end-of-generation token was
// accepted, or the match is complete and the grammar allows no more text.
func (s *State) Done() bool {
	if s.ended {
		return true
	}
	s.g.mu.Lock()
	defer s.g.mu.Unlock()
	return s.g.rt.states[s.id].accept && !s.g.rt.canContinue(s.id)
}

// Matches reports whether text, as a whole, matches the grammar.
func (g *Grammar) Matches(text []byte) bool {
	s := g.NewState()
	return s.Accept(text) == nil && s.CanEnd()
}

// ValidPrefix reports whether text can be extended into a match.
func (g *Grammar) ValidPrefix(text []byte) bool {
	return g.NewState().Accept(text) == nil
}
