package engine

import (
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func TestChatTemplateSource(t *testing.T) {
	m, err := Load(testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"), Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if src := m.ChatTemplateSource(); !strings.Contains(src, "<|start_header_id|>") {
		t.Errorf("tiny-llama3 template: %.80q", src)
	}
	b, err := Load("", Options{Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if src := b.ChatTemplateSource(); src != "" {
		t.Errorf("built-in model has a template: %.80q", src)
	}
}
