package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/herdllm/herd/internal/testdata"
)

func runCmdOutput(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRunCmd()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(args)
	err := cmd.Execute()
	return out.String(), errOut.String(), err
}

func goldenText(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(testdata.Path(t, "stories260K", "golden-runc.json"))
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []struct{ Name, Text string } `json:"cases"`
	}
	if err := json.Unmarshal(b, &g); err != nil {
		t.Fatal(err)
	}
	for _, c := range g.Cases {
		if c.Name == name {
			return c.Text
		}
	}
	t.Fatalf("golden case %s missing", name)
	return ""
}

// TestRunBuiltinGolden runs `herd run --temp 0 -n 64 "Once upon a time"` on
// the built-in model: it prints run.c's story (run.c's 64 steps include the
// prompt, so its text is a prefix of herd's 64 new tokens).
func TestRunBuiltinGolden(t *testing.T) {
	want := goldenText(t, "prompt_once_upon_greedy_64")
	out, errOut, err := runCmdOutput(t, "", "--temp", "0", "-n", "64", "--verbose", "Once upon a time")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out, want) {
		t.Errorf("output\n%q\ndoes not start with\n%q", out, want)
	}
	for _, s := range []string{"loaded", "prompt: 5 tokens", "generated: 64 tokens", "tokens/s"} {
		if !strings.Contains(errOut, s) {
			t.Errorf("verbose output lacks %q:\n%s", s, errOut)
		}
	}
}

func TestRunArgs(t *testing.T) {
	gguf := testdata.Path(t, "stories260K", "stories260K-f32.gguf")
	for _, tt := range []struct {
		args        []string
		model, text string
		has         bool
	}{
		{nil, "", "", false},
		{[]string{"hello"}, "", "hello", true},
		{[]string{gguf}, gguf, "", false},
		{[]string{gguf, "hi"}, gguf, "hi", true},
	} {
		m, p, has := splitRunArgs(tt.args)
		if m != tt.model || p != tt.text || has != tt.has {
			t.Errorf("splitRunArgs(%q) = %q, %q, %v", tt.args, m, p, has)
		}
	}
}

func TestRunModelAndStdin(t *testing.T) {
	gguf := testdata.Path(t, "stories260K", "stories260K-q8_0.gguf")
	out, _, err := runCmdOutput(t, "Once upon a time\n", "--temp", "0", "-n", "8", "--stop", "little", gguf)
	if err != nil {
		t.Fatal(err)
	}
	if want := "Once upon a time, there was a \n"; out != want {
		t.Errorf("output %q, want %q", out, want)
	}
}

func TestRunContextErrors(t *testing.T) {
	long := strings.Repeat("the cat sat on the mat. ", 10)
	if _, _, err := runCmdOutput(t, "", "--ctx", "16", long); err == nil || !strings.Contains(err.Error(), "context") {
		t.Errorf("too-long prompt: %v", err)
	}
	out, errOut, err := runCmdOutput(t, "", "--ctx", "16", "--truncate", "--temp", "0", long)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(errOut, "dropping") || out == "" {
		t.Errorf("truncate: out %q, stderr %q", out, errOut)
	}
}
