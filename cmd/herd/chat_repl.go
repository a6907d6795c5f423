package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/herdfile"
)

// repl is herd chat's interactive loop: it reads messages and /commands
// and streams the answers.
type repl struct {
	conv        *conversation
	in          *bufio.Reader
	out, errOut io.Writer
	// prompts shows ">>> " before each input (when reading a terminal).
	prompts bool
	// interrupts returns the channel that interrupts an answer while it
	// streams, and a function to call when the answer is over.
	interrupts func() (<-chan os.Signal, func())
}

// osInterrupts delivers Ctrl-C (SIGINT) while an answer streams; at other
// times Ctrl-C ends the program as usual.
func osInterrupts() (<-chan os.Signal, func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	return ch, func() { signal.Stop(ch) }
}

const chatHelp = `Type a message and press Enter to send it. Commands:
  /set NAME VALUE   change a setting: temperature (temp), top_k, top_p, min_p,
                    repeat_penalty, repeat_last_n, presence_penalty,
                    frequency_penalty, seed (-1: random), num_predict
                    (max_tokens; -1: no limit), stop STRING... (none: clear)
  /set verbose|quiet  show or hide speeds after each answer
  /system TEXT      set the system message (no TEXT: remove it)
  /show             show the settings and the conversation's size
  /clear            forget the conversation (the system message stays)
  /save FILE        save the conversation and settings as JSON
  /load FILE        load a conversation saved with /save
  /help             show this help
  /bye              leave (so does Ctrl-D)
Start a message with """ to write several lines; end it with """.
Ctrl-C stops an answer and keeps the chat going.
`

// run reads inputs until /bye or the end of input.
func (r *repl) run(ctx context.Context) error {
	for {
		text, block, ok, err := r.read()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if strings.TrimSpace(text) == "" {
			continue
		}
		if cmd, isCmd := command(text); isCmd && !block {
			bye, err := r.command(cmd)
			if err != nil {
				fmt.Fprintln(r.errOut, "herd:", err)
			}
			if bye {
				return nil
			}
			continue
		}
		if err := r.ask(ctx, text); err != nil {
			return err
		}
	}
}

// command reports whether text is a /command, returning it trimmed.
func command(text string) (string, bool) {
	t := strings.TrimSpace(text)
	return t, strings.HasPrefix(t, "/")
}

// read returns the next message or command: one line, or the lines of a
// """ block (then block is true: a message, whatever it starts with). ok is
// false at the end of input.
func (r *repl) read() (text string, block, ok bool, err error) {
	r.prompt(">>> ")
	line, ok, err := r.line()
	if !ok || err != nil {
		return "", false, false, err
	}
	trimmed := strings.TrimLeft(line, " \t")
	if !strings.HasPrefix(trimmed, `"""`) {
		return line, false, true, nil
	}
	rest := trimmed[3:]
	if body, done := strings.CutSuffix(strings.TrimRight(rest, " \t"), `"""`); done {
		return body, true, true, nil
	}
	lines := []string{rest}
	for {
		r.prompt("... ")
		line, ok, err := r.line()
		if err != nil {
			return "", false, false, err
		}
		if !ok {
			return "", false, false, nil // input ended inside a block: leave
		}
		if body, done := strings.CutSuffix(strings.TrimRight(line, " \t"), `"""`); done {
			lines = append(lines, body)
			return strings.Trim(strings.Join(lines, "\n"), "\n"), true, true, nil
		}
		lines = append(lines, line)
	}
}

// line reads one line without its line ending.
func (r *repl) line() (string, bool, error) {
	s, err := r.in.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		if errors.Is(err, io.EOF) {
			if r.prompts {
				fmt.Fprintln(r.out)
			}
			return "", false, nil
		}
		return "", false, fmt.Errorf("chat: reading input: %w", err)
	}
	return strings.TrimRight(s, "\r\n"), true, nil
}

func (r *repl) prompt(p string) {
	if r.prompts {
		fmt.Fprint(r.out, p)
	}
}

// ask sends a message and streams the answer; Ctrl-C stops the answer
// only. Errors are reported and the chat goes on.
func (r *repl) ask(parent context.Context, text string) error {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	sig, stop := r.interrupts()
	done := make(chan struct{})
	go func() {
		select {
		case <-sig:
			cancel()
		case <-done:
		}
	}()
	res, err := r.conv.ask(ctx, text, r.out)
	close(done)
	stop()
	if res.Text != "" || err == nil {
		fmt.Fprintln(r.out)
	}
	switch {
	case err == nil:
		return nil
	case res.StopReason == engine.StopCancelled || errors.Is(err, context.Canceled):
		if parent.Err() != nil {
			return parent.Err()
		}
		fmt.Fprintln(r.errOut, "herd: answer interrupted")
		return nil
	}
	fmt.Fprintln(r.errOut, "herd:", err)
	return nil
}

// command runs a /command and reports whether the chat ends.
func (r *repl) command(line string) (bool, error) {
	name, arg := cutWord(line)
	c := r.conv
	switch strings.ToLower(name) {
	case "/bye", "/exit", "/quit":
		return true, nil
	case "/help", "/?":
		fmt.Fprint(r.out, chatHelp)
	case "/system":
		c.setSystem(arg)
		if arg == "" {
			fmt.Fprintln(r.out, "System message removed.")
		} else {
			fmt.Fprintln(r.out, "System message set.")
		}
	case "/set":
		return false, r.set(arg)
	case "/show":
		r.show()
	case "/clear":
		c.clear()
		fmt.Fprintln(r.out, "Conversation cleared.")
	case "/save":
		if arg == "" {
			return false, errors.New("usage: /save FILE")
		}
		if err := c.save(arg); err != nil {
			return false, err
		}
		fmt.Fprintf(r.out, "Saved the conversation to %s.\n", arg)
	case "/load":
		if arg == "" {
			return false, errors.New("usage: /load FILE")
		}
		if err := c.load(arg); err != nil {
			return false, err
		}
		fmt.Fprintf(r.out, "Loaded %d messages from %s.\n", len(c.messages), arg)
	default:
		return false, fmt.Errorf("unknown command %s (/help lists them)", name)
	}
	return false, nil
}

// set runs /set NAME VALUE.
func (r *repl) set(arg string) error {
	name, value := cutWord(arg)
	if strings.EqualFold(name, "parameter") { // Ollama's spelling
		name, value = cutWord(value)
	}
	c := r.conv
	switch strings.ToLower(name) {
	case "":
		return errors.New("usage: /set NAME VALUE (/help lists the names)")
	case "verbose":
		c.verbose = true
		fmt.Fprintln(r.out, "Speeds will be shown after each answer.")
		return nil
	case "quiet":
		c.verbose = false
		fmt.Fprintln(r.out, "Speeds will not be shown.")
		return nil
	case "system":
		c.setSystem(value)
		fmt.Fprintln(r.out, "System message set.")
		return nil
	}
	canon, err := herdfile.Canonical(name)
	if err != nil {
		return err
	}
	switch canon {
	case "num_ctx":
		return errors.New("the context length is fixed when the model loads: use --ctx")
	case "stop":
		words, err := splitQuoted(value)
		if err != nil {
			return err
		}
		s := c.settings
		s.ResetStop()
		for _, w := range words {
			if err := s.Set("stop", w); err != nil {
				return err
			}
		}
		c.settings = s
	default:
		if value == "" {
			return fmt.Errorf("usage: /set %s VALUE", canon)
		}
		if err := c.settings.Set(canon, value); err != nil {
			return err
		}
	}
	v, _ := c.settings.Get(canon)
	fmt.Fprintf(r.out, "Set %s to %s.\n", canon, v)
	return nil
}

// show prints the settings and the state of the conversation.
func (r *repl) show() {
	c := r.conv
	for _, n := range herdfile.Names {
		if n == "num_ctx" {
			continue
		}
		v, _ := c.settings.Get(n)
		fmt.Fprintf(r.out, "%-18s %s\n", n, v)
	}
	fmt.Fprintf(r.out, "%-18s %s\n", "model", c.name)
	fmt.Fprintf(r.out, "%-18s %d\n", "context", c.m.ContextLength())
	fmt.Fprintf(r.out, "%-18s %s\n", "template", c.tmpl.Name())
	if c.format != "" {
		fmt.Fprintf(r.out, "%-18s %s\n", "format", c.format)
	}
	if sys, ok := c.system(); ok {
		fmt.Fprintf(r.out, "%-18s %s\n", "system", strconv.Quote(sys))
	}
	n := len(c.messages)
	if _, ok := c.system(); ok {
		n--
	}
	fmt.Fprintf(r.out, "%-18s %d\n", "messages", n)
}

// splitQuoted splits s into words at blanks; a word may be a Go-quoted
// string holding blanks or escapes.
func splitQuoted(s string) ([]string, error) {
	var out []string
	for {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			return out, nil
		}
		if s[0] == '"' {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil, fmt.Errorf("bad quoted string in %q", s)
			}
			w, _ := strconv.Unquote(q)
			out = append(out, w)
			s = s[len(q):]
			continue
		}
		w, rest := cutWord(s)
		out = append(out, w)
		s = rest
	}
}

// cutWord splits s at its first blank, dropping the blanks after it.
func cutWord(s string) (string, string) {
	s = strings.TrimSpace(s)
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimLeft(s[i:], " \t")
}
