package main

import (
	"context"
	"io"
	"strings"
	"testing"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/herdfile"
)

// BenchmarkChatTurn measures one more turn of a conversation of about 400
// tokens on the built-in model (one token answered): with the session's
// cache holding the earlier turns, and recomputing them in a fresh session.
func BenchmarkChatTurn(b *testing.B) {
	m, err := engine.Load("", engine.Options{Threads: 1})
	if err != nil {
		b.Fatal(err)
	}
	defer m.Close()
	tmpl, err := chat.Builtin("llama2")
	if err != nil {
		b.Fatal(err)
	}
	story := strings.Repeat("Once upon a time, there was a little girl named Lily. She liked to play in the park. ", 8)
	history := []chat.Message{{Role: "user", Content: "Tell me a story."}, {Role: "assistant", Content: story}}
	settings := herdfile.DefaultSettings()
	settings.NumPredict = 1
	for _, bc := range []struct {
		name  string
		fresh bool
	}{{"cached", false}, {"fresh", true}} {
		b.Run(bc.name, func(b *testing.B) {
			c := &conversation{m: m, tmpl: tmpl, gen: newGenerator(m, false), settings: settings, stderr: io.Discard}
			for b.Loop() {
				if bc.fresh {
					c.gen = newGenerator(m, false)
				}
				c.messages = append([]chat.Message(nil), history...)
				if _, err := c.ask(context.Background(), "And then?", io.Discard); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
