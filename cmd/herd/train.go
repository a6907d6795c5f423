package main

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"

	"github.com/herdllm/herd/train"
	"github.com/spf13/cobra"
)

// trainFlags are the options of `herd train`.
var trainFlags struct {
	shape      string
	data       string
	out        string
	vocab      int
	steps      int
	lr         float64
	batch      int
	ctx        int
	accum      int
	warmup     int
	seed       uint64
	validFrac  float64
	evalEvery  int
	evalTokens int
	threads    int
	checkpoint string
	resume     string
	sample     string
}

var trainCmd = &cobra.Command{
	Use:   "train --shape stories260k|15m --data corpus.txt -o model.gguf",
	Short: "Train a small Llama model and its tokenizer from scratch",
	Long: `Train a SentencePiece-style BPE tokenizer on the corpus, then a Llama model
of the given shape (stories260k: dim 64, 5 layers, 8 heads, 4 kv heads,
hidden 172; 15m: dim 288, 6 layers, 6 heads, hidden 768) on the corpus packed
into sequences, reporting training and validation loss. The result is an F32
GGUF in llama.cpp's layout with the tokenizer inside.

Ctrl-C stops training and saves a checkpoint (--checkpoint, default
OUT.ckpt) that --resume continues from.`,
	Args: cobra.NoArgs,
	RunE: runTrain,
}

func init() {
	f := trainCmd.Flags()
	f.StringVar(&trainFlags.shape, "shape", "stories260k", "model shape: stories260k or 15m")
	f.StringVar(&trainFlags.data, "data", "", "plain-text corpus")
	f.StringVarP(&trainFlags.out, "output", "o", "model.gguf", "model file to write")
	f.IntVar(&trainFlags.vocab, "tokenizer-vocab", 512, "tokenizer vocabulary size")
	f.IntVar(&trainFlags.steps, "steps", 1000, "optimizer steps")
	f.Float64Var(&trainFlags.lr, "lr", 3e-3, "peak learning rate")
	f.IntVar(&trainFlags.batch, "batch", 8, "sequences per micro-batch")
	f.IntVar(&trainFlags.ctx, "ctx", 128, "tokens per sequence")
	f.IntVar(&trainFlags.accum, "accum", 1, "micro-batches per optimizer step")
	f.IntVar(&trainFlags.warmup, "warmup", -1, "warm-up steps (default: 5% of the steps)")
	f.Uint64Var(&trainFlags.seed, "seed", 1, "random seed")
	f.Float64Var(&trainFlags.validFrac, "valid-frac", 0.05, "share of the corpus held out for validation")
	f.IntVar(&trainFlags.evalEvery, "eval-every", 0, "steps between validation passes (default: 10 per run)")
	f.IntVar(&trainFlags.evalTokens, "eval-tokens", 32768, "validation tokens per pass (0: all)")
	f.IntVar(&trainFlags.threads, "threads", 0, "worker threads (default: all CPUs)")
	f.StringVar(&trainFlags.checkpoint, "checkpoint", "", "checkpoint file written on Ctrl-C (default OUT.ckpt)")
	f.StringVar(&trainFlags.resume, "resume", "", "continue from this checkpoint")
	f.StringVar(&trainFlags.sample, "sample", "Once upon a time", "prompt of the greedy sample printed at the end")
	rootCmd.AddCommand(trainCmd)
}

func runTrain(cmd *cobra.Command, args []string) error {
	fl := trainFlags
	if fl.data == "" {
		return errors.New("train: --data is required")
	}
	corpus, err := os.ReadFile(fl.data)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	cfg := train.PretrainConfig{
		Shape: fl.shape, VocabSize: fl.vocab, ValidFrac: fl.validFrac, Seed: fl.seed,
		Options: train.Options{Steps: fl.steps, Batch: fl.batch, Seq: fl.ctx, Accum: fl.accum, LR: fl.lr, MinLR: fl.lr / 10,
			WeightDecay: 0.1, ClipNorm: 1, Seed: fl.seed, EvalTokens: fl.evalTokens},
	}
	pool := train.NewPool(fl.threads)
	defer pool.Close()
	stderr := cmd.ErrOrStderr()
	var p *train.Pretraining
	if fl.resume != "" {
		if !cmd.Flags().Changed("steps") {
			cfg.Options = train.Options{} // continue with the checkpoint's options
		}
		p, err = train.ResumePretraining(fl.resume, string(corpus), cfg, pool)
	} else {
		fmt.Fprintf(stderr, "train: learning a %d-token vocabulary from %s\n", fl.vocab, fl.data)
		p, err = train.NewPretraining(string(corpus), cfg, pool)
	}
	if err != nil {
		return err
	}
	tr := p.Trainer
	setSchedule(tr, fl.warmup, fl.evalEvery)
	c := p.Model.Config
	fmt.Fprintf(stderr, "train: %s shape (dim %d, %d layers, %d heads, %d kv heads, hidden %d, vocab %d), %d parameters; %d training and %d validation tokens\n",
		fl.shape, c.Dim, c.Layers, c.Heads, c.KVHeads, c.Hidden, c.Vocab, p.Model.ParamCount(), tr.Train.Tokens(), tr.Valid.Tokens())
	ckpt := fl.checkpoint
	if ckpt == "" {
		ckpt = fl.out + ".ckpt"
	}
	last, err := runWithProgress(cmd.Context(), tr, stderr)
	if errors.Is(err, context.Canceled) {
		if err := p.SaveCheckpoint(ckpt); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "train: interrupted at step %d; checkpoint saved to %s (continue with --resume %s)\n", tr.Step(), ckpt, ckpt)
		return nil
	}
	if err != nil {
		return err
	}
	if err := p.Save(fl.out); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "wrote %s: train loss %.4f, validation loss %.4f (perplexity %.2f)\n", fl.out, last, tr.ValLoss, math.Exp(tr.ValLoss))
	if fl.sample != "" {
		s, err := p.Sample(fl.sample, 64)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "sample: %s%s\n", fl.sample, s)
	}
	return nil
}
