package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/herdllm/herd/engine"
)

// httpError is an error with the HTTP status it answers with.
type httpError struct {
	status int
	msg    string
	param  string // the offending request field, for OpenAI's error body
}

func (e *httpError) Error() string { return e.msg }

// badRequest returns a 400 error about a request field.
func badRequest(param, format string, args ...any) *httpError {
	return &httpError{status: http.StatusBadRequest, msg: fmt.Sprintf(format, args...), param: param}
}

// notFound returns a 404 for an unknown model.
func notFound(model string) *httpError {
	return &httpError{status: http.StatusNotFound, msg: fmt.Sprintf("model %q not found", model), param: "model"}
}

// statusOf maps an error to its HTTP status and message.
func statusOf(err error) *httpError {
	var he *httpError
	var ce *engine.ContextError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		return he
	case errors.As(err, &ce):
		return &httpError{status: http.StatusBadRequest, msg: ce.Error(), param: "messages"}
	case errors.As(err, &mbe):
		return &httpError{status: http.StatusRequestEntityTooLarge, msg: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}
	case errors.Is(err, engine.ErrQueueFull):
		return &httpError{status: http.StatusServiceUnavailable, msg: "server busy: too many requests waiting, retry later"}
	case errors.Is(err, engine.ErrSchedulerClosed):
		return &httpError{status: http.StatusServiceUnavailable, msg: "model is unloading, retry"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return &httpError{status: 499, msg: "request cancelled"}
	}
	return &httpError{status: http.StatusInternalServerError, msg: err.Error()}
}

// isOpenAI reports whether a request came through the OpenAI API, whose
// error bodies differ from Ollama's.
func isOpenAI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/v1/") }

// writeError answers with an error body in the style of the API the
// request came through.
func writeError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	writeErr(w, r, &httpError{status: status, msg: msg})
}

// writeErr answers with err's status and an error body.
func writeErr(w http.ResponseWriter, r *http.Request, err error) {
	he := statusOf(err)
	if he.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	if !isOpenAI(r) {
		writeJSON(w, he.status, map[string]string{"error": he.msg})
		return
	}
	typ := "invalid_request_error"
	switch {
	case he.status == http.StatusUnauthorized:
		typ = "authentication_error"
	case he.status == http.StatusNotFound:
		typ = "not_found_error"
	case he.status >= 500:
		typ = "server_error"
	}
	body := map[string]any{"message": he.msg, "type": typ, "param": nil, "code": nil}
	if he.param != "" {
		body["param"] = he.param
	}
	if he.status == http.StatusNotFound && he.param == "model" {
		body["code"] = "model_not_found"
	}
	writeJSON(w, he.status, map[string]any{"error": body})
}

// writeJSON answers with v as JSON.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// decodeJSON reads a request body into v, rejecting malformed JSON,
// trailing data and oversized bodies with errors that say so.
func decodeJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		if errors.Is(err, io.EOF) {
			return badRequest("", "empty request body")
		}
		return badRequest("", "invalid JSON body: %v", err)
	}
	if dec.More() {
		return badRequest("", "invalid JSON body: data after the JSON value")
	}
	return nil
}
