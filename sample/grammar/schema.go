package grammar

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Rules shared by every schema grammar. Whitespace, number lengths and
// repetitions are bounded as in llama.cpp's converter so that sampling
// cannot run away.
var schemaPrimitives = map[string]string{
	"space":    `| " " | "\n" [ \t]{0,20}`,
	"boolean":  `("true" | "false") space`,
	"null":     `"null" space`,
	"integral": `"0" | [1-9] [0-9]{0,15}`,
	"integer":  `"-"? integral space`,
	"number":   `"-"? integral ("." [0-9]{1,16})? ([eE] [-+]? [0-9]{1,2})? space`,
	"char":     `[^"\\\x7F\x00-\x1F] | "\\" (["\\/bfnrt] | "u" [0-9a-fA-F]{4})`,
	"string":   `"\"" char* "\"" space`,
	"value":    `object | array | string | number | boolean | null`,
	"object":   `"{" space ( string ":" space value ("," space string ":" space value)* )? "}" space`,
	"array":    `"[" space ( value ("," space value)* )? "]" space`,
}

// primitiveDeps lists the primitives each primitive uses.
var primitiveDeps = map[string][]string{
	"boolean": {"space"},
	"null":    {"space"},
	"integer": {"integral", "space"},
	"number":  {"integral", "space"},
	"string":  {"char", "space"},
	"value":   {"object", "array", "string", "number", "boolean", "null"},
	"object":  {"space", "string", "value"},
	"array":   {"space", "value"},
}

// annotations are schema keywords that do not constrain values.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true, "format": true, "deprecated": true,
	"readOnly": true, "writeOnly": true,
}

// supported lists the constraining keywords the converter implements.
var supported = map[string]bool{
	"type": true, "properties": true, "required": true, "additionalProperties": true,
	"enum": true, "const": true, "items": true, "minItems": true, "maxItems": true,
	"minLength": true, "maxLength": true, "pattern": true, "anyOf": true, "oneOf": true,
	"$defs": true, "definitions": true, "$ref": true,
}

// FromSchema compiles a JSON Schema into a grammar of the JSON texts it
// accepts. Supported: type (one or a list), properties, required,
// additionalProperties (false, true or a schema; absent means only the
// declared properties are generated), enum, const, items, minItems,
// maxItems, minLength, maxLength, pattern (a regular expression over the
// string's characters; anchors ^ and $ only at its ends), anyOf, oneOf
// (generated like anyOf), and $ref into $defs/definitions. Annotations (title, description, format...)
// are ignored; any other keyword is an error rather than silently dropped.
// Properties are generated in the schema's order.
func FromSchema(schema []byte) (*Grammar, error) {
	text, err := SchemaToGBNF(schema)
	if err != nil {
		return nil, err
	}
	g, err := Compile(text, "root")
	if err != nil {
		return nil, fmt.Errorf("grammar: schema: %w", err)
	}
	return g, nil
}

// SchemaToGBNF converts a JSON Schema to GBNF text (see FromSchema).
func SchemaToGBNF(schema []byte) (string, error) {
	root, err := decodeOrdered(schema)
	if err != nil {
		return "", fmt.Errorf("grammar: schema is not JSON: %w", err)
	}
	c := &converter{root: root, rules: map[string]string{}, refs: map[string]string{}}
	body, err := c.visit(root, "root", "#")
	if err != nil {
		return "", err
	}
	c.rules["root"] = body
	names := make([]string, 0, len(c.rules))
	for n := range c.rules {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	fmt.Fprintf(&b, "root ::= %s\n", c.rules["root"])
	for _, n := range names {
		if n != "root" {
			fmt.Fprintf(&b, "%s ::= %s\n", n, c.rules[n])
		}
	}
	return b.String(), nil
}

type converter struct {
	root  orderedValue
	rules map[string]string
	refs  map[string]string // $ref → rule name
}

var nonWord = regexp.MustCompile(`[^a-zA-Z0-9-]+`)

// newRule adds a rule named after hint (made unique) and returns its name.
func (c *converter) newRule(hint, body string) string {
	base := strings.Trim(nonWord.ReplaceAllString(hint, "-"), "-")
	if base == "" || base == "root" {
		base = "r"
	}
	name := base
	for i := 1; ; i++ {
		if _, taken := c.rules[name]; !taken && schemaPrimitives[name] == "" {
			break
		}
		name = fmt.Sprintf("%s-%d", base, i)
	}
	c.rules[name] = body
	return name
}

// primitive makes sure a shared rule and its dependencies exist.
func (c *converter) primitive(name string) string {
	if _, ok := c.rules[name]; !ok {
		c.rules[name] = schemaPrimitives[name]
		for _, d := range primitiveDeps[name] {
			c.primitive(d)
		}
	}
	return name
}

// visit returns a GBNF expression for values matching schema s.
func (c *converter) visit(s orderedValue, hint, path string) (string, error) {
	switch t := s.(type) {
	case bool:
		if !t {
			return "", fmt.Errorf("grammar: schema %s is false: no value can match", path)
		}
		return c.primitive("value"), nil
	case *orderedObject:
		return c.visitObject(t, hint, path)
	}
	return "", fmt.Errorf("grammar: schema %s is not an object or boolean", path)
}

func (c *converter) visitObject(s *orderedObject, hint, path string) (string, error) {
	for _, k := range s.keys {
		if !supported[k] && !annotations[k] {
			return "", fmt.Errorf("grammar: schema %s: keyword %q is not supported", path, k)
		}
	}
	if ref, ok := s.get("$ref"); ok {
		return c.visitRef(ref, path)
	}
	if v, ok := s.get("const"); ok {
		return literalRule(v) + " space", c.need("space")
	}
	if v, ok := s.get("enum"); ok {
		list, ok := v.([]orderedValue)
		if !ok || len(list) == 0 {
			return "", fmt.Errorf("grammar: schema %s: enum must be a non-empty array", path)
		}
		alts := make([]string, len(list))
		for i, e := range list {
			alts[i] = literalRule(e)
		}
		c.primitive("space")
		return "(" + strings.Join(alts, " | ") + ") space", nil
	}
	for _, kw := range []string{"anyOf", "oneOf"} {
		if v, ok := s.get(kw); ok {
			list, ok := v.([]orderedValue)
			if !ok || len(list) == 0 {
				return "", fmt.Errorf("grammar: schema %s: %s must be a non-empty array", path, kw)
			}
			alts := make([]string, len(list))
			for i, sub := range list {
				body, err := c.visit(sub, fmt.Sprintf("%s-%d", hint, i), fmt.Sprintf("%s/%s/%d", path, kw, i))
				if err != nil {
					return "", err
				}
				alts[i] = c.newRule(fmt.Sprintf("%s-%d", hint, i), body)
			}
			return strings.Join(alts, " | "), nil
		}
	}
	types, err := schemaTypes(s, path)
	if err != nil {
		return "", err
	}
	if len(types) > 1 {
		alts := make([]string, len(types))
		for i, t := range types {
			body, err := c.visitType(s, t, hint+"-"+t, path)
			if err != nil {
				return "", err
			}
			alts[i] = c.newRule(hint+"-"+t, body)
		}
		return strings.Join(alts, " | "), nil
	}
	return c.visitType(s, types[0], hint, path)
}

func (c *converter) need(name string) error {
	c.primitive(name)
	return nil
}

// schemaTypes returns the listed types, or the type implied by the
// keywords present ("any" when none).
func schemaTypes(s *orderedObject, path string) ([]string, error) {
	v, ok := s.get("type")
	if !ok {
		switch {
		case has(s, "properties", "additionalProperties", "required"):
			return []string{"object"}, nil
		case has(s, "items", "minItems", "maxItems"):
			return []string{"array"}, nil
		case has(s, "minLength", "maxLength", "pattern"):
			return []string{"string"}, nil
		}
		return []string{"any"}, nil
	}
	var types []string
	switch t := v.(type) {
	case string:
		types = []string{t}
	case []orderedValue:
		for _, e := range t {
			name, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("grammar: schema %s: type list holds a non-string", path)
			}
			types = append(types, name)
		}
	}
	if len(types) == 0 {
		return nil, fmt.Errorf("grammar: schema %s: bad type", path)
	}
	for _, t := range types {
		switch t {
		case "object", "array", "string", "number", "integer", "boolean", "null":
		default:
			return nil, fmt.Errorf("grammar: schema %s: unknown type %q", path, t)
		}
	}
	return types, nil
}

func has(s *orderedObject, keys ...string) bool {
	for _, k := range keys {
		if _, ok := s.get(k); ok {
			return true
		}
	}
	return false
}

func (c *converter) visitType(s *orderedObject, typ, hint, path string) (string, error) {
	switch typ {
	case "any":
		return c.primitive("value"), nil
	case "boolean", "null", "number", "integer":
		return c.primitive(typ), nil
	case "string":
		return c.visitString(s, path)
	case "array":
		return c.visitArray(s, hint, path)
	}
	return c.visitObjectType(s, hint, path)
}

// count reads a non-negative integer keyword; -1 when absent.
func count(s *orderedObject, key, path string) (int, error) {
	v, ok := s.get(key)
	if !ok {
		return -1, nil
	}
	n, isNum := v.(json.Number)
	i, err := strconv.Atoi(string(n))
	if !isNum || err != nil || i < 0 || i > maxRepeat {
		return 0, fmt.Errorf("grammar: schema %s: %s must be a non-negative integer up to %d", path, key, maxRepeat)
	}
	return i, nil
}

// bounds reads a min/max keyword pair; max is -1 when absent.
func bounds(s *orderedObject, minKey, maxKey, path string) (int, int, error) {
	lo, err := count(s, minKey, path)
	if err != nil {
		return 0, 0, err
	}
	hi, err := count(s, maxKey, path)
	if err != nil {
		return 0, 0, err
	}
	lo = max(lo, 0)
	if hi >= 0 && hi < lo {
		return 0, 0, fmt.Errorf("grammar: schema %s: %s %d is below %s %d", path, maxKey, hi, minKey, lo)
	}
	return lo, hi, nil
}

func repetition(lo, hi int) string {
	switch {
	case hi < 0 && lo == 0:
		return "*"
	case hi < 0:
		return fmt.Sprintf("{%d,}", lo)
	case lo == hi:
		return fmt.Sprintf("{%d}", lo)
	}
	return fmt.Sprintf("{%d,%d}", lo, hi)
}

func (c *converter) visitString(s *orderedObject, path string) (string, error) {
	lo, hi, err := bounds(s, "minLength", "maxLength", path)
	if err != nil {
		return "", err
	}
	if v, ok := s.get("pattern"); ok {
		pattern, isString := v.(string)
		if !isString {
			return "", fmt.Errorf("grammar: schema %s: pattern must be a string", path)
		}
		if lo > 0 || hi >= 0 {
			return "", fmt.Errorf("grammar: schema %s: pattern together with minLength/maxLength is not supported", path)
		}
		body, err := c.patternRule(pattern, path)
		if err != nil {
			return "", err
		}
		c.primitive("space")
		return `"\"" ` + body + ` "\"" space`, nil
	}
	if lo == 0 && hi < 0 {
		return c.primitive("string"), nil
	}
	c.primitive("char")
	c.primitive("space")
	return `"\"" char` + repetition(lo, hi) + ` "\"" space`, nil
}

func (c *converter) visitArray(s *orderedObject, hint, path string) (string, error) {
	item := c.primitive("value")
	if v, ok := s.get("items"); ok {
		body, err := c.visit(v, hint+"-item", path+"/items")
		if err != nil {
			return "", err
		}
		item = c.newRule(hint+"-item", body)
	}
	lo, hi, err := bounds(s, "minItems", "maxItems", path)
	if err != nil {
		return "", err
	}
	c.primitive("space")
	if hi == 0 {
		return `"[" space "]" space`, nil
	}
	restHi := hi - 1
	if hi < 0 {
		restHi = -1
	}
	list := fmt.Sprintf(`%s ("," space %s)%s`, item, item, repetition(max(lo-1, 0), restHi))
	if lo == 0 {
		list = "(" + list + ")?"
	}
	return `"[" space ` + list + ` "]" space`, nil
}

func (c *converter) visitRef(ref orderedValue, path string) (string, error) {
	r, ok := ref.(string)
	if !ok || !strings.HasPrefix(r, "#/") {
		return "", fmt.Errorf("grammar: schema %s: only local $ref (#/...) is supported, got %v", path, ref)
	}
	if name, ok := c.refs[r]; ok {
		return name, nil
	}
	target := c.root
	for _, part := range strings.Split(r[2:], "/") {
		part = strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")
		obj, ok := target.(*orderedObject)
		if !ok {
			return "", fmt.Errorf("grammar: schema %s: $ref %q does not resolve", path, r)
		}
		if target, ok = obj.get(part); !ok {
			return "", fmt.Errorf("grammar: schema %s: $ref %q does not resolve", path, r)
		}
	}
	hint := r[strings.LastIndex(r, "/")+1:]
	name := c.newRule("ref-"+hint, "")
	c.refs[r] = name
	body, err := c.visit(target, "ref-"+hint, r)
	if err != nil {
		return "", err
	}
	c.rules[name] = body
	return name, nil
}

// literalRule returns a GBNF literal for the compact JSON of v.
func literalRule(v orderedValue) string {
	var buf bytes.Buffer
	encodeCompact(&buf, v)
	return gbnfLiteral(buf.String())
}

// gbnfLiteral quotes s as a GBNF string literal.
func gbnfLiteral(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7F:
			fmt.Fprintf(&b, `\x%02X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
