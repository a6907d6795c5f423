package server

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// streamCompletion streams a greedy completion over raw SSE and returns its
// text; with cutAfter > 0 it disconnects after that many chunks.
func streamCompletion(ctx context.Context, client *http.Client, url, prompt string, maxTokens, cutAfter int) (string, error) {
	body := fmt.Sprintf(`{"model":"stories260K","prompt":%q,"max_tokens":%d,"temperature":0,"stream":true}`, prompt, maxTokens)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url+"/v1/completions", strings.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("status %d", resp.StatusCode)
	}
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	chunks := 0
	for sc.Scan() {
		data, ok := strings.CutPrefix(sc.Text(), "data: ")
		if !ok {
			continue
		}
		if data == "[DONE]" {
			return text.String(), nil
		}
		var c struct {
			Choices []struct{ Text string }
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			return "", err
		}
		for _, ch := range c.Choices {
			text.WriteString(ch.Text)
		}
		chunks++
		if cutAfter > 0 && chunks == cutAfter {
			cancel()
			return text.String(), nil
		}
	}
	return text.String(), fmt.Errorf("stream ended without [DONE]: %v", sc.Err())
}

// TestLoad runs 32 concurrent streaming clients, a quarter of which hang
// up mid-stream: every other stream must equal a lone run's greedy output,
// /health must answer throughout, the cancelled sequences must be freed and
// no goroutine may leak.
func TestLoad(t *testing.T) {
	srv, ts := newTestServer(t, Config{Parallel: 8})
	prompts := []string{"Once upon a time", "Lily and Tom", "The big dog", "One day, a bird"}
	const maxTokens = 32
	want := map[string]string{}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for _, p := range prompts {
		text, err := streamCompletion(context.Background(), client, ts.URL, p, maxTokens, 0)
		if err != nil {
			t.Fatal(err)
		}
		want[p] = text
	}
	client.CloseIdleConnections()
	time.Sleep(100 * time.Millisecond)
	before := runtime.NumGoroutine()

	stopHealth := make(chan struct{})
	var healthOK, healthFail atomic.Int64
	healthDone := make(chan struct{})
	go func() {
		defer close(healthDone)
		hc := &http.Client{Timeout: 2 * time.Second}
		for {
			select {
			case <-stopHealth:
				hc.CloseIdleConnections()
				return
			case <-time.After(20 * time.Millisecond):
			}
			resp, err := hc.Get(ts.URL + "/health")
			if err == nil && resp.StatusCode == http.StatusOK {
				healthOK.Add(1)
			} else {
				healthFail.Add(1)
			}
			if err == nil {
				resp.Body.Close()
			}
		}
	}()

	var wg sync.WaitGroup
	for i := range 32 {
		wg.Go(func() {
			p := prompts[i%len(prompts)]
			cut := 0
			if i%4 == 3 {
				cut = 4
			}
			got, err := streamCompletion(context.Background(), client, ts.URL, p, maxTokens, cut)
			if err != nil {
				t.Errorf("client %d: %v", i, err)
				return
			}
			if cut == 0 && got != want[p] {
				t.Errorf("client %d: %q, lone run %q", i, got, want[p])
			}
		})
	}
	wg.Wait()
	close(stopHealth)
	<-healthDone
	client.CloseIdleConnections()
	if healthOK.Load() == 0 || healthFail.Load() > 0 {
		t.Errorf("/health: %d ok, %d failed", healthOK.Load(), healthFail.Load())
	}

	deadline := time.Now().Add(5 * time.Second)
	for {
		st, _ := srv.Stats("stories260K")
		after := runtime.NumGoroutine()
		if st.Active == 0 && after <= before {
			break
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<16)
			t.Fatalf("active %d; goroutines %d before, %d after:\n%s", st.Active, before, after, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(50 * time.Millisecond)
	}
}
