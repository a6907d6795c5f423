package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequests posts arbitrary bodies to every JSON endpoint: none may
// crash the server or answer 500, whatever the body holds.
func FuzzRequests(f *testing.F) {
	paths := []string{"/v1/chat/completions", "/v1/completions", "/v1/embeddings", "/api/generate", "/api/chat",
		"/api/embed", "/api/show", "/api/embeddings"}
	seeds := []string{
		`{"messages":[{"role":"user","content":"hi"}],"max_tokens":2}`,
		`{"messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"max_tokens":2,"logprobs":true,"top_logprobs":3}`,
		`{"prompt":"Lily","max_tokens":3,"stop":["a","b"],"logprobs":2,"echo":true}`,
		`{"prompt":[1,2,3],"max_tokens":1}`,
		`{"input":["a",""]}`,
		`{"model":"stories260K","prompt":"x","format":"json","options":{"num_predict":4,"temperature":"hot"}}`,
		`{"model":"stories260K","messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"options":{"num_predict":3}}`,
		`{"messages":[{"role":"user","content":"x"}],"tools":[{"type":"function","function":{"name":"f"}}],"tool_choice":{"type":"function","function":{"name":"f"}},"max_tokens":30}`,
		`{"model":"stories260K","input":[[1,2],[3]]}`,
		`{"response_format":{"type":"json_schema","json_schema":{"schema":{"type":"array","items":{"type":"integer"},"maxItems":2}}},"messages":[{"role":"user","content":"x"}],"max_tokens":20}`,
		`{"keep_alive":-1,"model":"stories260K","prompt":""}`,
		`[]`, `null`, `{"messages":null}`, `{"prompt":{"a":1}}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), s)
		f.Add(uint8(i+3), s)
	}
	srv, _ := newTestServer(f, Config{ContextLength: 48, Parallel: 2})
	f.Fuzz(func(t *testing.T, which uint8, body string) {
		path := paths[int(which)%len(paths)]
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(body))
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Errorf("%s %q: %d %s", path, body, rec.Code, rec.Body.String())
		}
	})
}
