package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/herdllm/herd/server"
)

// serveFlags are the settings of herd serve.
type serveFlags struct {
	addr      string
	cfg       server.Config
	cors      string
	logLevel  string
	logFormat string
	lora      []string
	// ready, when set, is told the listening address (for tests).
	ready func(addr string)
}

func init() { rootCmd.AddCommand(newServeCmd()) }

func newServeCmd() *cobra.Command { return newServeCmdWith(nil) }

// newServeCmdWith builds the command, letting tests adjust its settings.
func newServeCmdWith(adjust func(*serveFlags)) *cobra.Command {
	var f serveFlags
	if adjust != nil {
		adjust(&f)
	}
	cmd := &cobra.Command{
		Use:   "serve [MODEL...]",
		Short: "Serve models over OpenAI- and Ollama-compatible HTTP APIs",
		Long: `Serve models to many clients at once over HTTP.

Each MODEL is a GGUF file, a llama2.c checkpoint, a Hugging Face directory, or
the name of a model in the models directory (NAME.gguf or a directory NAME).
Without MODEL, herd serves every model in the models directory, or its
built-in stories260K model when the directory is empty.

Endpoints: OpenAI /v1/chat/completions, /v1/completions, /v1/embeddings,
/v1/models; Ollama /api/generate, /api/chat, /api/embed, /api/tags, /api/show,
/api/ps, /api/version; /health and /metrics (Prometheus). Models load on first
use and unload after --keep-alive idle; up to --parallel requests per model
decode together in one batch.

--lora FILE[:SCALE] applies an adapter to every model served. Requests may add
adapters of their own in an "adapters" list ("FILE[:SCALE]" strings or
{"path","scale"} objects), files in --adapters (default: the models directory;
keep them in a subdirectory, as GGUF files right in the models directory are
served as models); paths outside it are refused. Each model and adapter set is
loaded and scheduled as a model of its own.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			f.cfg.Models = args
			return runServe(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.addr, "addr", "127.0.0.1:11434", "address to listen on")
	fl.StringVar(&f.cfg.ModelsDir, "models", "", "directory of models served by name (default ~/.herd/models)")
	fl.IntVar(&f.cfg.Parallel, "parallel", 4, "sequences each model decodes together")
	fl.IntVar(&f.cfg.ContextLength, "ctx", 0, "context length per sequence in tokens (0: the model's, at most 4096)")
	fl.IntVar(&f.cfg.Threads, "threads", 0, "threads to compute with (0: all CPUs)")
	fl.IntVar(&f.cfg.QueueSize, "queue", 64, "requests per model that may wait before 503 answers")
	fl.DurationVar(&f.cfg.KeepAlive, "keep-alive", 5*time.Minute, "how long an idle model stays loaded (negative: forever)")
	fl.StringVar(&f.cfg.APIKey, "api-key", "", "require this Bearer token on every endpoint but /health (default $HERD_API_KEY)")
	fl.StringVar(&f.cors, "cors", "", "comma-separated origins allowed to call from browsers (\"*\" for any)")
	fl.Int64Var(&f.cfg.MaxBodyBytes, "max-body", 8<<20, "largest request body in bytes")
	fl.StringVar(&f.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringArrayVar(&f.lora, "lora", nil, "apply a LoRA adapter to every model: FILE[:SCALE], scale 1 by default (repeatable)")
	fl.StringVar(&f.cfg.AdaptersDir, "adapters", "", "directory holding the adapters requests may name (default: the models directory)")
	return cmd
}

func runServe(cmd *cobra.Command, f *serveFlags) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(f.logLevel)); err != nil {
		return fmt.Errorf("serve: --log-level: %w", err)
	}
	hopts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	switch f.logFormat {
	case "text":
		h = slog.NewTextHandler(cmd.ErrOrStderr(), hopts)
	case "json":
		h = slog.NewJSONHandler(cmd.ErrOrStderr(), hopts)
	default:
		return fmt.Errorf("serve: --log-format must be text or json, not %q", f.logFormat)
	}
	log := slog.New(h)
	f.cfg.Logger = log
	if f.cfg.APIKey == "" {
		f.cfg.APIKey = os.Getenv("HERD_API_KEY")
	}
	for _, o := range strings.Split(f.cors, ",") {
		if o = strings.TrimSpace(o); o != "" {
			f.cfg.CORSOrigins = append(f.cfg.CORSOrigins, o)
		}
	}
	adapters, err := loraArgs(f.lora)
	if err != nil {
		return fmt.Errorf("serve: --lora: %w", err)
	}
	f.cfg.LoRA = adapters
	srv, err := server.New(f.cfg)
	if err != nil {
		return err
	}
	defer srv.Close()

	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	log.Info("herd serving", "addr", ln.Addr().String(), "models", srv.ModelNames(), "parallel", f.cfg.Parallel)

	parent := cmd.Context()
	if parent == nil {
		parent = context.Background()
	}
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	if f.ready != nil {
		f.ready(ln.Addr().String())
	}
	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("serve: %w", err)
		}
	case <-ctx.Done():
		log.Info("shutting down")
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(sctx); err != nil {
			hs.Close()
		}
	}
	return nil
}
