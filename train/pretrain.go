package train

import (
	"fmt"
	"strings"

	"github.com/herdllm/herd/gguf"
)

// Pretraining is a from-scratch run: a tokenizer trained on the corpus, a
// fresh model and its trainer over the corpus's token stream, with a
// validation split.
type Pretraining struct {
	Model   *Model
	Vocab   *Vocab
	Trainer *Trainer
	Name    string
}

// PretrainConfig describes a from-scratch run.
type PretrainConfig struct {
	Name      string  // general.name of the written model
	Shape     string  // "stories260k" or "15m"
	VocabSize int     // tokenizer vocabulary (512 or 4096, say)
	ValidFrac float64 // share of the corpus held out (default 0.05)
	Options   Options
	Seed      uint64 // weight initialisation
}

// NewPretraining trains a tokenizer on corpus, tokenizes it, holds out the
// validation split and builds the model and trainer.
func NewPretraining(corpus string, cfg PretrainConfig, pool *Pool) (*Pretraining, error) {
	vocab, err := TrainTokenizer(corpus, TokenizerOptions{VocabSize: cfg.VocabSize})
	if err != nil {
		return nil, err
	}
	c, err := Shape(cfg.Shape, vocab.Size())
	if err != nil {
		return nil, err
	}
	if cfg.Options.Seq > c.Context {
		c.Context = cfg.Options.Seq
	}
	m, err := NewModel(c, cfg.Seed, pool)
	if err != nil {
		return nil, err
	}
	return newPretraining(m, vocab, corpus, cfg)
}

func newPretraining(m *Model, vocab *Vocab, corpus string, cfg PretrainConfig) (*Pretraining, error) {
	if cfg.ValidFrac <= 0 || cfg.ValidFrac >= 1 {
		cfg.ValidFrac = 0.05
	}
	trainSet, validSet := SplitValidation(TextStream(vocab, corpus), cfg.ValidFrac)
	tr, err := NewTrainer(m, cfg.Options, trainSet, validSet)
	if err != nil {
		return nil, err
	}
	name := cfg.Name
	if name == "" {
		name = "herd-" + cfg.Shape
	}
	return &Pretraining{Model: m, Vocab: vocab, Trainer: tr, Name: name}, nil
}

// ResumePretraining continues a run from a checkpoint written by
// Pretraining.SaveCheckpoint, on the same corpus. cfg.Options replaces the
// saved options when its Steps is positive (to extend a run).
func ResumePretraining(path, corpus string, cfg PretrainConfig, pool *Pool) (*Pretraining, error) {
	f, err := gguf.Open(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	vocab, err := VocabFromGGUF(f.Meta)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	c, err := ConfigOfGGUF(f)
	if err != nil {
		return nil, err
	}
	m, err := LoadModel(c, GGUFSource(f), false, pool)
	if err != nil {
		return nil, fmt.Errorf("train: %s: %w", path, err)
	}
	if cfg.Options.Steps <= 0 {
		if cfg.Options, err = CheckpointOptions(f); err != nil {
			return nil, err
		}
	}
	if name, ok := f.Meta.String("general.name"); ok && cfg.Name == "" {
		cfg.Name = name
	}
	p, err := newPretraining(m, vocab, corpus, cfg)
	if err != nil {
		return nil, err
	}
	if err := p.Trainer.Restore(f); err != nil {
		return nil, err
	}
	return p, nil
}

// Save writes the model as an F32 GGUF with the trained tokenizer.
func (p *Pretraining) Save(path string) error {
	return p.Model.SaveGGUF(path, p.Name, p.Vocab)
}

// SaveCheckpoint writes model, tokenizer and optimizer state to path.
func (p *Pretraining) SaveCheckpoint(path string) error {
	meta, ts, err := p.Model.GGUF(p.Name, p.Vocab)
	if err != nil {
		return err
	}
	return p.Trainer.SaveCheckpoint(path, meta, ts)
}

// Sample greedily continues prompt by up to n tokens.
func (p *Pretraining) Sample(prompt string, n int) (string, error) {
	in := p.Vocab.Encode(prompt, true, false)
	ids, err := p.Model.Greedy(in, n, p.Vocab.EOS())
	if err != nil {
		return "", err
	}
	// Decoding the whole sequence keeps the space that starts the continuation.
	return strings.TrimPrefix(p.Vocab.Decode(append(in, ids...)), p.Vocab.Decode(in)), nil
}
