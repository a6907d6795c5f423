package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/herdllm/herd/train"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
)

// tuneFlags are the options of `herd tune`.
var tuneFlags struct {
	data       []string
	valid      string
	tokenizer  string
	out        string
	rank       int
	alpha      float64
	dropout    float32
	ffn        bool
	lr         float64
	epochs     float64
	steps      int
	batch      int
	ctx        int
	accum      int
	warmup     int
	seed       uint64
	evalEvery  int
	threads    int
	checkpoint string
	resume     string
	allTokens  bool
}

var tuneCmd = &cobra.Command{
	Use:   "tune MODEL --data FILE -o adapter.gguf",
	Short: "Fine-tune a LoRA adapter on a frozen base model",
	Long: `Train low-rank adapters on the attention projections (and, with --ffn, the
feed-forward matrices) of MODEL — a GGUF file in any weight type, a llama2.c
checkpoint or a Hugging Face directory — and write them as a llama.cpp LoRA
GGUF adapter with the training's provenance (training.* keys: base and data
SHA-256, hyperparameters, final validation loss).

Data files are plain text (documents separated by blank lines) or JSONL, each
line one of {"prompt": ..., "completion": ...} (loss on the completion),
{"messages": [{"role": ..., "content": ...}, ...], "tools": [...]} (rendered
through the base model's chat template, loss on the assistant turns and their
end-of-turn tokens) or {"text": ...}. --train-on-inputs puts the loss on
prompts and user turns too. Examples longer than --ctx are truncated (the
count is reported).
Without --valid, the last 10% of the data is held out for validation.

Ctrl-C stops training and saves a checkpoint (--checkpoint, default
OUT.ckpt) that --resume continues from.`,
	Args: cobra.ExactArgs(1),
	RunE: runTune,
}

func init() {
	f := tuneCmd.Flags()
	f.StringArrayVar(&tuneFlags.data, "data", nil, "training file (repeatable): text or .jsonl")
	f.StringVar(&tuneFlags.valid, "valid", "", "validation file (default: hold out 10% of the data)")
	f.StringVar(&tuneFlags.tokenizer, "tokenizer", "", "tokenizer file, for bases without one (llama2.c checkpoints)")
	f.StringVarP(&tuneFlags.out, "output", "o", "adapter.gguf", "adapter file to write")
	f.IntVar(&tuneFlags.rank, "rank", 8, "LoRA rank")
	f.Float64Var(&tuneFlags.alpha, "alpha", 16, "LoRA alpha (scale = alpha/rank)")
	f.Float32Var(&tuneFlags.dropout, "dropout", 0, "dropout on the adapters' input")
	f.BoolVar(&tuneFlags.ffn, "ffn", false, "adapt the feed-forward matrices too")
	f.Float64Var(&tuneFlags.lr, "lr", 1e-3, "peak learning rate")
	f.Float64Var(&tuneFlags.epochs, "epochs", 1, "passes over the training data (when --steps is 0)")
	f.IntVar(&tuneFlags.steps, "steps", 0, "optimizer steps (overrides --epochs)")
	f.IntVar(&tuneFlags.batch, "batch", 4, "sequences per micro-batch")
	f.IntVar(&tuneFlags.ctx, "ctx", 256, "tokens per sequence")
	f.IntVar(&tuneFlags.accum, "accum", 1, "micro-batches per optimizer step")
	f.IntVar(&tuneFlags.warmup, "warmup", -1, "warm-up steps (default: 5% of the steps)")
	f.Uint64Var(&tuneFlags.seed, "seed", 1, "random seed")
	f.IntVar(&tuneFlags.evalEvery, "eval-every", 0, "steps between validation passes (default: 10 per run)")
	f.IntVar(&tuneFlags.threads, "threads", 0, "worker threads (default: all CPUs)")
	f.StringVar(&tuneFlags.checkpoint, "checkpoint", "", "checkpoint file written on Ctrl-C (default OUT.ckpt)")
	f.StringVar(&tuneFlags.resume, "resume", "", "continue from this checkpoint")
	f.BoolVar(&tuneFlags.allTokens, "train-on-inputs", false, "train on prompts and user turns too, not only completions and assistant turns")
	rootCmd.AddCommand(tuneCmd)
}

func runTune(cmd *cobra.Command, args []string) error {
	fl := tuneFlags
	if len(fl.data) == 0 {
		return errors.New("tune: --data is required")
	}
	targets := train.DefaultLoRATargets
	if fl.ffn {
		targets = train.AllLoRATargets
	}
	cfg := train.FineTuneConfig{
		Base: args[0], Tokenizer: fl.tokenizer, Data: fl.data, Valid: fl.valid,
		LoRA:          train.LoRAOptions{Rank: fl.rank, Alpha: fl.alpha, Dropout: fl.dropout, Targets: targets},
		Options:       train.Options{Steps: fl.steps, Batch: fl.batch, Seq: fl.ctx, Accum: fl.accum, LR: fl.lr, MinLR: fl.lr / 10, ClipNorm: 1, Seed: fl.seed},
		Epochs:        fl.epochs,
		TrainOnInputs: fl.allTokens,
	}
	pool := train.NewPool(fl.threads)
	defer pool.Close()
	var ft *train.FineTuning
	var err error
	if fl.resume != "" {
		if !cmd.Flags().Changed("steps") && !cmd.Flags().Changed("epochs") {
			cfg.Options, cfg.Epochs = train.Options{}, 0 // continue with the checkpoint's options
		}
		ft, err = train.ResumeFineTuning(cfg, fl.resume, pool)
	} else {
		ft, err = train.NewFineTuning(cfg, pool)
	}
	if err != nil {
		return err
	}
	defer ft.Close()
	tr := ft.Trainer
	if ft.Truncated > 0 {
		fmt.Fprintf(cmd.ErrOrStderr(), "tune: warning: %d examples are longer than --ctx %d and were truncated\n", ft.Truncated, tr.Options.Seq)
	}
	setSchedule(tr, fl.warmup, fl.evalEvery)
	ckpt := fl.checkpoint
	if ckpt == "" {
		ckpt = fl.out + ".ckpt"
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "tune: %s, %d adapted matrices, %d trainable values, %d steps of %d×%d tokens\n",
		args[0], len(ft.Model.Adapters()), ft.Model.ParamCount(), tr.Options.Steps, tr.Options.Batch*tr.Options.Accum, tr.Options.Seq)
	last, err := runWithProgress(cmd.Context(), tr, stderr)
	if errors.Is(err, context.Canceled) {
		if err := ft.SaveCheckpoint(ckpt, last); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "tune: interrupted at step %d; checkpoint saved to %s (continue with --resume %s)\n", tr.Step(), ckpt, ckpt)
		return nil
	}
	if err != nil {
		return err
	}
	if err := ft.SaveAdapter(fl.out, last); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "wrote %s: train loss %.4f, validation loss %.4f (perplexity %.2f)\n",
		fl.out, last, tr.ValLoss, math.Exp(tr.ValLoss))
	return nil
}

// setSchedule fills in warm-up and evaluation spacing from the run length.
func setSchedule(tr *train.Trainer, warmup, evalEvery int) {
	o := &tr.Options
	if warmup < 0 {
		warmup = o.Steps / 20
	}
	o.Warmup = warmup
	if evalEvery <= 0 {
		evalEvery = max(1, o.Steps/10)
	}
	o.EvalEvery = evalEvery
}

// runWithProgress trains with a progress bar on w until done or Ctrl-C
// (SIGINT/SIGTERM), returning the last training loss and context.Canceled
// when interrupted.
func runWithProgress(parent context.Context, tr *train.Trainer, w io.Writer) (float64, error) {
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	bar := progressbar.NewOptions(tr.Options.Steps,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("training"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(20),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(w) }),
	)
	_ = bar.Set(tr.Step())
	last := math.NaN()
	err := tr.Run(ctx, func(p train.Progress) {
		last = p.Loss
		val := "-" // no validation pass yet
		if !math.IsNaN(p.ValLoss) {
			val = fmt.Sprintf("%.3f", p.ValLoss)
		}
		bar.Describe(fmt.Sprintf("step %d loss %.3f val %s %.0f tok/s left %s",
			p.Step, p.Loss, val, p.TokensPerSec, p.Remaining.Round(time.Second)))
		_ = bar.Set(p.Step)
	})
	if err != nil && ctx.Err() != nil {
		return last, context.Canceled
	}
	return last, err
}
