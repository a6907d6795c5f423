package herdfile

import (
	"strings"
	"testing"
)

// FuzzParse checks that Parse never panics, reports errors with a line
// number, and that what it accepts writes back (String) to the same
// Herdfile.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"FROM a.gguf\nSYSTEM hi\n",
		"SYSTEM \"\"\"\nmulti\nline\n\"\"\"\nPARAMETER stop \"\\n\"\n",
		"MESSAGE user \"\"\"a\"\"\"\nMESSAGE assistant b\n",
		"TEMPLATE \"\"\"{{ x }}\"\"\"\nADAPTER l.gguf\n# c\n",
		"PARAMETER temperature 0.5\nparameter TOP_K 3\nPARAMETER num_ctx 64",
		"SYSTEM \"\"\"open",
		"FROM \"quoted \\\" path\"",
		"LICENSE x\n\tFROM\tm",
		"BOGUS",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := Parse(strings.NewReader(src))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "herdfile: line ") {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		out := h.String()
		back, err := Parse(strings.NewReader(out))
		if err != nil {
			t.Fatalf("String() does not parse: %v\n%s", err, out)
		}
		if !sameContent(h, back) {
			t.Fatalf("round trip changed\n%+v\ninto\n%+v\nvia\n%s", h, back, out)
		}
	})
}
