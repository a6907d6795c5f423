package grammar

import (
	"strings"
	"testing"
)

func TestGBNFAcceptance(t *testing.T) {
	cases := []struct {
		name    string
		grammar string
		accept  []string
		reject  []string // not a complete match
		dead    []string // not even a prefix of a match
	}{
		{
			name:    "literal and alternation",
			grammar: `root ::= "yes" | "no"`,
			accept:  []string{"yes", "no"},
			reject:  []string{"", "ye", "yesno"},
			dead:    []string{"maybe", "yess"},
		},
		{
			name: "rules groups and repetition",
			grammar: `# a comment
root ::= greeting (", " name)+ "!"?
greeting ::= "hi" | "hello"
name ::= [A-Z] [a-z]*   # trailing comment
`,
			accept: []string{"hi, Bob", "hello, Al, Eve!", "hi, X"},
			reject: []string{"hi", "hi, "},
			dead:   []string{"hi, bob", "hey", "hi, Bob!!"},
		},
		{
			name:    "counted repetition",
			grammar: `root ::= [0-9]{2,4} "-" [a]{3} "|" [b]{2,}`,
			accept:  []string{"12-aaa|bb", "1234-aaa|bbbbb"},
			reject:  []string{"12-aaa|b", "12-aa"},
			dead:    []string{"1-", "12345", "12-aaaa"},
		},
		{
			name:    "negated class, escapes and any",
			grammar: `root ::= "\"" [^"\\\x00-\x1F]* "\"" . "\t\u00e9\x41"`,
			accept:  []string{`"abc"x` + "\téA", `""é` + "\téA"},
			dead:    []string{`"a` + "\n", `"a"` + "x\tf"},
		},
		{
			name:    "multi-line alternation and nested groups",
			grammar: "root ::= ( \"a\"\n  | \"b\" ( \"c\" | \"d\" )* )\n     | \"z\"",
			accept:  []string{"a", "b", "bcdc", "z"},
			dead:    []string{"ac", "zz"},
		},
		{
			name: "rule bodies on following lines with comments inside groups",
			grammar: `root ::=
  "<" (
    [a-z]+ |   # a word
    "#" [0-9]{1,3} # a number
  ) ">"

# trailing comment
`,
			accept: []string{"<abc>", "<#12>"},
			dead:   []string{"<#1234", "<A"},
		},
		{
			name:    "unicode ranges",
			grammar: `root ::= [α-ω]+ [^a-z]`,
			accept:  []string{"αβγ!", "ωΩ", "λ日"},
			dead:    []string{"a", "αb"},
		},
		{
			name:    "optional and empty alternatives",
			grammar: "root ::= a? b\na ::= \"x\" | \"\"\nb ::= \"y\"",
			accept:  []string{"y", "xy"},
			dead:    []string{"xx"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			g, err := Compile(tc.grammar, "")
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tc.accept {
				if !g.Matches([]byte(s)) {
					t.Errorf("rejects %q", s)
				}
			}
			for _, s := range tc.reject {
				if g.Matches([]byte(s)) {
					t.Errorf("accepts %q", s)
				}
			}
			for _, s := range tc.dead {
				if g.ValidPrefix([]byte(s)) {
					t.Errorf("%q is a valid prefix", s)
				}
			}
		})
	}
}

func TestGBNFErrors(t *testing.T) {
	for _, tc := range []struct{ grammar, want string }{
		{`root ::= foo`, `"foo" is used but not defined`},
		{`start ::= "a"`, `no rule named "root"`},
		{`root ::= root "a" | "b"`, "left-recursive"},
		{"root ::= a \"x\"\na ::= b\nb ::= \"\" | a", "left-recursive"},
		{`root ::= "abc`, "unterminated literal"},
		{`root ::= [abc`, "unterminated character class"},
		{`root ::= [z-a]`, "reversed"},
		{`root ::= "a"{3,1}`, "max below min"},
		{`root ::= * "a"`, "without a preceding element"},
		{`root ::= ( "a"`, "expected )"},
		{`root ::= "\q"`, "unknown escape"},
		{`root = "a"`, "expected ::="},
		{"root ::= \"a\"\nroot ::= \"b\"", "defined twice"},
		{`root ::= "a"{99999999}`, "too large"},
		{`root ::= ("` + strings.Repeat("x", 1000) + `"{9999}){9999}`, "more than"},
	} {
		_, err := Compile(tc.grammar, "")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Compile(%q) error %v, want %q", tc.grammar, err, tc.want)
		}
	}
}

func TestStateAcceptAndDone(t *testing.T) {
	g := MustCompile(`root ::= "ab" "c"?`, "")
	s := g.NewState()
	if s.CanEnd() || s.Done() {
		t.Fatal("empty state can end")
	}
	if err := s.Accept([]byte("ax")); err == nil {
		t.Fatal("accepted ax")
	}
	if err := s.Accept([]byte("ab")); err != nil {
		t.Fatal(err)
	}
	if !s.CanEnd() || s.Done() {
		t.Fatalf("after ab: CanEnd %v Done %v", s.CanEnd(), s.Done())
	}
	c := s.Clone()
	if err := c.Accept([]byte("c")); err != nil {
		t.Fatal(err)
	}
	if !c.Done() || s.Done() {
		t.Fatal("clone not independent or not done after abc")
	}
}

func TestPartialUTF8(t *testing.T) {
	g := MustCompile(`root ::= "é" [α-ω]`, "")
	s := g.NewState()
	e := []byte("é")
	if err := s.Accept(e[:1]); err != nil {
		t.Fatal(err)
	}
	if s.CanEnd() {
		t.Fatal("can end inside a UTF-8 sequence")
	}
	if err := s.Accept(e[1:]); err != nil {
		t.Fatal(err)
	}
	// A lead byte whose code points the class cannot hold is refused.
	if err := s.Clone().Accept([]byte{0xE6}); err == nil {
		t.Fatal("accepted the lead byte of a CJK character")
	}
	if err := s.Accept([]byte("β")); err != nil || !s.CanEnd() {
		t.Fatal(err)
	}
	// Invalid UTF-8 never matches, even against a negated class.
	any := MustCompile(`root ::= [^x]*`, "")
	for _, bad := range [][]byte{{0xC0, 0x80}, {0xED, 0xA0, 0x80}, {0xFF}, {0x80}, {0xF4, 0x90, 0x80, 0x80}} {
		if any.Matches(bad) {
			t.Errorf("matched invalid UTF-8 % x", bad)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		JSONGrammar,
		`root ::= "a" | [b-d]+ x{2,3}` + "\nx ::= \"\\u00e9\" .",
		"root ::= ( \"a\"\n | \"b\" )* [^\\]x]",
		`root ::= "\x41"{0,}`,
		`root ::= ()*`,
		`r ::= [`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		g, err := Compile(src, "")
		if err != nil {
			return
		}
		st := g.NewState()
		_ = st.Accept([]byte(src))
		_ = st.CanEnd()
	})
}
