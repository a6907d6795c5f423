package train

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// jsonlRecord is one line of a JSONL data file, of one of three kinds:
// {"prompt", "completion"}, {"messages", "tools"} or {"text"}.
type jsonlRecord struct {
	Prompt     *string         `json:"prompt"`
	Completion *string         `json:"completion"`
	Messages   json.RawMessage `json:"messages"`
	Tools      json.RawMessage `json:"tools"`
	Text       *string         `json:"text"`
}

// parseJSONLLine decodes one line; exactly one of the returned values is
// set: a conversation, a prompt/completion pair, or a text.
func parseJSONLLine(line []byte) (conv *Conversation, pair *[2]string, text *string, err error) {
	var rec jsonlRecord
	if err := json.Unmarshal(line, &rec); err != nil {
		return nil, nil, nil, err
	}
	isChat := len(rec.Messages) > 0 && !bytes.Equal(rec.Messages, []byte("null"))
	kinds := 0
	for _, k := range []bool{isChat, rec.Completion != nil || rec.Prompt != nil, rec.Text != nil} {
		if k {
			kinds++
		}
	}
	switch {
	case kinds > 1:
		return nil, nil, nil, errors.New(`mixes "messages", "prompt"/"completion" and "text"; use one`)
	case isChat:
		c := &Conversation{}
		if err := json.Unmarshal(rec.Messages, &c.Messages); err != nil {
			return nil, nil, nil, fmt.Errorf("messages: %w", err)
		}
		if len(rec.Tools) > 0 && !bytes.Equal(rec.Tools, []byte("null")) {
			if err := json.Unmarshal(rec.Tools, &c.Tools); err != nil {
				return nil, nil, nil, fmt.Errorf("tools: %w", err)
			}
		}
		if err := c.Validate(); err != nil {
			return nil, nil, nil, err
		}
		return c, nil, nil, nil
	case rec.Completion != nil:
		p := [2]string{"", *rec.Completion}
		if rec.Prompt != nil {
			p[0] = *rec.Prompt
		}
		return nil, &p, nil, nil
	case rec.Prompt != nil:
		return nil, nil, nil, errors.New(`"prompt" without "completion"`)
	case rec.Text != nil:
		return nil, nil, rec.Text, nil
	}
	return nil, nil, nil, errors.New(`want {"messages": [...]}, {"prompt": ..., "completion": ...} or {"text": ...}`)
}

// JSONLExamples parses one JSON object per line, each line's kind found
// from its keys: {"prompt", "completion"} pairs (loss on the completion and
// the EOS after it), {"messages": [...], "tools": [...]} transcripts
// rendered by chat (loss on the assistant turns; nil chat: such lines are
// an error), or {"text"} documents (loss on all of it). Errors name the
// file and line.
func JSONLExamples(tok Tokenizer, name string, data []byte, chat ChatFormatter) (*Examples, error) {
	ex := &Examples{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<28)
	for line := 1; sc.Scan(); line++ {
		text := bytes.TrimSpace(sc.Bytes())
		if len(text) == 0 {
			continue
		}
		conv, pair, doc, err := parseJSONLLine(text)
		if err != nil {
			return nil, fmt.Errorf("train: %s line %d: %w", name, line, err)
		}
		var it Example
		switch {
		case conv != nil:
			if chat == nil {
				return nil, fmt.Errorf("train: %s line %d: chat messages need a chat template", name, line)
			}
			if it, err = chat(*conv); err != nil {
				return nil, fmt.Errorf("train: %s line %d: %w", name, line, err)
			}
		case pair != nil:
			it = pairExample(tok, pair[0], pair[1])
		default:
			it = pairExample(tok, "", *doc)
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

// pairExample tokenizes a prompt (BOS first) and a completion (EOS last),
// predicting the completion.
func pairExample(tok Tokenizer, prompt, completion string) Example {
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
	return it
}

// TrainOnInputs marks every token of a supervised set for the loss
// (prompts and user turns too); plain text streams are unchanged.
func TrainOnInputs(d Dataset) {
	if e, ok := d.(*Examples); ok {
		for _, it := range e.Items {
			for i := range it.Predict {
				it.Predict[i] = true
			}
		}
	}
}

// Truncated counts the examples of d longer than seq+1 tokens, whose tails
// training cuts off (plain text streams are windowed, never cut).
func Truncated(d Dataset, seq int) int {
	n := 0
	if e, ok := d.(*Examples); ok {
		for _, it := range e.Items {
			if len(it.IDs) > seq+1 {
				n++
			}
		}
	}
	return n
}
