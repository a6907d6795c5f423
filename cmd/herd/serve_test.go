package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// TestServe starts herd serve on a free loopback port with an empty models
// directory (so it serves the built-in model), completes a prompt, and
// stops it by cancelling its context.
func TestServe(t *testing.T) {
	addrc := make(chan string, 1)
	cmd := newServeCmdWith(func(f *serveFlags) { f.ready = func(a string) { addrc <- a } })
	var logs bytes.Buffer
	cmd.SetErr(&logs)
	cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--models", t.TempDir(), "--threads", "1", "--log-format", "json"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx) }()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve ended early: %v", err)
	}
	resp, err := http.Post("http://"+addr+"/v1/completions", "application/json",
		strings.NewReader(`{"prompt":"Once upon a time","max_tokens":8,"temperature":0}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "there was a little girl") {
		t.Errorf("%d %s", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	if !strings.Contains(logs.String(), `"path":"/v1/completions"`) {
		t.Errorf("no request log in %q", logs.String())
	}
}

func TestServeBadFlags(t *testing.T) {
	cmd := newServeCmd()
	cmd.SetErr(io.Discard)
	cmd.SetArgs([]string{"--log-format", "xml", "--models", t.TempDir()})
	if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "log-format") {
		t.Errorf("err %v", err)
	}
}

func TestServeBadLoRA(t *testing.T) {
	dir := t.TempDir()
	for _, spec := range []string{":0.5", filepath.Join(dir, "none.gguf")} {
		cmd := newServeCmd()
		cmd.SetErr(io.Discard)
		cmd.SetArgs([]string{"--addr", "127.0.0.1:0", "--models", dir, "--lora", spec})
		if err := cmd.Execute(); err == nil || !strings.Contains(err.Error(), "adapter") {
			t.Errorf("--lora %s: err %v", spec, err)
		}
	}
}
