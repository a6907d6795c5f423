package train

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
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

// ChatMessage is one turn of a chat transcript.
type ChatMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// ChatFormatter renders a chat transcript as a prompt (everything the model
// is given) and a completion (the final assistant turn it learns to write).
// Chat data needs one; the CLI supplies it from the base model's template.
type ChatFormatter func(messages []ChatMessage) (prompt, completion string, err error)

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

// JSONLExamples parses one JSON object per line: {"prompt", "completion"}
// pairs, or {"messages": [...]} transcripts rendered by chat (nil: chat
// lines are an error). Only completion tokens (and the EOS after them) are
// trained on.
func JSONLExamples(tok Tokenizer, name string, data []byte, chat ChatFormatter) (*Examples, error) {
	ex := &Examples{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		var rec struct {
			Prompt     *string       `json:"prompt"`
			Completion *string       `json:"completion"`
			Messages   []ChatMessage `json:"messages"`
		}
		if err := json.Unmarshal(text, &rec); err != nil {
			return nil, fmt.Errorf("train: %s line %d: %w", name, line, err)
		}
		var prompt, completion string
		switch {
		case rec.Messages != nil:
			if chat == nil {
				return nil, fmt.Errorf("train: %s line %d: chat messages need a chat template", name, line)
			}
			var err error
			if prompt, completion, err = chat(rec.Messages); err != nil {
				return nil, fmt.Errorf("train: %s line %d: %w", name, line, err)
			}
		case rec.Completion != nil:
			completion = *rec.Completion
			if rec.Prompt != nil {
				prompt = *rec.Prompt
			}
		default:
			return nil, fmt.Errorf("train: %s line %d: want \"prompt\"/\"completion\" or \"messages\"", name, line)
		}
		p := tok.Encode(prompt, true, false)
		c := tok.Encode(completion, false, false)
		if prompt == "" {
			c = tok.Encode(completion, true, false)
			p = nil
		}
		if e := tok.EOS(); e >= 0 {
			c = append(c, e)
		}
		it := Example{IDs: append(p, c...), Predict: make([]bool, len(p)+len(c))}
		for i := len(p); i < len(it.IDs); i++ {
			it.Predict[i] = true
		}
		if len(p) == 0 && len(it.IDs) > 0 && it.IDs[0] == tok.BOS() {
			it.Predict[0] = false
		}
		ex.Items = append(ex.Items, it)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("train: %s: %w", name, err)
	}
	if len(ex.Items) == 0 {
		return nil, fmt.Errorf("train: %s: no examples", name)
	}
	return ex, nil
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
