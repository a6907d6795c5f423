package server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/herdllm/herd/chat"
	"github.com/herdllm/herd/engine"
	"github.com/herdllm/herd/model/builtin"
	"github.com/herdllm/herd/weights"
)

// modelEntry is a model the server offers.
type modelEntry struct {
	name     string
	path     string // "" for the built-in model
	size     int64
	modified time.Time
}

// instance is a loaded model with its scheduler: a model file with the
// server's adapters and those a request named, if any.
type instance struct {
	entry    modelEntry
	key      string        // the registry's key: name and adapters
	adapters []engine.LoRA // the request's adapters (after the server's)
	model    *engine.Model
	sched    *engine.Scheduler
	tmpl     *chat.Template
	loadTime time.Duration
	loadedAt time.Time

	ready chan struct{} // closed when loading ends
	err   error         // why loading failed

	// Guarded by the registry's mutex.
	refs      int
	expires   time.Time
	keepAlive time.Duration
}

// registry finds, loads and unloads models.
type registry struct {
	cfg     Config
	metrics *metrics
	dir     string
	started time.Time // stands for the built-in model's modification time

	mu     sync.Mutex
	loaded map[string]*instance
	closed bool
	stop   chan struct{}
	reaped chan struct{}
}

func newRegistry(cfg Config, m *metrics) (*registry, error) {
	dir := cfg.ModelsDir
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("server: models directory: %w", err)
		}
		dir = filepath.Join(home, ".herd", "models")
	}
	r := &registry{cfg: cfg, metrics: m, dir: dir, started: time.Now(), loaded: map[string]*instance{},
		stop: make(chan struct{}), reaped: make(chan struct{})}
	for _, name := range cfg.Models {
		if _, err := r.resolve(name); err != nil {
			return nil, err
		}
	}
	for _, l := range cfg.LoRA {
		if st, err := os.Stat(l.Path); err != nil || !st.Mode().IsRegular() {
			return nil, fmt.Errorf("server: adapter %s: not a readable file", l.Path)
		}
	}
	go r.reap()
	return r, nil
}

// resolve turns a configured model (a path or a name in the models
// directory) into an entry.
func (r *registry) resolve(spec string) (modelEntry, error) {
	for _, p := range []string{spec, filepath.Join(r.dir, spec+".gguf"), filepath.Join(r.dir, spec)} {
		if st, err := os.Stat(p); err == nil {
			return entryFor(p, st), nil
		}
	}
	return modelEntry{}, fmt.Errorf("server: model %q: no such file, and no %s.gguf in %s", spec, spec, r.dir)
}

func entryFor(path string, st os.FileInfo) modelEntry {
	name := strings.TrimSuffix(filepath.Base(path), ".gguf")
	return modelEntry{name: name, path: path, size: st.Size(), modified: st.ModTime()}
}

// list returns the models offered, sorted by name: the configured ones, or
// those in the models directory, or the built-in model.
func (r *registry) list() []modelEntry {
	var out []modelEntry
	if len(r.cfg.Models) > 0 {
		for _, spec := range r.cfg.Models {
			if e, err := r.resolve(spec); err == nil {
				out = append(out, e)
			}
		}
		return out
	}
	ents, _ := os.ReadDir(r.dir)
	for _, de := range ents {
		p := filepath.Join(r.dir, de.Name())
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		switch {
		case !st.IsDir() && strings.HasSuffix(de.Name(), ".gguf"):
			out = append(out, entryFor(p, st))
		case st.IsDir() && exists(filepath.Join(p, "config.json")):
			out = append(out, entryFor(p, st))
		}
	}
	if len(out) == 0 {
		return []modelEntry{{name: builtin.Name, size: int64(len(builtin.Checkpoint)), modified: r.started}}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

func exists(p string) bool { _, err := os.Stat(p); return err == nil }

// find returns the entry for a requested model name; an empty name (or
// "default") picks the first model. Ollama-style tags (":latest") are
// ignored.
func (r *registry) find(name string) (modelEntry, bool) {
	list := r.list()
	if name == "" || name == "default" {
		if len(list) == 0 {
			return modelEntry{}, false
		}
		return list[0], true
	}
	for _, cand := range []string{name, strings.TrimSuffix(name, ":latest")} {
		for _, e := range list {
			if e.name == cand {
				return e, true
			}
		}
	}
	return modelEntry{}, false
}

// acquire returns the loaded model called name with the given request
// adapters (already resolved), loading it if needed, and a function to call
// when the request is done with it. Each set of adapters is a model of its
// own, with its own scheduler; the weights are memory-mapped, so their pages
// are shared. keepAlive, when not nil, sets how long the model stays loaded
// after this request.
func (r *registry) acquire(ctx context.Context, name string, adapters []engine.LoRA, keepAlive *time.Duration) (*instance, func(), error) {
	e, ok := r.find(name)
	if !ok {
		return nil, nil, notFound(name)
	}
	key := e.name + "\x00" + adapterKey(adapters)
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, nil, engine.ErrSchedulerClosed
	}
	inst := r.loaded[key]
	if inst == nil && len(adapters) > 0 && !r.makeRoomLocked() {
		r.mu.Unlock()
		return nil, nil, &httpError{status: http.StatusServiceUnavailable, param: "adapters",
			msg: fmt.Sprintf("server busy: %d adapter sets are loaded and in use, retry later", maxAdapterSets)}
	}
	if inst == nil {
		inst = &instance{entry: e, key: key, adapters: adapters, ready: make(chan struct{}), keepAlive: r.cfg.KeepAlive}
		r.loaded[key] = inst
		go r.load(inst)
	}
	inst.refs++
	r.mu.Unlock()

	release := func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		inst.refs--
		if keepAlive != nil {
			inst.keepAlive = *keepAlive
		}
		inst.expires = time.Now().Add(inst.keepAlive)
		if inst.refs == 0 && inst.keepAlive == 0 {
			r.unloadLocked(inst)
		}
	}
	select {
	case <-inst.ready:
	case <-ctx.Done():
		release()
		return nil, nil, ctx.Err()
	}
	if inst.err != nil {
		release()
		return nil, nil, inst.err
	}
	return inst, release, nil
}

// load loads an instance's model and starts its scheduler.
func (r *registry) load(inst *instance) {
	defer close(inst.ready)
	start := time.Now()
	opts := engine.Options{ContextLength: r.cfg.ContextLength, Threads: r.cfg.Threads,
		LoRA: append(append([]engine.LoRA(nil), r.cfg.LoRA...), inst.adapters...)}
	if opts.ContextLength <= 0 && trainedContext(inst.entry.path) > defaultMaxContext {
		opts.ContextLength = defaultMaxContext
	}
	m, err := engine.Load(inst.entry.path, opts)
	if err != nil {
		inst.err = fmt.Errorf("server: loading %s: %w", inst.entry.name, err)
		if requestAdapterFailed(inst.adapters, err) {
			inst.err = badRequest("adapters", "%v", err)
		}
		r.mu.Lock()
		if r.loaded[inst.key] == inst {
			delete(r.loaded, inst.key)
		}
		r.mu.Unlock()
		return
	}
	tmpl, err := m.ChatTemplate()
	if err != nil {
		// A template that does not compile only disables chat.
		tmpl = nil
	}
	inst.model, inst.tmpl = m, tmpl
	inst.sched = m.NewScheduler(engine.SchedulerOptions{Parallel: r.cfg.Parallel, QueueSize: r.cfg.QueueSize})
	inst.loadTime = time.Since(start)
	inst.loadedAt = time.Now()
}

// defaultMaxContext caps each sequence's context when none is configured,
// so that models trained for long contexts do not reserve huge caches.
const defaultMaxContext = 4096

// trainedContext reads the context length a model file states (0 when it
// cannot tell).
func trainedContext(path string) uint64 {
	if path == "" {
		return 0
	}
	f, err := weights.Open(path)
	if err != nil {
		return 0
	}
	defer f.Close()
	arch, _ := f.Meta.String("general.architecture")
	n, _ := f.Meta.Uint(arch + ".context_length")
	return n
}

// unloadLocked unloads an instance once loading has finished; r.mu must be
// held.
func (r *registry) unloadLocked(inst *instance) {
	if r.loaded[inst.key] == inst {
		delete(r.loaded, inst.key)
	}
	go func() {
		<-inst.ready
		if inst.sched != nil {
			r.metrics.retire(inst.sched.Stats())
			inst.sched.Close()
			inst.model.Close()
		}
	}()
}

// reap unloads models idle past their keep-alive.
func (r *registry) reap() {
	defer close(r.reaped)
	every := time.Second
	if k := r.cfg.KeepAlive; k > 0 && k < 2*every {
		every = max(k/2, 10*time.Millisecond)
	}
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-r.stop:
			return
		case now := <-tick.C:
			r.mu.Lock()
			for _, inst := range r.loaded {
				if inst.refs == 0 && inst.keepAlive >= 0 && now.After(inst.expires) && isReady(inst) {
					r.unloadLocked(inst)
				}
			}
			r.mu.Unlock()
		}
	}
}

func isReady(inst *instance) bool {
	select {
	case <-inst.ready:
		return true
	default:
		return false
	}
}

// running returns the loaded models, sorted by name.
func (r *registry) running() []*instance {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*instance
	for _, inst := range r.loaded {
		if isReady(inst) && inst.err == nil {
			out = append(out, inst)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// expiry returns when an idle instance will be unloaded (zero: never).
func (r *registry) expiry(inst *instance) time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	if inst.keepAlive < 0 {
		return time.Time{}
	}
	if inst.refs > 0 {
		return time.Now().Add(inst.keepAlive)
	}
	return inst.expires
}

// stats returns a loaded model's scheduler statistics (without request
// adapters).
func (r *registry) stats(name string) (engine.SchedulerStats, bool) {
	for _, inst := range r.running() {
		if inst.entry.name == name && len(inst.adapters) == 0 {
			return inst.sched.Stats(), true
		}
	}
	return engine.SchedulerStats{}, false
}

// close unloads every model and stops the reaper.
func (r *registry) close() error {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil
	}
	r.closed = true
	close(r.stop)
	insts := make([]*instance, 0, len(r.loaded))
	for _, inst := range r.loaded {
		insts = append(insts, inst)
	}
	r.loaded = map[string]*instance{}
	r.mu.Unlock()
	<-r.reaped
	for _, inst := range insts {
		<-inst.ready
		if inst.sched != nil {
			inst.sched.Close()
			inst.model.Close()
		}
	}
	return nil
}
