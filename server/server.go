// Package server serves herd's models over HTTP to many users at once, in
// the shapes of two popular APIs: OpenAI's (/v1/chat/completions,
// /v1/completions, /v1/embeddings, /v1/models, with server-sent event
// streaming) and Ollama's (/api/generate, /api/chat, /api/embed,
// /api/tags, /api/show, /api/ps, /api/version, with NDJSON streaming).
//
// Models are found by path or by name in a models directory, loaded on
// first use and unloaded after an idle keep-alive. Each loaded model runs
// an engine.Scheduler, so concurrent requests decode together in batched
// forward passes and share cached prompt prefixes. /health and /metrics
// (Prometheus text) serve operations; requests are logged with log/slog.
//
// LoRA adapters: Config.LoRA applies to every model. A generation request
// of either API may also name adapters in a top-level "adapters" list
// (strings "FILE[:SCALE]" or objects {"path","scale"}), files inside
// Config.AdaptersDir (else 403); a model with a set of adapters is loaded
// and scheduled as a model of its own, under the same keep-alive rules (at
// most 8 such sets at once: idle ones make way, else 503), and an adapter
// that is not one or does not fit the model is a 400.
//
//	srv, err := server.New(server.Config{Models: []string{"model.gguf"}})
//	...
//	defer srv.Close()
//	http.ListenAndServe("127.0.0.1:11434", srv)
package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/herdllm/herd/engine"
)

// Version is the version the server reports at /api/version.
const Version = "0.1.0"

// Config are the settings of a Server.
type Config struct {
	// Models are model files (or Hugging Face directories) to serve, or
	// names of models in ModelsDir. Empty serves every model in ModelsDir,
	// or the built-in model when the directory holds none.
	Models []string
	// ModelsDir is the directory where models are found by name: NAME.gguf
	// or a directory NAME. Empty means ~/.herd/models.
	ModelsDir string
	// Parallel is the number of sequences each model decodes together;
	// 0 means 4.
	Parallel int
	// ContextLength is each sequence's context in tokens; 0 uses the
	// model's, capped at 4096.
	ContextLength int
	// Threads is the number of threads the kernels use; 0 uses every CPU.
	Threads int
	// QueueSize is how many requests per model may wait for a sequence
	// before more are refused with 503; 0 means 64.
	QueueSize int
	// LoRA are adapters applied to every model the server loads, each
	// with its scale (herd serve --lora).
	LoRA []engine.LoRA
	// AdaptersDir is where the adapters requests name (the "adapters"
	// field) must lie; relative names are taken from it, and paths leading
	// outside it are refused with 403. Empty means ModelsDir. Adapters
	// should sit in a subdirectory (or elsewhere), since GGUF files right in
	// ModelsDir are offered as models.
	AdaptersDir string
	// KeepAlive is how long an idle model stays loaded; 0 means 5 minutes,
	// negative keeps models loaded.
	KeepAlive time.Duration
	// APIKey, when set, is required as a Bearer token on every endpoint but
	// /health.
	APIKey string
	// CORSOrigins lists the origins browsers may call from ("*" for any);
	// empty sends no CORS headers.
	CORSOrigins []string
	// MaxBodyBytes limits request bodies; 0 means 8 MiB.
	MaxBodyBytes int64
	// Logger receives the request log; nil uses slog.Default().
	Logger *slog.Logger
}

// Server is an http.Handler serving the configured models. It is safe for
// concurrent use.
type Server struct {
	cfg     Config
	log     *slog.Logger
	models  *registry
	metrics *metrics
	mux     *http.ServeMux
	handler http.Handler
	started time.Time
}

// New prepares a server for cfg. Models are not loaded until first used.
func New(cfg Config) (*Server, error) {
	if cfg.KeepAlive == 0 {
		cfg.KeepAlive = 5 * time.Minute
	}
	if cfg.MaxBodyBytes <= 0 {
		cfg.MaxBodyBytes = 8 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	s := &Server{cfg: cfg, log: cfg.Logger, metrics: newMetrics(), mux: http.NewServeMux(), started: time.Now()}
	reg, err := newRegistry(cfg, s.metrics)
	if err != nil {
		return nil, err
	}
	s.models = reg
	s.routes()
	s.handler = s.middleware(s.mux)
	return s, nil
}

// ServeHTTP serves one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close unloads every model. Requests still running are cancelled.
func (s *Server) Close() error { return s.models.close() }

// ModelNames returns the names of the models the server offers.
func (s *Server) ModelNames() []string {
	var names []string
	for _, e := range s.models.list() {
		names = append(names, e.name)
	}
	return names
}

// Stats returns the scheduler statistics of a loaded model (false when it
// is not loaded).
func (s *Server) Stats(name string) (engine.SchedulerStats, bool) {
	return s.models.stats(name)
}

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /health", s.health)
	m.HandleFunc("GET /metrics", s.serveMetrics)

	m.HandleFunc("POST /v1/chat/completions", s.openaiChat)
	m.HandleFunc("POST /v1/completions", s.openaiCompletion)
	m.HandleFunc("POST /v1/embeddings", s.openaiEmbeddings)
	m.HandleFunc("GET /v1/models", s.openaiModels)
	m.HandleFunc("GET /v1/models/{model...}", s.openaiModel)

	m.HandleFunc("POST /api/generate", s.ollamaGenerate)
	m.HandleFunc("POST /api/chat", s.ollamaChat)
	m.HandleFunc("POST /api/embed", s.ollamaEmbed)
	m.HandleFunc("POST /api/embeddings", s.ollamaEmbeddings)
	m.HandleFunc("GET /api/tags", s.ollamaTags)
	m.HandleFunc("POST /api/show", s.ollamaShow)
	m.HandleFunc("GET /api/ps", s.ollamaPS)
	m.HandleFunc("GET /api/version", s.ollamaVersion)
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("herd is running\n"))
	})
	m.HandleFunc("HEAD /{$}", func(w http.ResponseWriter, r *http.Request) {})
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "uptime_seconds": int(time.Since(s.started).Seconds())})
}
