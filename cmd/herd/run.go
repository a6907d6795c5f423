package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/sample"
)

// runFlags are the settings of herd run.
type runFlags struct {
	sampling  sample.Options
	seed      int64
	maxTokens int
	stop      []string
	ctx       int
	threads   int
	tokenizer string
	lora      []string
	truncate  bool
	echo      bool
	verbose   bool
}

func init() { rootCmd.AddCommand(newRunCmd()) }

func newRunCmd() *cobra.Command {
	var f runFlags
	f.sampling = sample.Defaults()
	cmd := &cobra.Command{
		Use:   "run [MODEL] [PROMPT]",
		Short: "Continue a prompt with a model, streaming the text",
		Long: `Run a model on a prompt and stream the continuation to stdout.

MODEL is a GGUF file, a llama2.c checkpoint or a Hugging Face directory;
without it herd runs its built-in stories260K model. With a single argument,
an existing path is the model and anything else is the prompt. Without a
prompt, herd reads it from stdin.`,
		Args: cobra.MaximumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRun(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.Float32Var(&f.sampling.Temperature, "temp", f.sampling.Temperature, "sampling temperature (0: greedy)")
	fl.IntVar(&f.sampling.TopK, "top-k", f.sampling.TopK, "keep the K most likely tokens (0: all)")
	fl.Float32Var(&f.sampling.TopP, "top-p", f.sampling.TopP, "keep the most likely tokens up to this total probability (1: all)")
	fl.Float32Var(&f.sampling.MinP, "min-p", f.sampling.MinP, "drop tokens less likely than this fraction of the best (0: none)")
	fl.Float32Var(&f.sampling.RepeatPenalty, "repeat-penalty", f.sampling.RepeatPenalty, "penalty for recently seen tokens (1: none)")
	fl.IntVar(&f.sampling.RepeatLastN, "repeat-last-n", f.sampling.RepeatLastN, "tokens the penalties look back over (0: none, -1: all)")
	fl.Float32Var(&f.sampling.PresencePenalty, "presence-penalty", 0, "subtracted from tokens present in the window")
	fl.Float32Var(&f.sampling.FrequencyPenalty, "frequency-penalty", 0, "subtracted per occurrence in the window")
	fl.Int64Var(&f.seed, "seed", -1, "random seed (-1: a new one each run)")
	fl.IntVarP(&f.maxTokens, "max-tokens", "n", -1, "most tokens to generate (-1: until the model stops or the context is full)")
	fl.StringArrayVar(&f.stop, "stop", nil, "stop when this text appears (repeatable)")
	fl.IntVar(&f.ctx, "ctx", 0, "context length in tokens (0: the model's)")
	fl.IntVar(&f.threads, "threads", 0, "threads to compute with (0: all CPUs)")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "tokenizer file for checkpoints without one")
	fl.StringArrayVar(&f.lora, "lora", nil, "apply a LoRA adapter: FILE[:SCALE], scale 1 by default (repeatable)")
	fl.BoolVar(&f.truncate, "truncate", false, "drop the start of a prompt too long for the context")
	fl.BoolVar(&f.echo, "echo", true, "print the prompt before the continuation")
	fl.BoolVarP(&f.verbose, "verbose", "v", false, "print load time and speeds to stderr")
	return cmd
}

// splitRunArgs tells the model path from the prompt: with one argument, an
// existing file or directory is the model.
func splitRunArgs(args []string) (modelPath string, prompt string, hasPrompt bool) {
	switch len(args) {
	case 2:
		return args[0], args[1], true
	case 1:
		if _, err := os.Stat(args[0]); err == nil {
			return args[0], "", false
		}
		return "", args[0], true
	}
	return "", "", false
}

func runRun(cmd *cobra.Command, args []string, f *runFlags) error {
	modelPath, prompt, hasPrompt := splitRunArgs(args)
	stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
	if !hasPrompt {
		in := cmd.InOrStdin()
		if file, ok := in.(*os.File); ok {
			if st, err := file.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
				fmt.Fprintln(stderr, "herd: reading the prompt from stdin (end it with Ctrl-D)")
			}
		}
		b, err := io.ReadAll(in)
		if err != nil {
			return fmt.Errorf("run: reading the prompt: %w", err)
		}
		prompt = strings.TrimRight(string(b), "\n")
	}

	adapters, err := loraArgs(f.lora)
	if err != nil {
		return fmt.Errorf("run: %w", err)
	}
	m, err := engine.Load(modelPath, engine.Options{ContextLength: f.ctx, Threads: f.threads, TokenizerPath: f.tokenizer, LoRA: adapters})
	if err != nil {
		return err
	}
	defer m.Close()
	if f.verbose {
		name := modelPath
		if name == "" {
			name = "built-in stories260K"
		}
		fmt.Fprintf(stderr, "herd: loaded %s in %v (context %d)\n", name, m.LoadDuration().Round(time.Millisecond), m.ContextLength())
	}

	opts := f.sampling
	opts.Seed = uint64(f.seed)
	if f.seed < 0 {
		opts.Seed = uint64(time.Now().UnixNano())
	}
	req := engine.GenerateRequest{
		Prompt:    prompt,
		Sampling:  opts,
		MaxTokens: f.maxTokens,
		Stop:      f.stop,
		Truncate:  f.truncate,
	}
	echo := f.echo
	if f.truncate {
		if n := len(m.Tokenize(prompt, true, true)); n > m.ContextLength() {
			fmt.Fprintf(stderr, "herd: the prompt has %d tokens; dropping its start to fit the context of %d\n", n, m.ContextLength())
			echo = false
		}
	}

	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
	defer stop()
	if echo {
		fmt.Fprint(stdout, prompt)
	}
	res, err := m.Generate(ctx, req, func(ev engine.TokenEvent) error {
		_, err := io.WriteString(stdout, ev.Text)
		return err
	})
	if res.Text != "" || (echo && prompt != "") {
		fmt.Fprintln(stdout)
	}
	if f.verbose {
		fmt.Fprintf(stderr, "herd: prompt: %d tokens in %v, %.1f tokens/s\n", res.PromptTokens, res.PromptDuration.Round(time.Microsecond), res.PromptTokensPerSecond())
		fmt.Fprintf(stderr, "herd: generated: %d tokens in %v, %.1f tokens/s (stop: %s)\n", len(res.Tokens), res.GenerateDuration.Round(time.Microsecond), res.TokensPerSecond(), res.StopReason)
	}
	if err != nil && res.StopReason == engine.StopCancelled && errors.Is(err, context.Canceled) {
		return nil // interrupted: what was generated is shown
	}
	return err
}
