package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/herdllm/herd/engine"
)

// adapterField is the "adapters" member that generation requests of both
// APIs may carry: LoRA adapters to apply for this request, each a string
// "FILE[:SCALE]" or an object {"path": FILE, "scale": SCALE} (scale 1 when
// absent). FILE is relative to the adapters directory or an absolute path
// inside it.
type adapterField struct {
	Adapters json.RawMessage `json:"adapters"`
}

// maxAdapters bounds the adapters one request may name.
const maxAdapters = 16

// parse reads the adapters, not yet resolved against the adapters
// directory.
func (f adapterField) parse() ([]engine.LoRA, error) {
	if len(f.Adapters) == 0 || string(f.Adapters) == "null" {
		return nil, nil
	}
	var items []json.RawMessage
	if err := json.Unmarshal(f.Adapters, &items); err != nil {
		return nil, badRequest("adapters", `adapters must be a list of "FILE[:SCALE]" strings or {"path","scale"} objects`)
	}
	if len(items) > maxAdapters {
		return nil, badRequest("adapters", "at most %d adapters per request", maxAdapters)
	}
	out := make([]engine.LoRA, 0, len(items))
	for i, raw := range items {
		var spec string
		if json.Unmarshal(raw, &spec) == nil {
			l, err := engine.ParseLoRA(spec)
			if err != nil {
				return nil, badRequest("adapters", "adapter %d: %v", i, err)
			}
			out = append(out, l)
			continue
		}
		var obj struct {
			Path  string   `json:"path"`
			Scale *float64 `json:"scale"`
		}
		if err := json.Unmarshal(raw, &obj); err != nil {
			return nil, badRequest("adapters", `adapter %d must be a "FILE[:SCALE]" string or a {"path","scale"} object`, i)
		}
		l := engine.LoRA{Path: obj.Path, Scale: 1}
		if obj.Scale != nil {
			l.Scale = *obj.Scale
		}
		if l.Path == "" {
			return nil, badRequest("adapters", "adapter %d has no path", i)
		}
		if math.IsNaN(l.Scale) || math.IsInf(l.Scale, 0) {
			return nil, badRequest("adapters", "adapter %d: scale must be a finite number", i)
		}
		out = append(out, l)
	}
	return out, nil
}

// adapterDir returns the directory request adapters must lie in: the
// configured adapters directory, or the models directory.
func (r *registry) adapterDir() string {
	if r.cfg.AdaptersDir != "" {
		return r.cfg.AdaptersDir
	}
	return r.dir
}

// resolveAdapters turns a request's adapter paths into the real paths of
// existing files inside the adapters directory: relative paths are taken
// from that directory, and any path (symbolic links followed) that leads
// outside it is refused with 403, so that clients cannot make the server
// read arbitrary files.
func (r *registry) resolveAdapters(list []engine.LoRA) ([]engine.LoRA, error) {
	if len(list) == 0 {
		return nil, nil
	}
	dir, err := filepath.EvalSymlinks(r.adapterDir())
	if err != nil {
		return nil, &httpError{status: http.StatusForbidden, param: "adapters",
			msg: fmt.Sprintf("adapters are not available: adapters directory: %v", err)}
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, fmt.Errorf("server: adapters directory: %w", err)
	}
	out := make([]engine.LoRA, len(list))
	for i, l := range list {
		p := l.Path
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		real, err := filepath.EvalSymlinks(p)
		if errors.Is(err, os.ErrNotExist) {
			return nil, badRequest("adapters", "adapter %q: no such file", l.Path)
		}
		if err == nil {
			real, err = filepath.Abs(real)
		}
		if err != nil {
			return nil, badRequest("adapters", "adapter %q: %v", l.Path, err)
		}
		if rel, err := filepath.Rel(dir, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, &httpError{status: http.StatusForbidden, param: "adapters",
				msg: fmt.Sprintf("adapter %q is outside the adapters directory", l.Path)}
		}
		if st, err := os.Stat(real); err != nil || !st.Mode().IsRegular() {
			return nil, badRequest("adapters", "adapter %q is not a regular file", l.Path)
		}
		out[i] = engine.LoRA{Path: real, Scale: l.Scale}
	}
	return out, nil
}

// requestAdapterFailed reports whether loading failed because of one of a
// request's adapters (rather than the model or the server's adapters).
func requestAdapterFailed(adapters []engine.LoRA, err error) bool {
	var le *engine.LoRAError
	if !errors.As(err, &le) {
		return false
	}
	for _, l := range adapters {
		if l.Path == le.Path {
			return true
		}
	}
	return false
}

// adapterKey is the canonical form of an adapter list, which with the
// model's name identifies a loaded instance. Order is kept: it decides the
// order the updates are summed in.
func adapterKey(list []engine.LoRA) string {
	var b strings.Builder
	for _, l := range list {
		b.WriteString(l.Path)
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(l.Scale, 'g', -1, 64))
		b.WriteByte('\n')
	}
	return b.String()
}

// adapterNames lists a loaded instance's request adapters as
// "NAME:SCALE" separated by commas, NAME the file's base name ("" without
// adapters).
func (inst *instance) adapterNames() string {
	names := make([]string, len(inst.adapters))
	for i, l := range inst.adapters {
		names[i] = filepath.Base(l.Path) + ":" + strconv.FormatFloat(l.Scale, 'g', -1, 64)
	}
	return strings.Join(names, ",")
}

// maxAdapterSets bounds the instances with request adapters loaded at
// once, since each holds its own caches and every distinct adapter list
// (or scale) a client sends would otherwise load another.
const maxAdapterSets = 8

// makeRoomLocked makes sure another instance with request adapters may be
// loaded, unloading the idle one that expires first when the limit is
// reached; false when all are busy. r.mu must be held.
func (r *registry) makeRoomLocked() bool {
	var n int
	var idle *instance
	for _, inst := range r.loaded {
		if len(inst.adapters) == 0 {
			continue
		}
		n++
		if inst.refs == 0 && isReady(inst) && (idle == nil || inst.expires.Before(idle.expires)) {
			idle = inst
		}
	}
	if n < maxAdapterSets {
		return true
	}
	if idle == nil {
		return false
	}
	r.unloadLocked(idle)
	return true
}
