package grammar

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSONGrammar(t *testing.T) {
	g := JSON()
	for _, s := range []string{
		`{}`, ` [ ] `, `{"a": [1, -2.5e+3, true, false, null, "x\"\\\/\b\f\n\r\t\u00E9"]}`,
		`0`, `-0.0`, `1E9`, `"日本"`, "\t{\r\n\"k\" :{\"n\":[[]]}}\n", `"\u0000"`,
	} {
		if !json.Valid([]byte(s)) {
			t.Fatalf("test string %q is not JSON", s)
		}
		if !g.Matches([]byte(s)) {
			t.Errorf("rejects %q", s)
		}
	}
	for _, s := range []string{
		``, `{`, `01`, `1.`, `.5`, `+1`, `[1,]`, `{"a"}`, `{"a":1,}`, `"\x"`, `"a` + "\n" + `"`,
		`tru`, `nul`, `1 2`, `{} {}`, `[1 2]`, `{'a':1}`, `"\u12G4"`,
	} {
		if g.Matches([]byte(s)) {
			t.Errorf("accepts %q", s)
		}
	}
}

// TestJSONGrammarBoundsWhitespace shows that JSON and schema grammars
// accept whitespace runs up to their bound and reject longer ones, so a
// sampler cannot spend its token budget on blanks.
func TestJSONGrammarBoundsWhitespace(t *testing.T) {
	g := JSON()
	fill := func(n int) string { return strings.Repeat(" \n\t\r", n)[:n] }
	for _, at := range []string{`%s[1]`, `[1]%s`, `[%s1]`, `[1,%s2]`, `{"a"%s:1}`, `{%s}`} {
		ok := strings.Replace(at, "%s", fill(MaxJSONSpace), 1)
		long := strings.Replace(at, "%s", fill(MaxJSONSpace+1), 1)
		if !g.Matches([]byte(ok)) {
			t.Errorf("JSON rejects %q", ok)
		}
		if g.Matches([]byte(long)) {
			t.Errorf("JSON accepts %q", long)
		}
	}
	if g.NewState().Accept([]byte(strings.Repeat(" ", 200))) == nil {
		t.Errorf("JSON state accepts 200 leading spaces")
	}
	s, err := FromSchema([]byte(`{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !s.Matches([]byte(`{"a":` + "\n" + strings.Repeat(" ", 20) + `1}`)) {
		t.Errorf("schema grammar rejects a newline and 20 blanks")
	}
	if s.Matches([]byte(`{"a":` + strings.Repeat(" ", 50) + `1}`)) {
		t.Errorf("schema grammar accepts 50 blanks")
	}
}

// longSpace finds whitespace runs longer than JSONGrammar allows.
var longSpace = regexp.MustCompile(`[ \t\n\r]{21,}`)

// checkJSONAgreement compares the grammar with encoding/json on every
// prefix of s: complete matches are exactly the valid documents, and once a
// prefix is dead no longer prefix is valid JSON. Texts with whitespace runs
// beyond MaxJSONSpace are left to TestJSONGrammarBoundsWhitespace.
func checkJSONAgreement(t *testing.T, s []byte) {
	if longSpace.Match(s) {
		return
	}
	g := JSON()
	st := g.NewState()
	alive := true
	for i := 0; i <= len(s); i++ {
		prefix := s[:i]
		if i > 0 && alive {
			alive = st.Accept(s[i-1:i]) == nil
		}
		valid := json.Valid(prefix) && utf8.Valid(prefix)
		matched := alive && st.CanEnd()
		if valid != matched {
			t.Fatalf("prefix %q: json.Valid %v, grammar match %v", prefix, valid, matched)
		}
	}
}

func FuzzJSONAgreement(f *testing.F) {
	for _, s := range []string{
		`{"a":[1,2,{"b":null}],"c":"d\u00e9"}`, `[-0.5e-7, true]`, `  "x"  `, `{"a" 1}`,
		`[1,,2]`, `"\ud800"`, `123abc`, `{"é":"日本語"}`, "\"\x7f\"", `[[[[[]]]]]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		if !utf8.Valid(s) || len(s) > 200 {
			return // json.Valid does not check UTF-8; the grammar does
		}
		checkJSONAgreement(t, s)
	})
}
