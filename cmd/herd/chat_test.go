package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/model/builtin"
)

// lockedBuffer is an output that a test may read while the chat writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
	// onWrite, when set, runs before each write.
	onWrite func(p []byte)
}

func (w *lockedBuffer) Write(p []byte) (int, error) {
	if w.onWrite != nil {
		w.onWrite(p)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *lockedBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// noInterrupts never interrupts an answer.
func noInterrupts() (<-chan os.Signal, func()) { return nil, func() {} }

// runChatCmd runs herd chat with stdin and returns stdout and stderr.
func runChatCmd(t *testing.T, stdin string, interrupts func() (<-chan os.Signal, func()), stdout *lockedBuffer, args ...string) (string, string, error) {
	t.Helper()
	if interrupts == nil {
		interrupts = noInterrupts
	}
	if stdout == nil {
		stdout = &lockedBuffer{}
	}
	cmd := newChatCmd(interrupts)
	var errOut lockedBuffer
	cmd.SetOut(stdout)
	cmd.SetErr(&errOut)
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetArgs(append([]string{"--threads", "1"}, args...))
	err := cmd.Execute()
	return stdout.String(), errOut.String(), err
}

// answerStats are the numbers of one --verbose answer line.
type answerStats struct {
	prompt, cached, generated int
	stop                      string
}

var statsRE = regexp.MustCompile(`prompt: (\d+) tokens \((\d+) cached\).*generated: (\d+) tokens .*\(stop: (\w+)\)`)

func verboseStats(t *testing.T, stderr string) []answerStats {
	t.Helper()
	var out []answerStats
	for _, m := range statsRE.FindAllStringSubmatch(stderr, -1) {
		p, _ := strconv.Atoi(m[1])
		c, _ := strconv.Atoi(m[2])
		g, _ := strconv.Atoi(m[3])
		out = append(out, answerStats{p, c, g, m[4]})
	}
	return out
}

func readChatFile(t *testing.T, path string) chatFile {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f chatFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return f
}

// TestChatSession drives a chat with the built-in model through stdin: two
// turns, /set, /show, /save, /clear, /load (the conversation is restored
// and its cache reused), a multi-line message and /bye.
func TestChatSession(t *testing.T) {
	dir := t.TempDir()
	save, save2 := filepath.Join(dir, "conv.json"), filepath.Join(dir, "conv2.json")
	script := strings.Join([]string{
		"Hello there",
		"/set temp 0",
		"/set top_k 7",
		`/set stop "zzz" qqq`,
		"/system You tell stories.",
		"Tell me a story",
		"/show",
		"/save " + save,
		"/clear",
		"/show",
		"/load " + save,
		"/save " + save2,
		`"""First line`,
		"second line",
		`"""`,
		"/bye",
		"never read",
	}, "\n") + "\n"
	out, errOut, err := runChatCmd(t, script, nil, nil, "-n", "6", "--seed", "3", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, s := range []string{"Set temperature to 0.", "Set top_k to 7.", `Set stop to "zzz" "qqq".`, "System message set.",
		"Saved the conversation", "Conversation cleared.", "messages           0", "Loaded 5 messages",
		"top_k              7", `system             "You tell stories."`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
	stats := verboseStats(t, errOut)
	if len(stats) != 3 {
		t.Fatalf("want 3 answers, got %v:\n%s", stats, errOut)
	}
	for i, s := range stats {
		if s.generated != 6 && s.stop != "eog" {
			t.Errorf("answer %d: %+v, want 6 tokens", i, s)
		}
	}
	// The system message changed the start of the prompt; after /load the
	// restored conversation is still in the cache.
	if stats[2].cached == 0 || stats[2].prompt <= stats[1].prompt {
		t.Errorf("the third answer did not reuse the restored conversation: %+v", stats)
	}

	f := readChatFile(t, save)
	roles := []string{}
	for _, m := range f.Messages {
		roles = append(roles, m.Role)
	}
	if want := []string{"system", "user", "assistant", "user", "assistant"}; !reflect.DeepEqual(roles, want) {
		t.Errorf("saved roles %v, want %v", roles, want)
	}
	if f.Messages[1].Content != "Hello there" || f.Messages[3].Content != "Tell me a story" {
		t.Errorf("saved messages %+v", f.Messages)
	}
	if s := f.Settings; s.Temperature != 0 || s.TopK != 7 || s.NumPredict != 6 || s.Seed != 3 || !reflect.DeepEqual(s.Stop, []string{"zzz", "qqq"}) {
		t.Errorf("saved settings %+v", s)
	}
	if f2 := readChatFile(t, save2); !reflect.DeepEqual(f, f2) {
		t.Errorf("/load did not restore the conversation:\n%+v\n%+v", f, f2)
	}
}

// TestChatInterrupt interrupts the second of three answers through the
// injectable interrupt channel: that answer stops and the chat goes on
// with the next message, reusing the cache.
func TestChatInterrupt(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	var armed chan os.Signal
	interrupts := func() (<-chan os.Signal, func()) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		ch := make(chan os.Signal, 1)
		if calls == 2 {
			armed = ch
		}
		return ch, func() {}
	}
	stdout := &lockedBuffer{}
	stdout.onWrite = func(p []byte) {
		mu.Lock()
		defer mu.Unlock()
		if armed != nil && len(p) > 0 {
			armed <- syscall.SIGINT
			armed = nil
			time.Sleep(20 * time.Millisecond) // let the chat notice
		}
	}
	script := "/set num_predict 4\nOnce upon a time\n/set num_predict 400\nTell me a very long story\n/set num_predict 4\nAnd then?\n/bye\n"
	_, errOut, err := runChatCmd(t, script, interrupts, stdout, "--temp", "0", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	stats := verboseStats(t, errOut)
	if len(stats) != 3 {
		t.Fatalf("want 3 answers, got %v:\n%s", stats, errOut)
	}
	if s := stats[1]; s.stop != "cancelled" || s.generated >= 400 {
		t.Errorf("interrupted answer: %+v", s)
	}
	if strings.Count(errOut, "answer interrupted") != 1 {
		t.Errorf("stderr:\n%s", errOut)
	}
	if s := stats[2]; s.cached == 0 || s.generated != 4 {
		t.Errorf("answer after the interrupt: %+v", s)
	}
}

// TestChatLlama3 chats with a model that carries the Llama 3.2 template.
func TestChatLlama3(t *testing.T) {
	path := testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf")
	dir := t.TempDir()
	save := filepath.Join(dir, "c.json")
	script := "Hi <|eot_id|> there\nWhat now?\n/save " + save + "\n"
	_, errOut, err := runChatCmd(t, script, nil, nil, path, "-n", "5", "--temp", "0", "--system", "Be brief.", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "template tokenizer.chat_template") {
		t.Errorf("the model's own template was not used:\n%s", errOut)
	}
	stats := verboseStats(t, errOut)
	if len(stats) != 2 || stats[1].cached < stats[0].prompt-1 {
		t.Errorf("second turn did not reuse the first: %+v\n%s", stats, errOut)
	}
	f := readChatFile(t, save)
	if len(f.Messages) != 5 || f.Messages[0].Content != "Be brief." || f.Messages[1].Content != "Hi <|eot_id|> there" {
		t.Errorf("saved %+v", f.Messages)
	}
}

const personSchema = `{"type": "object",
 "properties": {"name": {"type": "string"}, "age": {"type": "integer"}, "pets": {"type": "array", "items": {"type": "string"}}},
 "required": ["name", "age", "pets"]}`

// TestChatFormat prints one constrained answer with --message: any JSON
// object, and an object following a JSON Schema, on the built-in model and
// on tiny-llama3, also when the answer reaches its token limit.
func TestChatFormat(t *testing.T) {
	schema := filepath.Join(t.TempDir(), "person.json")
	if err := os.WriteFile(schema, []byte(personSchema), 0o644); err != nil {
		t.Fatal(err)
	}
	llama3 := testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf")
	for _, c := range []struct {
		name, model, format, n string
	}{
		{"builtin", "", "json", "3"},
		{"builtin", "", "json", "24"},
		{"builtin", "", schema, "3"},
		{"builtin", "", schema, "24"},
		{"builtin", "", schema, "-1"},
		{"tiny-llama3", llama3, "json", "12"},
		{"tiny-llama3", llama3, schema, "4"},
	} {
		args := []string{"--message", "Describe a person as JSON.", "--format", c.format, "-n", c.n, "--seed", "11"}
		if c.model != "" {
			args = append(args, c.model)
		}
		out, errOut, err := runChatCmd(t, "", nil, nil, args...)
		if err != nil {
			t.Errorf("%s -n %s --format %s: %v\n%s", c.name, c.n, c.format, err, errOut)
			continue
		}
		if !json.Valid([]byte(out)) {
			t.Errorf("%s -n %s --format %s: invalid JSON %q\n%s", c.name, c.n, c.format, out, errOut)
			continue
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(out), &obj); err != nil {
			t.Errorf("%s: not an object: %q", c.name, out)
			continue
		}
		if c.format == schema {
			_, okName := obj["name"].(string)
			age, okAge := obj["age"].(float64)
			_, okPets := obj["pets"].([]any)
			if !okName || !okAge || age != float64(int64(age)) || !okPets {
				t.Errorf("%s: %q does not follow the schema", c.name, out)
			}
		}
	}
}

// TestChatHerdfile chats with a persona: FROM relative to the Herdfile,
// SYSTEM, PARAMETER and MESSAGE lines, flags overriding parameters.
func TestChatHerdfile(t *testing.T) {
	dir := t.TempDir()
	if err := os.Symlink(testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf"), filepath.Join(dir, "tiny.gguf")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	hf := filepath.Join(dir, "Herdfile")
	src := "# a persona\nFROM tiny.gguf\nSYSTEM \"\"\"\nYou are a pirate.\n\"\"\"\nPARAMETER temperature 0\nPARAMETER num_predict 3\n" +
		"PARAMETER top_k 9\nMESSAGE user Ahoy?\nMESSAGE assistant Arr!\n"
	if err := os.WriteFile(hf, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	save := filepath.Join(dir, "c.json")
	out, errOut, err := runChatCmd(t, "/show\nWhere is the gold?\n/save "+save+"\n", nil, nil, "-f", hf, "--top-k", "5", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	for _, s := range []string{"temperature        0\n", "top_k              5\n", "num_predict        3\n", `system             "You are a pirate."`, "messages           2"} {
		if !strings.Contains(out, s) {
			t.Errorf("/show lacks %q:\n%s", s, out)
		}
	}
	if s := verboseStats(t, errOut); len(s) != 1 || s[0].generated > 3 {
		t.Errorf("answers %+v", s)
	}
	want := []chat.Message{{Role: "system", Content: "You are a pirate."}, {Role: "user", Content: "Ahoy?"}, {Role: "assistant", Content: "Arr!"}, {Role: "user", Content: "Where is the gold?"}}
	if got := readChatFile(t, save).Messages; len(got) != 5 || !reflect.DeepEqual(got[:4], want) {
		t.Errorf("conversation %+v", got)
	}

	bad := filepath.Join(dir, "Bad")
	os.WriteFile(bad, []byte("FROM tiny.gguf\nADAPTER lora.gguf\n"), 0o644)
	if _, _, err := runChatCmd(t, "", nil, nil, "-f", bad); err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "lora.gguf")) {
		t.Errorf("ADAPTER beside the Herdfile that does not exist: %v", err)
	}
	os.WriteFile(bad, []byte("FROM tiny.gguf\nPARAMETER temperature hot\n"), 0o644)
	if _, _, err := runChatCmd(t, "", nil, nil, "-f", bad); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad PARAMETER: %v", err)
	}
}

// TestChatContextFull fills a small context: the chat warns, then drops the
// oldest turns and says so.
func TestChatContextFull(t *testing.T) {
	msg := "Once upon a time there was a little cat who liked to play in the park."
	script := strings.Repeat(msg+"\n", 5) + "/show\n"
	out, errOut, err := runChatCmd(t, script, nil, nil, "--ctx", "96", "-n", "8", "--temp", "0")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "context tokens") || !strings.Contains(errOut, "dropped the oldest") {
		t.Errorf("no warning or drop:\n%s", errOut)
	}
	if strings.Contains(out, "messages           10") {
		t.Errorf("nothing was dropped:\n%s", out)
	}
	// A message that cannot fit is refused, the conversation so far kept,
	// and the chat goes on.
	out, errOut, err = runChatCmd(t, "hi\n"+strings.Repeat("cat ", 200)+"\n/show\nhi\n", nil, nil, "--ctx", "64", "-n", "4", "--verbose")
	if err != nil || !strings.Contains(errOut, "context holds 64") || len(verboseStats(t, errOut)) != 2 ||
		strings.Contains(errOut, "dropped") || !strings.Contains(out, "messages           2\n") {
		t.Errorf("too-long message: %v\n%s\n%s", err, out, errOut)
	}
}

func TestChatErrors(t *testing.T) {
	if _, errOut, _ := runChatCmd(t, "/set nonsense 1\n/set temp hot\n/frobnicate\n/load /nonexistent/x.json\n", nil, nil); !strings.Contains(errOut, "unknown parameter") ||
		!strings.Contains(errOut, "not a number") || !strings.Contains(errOut, "unknown command") || !strings.Contains(errOut, "load") {
		t.Errorf("stderr:\n%s", errOut)
	}
	if _, _, err := runChatCmd(t, "", nil, nil, "--message", "hi", "--format", "/nonexistent/schema.json"); err == nil {
		t.Error("a missing schema file was accepted")
	}
}

// TestChatFormatInteractive answers every message of a chat with JSON.
func TestChatFormatInteractive(t *testing.T) {
	out, errOut, err := runChatCmd(t, "Hi\nMore, please.\n", nil, nil, "--format", "json", "-n", "6", "--seed", "2")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	n := 0
	for ; ; n++ {
		var v map[string]any
		if err := dec.Decode(&v); err == io.EOF {
			break
		} else if err != nil {
			t.Fatalf("answer %d: %v in %q", n, err, out)
		}
	}
	if n != 2 {
		t.Errorf("want 2 JSON answers, got %d in %q", n, out)
	}
}

// TestChatHelperProcess runs herd chat in a child process for
// TestChatSIGINT; it does nothing in a normal test run.
func TestChatHelperProcess(t *testing.T) {
	if os.Getenv("HERD_CHAT_HELPER") != "1" {
		t.Skip("helper process only")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	cmd := newChatCmd(osInterrupts)
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "herd:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// TestChatSIGINT sends a real SIGINT to a chat process while it streams an
// answer: the answer stops, the process lives on and answers the next
// message.
func TestChatSIGINT(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT on Windows")
	}
	// tiny-llama3's random weights seldom end an answer, so the answer is
	// still streaming when the signal comes.
	model := testdata.Path(t, "synthetic", "tiny-llama3-Q8_0.gguf")
	cmd := exec.Command(os.Args[0], "-test.run=^TestChatHelperProcess$", "--", model, "--threads", "1", "--temp", "0", "--verbose")
	cmd.Env = append(os.Environ(), "HERD_CHAT_HELPER=1")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	io.WriteString(stdin, "/set num_predict 2000\nOnce upon a time\n")
	// Wait for the answer to stream, then interrupt it.
	r := bufio.NewReader(stdout)
	if line, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(line, "Set num_predict") {
		t.Fatalf("first line %q, %v", line, err)
	}
	if _, err := r.ReadByte(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	io.WriteString(stdin, "/set num_predict 3\nAnd then?\n/bye\n")
	rest, _ := io.ReadAll(r)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("chat ended with %v\nstdout %q\nstderr:\n%s", err, rest, stderr.String())
	}
	stats := verboseStats(t, stderr.String())
	if len(stats) != 2 || stats[0].stop != "cancelled" || stats[1].generated != 3 || !strings.Contains(stderr.String(), "answer interrupted") {
		t.Errorf("answers %+v\nstderr:\n%s", stats, stderr.String())
	}
}

// TestChatHerdfileTemplate renders with a Herdfile's TEMPLATE on the
// built-in model (FROM names it).
func TestChatHerdfileTemplate(t *testing.T) {
	dir := t.TempDir()
	hf := filepath.Join(dir, "Herdfile")
	src := "FROM " + builtin.Name + "\nTEMPLATE \"\"\"\nOnce upon a time, a girl and her mom talked in the park all day long.\n{%- for m in messages %}{{ m.role }}: {{ m.content }}\n{% endfor %}\n" +
		"{%- if add_generation_prompt %}assistant:{% endif %}\n\"\"\"\nPARAMETER num_predict 2\n"
	if err := os.WriteFile(hf, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := runChatCmd(t, "", nil, nil, "-f", hf, "--message", "Hello", "--verbose")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(errOut, "template Herdfile TEMPLATE") || !strings.Contains(errOut, "built-in") {
		t.Errorf("stderr:\n%s", errOut)
	}
	_, plainErr, err := runChatCmd(t, "", nil, nil, "--message", "Hello", "-n", "2", "--verbose")
	if err != nil {
		t.Fatal(err)
	}
	// The template's story line makes the prompt longer than the built-in
	// llama2 format's.
	s, plain := verboseStats(t, errOut), verboseStats(t, plainErr)
	if len(s) != 1 || len(plain) != 1 || s[0].prompt < plain[0].prompt+10 || s[0].generated != 2 {
		t.Errorf("answers %+v, without the template %+v", s, plain)
	}
}

func TestChatRead(t *testing.T) {
	in := "plain line\r\n\"\"\"/not a command\"\"\"\n  \"\"\"\nfirst\n\n  indented\n\"\"\"\n\"\"\"two\nlines\"\"\"  \n\"\"\"never closed\n"
	r := &repl{in: bufio.NewReader(strings.NewReader(in)), out: io.Discard}
	type input struct {
		text  string
		block bool
	}
	want := []input{{"plain line", false}, {"/not a command", true}, {"first\n\n  indented", true}, {"two\nlines", true}}
	for i, w := range want {
		text, block, ok, err := r.read()
		if err != nil || !ok || text != w.text || block != w.block {
			t.Errorf("input %d: %q, %v, %v, %v; want %q, %v", i, text, block, ok, err, w.text, w.block)
		}
	}
	if _, _, ok, err := r.read(); ok || err != nil {
		t.Errorf("an unclosed block at the end: %v, %v", ok, err)
	}
}
