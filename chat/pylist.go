package chat

import (
	"reflect"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pyList is a template list with Python indexing: x[-1] is the last
// element even when the list has exactly one (gonja's own lookup misses
// index -len).
type pyList []any

// GetItem implements gonja's ItemGetter.
func (l pyList) GetItem(key any) (*exec.Value, bool) {
	i, ok := key.(int)
	if !ok {
		return exec.AsValue(nil), false
	}
	if i < 0 {
		i += len(l)
	}
	if i < 0 || i >= len(l) {
		return exec.AsValue(nil), false
	}
	return exec.ToValue(l[i]), true
}

// asPyList converts a slice to a pyList; other values pass unchanged.
func asPyList(v any) any {
	if _, ok := v.(pyList); ok {
		return v
	}
	rv := reflect.ValueOf(v)
	if !rv.IsValid() || rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return v
	}
	out := make(pyList, rv.Len())
	for i := range out {
		out[i] = rv.Index(i).Interface()
	}
	return out
}

// listFilter wraps a filter so that a list it returns is a pyList.
func listFilter(f exec.FilterFunction) exec.FilterFunction {
	return func(e *exec.Evaluator, in *exec.Value, params *exec.VarArgs) *exec.Value {
		out := f(e, in, params)
		if out.IsError() || !out.IsList() {
			return out
		}
		return exec.AsValue(asPyList(out.Interface()))
	}
}

// listMethod wraps a method so that a list it returns is a pyList.
func listMethod[I any](m exec.Method[I]) exec.Method[I] {
	return func(self I, selfValue *exec.Value, args *exec.VarArgs) (any, error) {
		out, err := m(self, selfValue, args)
		if err != nil {
			return out, err
		}
		return asPyList(out), nil
	}
}
