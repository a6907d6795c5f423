package engine

import (
	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/weights"
)

// Path returns the file or directory the model was loaded from (for the
// built-in model, where its files were unpacked).
func (m *Model) Path() string { return m.file.Path }

// Describe summarises the model file: architecture, size, encoding,
// hyperparameters, vocabulary and tensors.
func (m *Model) Describe() *weights.Summary { return weights.Describe(m.file) }

// ChatTemplate returns the model's chat template: its own
// tokenizer.chat_template when it has one, else the built-in format its
// vocabulary was made for.
func (m *Model) ChatTemplate() (*chat.Template, error) {
	src, _ := m.file.Meta.String("tokenizer.chat_template")
	return chat.ForModel(src, func(piece string) bool {
		_, ok := m.tok.TokenID(piece)
		return ok
	})
}

// HasChatTemplate reports whether the model file carries its own chat
// template.
func (m *Model) HasChatTemplate() bool {
	src, _ := m.file.Meta.String("tokenizer.chat_template")
	return src != ""
}

// Metadata returns the model file's metadata in GGUF's vocabulary (read
// only).
func (m *Model) Metadata() *gguf.Metadata { return m.file.Meta }
