package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/sample/grammar"
)

// chatGrammar compiles --format: "json" for a JSON object, else the JSON
// Schema in the named file.
func chatGrammar(format string) (*grammar.Grammar, error) {
	schema := []byte(`{"type": "object"}`)
	if format != "json" {
		b, err := os.ReadFile(format)
		if err != nil {
			return nil, fmt.Errorf("chat: --format: %w", err)
		}
		schema = b
	}
	g, err := grammar.FromSchema(schema)
	if err != nil {
		return nil, fmt.Errorf("chat: --format %s: %w", format, err)
	}
	return g, nil
}

// closeAnswer finishes a constrained answer that stopped at its token limit
// or the end of the context before its grammar was complete: it writes the
// shortest closing text the grammar accepts (found by closing) and adds it
// to the conversation's last message.
func closeAnswer(c *conversation, res engine.Result, out io.Writer) error {
	st := c.grammar.NewState()
	if err := st.Accept([]byte(res.Text)); err != nil {
		return fmt.Errorf("chat: the answer does not follow its format: %w", err)
	}
	if st.CanEnd() {
		return nil
	}
	tail, ok := closing(st, 4096)
	if !ok {
		return fmt.Errorf("chat: the answer was cut after %d tokens (stop: %s) and its format could not be closed; allow more with --max-tokens or --ctx",
			len(res.Tokens), res.StopReason)
	}
	if _, err := io.WriteString(out, tail); err != nil {
		return err
	}
	if n := len(c.messages); n > 0 && c.messages[n-1].Role == "assistant" {
		c.messages[n-1].Content += tail
	}
	fmt.Fprintf(c.stderr, "herd: the answer stopped after %d tokens (stop: %s); closed it with %q to complete its format\n",
		len(res.Tokens), res.StopReason, tail)
	return nil
}

// closePriority orders the bytes tried where a grammar allows many: those
// that end strings, objects, arrays and numbers first.
const closePriority = "\"}]0ntf{[:,.1eE-+"

// closing searches breadth-first for the shortest ASCII text that takes st
// to a state where the grammar may end. Where the grammar allows few bytes
// all are tried; where it allows many (inside a string or number), only the
// two that come first in closePriority. It gives up after visiting limit
// states.
func closing(st *grammar.State, limit int) (string, bool) {
	type node struct {
		st   *grammar.State
		text string
	}
	queue := []node{{st, ""}}
	seen := map[grammar.State]bool{*st: true}
	for visited := 0; len(queue) > 0 && visited < limit; visited++ {
		n := queue[0]
		queue = queue[1:]
		if n.st.CanEnd() {
			return n.text, true
		}
		var next []byte
		var space byte
		for b := byte(0x20); b < 0x7f; b++ {
			if n.st.Clone().Accept([]byte{b}) != nil {
				continue
			}
			if b == ' ' {
				space = b
				continue
			}
			next = append(next, b)
		}
		if len(next) > 4 {
			var pick []byte
			for i := 0; i < len(closePriority) && len(pick) < 2; i++ {
				if strings.IndexByte(string(next), closePriority[i]) >= 0 {
					pick = append(pick, closePriority[i])
				}
			}
			if len(pick) == 0 {
				pick = next[:1]
			}
			next = pick
		}
		if len(next) == 0 && space != 0 {
			next = []byte{space}
		}
		for _, b := range next {
			c := n.st.Clone()
			if c.Accept([]byte{b}) != nil || seen[*c] {
				continue
			}
			seen[*c] = true
			queue = append(queue, node{c, n.text + string(b)})
		}
	}
	return "", false
}
