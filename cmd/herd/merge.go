package main

import (
	"fmt"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/lora"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"
)

// mergeFlags are the settings of herd merge.
type mergeFlags struct {
	out       string
	typ       string
	tokenizer string
	threads   int
}

func init() { rootCmd.AddCommand(newMergeCmd()) }

func newMergeCmd() *cobra.Command {
	var f mergeFlags
	cmd := &cobra.Command{
		Use:   "merge BASE ADAPTER[:SCALE]... -o OUT.gguf",
		Short: "Bake LoRA adapters into a model and write it as GGUF",
		Long: `Merge LoRA adapters (llama.cpp's GGUF adapter files, as herd tune writes
them) into a base model: every adapted weight W becomes W + scale·(alpha/rank)·B·A,
computed in float32 and stored again in W's type, or in --type. The result
runs like the base with the adapters given to --lora, without them.

BASE is a GGUF file, a llama2.c checkpoint or a Hugging Face directory; for
the last two the tokenizer found beside them (or --tokenizer) is written into
the output. SCALE defaults to 1. --type re-quantizes every matrix (F32, F16,
BF16, Q4_0, Q4_1, Q5_0, Q5_1, Q8_0, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K, IQ4_NL,
IQ4_XS); rows that do not fit the type's blocks fall back as llama.cpp's
quantizer does.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runMerge(cmd, args, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVarP(&f.out, "output", "o", "", "output GGUF file (required)")
	fl.StringVar(&f.typ, "type", "", "store every matrix in this type (default: keep each tensor's type)")
	fl.StringVar(&f.tokenizer, "tokenizer", "", "tokenizer to write for a base without a vocabulary")
	fl.IntVar(&f.threads, "threads", 0, "threads to compute with (0: all CPUs)")
	return cmd
}

func runMerge(cmd *cobra.Command, args []string, f *mergeFlags) error {
	if f.out == "" {
		return fmt.Errorf("merge: no output file; give one with -o")
	}
	start := time.Now()
	var opts lora.MergeOptions
	if f.typ != "" {
		t, err := tensor.ParseType(f.typ)
		if err != nil || !tensor.CanQuantize(t) {
			return fmt.Errorf("merge: --type %s: not a type herd can write", f.typ)
		}
		opts.Retype, opts.Type = true, t
	}
	adapters, err := openAdapters(args[1:])
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	base, err := weights.Open(args[0])
	if err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	defer base.Close()
	if _, ok := base.Meta.Get("tokenizer.ggml.tokens"); !ok || f.tokenizer != "" {
		tok, err := mergeTokenizer(args[0], f.tokenizer)
		if err != nil {
			return err
		}
		for _, kv := range base.Meta.KVs() {
			if strings.HasPrefix(kv.Key, "tokenizer.ggml.") {
				base.Meta.Delete(kv.Key)
			}
		}
		opts.Vocab = tok
	}
	threads := f.threads
	if threads <= 0 {
		threads = runtime.NumCPU()
	}
	opts.Pool = tensor.NewPool(threads)
	defer opts.Pool.Close()
	if err := lora.WriteMerged(f.out, base, adapters, opts); err != nil {
		return fmt.Errorf("merge: %w", err)
	}
	targets := 0
	for _, a := range adapters {
		targets += len(a.Adapter.Targets)
	}
	size := int64(0)
	if st, err := os.Stat(f.out); err == nil {
		size = st.Size()
	}
	fmt.Fprintf(cmd.OutOrStdout(), "merged %d adapter(s), %d weight updates, into %s (%.1f MiB) in %v\n",
		len(adapters), targets, f.out, float64(size)/(1<<20), time.Since(start).Round(time.Millisecond))
	return nil
}

// openAdapters reads adapter arguments of the form FILE[:SCALE].
func openAdapters(args []string) ([]lora.Scaled, error) {
	var out []lora.Scaled
	for _, s := range args {
		l, err := engine.ParseLoRA(s)
		if err != nil {
			return nil, err
		}
		a, err := lora.Open(l.Path)
		if err != nil {
			return nil, err
		}
		out = append(out, lora.Scaled{Adapter: a, Scale: l.Scale})
	}
	return out, nil
}

// mergeTokenizer loads the explicit tokenizer, else the one beside base.
func mergeTokenizer(base, path string) (*tokenizer.Tokenizer, error) {
	if path != "" {
		tok, err := tokenizer.Load(path)
		if err != nil {
			return nil, fmt.Errorf("merge: tokenizer: %w", err)
		}
		return tok, nil
	}
	tok, err := tokenizer.FindBeside(base)
	if err != nil {
		return nil, fmt.Errorf("merge: %s has no vocabulary: %w; give one with --tokenizer", base, err)
	}
	return tok, nil
}

// loraArgs parses the --lora flags of run and chat.
func loraArgs(list []string) ([]engine.LoRA, error) {
	var out []engine.LoRA
	for _, s := range list {
		l, err := engine.ParseLoRA(s)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}
