package tokenizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// hfTokenizer is the part of a Hugging Face tokenizer.json that is read.
type hfTokenizer struct {
	AddedTokens []struct {
		ID      int    `json:"id"`
		Content string `json:"content"`
		Special bool   `json:"special"`
		LStrip  bool   `json:"lstrip"`
		RStrip  bool   `json:"rstrip"`
	} `json:"added_tokens"`
	PreTokenizer  *hfStep `json:"pre_tokenizer"`
	PostProcessor *hfStep `json:"post_processor"`
	Model         struct {
		Type         string          `json:"type"`
		Vocab        map[string]int  `json:"vocab"`
		Merges       json.RawMessage `json:"merges"`
		IgnoreMerges bool            `json:"ignore_merges"`
	} `json:"model"`
}

// hfStep is a pre-tokenizer or post-processor node.
type hfStep struct {
	Type          string    `json:"type"`
	PreTokenizers []*hfStep `json:"pretokenizers"`
	Processors    []*hfStep `json:"processors"`
	Pattern       struct {
		Regex  *string `json:"Regex"`
		String *string `json:"String"`
	} `json:"pattern"`
	UseRegex         *bool `json:"use_regex"`
	IndividualDigits bool  `json:"individual_digits"`
	Single           []struct {
		SpecialToken *struct {
			ID string `json:"id"`
		} `json:"SpecialToken"`
		Sequence *struct{} `json:"Sequence"`
	} `json:"single"`
}

// hfConfig is the part of tokenizer_config.json that is read.
type hfConfig struct {
	BOS    json.RawMessage `json:"bos_token"`
	EOS    json.RawMessage `json:"eos_token"`
	AddBOS *bool           `json:"add_bos_token"`
	AddEOS *bool           `json:"add_eos_token"`
}

// maxVocab bounds the vocabulary size a tokenizer.json may declare.
const maxVocab = 1 << 21

// ParseHFTokenizer reads a Hugging Face tokenizer.json holding a byte-level
// BPE model. The pre-tokenizer is recognised from its split regex; config,
// the tokenizer_config.json beside it (may be nil), names BOS and EOS.
func ParseHFTokenizer(data, config []byte) (Vocab, error) {
	v := Vocab{Kind: BPE, BOS: -1, EOS: -1, UNK: -1, PAD: -1, EOT: -1, EOM: -1}
	var h hfTokenizer
	if err := json.Unmarshal(data, &h); err != nil {
		return v, err
	}
	if h.Model.Type != "BPE" {
		return v, fmt.Errorf("model type %q is not supported (want BPE)", h.Model.Type)
	}
	patterns, byteLevel := h.PreTokenizer.patterns()
	if !byteLevel {
		return v, errors.New("not a byte-level BPE (no ByteLevel pre-tokenizer); load the SentencePiece tokenizer.model instead")
	}
	if name, ok := preForPatterns(patterns); ok {
		v.Pre = name
	} else {
		v.Pre, v.PrePatterns = "", patterns
	}
	n := 0
	for _, id := range h.Model.Vocab {
		n = max(n, id+1)
	}
	for _, a := range h.AddedTokens {
		n = max(n, a.ID+1)
	}
	if n == 0 || n > maxVocab {
		return v, fmt.Errorf("vocabulary size %d", n)
	}
	v.Tokens = make([]string, n)
	v.Types = make([]TokenType, n)
	for i := range v.Tokens {
		v.Tokens[i] = fmt.Sprintf("[PAD%d]", i)
		v.Types[i] = TypeUnused
	}
	for s, id := range h.Model.Vocab {
		if id < 0 {
			return v, fmt.Errorf("token %q has id %d", s, id)
		}
		v.Tokens[id], v.Types[id] = s, TypeNormal
	}
	for _, a := range h.AddedTokens {
		if a.ID < 0 {
			return v, fmt.Errorf("added token %q has id %d", a.Content, a.ID)
		}
		v.Tokens[a.ID], v.Types[a.ID] = a.Content, TypeUserDefined
		if a.Special {
			v.Types[a.ID] = TypeControl
		}
		if a.LStrip {
			if v.LStrip == nil {
				v.LStrip = map[int]bool{}
			}
			v.LStrip[a.ID] = true
		}
		if a.RStrip {
			if v.RStrip == nil {
				v.RStrip = map[int]bool{}
			}
			v.RStrip[a.ID] = true
		}
	}
	merges, err := parseMerges(h.Model.Merges)
	if err != nil {
		return v, err
	}
	v.Merges = merges
	v.IgnoreMerges = h.Model.IgnoreMerges
	v.AddBOS = preTokenizers[v.Pre].addBOS
	find := func(s string) int {
		for i, p := range v.Tokens {
			if p == s {
				return i
			}
		}
		return -1
	}
	if bos := h.PostProcessor.bosToken(); bos != "" {
		v.BOS, v.AddBOS = find(bos), true
	}
	if config != nil {
		var c hfConfig
		if err := json.Unmarshal(config, &c); err != nil {
			return v, fmt.Errorf("tokenizer_config.json: %w", err)
		}
		if s := tokenContent(c.BOS); s != "" {
			v.BOS = find(s)
		}
		if s := tokenContent(c.EOS); s != "" {
			v.EOS = find(s)
		}
		if c.AddBOS != nil {
			v.AddBOS = *c.AddBOS
		}
		if c.AddEOS != nil {
			v.AddEOS = *c.AddEOS
		}
	}
	return v, nil
}

// patterns lists the split patterns of a pre-tokenizer in order, and
// whether it is byte-level.
func (s *hfStep) patterns() (patterns []string, byteLevel bool) {
	if s == nil {
		return nil, false
	}
	switch s.Type {
	case "Sequence":
		for _, p := range s.PreTokenizers {
			pp, bl := p.patterns()
			patterns = append(patterns, pp...)
			byteLevel = byteLevel || bl
		}
	case "Split":
		if s.Pattern.Regex != nil {
			patterns = append(patterns, *s.Pattern.Regex)
		} else if s.Pattern.String != nil {
			patterns = append(patterns, regexp.QuoteMeta(*s.Pattern.String))
		}
	case "Digits":
		if s.IndividualDigits {
			patterns = append(patterns, `\p{N}`)
		} else {
			patterns = append(patterns, `\p{N}+`)
		}
	case "ByteLevel":
		byteLevel = true
		if s.UseRegex == nil || *s.UseRegex {
			patterns = append(patterns, patternGPT2)
		}
	}
	return patterns, byteLevel
}

// bosToken returns the special token a TemplateProcessing post-processor
// puts before a single sequence, or "".
func (s *hfStep) bosToken() string {
	if s == nil {
		return ""
	}
	if s.Type == "Sequence" {
		for _, p := range s.Processors {
			if b := p.bosToken(); b != "" {
				return b
			}
		}
		return ""
	}
	if s.Type == "TemplateProcessing" && len(s.Single) > 1 && s.Single[0].SpecialToken != nil {
		return s.Single[0].SpecialToken.ID
	}
	return ""
}

// tokenContent reads a token given as a string or as {"content": …}.
func tokenContent(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var obj struct {
		Content string `json:"content"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Content
	}
	return ""
}

// parseMerges reads merges written as "a b" strings or as ["a", "b"] pairs.
func parseMerges(raw json.RawMessage) ([]string, error) {
	if len(raw) == 0 {
		return nil, errors.New("no merges")
	}
	var flat []string
	if err := json.Unmarshal(raw, &flat); err == nil {
		return flat, nil
	}
	var pairs [][]string
	if err := json.Unmarshal(raw, &pairs); err != nil {
		return nil, fmt.Errorf("merges: %w", err)
	}
	out := make([]string, len(pairs))
	for i, p := range pairs {
		if len(p) != 2 {
			return nil, fmt.Errorf("merge %d has %d parts", i, len(p))
		}
		if strings.Contains(p[0], " ") || strings.Contains(p[1], " ") {
			return nil, fmt.Errorf("merge %d: part holds a space", i)
		}
		out[i] = p[0] + " " + p[1]
	}
	return out, nil
}
