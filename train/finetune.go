package train

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/tokenizer"
	"github.com/herdllm/herd/weights"
)

// FineTuneConfig describes a LoRA run on a frozen base model.
type FineTuneConfig struct {
	Base      string   // model file or directory
	Tokenizer string   // tokenizer file when the base has none (llama2.c checkpoints)
	Data      []string // training files: plain text, or JSONL prompt/completion, chat or text lines
	Valid     string   // validation file; empty: hold out ValidFrac of the data
	ValidFrac float64  // default 0.1
	LoRA      LoRAOptions
	Options   Options
	Epochs    float64 // sets Options.Steps from the data size when Steps is 0
	// Chat renders {"messages"} lines; nil: the base model's chat template
	// (ChatRendererForModel).
	Chat ChatFormatter
	// TrainOnInputs puts the loss on every token of JSONL examples (in
	// training and validation), not only on completions and assistant
	// turns.
	TrainOnInputs bool
}

// FineTuning is a prepared LoRA run.
type FineTuning struct {
	Model     *Model
	Tokenizer Tokenizer
	Trainer   *Trainer
	Config    FineTuneConfig
	BaseInfo  FileInfo
	DataInfo  []FileInfo
	// Truncated counts the training and validation examples longer than
	// the context (Options.Seq+1 tokens); training sees only their start.
	Truncated int
	base      *weights.File
}

// NewFineTuning opens the base, attaches fresh adapters, and loads the data.
func NewFineTuning(cfg FineTuneConfig, pool *Pool) (*FineTuning, error) {
	return newFineTuning(cfg, pool, nil)
}

// ResumeFineTuning continues a run from a checkpoint written by
// FineTuning.SaveCheckpoint (adapters and optimizer state).
func ResumeFineTuning(cfg FineTuneConfig, checkpoint string, pool *Pool) (*FineTuning, error) {
	f, err := gguf.Open(checkpoint)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	if cfg.Options.Steps <= 0 && cfg.Epochs <= 0 {
		if cfg.Options, err = CheckpointOptions(f); err != nil {
			return nil, err
		}
	}
	return newFineTuning(cfg, pool, f)
}

func newFineTuning(cfg FineTuneConfig, pool *Pool, ckpt *gguf.File) (*FineTuning, error) {
	if len(cfg.Data) == 0 {
		return nil, fmt.Errorf("train: no training data")
	}
	baseInfo, err := digestModel(cfg.Base)
	if err != nil {
		return nil, err
	}
	m, wf, err := OpenBase(cfg.Base, pool)
	if err != nil {
		return nil, err
	}
	ft := &FineTuning{Model: m, Config: cfg, BaseInfo: baseInfo, base: wf}
	fail := func(err error) (*FineTuning, error) { wf.Close(); return nil, err }
	if ft.Tokenizer, err = baseTokenizer(cfg, wf); err != nil {
		return fail(err)
	}
	if cfg.Chat == nil {
		cfg.Chat = modelChat(wf, ft.Tokenizer)
	}
	var sets []Dataset
	for _, p := range cfg.Data {
		d, err := LoadDataset(p, ft.Tokenizer, cfg.Chat)
		if err != nil {
			return fail(err)
		}
		info, err := FileDigest(p)
		if err != nil {
			return fail(err)
		}
		sets = append(sets, d)
		ft.DataInfo = append(ft.DataInfo, info)
	}
	trainSet, err := concatDatasets(sets)
	if err != nil {
		return fail(err)
	}
	var validSet Dataset
	if cfg.Valid != "" {
		if validSet, err = LoadDataset(cfg.Valid, ft.Tokenizer, cfg.Chat); err != nil {
			return fail(err)
		}
		info, err := FileDigest(cfg.Valid)
		if err != nil {
			return fail(err)
		}
		ft.DataInfo = append(ft.DataInfo, info)
	} else {
		frac := cfg.ValidFrac
		if frac <= 0 || frac >= 1 {
			frac = 0.1
		}
		trainSet, validSet = SplitValidation(trainSet, frac)
	}
	if cfg.TrainOnInputs {
		TrainOnInputs(trainSet)
		TrainOnInputs(validSet)
	}
	o := &ft.Config.Options
	ft.Truncated = Truncated(trainSet, o.Seq) + Truncated(validSet, o.Seq)
	if o.Steps <= 0 {
		epochs := cfg.Epochs
		if epochs <= 0 {
			epochs = 1
		}
		o.Steps = max(1, int(epochs*float64(trainSet.Tokens())/float64(max(1, o.Batch*o.Seq*max(1, o.Accum)))+0.5))
	}
	if ckpt != nil {
		err = m.LoadAdapter(ckpt)
	} else {
		err = m.AddLoRA(cfg.LoRA, o.Seed)
	}
	if err != nil {
		return fail(err)
	}
	if ft.Trainer, err = NewTrainer(m, *o, trainSet, validSet); err != nil {
		return fail(err)
	}
	if ckpt != nil {
		if err := ft.Trainer.Restore(ckpt); err != nil {
			return fail(err)
		}
	}
	return ft, nil
}

// Close releases the base model's file.
func (ft *FineTuning) Close() error { return ft.base.Close() }

func baseTokenizer(cfg FineTuneConfig, wf *weights.File) (Tokenizer, error) {
	if cfg.Tokenizer != "" {
		return tokenizer.Load(cfg.Tokenizer)
	}
	if _, ok := wf.Meta.Get("tokenizer.ggml.tokens"); ok {
		return tokenizer.FromGGUF(wf.Meta)
	}
	if t, err := tokenizer.Load(cfg.Base); err == nil {
		return t, nil
	}
	if t, err := tokenizer.Load(filepath.Dir(cfg.Base)); err == nil {
		return t, nil
	}
	return nil, fmt.Errorf("train: %s has no tokenizer; name one", cfg.Base)
}

// modelChat renders chat data through the base model's template; a
// template that does not compile fails only chat lines.
func modelChat(wf *weights.File, tok Tokenizer) ChatFormatter {
	src, _ := wf.Meta.String("tokenizer.chat_template")
	r, err := ChatRendererForModel(src, tok)
	if err != nil {
		return func(Conversation) (Example, error) { return Example{}, err }
	}
	return r.Example
}

func concatDatasets(sets []Dataset) (Dataset, error) {
	if len(sets) == 1 {
		return sets[0], nil
	}
	var s Stream
	var e Examples
	for _, d := range sets {
		switch d := d.(type) {
		case *Stream:
			s.IDs = append(s.IDs, d.IDs...)
		case *Examples:
			e.Items = append(e.Items, d.Items...)
		}
	}
	if len(s.IDs) > 0 && len(e.Items) > 0 {
		return nil, fmt.Errorf("train: plain text and JSONL files cannot be mixed in one run")
	}
	if len(e.Items) > 0 {
		return &e, nil
	}
	return &s, nil
}

// digestModel hashes a model file, or for a directory every regular file in
// it (sorted by name), and reports its total size.
func digestModel(path string) (FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileInfo{}, fmt.Errorf("train: %w", err)
	}
	files := []string{path}
	if st.IsDir() {
		entries, err := os.ReadDir(path)
		if err != nil {
			return FileInfo{}, fmt.Errorf("train: %w", err)
		}
		files = files[:0]
		for _, e := range entries {
			if e.Type().IsRegular() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
		sort.Strings(files)
	}
	h := sha256.New()
	var size int64
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			return FileInfo{}, fmt.Errorf("train: %w", err)
		}
		n, err := io.Copy(h, f)
		f.Close()
		if err != nil {
			return FileInfo{}, fmt.Errorf("train: %s: %w", p, err)
		}
		size += n
	}
	return FileInfo{Path: path, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// Provenance returns the training.* keys recorded in the adapter: the base
// model's and every data file's name, size and SHA-256, the hyperparameters,
// and the latest training and validation losses.
func (ft *FineTuning) Provenance(trainLoss float64) *gguf.Metadata {
	m := gguf.NewMetadata()
	c, o := ft.Config, ft.Trainer.Options
	m.Set("training.base.file", filepath.Base(ft.BaseInfo.Path))
	m.Set("training.base.sha256", ft.BaseInfo.SHA256)
	m.Set("training.base.size", uint64(ft.BaseInfo.Size))
	var names, sums []string
	var sizes []uint64
	for _, d := range ft.DataInfo {
		names = append(names, filepath.Base(d.Path))
		sums = append(sums, d.SHA256)
		sizes = append(sizes, uint64(d.Size))
	}
	m.Set("training.data.files", names)
	m.Set("training.data.sha256", sums)
	m.Set("training.data.sizes", sizes)
	targets := c.LoRA.Targets
	if len(targets) == 0 {
		targets = DefaultLoRATargets
	}
	m.Set("training.lora.rank", uint32(c.LoRA.Rank))
	m.Set("training.lora.alpha", float32(ft.adapterAlpha()))
	m.Set("training.lora.dropout", c.LoRA.Dropout)
	m.Set("training.lora.targets", strings.Join(targets, ","))
	m.Set("training.learning_rate", float32(o.LR))
	m.Set("training.min_learning_rate", float32(o.MinLR))
	m.Set("training.warmup_steps", uint32(o.Warmup))
	m.Set("training.weight_decay", float32(o.WeightDecay))
	m.Set("training.clip_norm", float32(o.ClipNorm))
	m.Set("training.steps", uint32(o.Steps))
	m.Set("training.steps_done", uint32(ft.Trainer.Step()))
	m.Set("training.epochs", float32(c.Epochs))
	m.Set("training.batch_size", uint32(o.Batch))
	m.Set("training.grad_accumulation", uint32(o.Accum))
	m.Set("training.context_length", uint32(o.Seq))
	m.Set("training.seed", o.Seed)
	m.Set("training.train_loss", float32(trainLoss))
	m.Set("training.valid_loss", float32(ft.Trainer.ValLoss))
	return m
}

func (ft *FineTuning) adapterAlpha() float64 {
	if ad := ft.Model.Adapters(); len(ad) > 0 {
		return float64(ad[0].LoRA.Scale) * float64(ad[0].LoRA.A.Rows)
	}
	return ft.Config.LoRA.Alpha
}

// SaveAdapter writes the adapters with provenance as a llama.cpp LoRA GGUF.
func (ft *FineTuning) SaveAdapter(path string, trainLoss float64) error {
	return ft.Model.SaveAdapter(path, adapterName(ft.BaseInfo.Path), ft.Provenance(trainLoss))
}

// SaveCheckpoint writes adapters, provenance and optimizer state.
func (ft *FineTuning) SaveCheckpoint(path string, trainLoss float64) error {
	meta, ts, err := ft.Model.AdapterGGUF(adapterName(ft.BaseInfo.Path), ft.Provenance(trainLoss))
	if err != nil {
		return err
	}
	return ft.Trainer.SaveCheckpoint(path, meta, ts)
}

func adapterName(base string) string {
	return strings.TrimSuffix(filepath.Base(base), filepath.Ext(base)) + "-lora"
}
