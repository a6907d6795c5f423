package main

import (
	"testing"

	"github.com/herdllm/herd/sample/grammar"
)

// TestClosing completes cut-off answers with the shortest text the grammar
// accepts, for any JSON object and for a JSON Schema with required keys.
func TestClosing(t *testing.T) {
	object, err := grammar.FromSchema([]byte(`{"type": "object"}`))
	if err != nil {
		t.Fatal(err)
	}
	person, err := grammar.FromSchema([]byte(personSchema))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		g      *grammar.Grammar
		prefix string
		want   string
	}{
		{object, `{`, `}`},
		{object, `{"a": "xyz`, `"}`},
		{object, `{"a": [1, 2`, `]}`},
		{object, `{"a": {"b": tr`, `ue}}`},
		{object, `{"a": -`, `0}`},
		{object, `{"a\`, `"":0}`},
		{person, `{`, ``},
		{person, `{"name": "Bo`, ``},
		{person, `{"name": "Bo", "age": 4`, ``},
		{person, `{"name": "Bo", "age": 4, "pets": ["cat", "d`, ``},
	} {
		st := c.g.NewState()
		if err := st.Accept([]byte(c.prefix)); err != nil {
			t.Fatalf("%q: %v", c.prefix, err)
		}
		tail, ok := closing(st, 4096)
		if !ok {
			t.Errorf("%q: no closing found", c.prefix)
			continue
		}
		if !c.g.Matches([]byte(c.prefix + tail)) {
			t.Errorf("%q + %q does not match", c.prefix, tail)
		}
		if c.want != "" && tail != c.want && len(tail) > len(c.want) {
			t.Errorf("%q: closing %q, want one as short as %q", c.prefix, tail, c.want)
		}
	}
}
