package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/internal/testdata"
	"github.com/herdllm/herd/sample"
	"github.com/herdllm/herd/train"
)

const adapterPrompt = "Once upon a time"

// writeAdapter saves a random rank-4 adapter of the stories260K model (the
// built-in one) made with the train package; B is random because a fresh
// adapter's B is zero.
func writeAdapter(t *testing.T, path string) {
	t.Helper()
	writeAdapterOf(t, testdata.Path(t, "stories260K", "stories260K.bin"), path)
}

// writeAdapterOf saves a random rank-4 adapter of the base model file.
func writeAdapterOf(t *testing.T, base, path string) {
	t.Helper()
	m, f, err := train.OpenBase(base, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := m.AddLoRA(train.LoRAOptions{Rank: 4, Alpha: 4}, 5); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	for _, p := range m.Adapters() {
		for i := range p.LoRA.B.W {
			p.LoRA.B.W[i] = float32(rng.NormFloat64() * 0.3)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := m.SaveAdapter(path, "test", nil); err != nil {
		t.Fatal(err)
	}
}

// greedyText generates from the built-in model with adapters through the
// engine, as the server's expected answer.
func greedyText(t *testing.T, adapters []engine.LoRA, maxTokens int) string {
	t.Helper()
	m, err := engine.Load("", engine.Options{Threads: 1, LoRA: adapters})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	o := sample.Defaults()
	o.Temperature = 0
	res, err := m.Generate(context.Background(), engine.GenerateRequest{Prompt: adapterPrompt, Sampling: o, MaxTokens: maxTokens}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return res.Text
}

// completion asks /v1/completions for a greedy completion with an extra
// JSON member (such as the adapters), returning status and text.
func completion(t *testing.T, url, extra string, maxTokens int) (int, string, []byte) {
	t.Helper()
	body := fmt.Sprintf(`{"model":"stories260K","prompt":%q,"max_tokens":%d,"temperature":0%s}`, adapterPrompt, maxTokens, extra)
	code, _, b := post(t, url+"/v1/completions", body)
	if code != http.StatusOK {
		return code, "", b
	}
	var res struct{ Choices []struct{ Text string } }
	decode(t, b, &res)
	if len(res.Choices) != 1 {
		t.Fatalf("completion: %s", b)
	}
	return code, res.Choices[0].Text, b
}

// adapterSetup makes a models directory (empty: the built-in model is
// served) with an adapter in its adapters subdirectory.
func adapterSetup(t *testing.T) (dir, adapter string) {
	dir = t.TempDir()
	adapter = filepath.Join(dir, "adapters", "tuned.gguf")
	writeAdapter(t, adapter)
	return dir, adapter
}

func TestRequestAdapters(t *testing.T) {
	dir, adapter := adapterSetup(t)
	const n = 24
	base := greedyText(t, nil, n)
	tuned := greedyText(t, []engine.LoRA{{Path: adapter, Scale: 1}}, n)
	if base == tuned {
		t.Fatalf("the adapter does not change the greedy text %q", base)
	}
	srv, ts := newTestServer(t, Config{ModelsDir: dir})

	// With and without the adapter at the same time, twice each.
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			extra, want := "", base
			if i%2 == 1 {
				extra, want = `,"adapters":["adapters/tuned.gguf"]`, tuned
			}
			code, got, body := completion(t, ts.URL, extra, n)
			if code != http.StatusOK || got != want {
				t.Errorf("request %d (%s): status %d, text %q; want %q (%s)", i, extra, code, got, want, body)
			}
		})
	}
	wg.Wait()
	if len(srv.models.running()) != 2 {
		t.Errorf("%d instances loaded, want the model with and without the adapter", len(srv.models.running()))
	}

	// The object form and an absolute path select the same instance; the
	// Ollama API takes the same field.
	body := fmt.Sprintf(`{"model":"stories260K","prompt":%q,"raw":true,"stream":false,"options":{"temperature":0,"num_predict":%d},"adapters":[{"path":%q,"scale":1}]}`,
		adapterPrompt, n, adapter)
	code, _, b := post(t, ts.URL+"/api/generate", body)
	var ol struct{ Response string }
	decode(t, b, &ol)
	if code != http.StatusOK || ol.Response != tuned {
		t.Errorf("/api/generate with the adapter: status %d, %q; want %q", code, ol.Response, tuned)
	}
	if len(srv.models.running()) != 2 {
		t.Errorf("%d instances loaded after the same adapter by absolute path, want 2", len(srv.models.running()))
	}
	_, _, ps := get(t, ts.URL+"/api/ps")
	if !strings.Contains(string(ps), `"adapters":"tuned.gguf:1"`) {
		t.Errorf("/api/ps does not list the adapter: %s", ps)
	}

	// Scale 0 turns the adapter off.
	if code, got, b := completion(t, ts.URL, `,"adapters":["adapters/tuned.gguf:0"]`, n); code != http.StatusOK || got != base {
		t.Errorf("scale 0: status %d, %q; want %q (%s)", code, got, base, b)
	}

	// Adapter sets beyond the limit unload idle ones.
	for i := range maxAdapterSets + 2 {
		extra := fmt.Sprintf(`,"adapters":["adapters/tuned.gguf:%g"]`, 0.1*float64(i+1))
		if code, _, b := completion(t, ts.URL, extra, 1); code != http.StatusOK {
			t.Fatalf("adapter set %d: status %d, %s", i, code, b)
		}
	}
	sets := 0
	for _, inst := range srv.models.running() {
		if len(inst.adapters) > 0 {
			sets++
		}
	}
	if sets > maxAdapterSets {
		t.Errorf("%d adapter sets loaded, more than %d", sets, maxAdapterSets)
	}
}

func TestServerAdapters(t *testing.T) {
	dir, adapter := adapterSetup(t)
	const n = 16
	tuned := greedyText(t, []engine.LoRA{{Path: adapter, Scale: 0.5}}, n)
	_, ts := newTestServer(t, Config{ModelsDir: dir, LoRA: []engine.LoRA{{Path: adapter, Scale: 0.5}}})
	if code, got, b := completion(t, ts.URL, "", n); code != http.StatusOK || got != tuned {
		t.Errorf("server adapter: status %d, %q; want %q (%s)", code, got, tuned, b)
	}
	if _, err := New(Config{ModelsDir: dir, LoRA: []engine.LoRA{{Path: filepath.Join(dir, "none.gguf"), Scale: 1}}}); err == nil {
		t.Errorf("a missing server adapter is accepted")
	}
}

func TestAdapterErrors(t *testing.T) {
	dir, adapter := adapterSetup(t)
	if err := os.WriteFile(filepath.Join(dir, "adapters", "junk.gguf"), []byte("GGUF but not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	writeAdapterOf(t, testdata.Path(t, "synthetic", "tiny-k-F32.gguf"), filepath.Join(dir, "adapters", "other.gguf"))
	outside := filepath.Join(t.TempDir(), "elsewhere.gguf")
	writeAdapter(t, outside)
	if err := os.Symlink(outside, filepath.Join(dir, "adapters", "link.gguf")); err != nil {
		t.Fatal(err)
	}
	_, ts := newTestServer(t, Config{ModelsDir: dir})
	cases := []struct {
		adapters string
		status   int
	}{
		{`["adapters/junk.gguf"]`, http.StatusBadRequest},      // not an adapter
		{`["adapters/other.gguf"]`, http.StatusBadRequest},     // another model's
		{`["adapters/none.gguf"]`, http.StatusBadRequest},      // no such file
		{`["adapters"]`, http.StatusBadRequest},                // a directory
		{`[{"scale":1}]`, http.StatusBadRequest},               // no path
		{`["adapters/tuned.gguf:x:y"]`, http.StatusBadRequest}, // no such file "tuned.gguf:x:y"
		{`3`, http.StatusBadRequest},
		{`[3]`, http.StatusBadRequest},
		{fmt.Sprintf("[%q]", outside), http.StatusForbidden},
		{`["../` + filepath.Base(filepath.Dir(outside)) + `/elsewhere.gguf"]`, http.StatusForbidden},
		{`["adapters/link.gguf"]`, http.StatusForbidden}, // a link leading outside
	}
	for _, c := range cases {
		code, _, b := completion(t, ts.URL, `,"adapters":`+c.adapters, 4)
		if code != c.status || !strings.Contains(string(b), `"param":"adapters"`) {
			t.Errorf("adapters %s: status %d, %s; want %d about adapters", c.adapters, code, b, c.status)
		}
	}
	// Ollama's error style, on both Ollama endpoints; chat checks adapters
	// on /v1/chat/completions too.
	for _, ep := range []string{"/api/generate", "/api/chat", "/v1/chat/completions"} {
		body := `{"model":"stories260K","prompt":"x","messages":[{"role":"user","content":"x"}],"stream":false,"adapters":["adapters/junk.gguf"]}`
		code, _, b := post(t, ts.URL+ep, body)
		if code != http.StatusBadRequest || !strings.Contains(string(b), `"error"`) {
			t.Errorf("%s with a broken adapter: status %d, %s", ep, code, b)
		}
	}
	// An adapters directory of its own moves the boundary.
	_, ts2 := newTestServer(t, Config{ModelsDir: dir, AdaptersDir: filepath.Dir(outside)})
	if code, _, b := completion(t, ts2.URL, `,"adapters":["elsewhere.gguf"]`, 4); code != http.StatusOK {
		t.Errorf("adapter in --adapters: status %d, %s", code, b)
	}
	if code, _, _ := completion(t, ts2.URL, fmt.Sprintf(`,"adapters":[%q]`, adapter), 4); code != http.StatusForbidden {
		t.Errorf("adapter outside --adapters: status %d, want 403", code)
	}
}
