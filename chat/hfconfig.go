package chat

import (
	"encoding/json"
	"fmt"
)

// HFConfig is what a Hugging Face tokenizer_config.json says about chat
// prompts.
type HFConfig struct {
	Template *Template // nil when the file has no chat template
	BOS, EOS string    // bos_token and eos_token texts
}

// ParseHFConfig reads a tokenizer_config.json: chat_template (a string, or
// a list of {"name", "template"} from which "default" is taken), and
// bos_token/eos_token (strings or {"content": ...} objects).
func ParseHFConfig(data []byte) (*HFConfig, error) {
	var raw struct {
		ChatTemplate json.RawMessage `json:"chat_template"`
		BOS          json.RawMessage `json:"bos_token"`
		EOS          json.RawMessage `json:"eos_token"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("chat: tokenizer_config.json: %w", err)
	}
	cfg := &HFConfig{}
	var err error
	if cfg.BOS, err = tokenText(raw.BOS); err != nil {
		return nil, fmt.Errorf("chat: tokenizer_config.json: bos_token: %w", err)
	}
	if cfg.EOS, err = tokenText(raw.EOS); err != nil {
		return nil, fmt.Errorf("chat: tokenizer_config.json: eos_token: %w", err)
	}
	src, err := templateSource(raw.ChatTemplate)
	if err != nil {
		return nil, fmt.Errorf("chat: tokenizer_config.json: chat_template: %w", err)
	}
	if src != "" {
		if cfg.Template, err = New("chat_template", src); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}

func tokenText(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var obj struct {
		Content string `json:"content"`
	}
	if err := json.Unmarshal(raw, &obj); err != nil {
		return "", fmt.Errorf("neither a string nor an object with content")
	}
	return obj.Content, nil
}

func templateSource(raw json.RawMessage) (string, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return "", nil
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var list []struct {
		Name     string `json:"name"`
		Template string `json:"template"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return "", fmt.Errorf("neither a string nor a list of named templates")
	}
	for _, t := range list {
		if t.Name == "default" {
			return t.Template, nil
		}
	}
	if len(list) > 0 {
		return list[0].Template, nil
	}
	return "", nil
}
