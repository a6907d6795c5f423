package train

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Tokenizer is what training needs from a tokenizer (satisfied by *Vocab and
// by the tokenizer package's Tokenizer).
type Tokenizer interface {
	Encode(text string, addSpecial, parseSpecial bool) []int
	Decode(ids []int) string
	BOS() int
	EOS() int
}

// ChatFormatter renders a chat transcript into a training example whose
// loss covers what the model learns to write (see ChatRenderer.Example).
// Chat data needs one; fine-tuning builds it from the base model's template.
type ChatFormatter func(c Conversation) (Example, error)

// FileInfo records a data file for provenance.
type FileInfo struct {
	Path   string
	Size   int64
	SHA256 string
}

// FileDigest returns path's size and SHA-256.
func FileDigest(path string) (FileInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return FileInfo{}, fmt.Errorf("train: %w", err)
	}
	sum := sha256.Sum256(data)
	return FileInfo{Path: path, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, nil
}

// TextStream tokenizes plain text into one stream: documents are separated
// by blank lines and each starts with the tokenizer's BOS (when it adds one)
// and ends with EOS.
func TextStream(tok Tokenizer, text string) *Stream {
	s := &Stream{}
	text = strings.ReplaceAll(text, "\r\n", "\n")
	for _, doc := range strings.Split(text, "\n\n") {
		doc = strings.Trim(doc, "\n")
		if strings.TrimSpace(doc) == "" {
			continue
		}
		s.IDs = append(s.IDs, tok.Encode(doc, true, false)...)
		if e := tok.EOS(); e >= 0 {
			s.IDs = append(s.IDs, e)
		}
	}
	return s
}

// LoadDataset reads a training file: .jsonl/.json as JSONL examples,
// anything else as plain text.
func LoadDataset(path string, tok Tokenizer, chat ChatFormatter) (Dataset, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonl", ".json":
		return JSONLExamples(tok, path, data, chat)
	}
	s := TextStream(tok, string(data))
	if len(s.IDs) < 2 {
		return nil, fmt.Errorf("train: %s: too little text to train on", path)
	}
	return s, nil
}

// SplitValidation holds out the last frac of a data set for validation
// (tokens of a stream, examples of a supervised set).
func SplitValidation(d Dataset, frac float64) (train, valid Dataset) {
	switch d := d.(type) {
	case *Stream:
		cut := len(d.IDs) - int(float64(len(d.IDs))*frac)
		return &Stream{IDs: d.IDs[:cut]}, &Stream{IDs: d.IDs[cut:]}
	case *Examples:
		cut := len(d.Items) - max(1, int(float64(len(d.Items))*frac))
		if cut <= 0 {
			return d, nil
		}
		return &Examples{Items: d.Items[:cut]}, &Examples{Items: d.Items[cut:]}
	}
	return d, nil
}
