package server

import (
	"context"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/herdllm/herd/engine"
)

// TestBadRequests checks that each kind of bad request gets a 4xx with an
// error body in the style of its API, and that the server goes on serving.
func TestBadRequests(t *testing.T) {
	srv, ts := newTestServer(t, Config{MaxBodyBytes: 4096, ContextLength: 256})
	srv.mux.HandleFunc("POST /v1/panic", func(http.ResponseWriter, *http.Request) { panic("boom") })
	long := strings.Repeat("Lily and Tom play. ", 300)
	cases := []struct {
		path, body string
		status     int
		param      string
	}{
		{"/v1/chat/completions", `{"model":"stories260K","messages":[`, 400, ""},
		{"/v1/chat/completions", ``, 400, ""},
		{"/v1/chat/completions", `{"model":"nope","messages":[{"role":"user","content":"hi"}]}`, 404, "model"},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"n":2}`, 400, "n"},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"max_tokens":-1}`, 400, "max_tokens"},
		{"/v1/chat/completions", `{"messages":[]}`, 400, "messages"},
		{"/v1/chat/completions", `{"messages":[{"role":"wizard","content":"hi"}]}`, 400, "messages"},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object","patternProperties":{}}}}}`, 400, "response_format"},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"tool_choice":"required"}`, 400, "tool_choice"},
		{"/v1/chat/completions", `{"messages":[{"role":"user","content":"hi"}],"temperature":-1}`, 400, "temperature"},
		{"/v1/completions", `{"prompt":"` + long[:1000] + `"}`, 400, "messages"},
		{"/v1/completions", `{"prompt":"` + long + `"}`, 413, ""},
		{"/v1/completions", `{"prompt":["a","b"]}`, 400, "prompt"},
		{"/v1/embeddings", `{"input":[]}`, 400, "input"},
		{"/v1/embeddings", `{"input":"a","pooling":"max"}`, 400, "pooling"},
		{"/v1/panic", `{}`, 500, ""},
		{"/api/generate", `{"model":"stories260K","prompt":`, 400, ""},
		{"/api/generate", `{"model":"nope","prompt":"hi"}`, 404, ""},
		{"/api/generate", `{"model":"stories260K","prompt":"hi","format":"yaml"}`, 400, ""},
		{"/api/generate", `{"model":"stories260K","prompt":"hi","format":{"type":"object","not":{}}}`, 400, ""},
		{"/api/chat", `{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"options":{"num_predict":-5}}`, 400, ""},
		{"/api/chat", `{"model":"stories260K","messages":[{"role":"user","content":"hi"}],"keep_alive":"soon"}`, 400, ""},
		{"/api/show", `{"model":"nope"}`, 404, ""},
	}
	for _, c := range cases {
		status, _, body := post(t, ts.URL+c.path, c.body)
		if status != c.status {
			t.Errorf("%s %s: status %d, want %d (%s)", c.path, trim(c.body), status, c.status, body)
			continue
		}
		if strings.HasPrefix(c.path, "/v1/") {
			var e struct {
				Error struct {
					Message string
					Type    string
					Param   *string
				}
			}
			decode(t, body, &e)
			if e.Error.Message == "" || e.Error.Type == "" || (c.param != "" && (e.Error.Param == nil || *e.Error.Param != c.param)) {
				t.Errorf("%s %s: OpenAI error body %s", c.path, trim(c.body), body)
			}
		} else {
			var e struct{ Error string }
			decode(t, body, &e)
			if e.Error == "" {
				t.Errorf("%s %s: Ollama error body %s", c.path, trim(c.body), body)
			}
		}
	}
	status, _, body := post(t, ts.URL+"/v1/completions", `{"prompt":"Lily","max_tokens":3}`)
	if status != 200 {
		t.Errorf("after the bad requests: %d %s", status, body)
	}
}

func trim(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// TestAuthCORSAndBusy checks the API key, CORS and the 503 answer when the
// queue is full.
func TestAuthCORSAndBusy(t *testing.T) {
	srv, ts := newTestServer(t, Config{APIKey: "sesame", CORSOrigins: []string{"https://app.example"}, Parallel: 1, QueueSize: -1})
	if status, _, _ := get(t, ts.URL+"/health"); status != 200 {
		t.Errorf("/health without a key: %d", status)
	}
	if status, _, body := get(t, ts.URL+"/v1/models"); status != 401 || !strings.Contains(string(body), "authentication_error") {
		t.Errorf("/v1/models without a key: %d %s", status, body)
	}
	if status, _, _ := get(t, ts.URL+"/api/tags", "Authorization", "Bearer wrong"); status != 401 {
		t.Errorf("/api/tags with a wrong key: %d", status)
	}
	if status, _, _ := get(t, ts.URL+"/api/tags", "Authorization", "Bearer sesame"); status != 200 {
		t.Errorf("/api/tags with the key: %d", status)
	}
	req, _ := http.NewRequest(http.MethodOptions, ts.URL+"/v1/chat/completions", nil)
	req.Header.Set("Origin", "https://app.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	status, h, _ := do(t, req)
	if status != 204 || h.Get("Access-Control-Allow-Origin") != "https://app.example" {
		t.Errorf("preflight: %d %v", status, h)
	}
	req.Header.Set("Origin", "https://evil.example")
	if status, h, _ := do(t, req); status != 403 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight from another origin: %d %v", status, h)
	}

	// A request that never ends holds the only sequence; the next is refused.
	srvAuth := []string{"Authorization", "Bearer sesame"}
	inst, release, err := srv.models.acquire(context.Background(), "stories260K", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var once sync.Once
	done := make(chan struct{})
	go func() {
		defer close(done)
		inst.sched.Submit(ctx, engine.BatchRequest{GenerateRequest: engine.GenerateRequest{Prompt: "Lily", IgnoreEOG: true}},
			func(engine.TokenEvent) error { once.Do(func() { close(started) }); return nil })
	}()
	<-started
	status, h, body := post(t, ts.URL+"/v1/completions", `{"prompt":"Tom","max_tokens":3}`, srvAuth...)
	if status != 503 || h.Get("Retry-After") == "" || !strings.Contains(string(body), "server_error") {
		t.Errorf("while busy: %d %v %s", status, h, body)
	}
	cancel()
	<-done
}

// TestPrefixReuseMetrics checks that a chat continuing an earlier one
// reuses its cached prefix, in the usage and in /metrics.
func TestPrefixReuseMetrics(t *testing.T) {
	_, ts := newTestServer(t, Config{Parallel: 2})
	first := `{"role":"system","content":"You are a storyteller who tells short stories about animals in the forest."},{"role":"user","content":"Tell me about a fox."}`
	status, _, body := post(t, ts.URL+"/v1/chat/completions", `{"messages":[`+first+`],"max_tokens":8,"temperature":0}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var r1 struct {
		Choices []struct{ Message struct{ Content string } }
		Usage   struct {
			PromptTokens        int `json:"prompt_tokens"`
			PromptTokensDetails struct {
				CachedTokens int `json:"cached_tokens"`
			} `json:"prompt_tokens_details"`
		}
	}
	decode(t, body, &r1)
	reply := strings.ReplaceAll(r1.Choices[0].Message.Content, `"`, `'`)
	second := first + `,{"role":"assistant","content":"` + strings.TrimSpace(reply) + `"},{"role":"user","content":"And a bear?"}`
	status, _, body = post(t, ts.URL+"/v1/chat/completions", `{"messages":[`+second+`],"max_tokens":8,"temperature":0}`)
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	var r2 = r1
	decode(t, body, &r2)
	if r2.Usage.PromptTokensDetails.CachedTokens < r1.Usage.PromptTokens-1 {
		t.Errorf("second turn reused %d tokens, first turn had %d", r2.Usage.PromptTokensDetails.CachedTokens, r1.Usage.PromptTokens)
	}
	_, _, metrics := get(t, ts.URL+"/metrics")
	m := regexp.MustCompile(`(?m)^herd_prefix_reused_tokens_total (\d+)$`).FindStringSubmatch(string(metrics))
	if m == nil {
		t.Fatalf("no reuse counter in\n%s", metrics)
	}
	if n, _ := strconv.Atoi(m[1]); n < r2.Usage.PromptTokensDetails.CachedTokens {
		t.Errorf("metrics reused %d, usage says %d", n, r2.Usage.PromptTokensDetails.CachedTokens)
	}
	for _, name := range []string{"herd_http_requests_total{", "herd_queue_depth{", "herd_active_sequences{", "herd_decode_tokens_per_second{",
		"herd_prefill_tokens_per_second{", "herd_kv_cache_used_positions{", "herd_generated_tokens_total ", "herd_prompt_tokens_total "} {
		if !strings.Contains(string(metrics), name) {
			t.Errorf("metrics lack %s", name)
		}
	}
}

// TestCompletionTokens checks a prompt given as token ids.
func TestCompletionTokens(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	status, _, body := post(t, ts.URL+"/v1/completions", `{"prompt":[1,403,407,261,378],"max_tokens":5,"temperature":0}`)
	var r struct {
		Choices []struct{ Text string }
		Usage   struct {
			PromptTokens int `json:"prompt_tokens"`
		}
	}
	decode(t, body, &r)
	if status != 200 || r.Usage.PromptTokens != 5 || r.Choices[0].Text == "" {
		t.Errorf("%d %s", status, body)
	}
	if status, _, body := post(t, ts.URL+"/v1/completions", `{"prompt":[1,99999]}`); status != 400 {
		t.Errorf("unknown token id: %d %s", status, body)
	}
}

// TestOllamaBadContext checks that context ids outside the vocabulary are a
// client error.
func TestOllamaBadContext(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	if status, _, body := post(t, ts.URL+"/api/generate", `{"model":"stories260K","prompt":"hi","context":[1,-4]}`); status != 400 {
		t.Errorf("%d %s", status, body)
	}
}

// TestEmbedPooling checks the herd-specific last-token pooling.
func TestEmbedPooling(t *testing.T) {
	_, ts := newTestServer(t, Config{})
	var mean, last, last2 struct{ Embeddings [][]float32 }
	for _, c := range []struct {
		body string
		v    any
	}{
		{`{"input":"Lily likes cats."}`, &mean},
		{`{"input":"Lily likes cats.","pooling":"last"}`, &last},
		{`{"input":"A dog likes cats.","pooling":"last"}`, &last2},
	} {
		status, _, body := post(t, ts.URL+"/api/embed", c.body)
		if status != 200 {
			t.Fatalf("%s: %d %s", c.body, status, body)
		}
		decode(t, body, c.v)
	}
	same := func(a, b []float32) bool {
		for i := range a {
			if a[i] != b[i] {
				return false
			}
		}
		return true
	}
	if same(mean.Embeddings[0], last.Embeddings[0]) || same(last.Embeddings[0], last2.Embeddings[0]) {
		t.Error("pooling made no difference")
	}
}
