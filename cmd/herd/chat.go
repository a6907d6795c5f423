package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/herdfile"
	"github.com/herdllm/herd/model/builtin"
	"github.com/herdllm/herd/sample/grammar"
)

// chatFlags are the settings of herd chat.
type chatFlags struct {
	settings  herdfile.Settings
	herdfile  string
	system    string
	message   string
	format    string
	ctx       int
	threads   int
	tokenizer string
	lora      []string
	verbose   bool
}

func init() { rootCmd.AddCommand(newChatCmd(osInterrupts)) }

// newChatCmd returns the chat command; interrupts supplies the interrupts
// that stop an answer (osInterrupts: Ctrl-C).
func newChatCmd(interrupts func() (<-chan os.Signal, func())) *cobra.Command {
	var f chatFlags
	f.settings = herdfile.DefaultSettings()
	cmd := &cobra.Command{
		Use:   "chat [MODEL]",
		Short: "Chat with a model in the terminal",
		Long: `Chat with a model: type a message, read the streamed answer, go on.
The conversation is rendered with the model's chat template (or the built-in
format its vocabulary was made for), and earlier turns stay in the KV cache.
Type /help in the chat for its commands.

MODEL is a GGUF file, a llama2.c checkpoint or a Hugging Face directory;
without it herd uses its built-in stories260K model (which knows no chat,
only stories). -f reads a Herdfile: FROM, SYSTEM, PARAMETER, TEMPLATE and
MESSAGE lines that define a persona.

With --message herd prints one answer and exits, for scripts. --format json
makes answers JSON objects, --format FILE makes them follow the JSON Schema in
FILE; an answer that reaches its token limit first is closed with the
shortest text that completes it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runChat(cmd, args, &f, interrupts)
		},
	}
	fl := cmd.Flags()
	s := &f.settings
	fl.Float32Var(&s.Temperature, "temp", s.Temperature, "sampling temperature (0: greedy)")
	fl.IntVar(&s.TopK, "top-k", s.TopK, "keep the K most likely tokens (0: all)")
	fl.Float32Var(&s.TopP, "top-p", s.TopP, "keep the most likely tokens up to this total probability (1: all)")
	fl.Float32Var(&s.MinP, "min-p", s.MinP, "drop tokens less likely than this fraction of the best (0: none)")
	fl.Float32Var(&s.RepeatPenalty, "repeat-penalty", s.RepeatPenalty, "penalty for recently seen tokens (1: none)")
	fl.IntVar(&s.RepeatLastN, "repeat-last-n", s.RepeatLastN, "tokens the penalties look back over (0: none, -1: all)")
	fl.Float32Var(&s.PresencePenalty, "presence-penalty", 0, "subtracted from tokens present in the window")
	fl.Float32Var(&s.FrequencyPenalty, "frequency-penalty", 0, "subtracted per occurrence in the window")
	fl.Int64Var(&s.Seed, "seed", -1, "random seed (-1: a new one for each answer)")
	fl.IntVarP(&s.NumPredict, "max-tokens", "n", -1, "most tokens per answer (-1: until the model stops or the context is full)")
	fl.StringArrayVar(&s.Stop, "stop", nil, "stop an answer when this text appears (repeatable)")
	fl.IntVar(&f.ctx, "ctx", 0, "context length in tokens (0: the Herdfile's num_ctx, else the model's)")
	fl.IntVar(&f.threads, "threads", 0, "threads to compute with (0: all CPUs)")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "tokenizer file for checkpoints without one")
	fl.StringArrayVar(&f.lora, "lora", nil, "apply a LoRA adapter: FILE[:SCALE], scale 1 by default (repeatable)")
	fl.StringVarP(&f.herdfile, "file", "f", "", "Herdfile that defines the persona")
	fl.StringVar(&f.system, "system", "", "system message")
	fl.StringVarP(&f.message, "message", "m", "", "print the answer to this message and exit")
	fl.StringVar(&f.format, "format", "", `"json" for answers that are JSON objects, or a JSON Schema file they must follow`)
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print load time and speeds after each answer to stderr")
	return cmd
}

// settingFlags maps flags to the settings they override.
var settingFlags = map[string]string{
	"temp": "temperature", "top-k": "top_k", "top-p": "top_p", "min-p": "min_p",
	"repeat-penalty": "repeat_penalty", "repeat-last-n": "repeat_last_n",
	"presence-penalty": "presence_penalty", "frequency-penalty": "frequency_penalty",
	"seed": "seed", "max-tokens": "num_predict", "stop": "stop",
}

// persona is what a Herdfile and the flags make of a chat.
type persona struct {
	model    string // "" for the built-in model
	settings herdfile.Settings
	template string // overriding Jinja template, if any
	messages []chat.Message
	adapters []string // the Herdfile's ADAPTER lines then --lora, FILE[:SCALE]
}

// loadPersona reads the Herdfile (if any) and lays the flags that were set
// over it.
func loadPersona(cmd *cobra.Command, args []string, f *chatFlags) (*persona, error) {
	p := &persona{settings: herdfile.DefaultSettings()}
	if f.herdfile != "" {
		file, err := os.Open(f.herdfile)
		if err != nil {
			return nil, fmt.Errorf("chat: %w", err)
		}
		h, err := herdfile.Parse(file)
		file.Close()
		if err != nil {
			return nil, fmt.Errorf("chat: %s: %w", f.herdfile, err)
		}
		if err := p.settings.Apply(h.Parameters); err != nil {
			return nil, fmt.Errorf("chat: %s: %w", f.herdfile, err)
		}
		p.model = resolveFrom(h.From, filepath.Dir(f.herdfile))
		p.template = h.Template
		for _, a := range h.Adapters {
			p.adapters = append(p.adapters, resolveFrom(a, filepath.Dir(f.herdfile)))
		}
		if h.HasSystem {
			p.messages = append(p.messages, chat.Message{Role: "system", Content: h.System})
		}
		for _, m := range h.Messages {
			p.messages = append(p.messages, chat.Message{Role: m.Role, Content: m.Content})
		}
	}
	if len(args) > 0 {
		p.model = args[0]
	}
	var err error
	cmd.Flags().Visit(func(fl *pflag.Flag) {
		name, ok := settingFlags[fl.Name]
		if !ok || err != nil {
			return
		}
		if name == "stop" {
			p.settings.Stop = f.settings.Stop
			return
		}
		v, _ := f.settings.Get(name)
		err = p.settings.Set(name, v)
	})
	if err != nil {
		return nil, fmt.Errorf("chat: %w", err)
	}
	p.adapters = append(p.adapters, f.lora...)
	if cmd.Flags().Changed("ctx") {
		p.settings.NumCtx = f.ctx
	}
	if cmd.Flags().Changed("system") {
		c := conversation{messages: p.messages}
		c.setSystem(f.system)
		p.messages = c.messages
	}
	return p, nil
}

// resolveFrom turns a Herdfile's FROM into a model path: relative paths are
// relative to the Herdfile's folder; the built-in model's name (or
// "builtin") means the built-in model.
func resolveFrom(from, dir string) string {
	switch {
	case from == "", strings.EqualFold(from, "builtin"), strings.EqualFold(from, builtin.Name):
		return ""
	case strings.HasPrefix(from, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, from[2:])
		}
	case !filepath.IsAbs(from):
		return filepath.Join(dir, from)
	}
	return from
}

func runChat(cmd *cobra.Command, args []string, f *chatFlags, interrupts func() (<-chan os.Signal, func())) error {
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	p, err := loadPersona(cmd, args, f)
	if err != nil {
		return err
	}
	var g *grammar.Grammar
	if f.format != "" {
		if g, err = chatGrammar(f.format); err != nil {
			return err
		}
	}
	adapters, err := loraArgs(p.adapters)
	if err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	m, err := engine.Load(p.model, engine.Options{ContextLength: p.settings.NumCtx, Threads: f.threads, TokenizerPath: f.tokenizer, LoRA: adapters})
	if err != nil {
		return err
	}
	defer m.Close()
	var tmpl *chat.Template
	if p.template != "" {
		tmpl, err = chat.New("Herdfile TEMPLATE", p.template)
	} else {
		tmpl, err = m.ChatTemplate()
	}
	if err != nil {
		return fmt.Errorf("chat: %w", err)
	}
	name := p.model
	if name == "" {
		name = "the built-in " + builtin.Name + " model"
	}
	if f.verbose {
		fmt.Fprintf(stderr, "herd: loaded %s in %v (context %d, template %s)\n", name, m.LoadDuration().Round(time.Millisecond), m.ContextLength(), tmpl.Name())
	}
	gen := newGenerator(m, g != nil)
	defer gen.close()
	conv := &conversation{m: m, name: name, tmpl: tmpl, gen: gen, messages: p.messages, settings: p.settings,
		grammar: g, format: f.format, verbose: f.verbose, stderr: stderr}

	if f.message != "" {
		return chatOnce(cmd, conv, f.message)
	}
	in := cmd.InOrStdin()
	r := &repl{conv: conv, in: bufio.NewReader(in), out: stdout, errOut: stderr, interrupts: interrupts}
	if file, ok := in.(*os.File); ok {
		if st, err := file.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			r.prompts = true
			fmt.Fprintf(stdout, "Chatting with %s. /help lists the commands, /bye or Ctrl-D leaves.\n", name)
		}
	}
	return r.run(cmd.Context())
}

// chatOnce prints the answer to one message.
func chatOnce(cmd *cobra.Command, conv *conversation, message string) error {
	ctx, stop := signalContext(cmd)
	defer stop()
	out := cmd.OutOrStdout()
	res, err := conv.ask(ctx, message, out)
	if err != nil {
		if res.Text != "" {
			fmt.Fprintln(out)
		}
		if errors.Is(err, context.Canceled) {
			return errors.New("chat: interrupted")
		}
		return err
	}
	fmt.Fprintln(out)
	return nil
}
