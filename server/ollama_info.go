package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/gguf"
	"github.com/herdllm/herd/weights"
)

// digestOf identifies a model file by its path, size and modification
// time (hashing the contents of large files would be slow).
func digestOf(e modelEntry) string {
	h := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d\x00%d", e.path, e.size, e.modified.UnixNano()))
	return hex.EncodeToString(h[:])
}

// details summarises a model for Ollama's listings.
func details(sum *weights.Summary) map[string]any {
	d := map[string]any{"parent_model": "", "format": "gguf", "family": "", "families": nil,
		"parameter_size": "", "quantization_level": ""}
	if sum == nil {
		return d
	}
	d["format"] = sum.Format
	d["family"] = sum.Architecture
	d["families"] = []string{sum.Architecture}
	d["parameter_size"] = paramSize(sum.Parameters)
	d["quantization_level"] = sum.FileType
	return d
}

func paramSize(n uint64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.1fB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1fM", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1fK", float64(n)/1e3)
	}
	return fmt.Sprint(n)
}

// describe summarises a model and returns its metadata: from its loaded
// instance when loaded, else by opening its file (the built-in model is
// loaded for it).
func (s *Server) describe(r *http.Request, e modelEntry) (*weights.Summary, *gguf.Metadata, error) {
	for _, inst := range s.models.running() {
		if inst.entry.name == e.name {
			return inst.model.Describe(), inst.model.Metadata(), nil
		}
	}
	if e.path == "" {
		inst, release, err := s.models.acquire(r.Context(), e.name, nil, nil)
		if err != nil {
			return nil, nil, err
		}
		defer release()
		return inst.model.Describe(), inst.model.Metadata(), nil
	}
	f, err := weights.Open(e.path)
	if err != nil {
		return nil, nil, fmt.Errorf("server: %w", err)
	}
	defer f.Close()
	return weights.Describe(f), f.Meta, nil
}

// ollamaTags serves GET /api/tags.
func (s *Server) ollamaTags(w http.ResponseWriter, r *http.Request) {
	models := []any{}
	for _, e := range s.models.list() {
		var sum *weights.Summary
		if e.path != "" {
			sum, _, _ = s.describe(r, e)
		}
		models = append(models, map[string]any{"name": e.name, "model": e.name, "modified_at": e.modified,
			"size": e.size, "digest": digestOf(e), "details": details(sum)})
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": models})
}

// ollamaPS serves GET /api/ps.
func (s *Server) ollamaPS(w http.ResponseWriter, r *http.Request) {
	models := []any{}
	for _, inst := range s.models.running() {
		exp := s.models.expiry(inst)
		if exp.IsZero() {
			exp = time.Now().AddDate(100, 0, 0)
		}
		m := map[string]any{"name": inst.entry.name, "model": inst.entry.name,
			"size": inst.entry.size, "digest": digestOf(inst.entry), "details": details(inst.model.Describe()),
			"expires_at": exp, "size_vram": 0, "context_length": inst.model.ContextLength()}
		if a := inst.adapterNames(); a != "" {
			m["adapters"] = a
		}
		models = append(models, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"models": models})
}

// ollamaVersion serves GET /api/version.
func (s *Server) ollamaVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"version": Version})
}

// ollamaShow serves POST /api/show: the model's metadata through
// weights.Describe.
func (s *Server) ollamaShow(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model   string `json:"model"`
		Name    string `json:"name"`
		Verbose bool   `json:"verbose"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	name := req.Model
	if name == "" {
		name = req.Name
	}
	e, ok := s.models.find(name)
	if !ok || name == "" {
		writeErr(w, r, notFound(name))
		return
	}
	sum, meta, err := s.describe(r, e)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	info := map[string]any{}
	for _, kv := range meta.KVs() {
		if arr, isArr := kv.Value.(gguf.Array); isArr {
			info[kv.Key] = nil // long lists (the vocabulary) only with verbose, as Ollama does
			if req.Verbose {
				info[kv.Key] = arr.Values
			}
			continue
		}
		if kv.Key == "tokenizer.chat_template" {
			continue
		}
		info[kv.Key] = kv.Value
	}
	info["general.architecture"] = sum.Architecture
	info["general.parameter_count"] = sum.Parameters
	arch := sum.Architecture
	for k, v := range map[string]any{
		"context_length": sum.ContextLength, "embedding_length": sum.EmbeddingLength, "block_count": sum.BlockCount,
		"attention.head_count": sum.HeadCount, "attention.head_count_kv": sum.HeadCountKV,
		"feed_forward_length": sum.FeedForwardLength, "vocab_size": sum.VocabSize, "rope.freq_base": sum.Rope.FreqBase,
	} {
		if _, ok := info[arch+"."+k]; !ok {
			info[arch+"."+k] = v
		}
	}
	caps := []string{"completion", "embedding"}
	tmpl, _ := meta.String("tokenizer.chat_template")
	if strings.Contains(tmpl, "tools") {
		caps = append(caps, "tools")
	}
	resp := map[string]any{
		"modelfile":    fmt.Sprintf("FROM %s\n", e.path),
		"parameters":   "",
		"template":     tmpl,
		"details":      details(sum),
		"model_info":   info,
		"capabilities": caps,
		"modified_at":  e.modified,
	}
	if req.Verbose {
		tensors := []any{}
		for _, t := range sum.Tensors {
			tensors = append(tensors, t)
		}
		resp["tensors"] = tensors
	}
	writeJSON(w, http.StatusOK, resp)
}

// ollamaEmbed serves POST /api/embed.
func (s *Server) ollamaEmbed(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model      string          `json:"model"`
		Input      json.RawMessage `json:"input"`
		Truncate   *bool           `json:"truncate"`
		KeepAlive  json.RawMessage `json:"keep_alive"`
		Dimensions int             `json:"dimensions"`
		Pooling    string          `json:"pooling"` // herd: "mean" or "last"
	}
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	keep, err := parseKeepAlive(req.KeepAlive)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	inputs, err := embedInputs(req.Input)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	pool, err := poolingOf(req.Pooling)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	res, err := s.embed(r, req.Model, inputs, pool, keep, req.Truncate == nil || *req.Truncate)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	for i, v := range res.vectors {
		res.vectors[i] = shortenEmbedding(v, req.Dimensions)
	}
	writeJSON(w, http.StatusOK, map[string]any{"model": res.model, "embeddings": res.vectors,
		"total_duration": int64(res.total), "load_duration": int64(res.load), "prompt_eval_count": res.tokens})
}

// ollamaEmbeddings serves the older POST /api/embeddings.
func (s *Server) ollamaEmbeddings(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model     string          `json:"model"`
		Prompt    string          `json:"prompt"`
		KeepAlive json.RawMessage `json:"keep_alive"`
	}
	if err := decodeJSON(r, &req); err != nil {
		writeErr(w, r, err)
		return
	}
	keep, err := parseKeepAlive(req.KeepAlive)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	if req.Prompt == "" {
		writeJSON(w, http.StatusOK, map[string]any{"embedding": []float64{}})
		return
	}
	res, err := s.embed(r, req.Model, []embedInput{{text: req.Prompt}}, engine.PoolMean, keep, true)
	if err != nil {
		writeErr(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"embedding": res.vectors[0]})
}
