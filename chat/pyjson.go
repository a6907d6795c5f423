package chat

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// pyJSON serializes v as Python's json.dumps(v, ensure_ascii=False,
// indent=indent) does (as Hugging Face's tojson filter calls it): ", " and
// ": " separators without indent, "," and ": " with it; dict keys in
// insertion order when known (see keyOrder); floats as Python's repr.
func pyJSON(v any, indent int) (string, error) {
	var b strings.Builder
	if err := writePyJSON(&b, v, indent, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func writePyJSON(b *strings.Builder, v any, indent, level int) error {
	newline := func(l int) {
		if indent > 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", indent*l))
		}
	}
	itemSep := ", "
	if indent > 0 {
		itemSep = ","
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
		return nil
	case bool:
		b.WriteString(map[bool]string{true: "true", false: "false"}[x])
		return nil
	case string:
		writePyString(b, x)
		return nil
	case pyNumber:
		b.WriteString(x.text)
		return nil
	case *exec.Value:
		return writePyJSON(b, x.Interface(), indent, level)
	case exec.Dict, *exec.Dict:
		// A dict literal written in the template: ordered pairs.
		d, ok := x.(exec.Dict)
		if p, isPtr := x.(*exec.Dict); isPtr {
			d, ok = *p, p != nil
		}
		if !ok || len(d.Pairs) == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, p := range d.Pairs {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			writePyString(b, p.Key.String())
			b.WriteString(": ")
			if err := writePyJSON(b, p.Value.Interface(), indent, level+1); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte('}')
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		b.WriteString(strconv.FormatInt(rv.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		b.WriteString(strconv.FormatUint(rv.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		b.WriteString(pyFloat(rv.Float()))
	case reflect.String:
		writePyString(b, rv.String())
	case reflect.Slice, reflect.Array:
		if rv.Len() == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i := range rv.Len() {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			if err := writePyJSON(b, rv.Index(i).Interface(), indent, level+1); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte(']')
	case reflect.Map:
		if rv.Len() == 0 {
			b.WriteString("{}")
			return nil
		}
		b.WriteByte('{')
		for i, k := range mapKeys(rv) {
			if i > 0 {
				b.WriteString(itemSep)
			}
			newline(level + 1)
			writePyString(b, fmt.Sprint(k.Interface()))
			b.WriteString(": ")
			if err := writePyJSON(b, rv.MapIndex(k).Interface(), indent, level+1); err != nil {
				return err
			}
		}
		newline(level)
		b.WriteByte('}')
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			b.WriteString("null")
			return nil
		}
		return writePyJSON(b, rv.Elem().Interface(), indent, level)
	default:
		return fmt.Errorf("chat: tojson: cannot serialize %T", v)
	}
	return nil
}

// mapKeys returns a map's keys in insertion order when the map came from
// toValue, otherwise sorted.
func mapKeys(rv reflect.Value) []reflect.Value {
	if order, ok := keyOrder.Load(rv.Pointer()); ok {
		names := order.([]string)
		if len(names) == rv.Len() {
			keys := make([]reflect.Value, 0, len(names))
			for _, n := range names {
				k := reflect.ValueOf(n).Convert(rv.Type().Key())
				if !rv.MapIndex(k).IsValid() {
					keys = nil
					break
				}
				keys = append(keys, k)
			}
			if keys != nil {
				return keys
			}
		}
	}
	keys := rv.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return fmt.Sprint(keys[i].Interface()) < fmt.Sprint(keys[j].Interface()) })
	return keys
}

// writePyString quotes s as json.dumps(ensure_ascii=False) does.
func writePyString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		s = s[n:]
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pyFloat formats f as Python's repr(float).
func pyFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±XX, shortest
	mant, expText, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expText)
	if exp < -4 || exp >= 16 {
		return fmt.Sprintf("%se%+03d", mant, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// pyNumber is a JSON number kept as Python would print it after
// json.loads: integers verbatim, others as repr(float).
type pyNumber struct{ text string }

func newPyNumber(lit string) any {
	if i, err := strconv.ParseInt(lit, 10, 64); err == nil {
		return i
	}
	if !strings.ContainsAny(lit, ".eE") {
		return pyNumber{text: strings.TrimPrefix(lit, "+")} // Python ints are unbounded
	}
	if f, err := strconv.ParseFloat(lit, 64); err == nil {
		return f
	}
	return pyNumber{text: lit}
}
