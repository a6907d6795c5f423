package herdfile

import (
	"strconv"
	"strings"
)

// String writes h back as a Herdfile that Parse reads as h (arguments
// quoted wherever the plain form would not survive).
func (h *Herdfile) String() string {
	var b strings.Builder
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, " "))
		b.WriteByte('\n')
	}
	if h.From != "" {
		line("FROM", quote(h.From))
	}
	for _, a := range h.Adapters {
		line("ADAPTER", quote(a))
	}
	if h.Template != "" {
		line("TEMPLATE", quote(h.Template))
	}
	if h.HasSystem {
		line("SYSTEM", quote(h.System))
	}
	for _, p := range h.Parameters {
		line("PARAMETER", p.Name, quote(p.Value))
	}
	for _, m := range h.Messages {
		line("MESSAGE", m.Role, quote(m.Content))
	}
	return b.String()
}

// quote returns s as written after an instruction: bare when that reads
// back unchanged, else as a Go-quoted string.
func quote(s string) string {
	if s != "" && s == strings.TrimSpace(s) && !strings.ContainsAny(s, "\"\n\r") {
		return s
	}
	return strconv.Quote(s)
}
