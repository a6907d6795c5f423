package chat

import (
	"errors"
	"fmt"
	"reflect"
	"time"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"
)

// templateConfig matches how Hugging Face compiles chat templates:
// trim_blocks and lstrip_blocks on.
func templateConfig() *config.Config {
	c := config.New()
	c.TrimBlocks = true
	c.LeftStripBlocks = true
	return c
}

// environment is gonja's standard library with the Python behaviors chat
// templates rely on: tojson as json.dumps, dict order kept by items(),
// keys() and values().
var environment = newEnvironment()

func newEnvironment() *exec.Environment {
	filters := exec.NewFilterSet(map[string]exec.FilterFunction{}).Update(builtins.Filters)
	_ = filters.Replace("tojson", filterToJSON)
	_ = filters.Replace("items", filterItems)
	for _, name := range []string{"list", "select", "reject", "selectattr", "rejectattr", "map", "sort", "reverse", "unique", "batch", "slice", "dictsort"} {
		if f, ok := builtins.Filters.Get(name); ok {
			_ = filters.Replace(name, listFilter(f))
		}
	}
	dict := map[string]exec.Method[map[string]any]{
		"items":  methodItems,
		"keys":   methodKeys,
		"values": methodValues,
	}
	for _, name := range []string{"get", "pop", "setdefault", "update", "copy", "clear"} {
		if m, ok := builtins.Methods.Dict.Get(name); ok {
			dict[name] = m
		}
	}
	str := map[string]exec.Method[string]{}
	for _, name := range strMethods {
		if m, ok := builtins.Methods.Str.Get(name); ok {
			str[name] = listMethod(m)
		}
	}
	methods := builtins.Methods
	methods.Dict = exec.NewMethodSet(dict)
	methods.Str = exec.NewMethodSet(str)
	return &exec.Environment{
		Context:           exec.EmptyContext().Update(builtins.GlobalFunctions).Update(builtins.GlobalVariables),
		Filters:           filters,
		Tests:             builtins.Tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           methods,
	}
}

// strMethods are gonja's string methods (split-like ones return pyLists).
var strMethods = []string{"capitalize", "capwords", "casefold", "center", "count", "encode", "endswith",
	"expandtabs", "find", "format", "format_map", "isalnum", "isalpha", "isascii", "isdecimal", "isdigit",
	"islower", "isnumeric", "isprintable", "isspace", "istitle", "isupper", "join", "ljust", "lower",
	"lstrip", "partition", "removeprefix", "removesuffix", "replace", "rfind", "rjust", "rpartition",
	"rsplit", "rstrip", "split", "splitlines", "startswith", "strip", "swapcase", "title", "upper", "zfill"}

// parseJinja compiles template source; includes and imports are refused
// because the loader knows no other files.
func parseJinja(source string) (*exec.Template, error) {
	loader, err := loaders.NewMemoryLoader(map[string]string{"/chat_template": source})
	if err != nil {
		return nil, err
	}
	return exec.NewTemplate("/chat_template", templateConfig(), loader, environment)
}

// errRaised wraps messages of the template's raise_exception.
var errRaised = errors.New("template raised an exception")

func raiseException(_ *exec.Evaluator, params *exec.VarArgs) (string, error) {
	msg := "raise_exception called"
	if len(params.Args) > 0 {
		msg = params.Args[0].String()
	}
	return "", fmt.Errorf("%w: %s", errRaised, msg)
}

// strftimeNow returns the strftime_now global for a fixed clock.
func strftimeNow(now time.Time) func(*exec.Evaluator, *exec.VarArgs) (string, error) {
	return func(_ *exec.Evaluator, params *exec.VarArgs) (string, error) {
		if len(params.Args) != 1 || !params.Args[0].IsString() {
			return "", fmt.Errorf("strftime_now takes one format string")
		}
		return strftime(now, params.Args[0].String()), nil
	}
}

func filterToJSON(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	indent := 0
	if v, ok := params.KwArgs["indent"]; ok && !v.IsNil() {
		indent = v.Integer()
	} else if len(params.Args) > 0 && !params.Args[0].IsNil() {
		indent = params.Args[0].Integer()
	}
	s, err := pyJSON(plain(in.Interface()), indent)
	if err != nil {
		return exec.AsValue(err)
	}
	return exec.AsSafeValue(s)
}

// plain unwraps gonja values inside containers built by templates.
func plain(v any) any {
	switch x := v.(type) {
	case *exec.Value:
		return plain(x.Interface())
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// orderedItems returns [key, value] pairs of a map in insertion order.
func orderedItems(m any) [][2]any {
	rv := reflect.ValueOf(m)
	if rv.Kind() != reflect.Map {
		return nil
	}
	var out [][2]any
	for _, k := range mapKeys(rv) {
		out = append(out, [2]any{k.Interface(), rv.MapIndex(k).Interface()})
	}
	return out
}

func filterItems(_ *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
	if in.IsError() {
		return in
	}
	if in.IsNil() {
		return exec.AsValue([]any{})
	}
	if in.IsList() {
		return in
	}
	if !in.IsDict() {
		return exec.AsValue(errors.New("items requires a mapping"))
	}
	pairs := orderedItems(in.Interface())
	out := make(pyList, len(pairs))
	for i, p := range pairs {
		out[i] = pyList{p[0], p[1]}
	}
	return exec.AsValue(out)
}

func methodItems(_ map[string]any, selfValue *exec.Value, args *exec.VarArgs) (any, error) {
	if err := args.Take(); err != nil {
		return nil, exec.ErrInvalidCall(err)
	}
	self := selfValue.Interface()
	pairs := orderedItems(self)
	out := make(pyList, len(pairs))
	for i, p := range pairs {
		out[i] = pyList{p[0], p[1]}
	}
	return out, nil
}

func methodKeys(_ map[string]any, selfValue *exec.Value, args *exec.VarArgs) (any, error) {
	if err := args.Take(); err != nil {
		return nil, exec.ErrInvalidCall(err)
	}
	self := selfValue.Interface()
	out := pyList{}
	for _, p := range orderedItems(self) {
		out = append(out, p[0])
	}
	return out, nil
}

func methodValues(_ map[string]any, selfValue *exec.Value, args *exec.VarArgs) (any, error) {
	if err := args.Take(); err != nil {
		return nil, exec.ErrInvalidCall(err)
	}
	self := selfValue.Interface()
	out := pyList{}
	for _, p := range orderedItems(self) {
		out = append(out, p[1])
	}
	return out, nil
}
