package train

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// Options are the hyperparameters of a training run.
type Options struct {
	Steps       int     // optimizer steps in the whole run
	Batch       int     // sequences per micro-batch
	Seq         int     // tokens per sequence
	Accum       int     // micro-batches per optimizer step (gradient accumulation)
	LR          float64 // peak learning rate
	MinLR       float64 // learning rate at the end of the cosine decay
	Warmup      int     // linear warm-up steps
	WeightDecay float64 // AdamW decoupled weight decay
	ClipNorm    float64 // global gradient norm limit (0: none)
	Seed        uint64  // seeds batch sampling and dropout
	EvalEvery   int     // steps between validation passes (0: only at the end)
	EvalTokens  int     // validation targets per pass (0: the whole set)
}

// Progress is reported after every optimizer step.
type Progress struct {
	Step, Steps  int
	Loss         float64 // training loss of this step
	ValLoss      float64 // latest validation loss (NaN before the first pass)
	LR           float64
	GradNorm     float64
	Tokens       int64 // tokens processed so far in this run
	TokensPerSec float64
	Elapsed      time.Duration
	Remaining    time.Duration // estimate
}

// Trainer runs the optimization loop of a model over a data set.
type Trainer struct {
	Model   *Model
	Opt     *AdamW
	Options Options
	Train   Dataset
	Valid   Dataset // may be nil
	// ValLoss is the latest validation loss (NaN before the first pass).
	ValLoss float64

	params []*Param
}

// NewTrainer prepares a run of opts over train (validated on valid, which
// may be nil) that updates m's trainable parameters.
func NewTrainer(m *Model, opts Options, train, valid Dataset) (*Trainer, error) {
	if opts.Batch <= 0 || opts.Seq <= 0 || opts.Steps < 0 {
		return nil, fmt.Errorf("train: batch %d, seq %d and steps %d must be positive", opts.Batch, opts.Seq, opts.Steps)
	}
	if opts.Accum <= 0 {
		opts.Accum = 1
	}
	if train == nil || train.Tokens() < 2 {
		return nil, errors.New("train: the training set needs at least two tokens")
	}
	ps := m.Params()
	if len(ps) == 0 {
		return nil, errors.New("train: the model has nothing to train")
	}
	return &Trainer{Model: m, Opt: NewAdamW(ps, opts.WeightDecay), Options: opts, Train: train, Valid: valid, ValLoss: math.NaN(), params: ps}, nil
}

// Schedule is the learning-rate schedule of the run.
func (t *Trainer) Schedule() Schedule {
	o := t.Options
	return Schedule{Max: o.LR, Min: o.MinLR, Warmup: o.Warmup, Total: o.Steps}
}

// Step is the number of optimizer steps taken so far.
func (t *Trainer) Step() int { return t.Opt.Step }

// TrainStep runs one optimizer step (Accum micro-batches) and returns the
// mean training loss and the gradient norm before clipping.
func (t *Trainer) TrainStep() (loss, gradNorm float64, err error) {
	o := t.Options
	step := t.Opt.Step
	rng := rand.New(rand.NewPCG(o.Seed, uint64(step)))
	t.Model.rng = rand.New(rand.NewPCG(o.Seed^0x5eed, uint64(step)))
	t.Model.ZeroGrad()
	for range o.Accum {
		tokens, targets := t.Train.Sample(rng, o.Batch, o.Seq)
		l, err := t.Model.Step(tokens, targets, o.Batch, o.Seq, float32(1/float64(o.Accum)))
		if err != nil {
			return 0, 0, err
		}
		loss += l / float64(o.Accum)
	}
	gradNorm = globalGradNorm(t.Model.pool, t.params)
	t.Opt.update(t.Model.pool, t.params, t.Schedule().At(step), clipFactor(gradNorm, o.ClipNorm))
	return loss, gradNorm, nil
}

// Evaluate returns the mean validation loss (NaN without a validation set).
func (t *Trainer) Evaluate() (float64, error) {
	if t.Valid == nil || t.Valid.Tokens() < 2 {
		return math.NaN(), nil
	}
	return EvalLoss(t.Model, t.Valid, t.Options.Batch, t.Options.Seq, t.Options.EvalTokens)
}

// EvalLoss is the mean cross-entropy of m over data's evaluation batches.
func EvalLoss(m *Model, data Dataset, batch, seq, maxTokens int) (float64, error) {
	var sum float64
	var count int
	err := data.Eval(batch, seq, maxTokens, func(tokens, targets []int, rows int) error {
		s, c, err := m.Loss(tokens, targets, rows, seq)
		sum += s
		count += c
		return err
	})
	if err != nil {
		return 0, err
	}
	if count == 0 {
		return math.NaN(), nil
	}
	return sum / float64(count), nil
}

// Run trains until Options.Steps steps are done or ctx is cancelled
// (returning ctx's error; the trainer stays consistent and can be saved),
// validating every EvalEvery steps and at the end. report, if not nil, is
// called after every step.
func (t *Trainer) Run(ctx context.Context, report func(Progress)) error {
	o := t.Options
	start := time.Now()
	first := t.Opt.Step
	var tokens int64
	for t.Opt.Step < o.Steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		lr := t.Schedule().At(t.Opt.Step)
		loss, norm, err := t.TrainStep()
		if err != nil {
			return err
		}
		tokens += int64(o.Accum * o.Batch * o.Seq)
		step := t.Opt.Step
		if step == o.Steps || (o.EvalEvery > 0 && step%o.EvalEvery == 0) {
			if t.ValLoss, err = t.Evaluate(); err != nil {
				return err
			}
		}
		if report != nil {
			el := time.Since(start)
			done := step - first
			p := Progress{Step: step, Steps: o.Steps, Loss: loss, ValLoss: t.ValLoss, LR: lr, GradNorm: norm,
				Tokens: tokens, TokensPerSec: float64(tokens) / el.Seconds(), Elapsed: el}
			if done > 0 {
				p.Remaining = time.Duration(float64(el) / float64(done) * float64(o.Steps-step))
			}
			report(p)
		}
	}
	return nil
}
