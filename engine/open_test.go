package engine

import (
	"slices"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func TestExplicitTokenizer(t *testing.T) {
	m, err := Load(testdata.Path(t, "stories260K", "stories260K-f32.gguf"),
		Options{Threads: 1, TokenizerPath: testdata.Path(t, "stories260K", "tok512.model")})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if got := m.Tokenize("Once upon a time", true, false); !slices.Equal(got, []int{1, 403, 407, 261, 378}) {
		t.Errorf("tokens %v", got)
	}
}

func TestBuiltinFilesStable(t *testing.T) {
	a, err := builtinFiles()
	if err != nil {
		t.Fatal(err)
	}
	b, err := builtinFiles()
	if err != nil || a != b {
		t.Errorf("second call: %q, %v; first %q", b, err, a)
	}
}
