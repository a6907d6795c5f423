package server

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// sse writes a server-sent event stream of JSON objects, as OpenAI's
// streaming endpoints send: "data: {...}" events ending with "data: [DONE]".
type sse struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func newSSE(w http.ResponseWriter) *sse {
	return &sse{w: w, rc: http.NewResponseController(w)}
}

func (s *sse) start() {
	if s.started {
		return
	}
	s.started = true
	h := s.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	h.Set("X-Accel-Buffering", "no")
	s.w.WriteHeader(http.StatusOK)
}

// send writes one event and flushes it to the client; a write error means
// the client has gone.
func (s *sse) send(v any) error {
	s.start()
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if _, err := fmt.Fprintf(s.w, "data: %s\n\n", b); err != nil {
		return err
	}
	return s.rc.Flush()
}

// sendError reports an error that happened after streaming began.
func (s *sse) sendError(r *http.Request, err error) {
	he := statusOf(err)
	s.send(map[string]any{"error": map[string]any{"message": he.msg, "type": "server_error", "code": he.status}})
}

// done ends the stream.
func (s *sse) done() {
	s.start()
	fmt.Fprint(s.w, "data: [DONE]\n\n")
	s.rc.Flush()
}

// ndjson writes a stream of JSON objects, one a line, as Ollama's
// streaming endpoints send.
type ndjson struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func newNDJSON(w http.ResponseWriter) *ndjson {
	return &ndjson{w: w, rc: http.NewResponseController(w)}
}

// send writes one object and flushes it.
func (n *ndjson) send(v any) error {
	if !n.started {
		n.started = true
		n.w.Header().Set("Content-Type", "application/x-ndjson")
		n.w.WriteHeader(http.StatusOK)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	if _, err := n.w.Write(b); err != nil {
		return err
	}
	return n.rc.Flush()
}
