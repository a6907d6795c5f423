package server

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/herdllm/herd/engine"
)

// metrics counts requests and keeps the totals of models already
// unloaded, so that counters never go back.
type metrics struct {
	mu       sync.Mutex
	requests map[[2]string]uint64 // route, status → count
	seconds  map[string]float64   // route → total duration
	retired  engine.SchedulerStats
}

func newMetrics() *metrics {
	return &metrics{requests: map[[2]string]uint64{}, seconds: map[string]float64{}}
}

// request counts one answered request.
func (m *metrics) request(route string, status int, d time.Duration) {
	if status == 0 {
		status = http.StatusOK
	}
	m.mu.Lock()
	m.requests[[2]string{route, strconv.Itoa(status)}]++
	m.seconds[route] += d.Seconds()
	m.mu.Unlock()
}

// retire adds an unloading model's totals.
func (m *metrics) retire(st engine.SchedulerStats) {
	m.mu.Lock()
	defer m.mu.Unlock()
	r := &m.retired
	r.Requests += st.Requests
	r.Rejected += st.Rejected
	r.PromptTokens += st.PromptTokens
	r.ReusedTokens += st.ReusedTokens
	r.GeneratedTokens += st.GeneratedTokens
	r.DecodeTokens += st.DecodeTokens
	r.Steps += st.Steps
	r.PrefillTime += st.PrefillTime
	r.DecodeTime += st.DecodeTime
}

// serveMetrics writes the metrics in the Prometheus text format.
func (s *Server) serveMetrics(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	var b strings.Builder
	m := s.metrics
	m.mu.Lock()
	keys := make([][2]string, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i][0]+keys[i][1] < keys[j][0]+keys[j][1] })
	header(&b, "herd_http_requests_total", "counter", "HTTP requests answered, by route and status.")
	for _, k := range keys {
		fmt.Fprintf(&b, "herd_http_requests_total{route=%q,status=%q} %d\n", k[0], k[1], m.requests[k])
	}
	header(&b, "herd_http_request_seconds_total", "counter", "Time spent answering HTTP requests, by route.")
	routes := make([]string, 0, len(m.seconds))
	for k := range m.seconds {
		routes = append(routes, k)
	}
	sort.Strings(routes)
	for _, k := range routes {
		fmt.Fprintf(&b, "herd_http_request_seconds_total{route=%q} %g\n", k, m.seconds[k])
	}
	total := m.retired
	m.mu.Unlock()

	type row struct {
		labels string
		stats  engine.SchedulerStats
	}
	var rows []row
	for _, inst := range s.models.running() {
		st := inst.sched.Stats()
		labels := fmt.Sprintf("model=%q", inst.entry.name)
		if a := inst.adapterNames(); a != "" {
			labels += fmt.Sprintf(",adapters=%q", a)
		}
		rows = append(rows, row{labels, st})
		total.Requests += st.Requests
		total.Rejected += st.Rejected
		total.PromptTokens += st.PromptTokens
		total.ReusedTokens += st.ReusedTokens
		total.GeneratedTokens += st.GeneratedTokens
		total.DecodeTokens += st.DecodeTokens
		total.Steps += st.Steps
		total.PrefillTime += st.PrefillTime
		total.DecodeTime += st.DecodeTime
	}
	counter := func(name, help string, v uint64) {
		header(&b, name, "counter", help)
		fmt.Fprintf(&b, "%s %d\n", name, v)
	}
	counter("herd_generation_requests_total", "Generation requests accepted by the schedulers.", total.Requests)
	counter("herd_generation_rejected_total", "Generation requests refused because the queue was full.", total.Rejected)
	counter("herd_prompt_tokens_total", "Prompt tokens computed (reused ones excluded).", total.PromptTokens)
	counter("herd_prefix_reused_tokens_total", "Prompt tokens taken from cached prefixes instead of computed.", total.ReusedTokens)
	counter("herd_generated_tokens_total", "Tokens generated.", total.GeneratedTokens)
	counter("herd_forward_steps_total", "Batched forward passes run.", total.Steps)
	header(&b, "herd_prefill_seconds_total", "counter", "Forward time spent on prompt tokens.")
	fmt.Fprintf(&b, "herd_prefill_seconds_total %g\n", total.PrefillTime.Seconds())
	header(&b, "herd_decode_seconds_total", "counter", "Forward time spent on decoding tokens.")
	fmt.Fprintf(&b, "herd_decode_seconds_total %g\n", total.DecodeTime.Seconds())

	gauge := func(name, help string, get func(engine.SchedulerStats) float64) {
		header(&b, name, "gauge", help)
		for _, r := range rows {
			fmt.Fprintf(&b, "%s{%s} %g\n", name, r.labels, get(r.stats))
		}
	}
	gauge("herd_queue_depth", "Requests waiting for a sequence.", func(s engine.SchedulerStats) float64 { return float64(s.Queued) })
	gauge("herd_active_sequences", "Sequences generating now.", func(s engine.SchedulerStats) float64 { return float64(s.Active) })
	gauge("herd_parallel_sequences", "Sequences a model can run together.", func(s engine.SchedulerStats) float64 { return float64(s.Parallel) })
	gauge("herd_prefill_tokens_per_second", "Prompt processing rate over the model's lifetime.", engine.SchedulerStats.PrefillTokensPerSecond)
	gauge("herd_decode_tokens_per_second", "Aggregate decoding rate over the model's lifetime.", engine.SchedulerStats.DecodeTokensPerSecond)
	gauge("herd_kv_cache_used_positions", "KV cache positions held.", func(s engine.SchedulerStats) float64 { return float64(s.KVUsed) })
	gauge("herd_kv_cache_capacity_positions", "KV cache positions available (sequences × context).", func(s engine.SchedulerStats) float64 { return float64(s.KVCapacity) })
	gauge("herd_kv_cache_usage_ratio", "Fraction of the KV cache in use.", func(s engine.SchedulerStats) float64 {
		if s.KVCapacity == 0 {
			return 0
		}
		return float64(s.KVUsed) / float64(s.KVCapacity)
	})
	header(&b, "herd_models_loaded", "gauge", "Models loaded now.")
	fmt.Fprintf(&b, "herd_models_loaded %d\n", len(rows))
	io.WriteString(w, b.String())
}

func header(b *strings.Builder, name, typ, help string) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
}
