package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/tensor"
	"github.com/herdllm/herd/train"
)

func mergeCmdOutput(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := newMergeCmd()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&out)
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), err
}

// writeTestAdapter saves a random rank-4 adapter of every stories260K
// projection in llama.cpp's layout.
func writeTestAdapter(t *testing.T, path string, seed uint64) {
	t.Helper()
	m, f, err := train.OpenBase(testdata.Path(t, "stories260K", "stories260K.bin"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.AddLoRA(train.LoRAOptions{Rank: 4, Alpha: 8, Targets: train.AllLoRATargets}, seed); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	for _, p := range m.Adapters() {
		for i := range p.LoRA.B.W {
			p.LoRA.B.W[i] = float32(rng.NormFloat64() * 0.05)
		}
	}
	if err := m.SaveAdapter(path, "test", nil); err != nil {
		t.Fatal(err)
	}
}

// TestMergeCommand merges an adapter into the llama2.c checkpoint: the
// merged model writes what the base writes with --lora, and a Q8_0 merge
// runs.
func TestMergeCommand(t *testing.T) {
	dir := t.TempDir()
	base := testdata.Path(t, "stories260K", "stories260K.bin")
	adapter := filepath.Join(dir, "adapter.gguf")
	writeTestAdapter(t, adapter, 3)
	merged := filepath.Join(dir, "merged.gguf")
	out, err := mergeCmdOutput(t, base, adapter+":0.8", "-o", merged, "--threads", "2")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "35 weight updates") {
		t.Errorf("merge says %q", out)
	}
	story := func(args ...string) string {
		t.Helper()
		out, _, err := runCmdOutput(t, "", append(args, "--temp", "0", "-n", "24", "--threads", "1", "Once upon a time")...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	plain, tuned := story(base), story(base, "--lora", adapter+":0.8")
	if plain == tuned {
		t.Fatalf("the adapter does not change the story: %q", plain)
	}
	if got := story(merged); got != tuned {
		t.Errorf("merged model writes\n%q\nthe base with --lora writes\n%q", got, tuned)
	}

	q8 := filepath.Join(dir, "q8.gguf")
	if _, err := mergeCmdOutput(t, base, adapter, "-o", q8, "--type", "q8_0"); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(q8)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if ti, ok := f.Tensor("blk.0.attn_q.weight"); !ok || ti.Type != tensor.Q8_0 {
		t.Errorf("attn_q of the Q8_0 merge: %+v", ti)
	}
	if s := story(q8); len(s) <= len("Once upon a time") {
		t.Errorf("Q8_0 merge writes %q", s)
	}
}

func TestMergeCommandErrors(t *testing.T) {
	dir := t.TempDir()
	base := testdata.Path(t, "stories260K", "stories260K.bin")
	adapter := filepath.Join(dir, "adapter.gguf")
	writeTestAdapter(t, adapter, 4)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{base, adapter}, "no output file"},
		{[]string{base, adapter, "-o", filepath.Join(dir, "x.gguf"), "--type", "Q9"}, "--type Q9"},
		{[]string{base, filepath.Join(dir, "none.gguf"), "-o", filepath.Join(dir, "x.gguf")}, "none.gguf"},
		{[]string{base, testdata.Path(t, "stories260K", "stories260K-f32.gguf"), "-o", filepath.Join(dir, "x.gguf")}, "general.type"},
		{[]string{testdata.Path(t, "stories260K", "stories260K-f32.gguf"), adapter + ":x", "-o", filepath.Join(dir, "x.gguf")}, "adapter.gguf:x"},
	} {
		if _, err := mergeCmdOutput(t, c.args...); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("herd merge %v: %v, want an error saying %q", c.args, err, c.want)
		}
	}
	if _, _, err := runCmdOutput(t, "", base, "--lora", filepath.Join(dir, "none.gguf"), "hi"); err == nil || !strings.Contains(err.Error(), "none.gguf") {
		t.Errorf("run --lora with a missing file: %v", err)
	}
}

// TestChatLoRA answers one message with the built-in model, with and
// without an adapter given by --lora and by a Herdfile's ADAPTER line.
func TestChatLoRA(t *testing.T) {
	dir := t.TempDir()
	adapter := filepath.Join(dir, "adapter.gguf")
	writeTestAdapter(t, adapter, 5)
	answer := func(args ...string) string {
		t.Helper()
		out, _, err := runChatCmd(t, "", nil, nil, append(args, "--message", "Tell me a story", "--temp", "0", "-n", "16")...)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	plain, tuned := answer(), answer("--lora", adapter)
	if plain == tuned {
		t.Fatalf("the adapter does not change the answer: %q", plain)
	}
	hf := filepath.Join(dir, "Herdfile")
	if err := os.WriteFile(hf, []byte("FROM builtin\nADAPTER adapter.gguf\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := answer("-f", hf); got != tuned {
		t.Errorf("Herdfile ADAPTER answers %q, --lora %q", got, tuned)
	}
	if got := answer("--lora", adapter+":0"); got != plain {
		t.Errorf("scale 0 answers %q, no adapter %q", got, plain)
	}
}
