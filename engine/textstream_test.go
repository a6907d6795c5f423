package engine

import "testing"

func TestTextStreamHoldsStopPrefix(t *testing.T) {
	s := &textStream{stops: []string{"END"}, maxStop: 3}
	steps := []struct {
		add, want string
		stop      bool
	}{
		{"hello E", "hello ", false},
		{"N", "", false},
		{"X more", "ENX more", false},
		{" E", " ", false},
		{"ND tail", "", true},
	}
	for i, st := range steps {
		s.text += st.add
		got, stop := s.release(false)
		if got != st.want || stop != st.stop {
			t.Errorf("step %d: got %q %v, want %q %v", i, got, stop, st.want, st.stop)
		}
	}
	if s.text != "hello ENX more " {
		t.Errorf("text %q", s.text)
	}
}
