package grammar

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/herdllm/herd/internal/testdata"
)

// testSchemas cover nested objects, arrays, enums, numbers and the other
// supported keywords.
var testSchemas = []string{
	`{"type":"object","properties":{"name":{"type":"string","maxLength":12},"age":{"type":"integer"}},"required":["name","age"],"additionalProperties":false}`,
	`{"type":"array","items":{"type":"number"},"minItems":1,"maxItems":4}`,
	`{"enum":["red","green","blue",42,null]}`,
	`{"type":"object","properties":{"user":{"type":"object","properties":{"id":{"type":"integer"},"tags":{"type":"array","items":{"type":"string","minLength":1,"maxLength":5},"maxItems":3}},"required":["id"]},"ok":{"type":"boolean"}},"required":["user"]}`,
	`{"type":"object","properties":{"a":{"const":"fixed"},"b":{"type":"null"},"c":{"type":["integer","boolean"]}},"required":["a","c"]}`,
	`{"anyOf":[{"type":"integer"},{"type":"string","maxLength":3},{"type":"array","items":{"enum":[1,2,3]},"maxItems":3}]}`,
	`{"type":"object","properties":{"p":{"type":"number"},"q":{"type":"number"},"r":{"type":"number"}}}`,
	`{"$defs":{"pt":{"type":"object","properties":{"x":{"type":"integer"},"y":{"type":"integer"}},"required":["x","y"]}},"type":"array","items":{"$ref":"#/$defs/pt"},"minItems":2,"maxItems":2}`,
	`{"type":"object","properties":{"mode":{"oneOf":[{"const":"fast"},{"const":"slow"}]},"level":{"type":"integer"}},"required":["mode"],"additionalProperties":{"type":"boolean"}}`,
	`{"type":"string","minLength":2,"maxLength":6}`,
	`{"type":"object","properties":{"code":{"type":"string","pattern":"^[A-Z]{2}-[0-9]{3}(/[a-z]+)?$"},"note":{"pattern":"o(k|n)"}},"required":["code","note"]}`,
}

func TestSchemaAcceptance(t *testing.T) {
	for _, tc := range []struct {
		schema string
		accept []string
		reject []string
	}{
		{testSchemas[0], []string{`{"name":"Al","age":3}`, `{ "name" : "Al" , "age" : -30 }`}, []string{`{"age":3,"name":"Al"}`, `{"name":"Al"}`, `{"name":"Al","age":3.5}`, `{"name":"Al","age":3,"x":1}`, `{"name":"abcdefghijklm","age":1}`}},
		{testSchemas[1], []string{`[1]`, `[1.5, -2e3, 0, 4]`}, []string{`[]`, `[1,2,3,4,5]`, `["a"]`}},
		{testSchemas[2], []string{`"red"`, `42`, `null`}, []string{`"Red"`, `43`}},
		{testSchemas[4], []string{`{"a":"fixed","c":true}`, `{"a":"fixed","b":null,"c":7}`}, []string{`{"a":"other","c":1}`, `{"a":"fixed"}`, `{"a":"fixed","c":"x"}`}},
		{testSchemas[6], []string{`{}`, `{"q":1}`, `{"p":1,"r":2}`, `{"p":1,"q":2,"r":3}`}, []string{`{"r":1,"p":2}`, `{,}`, `{"p":1,}`}},
		{testSchemas[8], []string{`{"mode":"fast"}`, `{"mode":"slow","level":2,"extra":true}`}, []string{`{"mode":"medium"}`, `{"mode":"fast","extra":1}`}},
		{`{"type":"array","maxItems":0}`, []string{`[]`}, []string{`[1]`}},
		{`{"type":"object"}`, []string{`{}`, `{"any":[1,{"x":null}]}`}, []string{`[]`}},
		{`true`, []string{`1`, `"s"`, `{"a":[]}`}, []string{`{`}},
		{testSchemas[10], []string{`{"code":"AB-123","note":"ok"}`, `{"code":"XY-000/abc","note":"a lot of onions"}`}, []string{`{"code":"AB-12","note":"ok"}`, `{"code":"ab-123","note":"ok"}`, `{"code":"AB-123","note":"nope"}`}},
		{`{"pattern":"(?i)^hi$"}`, []string{`"hi"`, `"HI"`, `"hI"`}, []string{`"hii"`}},
	} {
		g, err := FromSchema([]byte(tc.schema))
		if err != nil {
			t.Fatalf("%s: %v", tc.schema, err)
		}
		for _, s := range tc.accept {
			if !g.Matches([]byte(s)) {
				t.Errorf("%s rejects %s", tc.schema, s)
			}
		}
		for _, s := range tc.reject {
			if g.Matches([]byte(s)) {
				t.Errorf("%s accepts %s", tc.schema, s)
			}
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct{ schema, want string }{
		{`{"type":"string","pattern":"\\bword"}`, `word boundary`},
		{`{"type":"string","pattern":"a^b"}`, `anchor ^`},
		{`{"type":"string","pattern":"[a"}`, `missing closing ]`},
		{`{"type":"string","pattern":"^\\\\$"}`, `JSON must escape`},
		{`{"type":"string","pattern":"a","maxLength":3}`, `not supported`},
		{`{"type":"integer","minimum":0}`, `"minimum" is not supported`},
		{`{"allOf":[{}]}`, `"allOf" is not supported`},
		{`{"type":"strin"}`, `unknown type "strin"`},
		{`{"type":"object","properties":{"a":{}},"required":["b"]}`, `required property "b"`},
		{`{"minItems":3,"maxItems":2}`, `maxItems 2 is below minItems 3`},
		{`{"$ref":"#/$defs/missing"}`, `does not resolve`},
		{`{"$ref":"http://x"}`, `only local $ref`},
		{`false`, `no value can match`},
		{`{"enum":[]}`, `non-empty array`},
		{`{"type":`, `not JSON`},
	} {
		_, err := FromSchema([]byte(tc.schema))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("FromSchema(%s) error %v, want %q", tc.schema, err, tc.want)
		}
	}
}

// loadLlama2cVocab reads a llama2.c tokenizer.bin into token bytes: byte
// pieces <0xNN> become that byte, <unk>/<s>/</s> (ids 0-2) have none.
func loadLlama2cVocab(t testing.TB, path string) [][]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	byteTok := regexp.MustCompile(`^<0x([0-9A-F]{2})>$`)
	var tokens [][]byte
	for off := 4; off+8 <= len(data); {
		n := int(binary.LittleEndian.Uint32(data[off+4:]))
		off += 8
		piece := data[off : off+n]
		off += n
		switch m := byteTok.FindSubmatch(piece); {
		case len(tokens) < 3:
			piece = nil
		case m != nil:
			var b byte
			fmt.Sscanf(string(m[1]), "%X", &b)
			piece = []byte{b}
		}
		tokens = append(tokens, piece)
	}
	return tokens
}

// TestSchemaSampling draws tokens at random from masked uniform random
// logits over a real vocabulary and checks every output against its schema.
func TestSchemaSampling(t *testing.T) {
	tokens := loadLlama2cVocab(t, testdata.Path(t, "stories260K", "tok512.bin"))
	if len(tokens) != 512 {
		t.Fatalf("read %d tokens, want 512", len(tokens))
	}
	const eos = 2
	vocab, err := NewVocab(tokens, []int{eos})
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	logits := make([]float32, len(tokens))
	for si, schemaText := range testSchemas {
		g, err := FromSchema([]byte(schemaText))
		if err != nil {
			t.Fatalf("schema %d: %v", si, err)
		}
		var schema any
		if err := json.Unmarshal([]byte(schemaText), &schema); err != nil {
			t.Fatal(err)
		}
		for gen := 0; gen < 20; gen++ {
			st := g.NewState()
			var out []byte
			for step := 0; !st.Done(); step++ {
				if step > 3000 {
					t.Fatalf("schema %d: no end after %d tokens: %q", si, step, out)
				}
				for i := range logits {
					logits[i] = rng.Float32()
				}
				if err := st.MaskLogits(vocab, logits); err != nil {
					t.Fatal(err)
				}
				id := argmax(logits)
				if math.IsInf(float64(logits[id]), -1) {
					t.Fatalf("schema %d: no token allowed after %q", si, out)
				}
				if err := st.AcceptToken(vocab, id); err != nil {
					t.Fatalf("schema %d: %v", si, err)
				}
				if id != eos {
					out = append(out, tokens[id]...)
				}
			}
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				t.Fatalf("schema %d: output %q does not parse: %v", si, out, err)
			}
			if err := validate(schema, schema, v); err != nil {
				t.Fatalf("schema %d: output %s: %v", si, out, err)
			}
		}
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// validate checks value v against schema s (the subset FromSchema supports).
func validate(root, s, v any) error {
	obj, ok := s.(map[string]any)
	if !ok {
		return nil // true
	}
	if ref, ok := obj["$ref"].(string); ok {
		target := root
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			target = target.(map[string]any)[part]
		}
		return validate(root, target, v)
	}
	if c, ok := obj["const"]; ok {
		if !jsonEqual(c, v) {
			return fmt.Errorf("%v is not const %v", v, c)
		}
	}
	if e, ok := obj["enum"].([]any); ok {
		found := false
		for _, x := range e {
			found = found || jsonEqual(x, v)
		}
		if !found {
			return fmt.Errorf("%v not in enum %v", v, e)
		}
	}
	if alts, ok := obj["anyOf"].([]any); ok {
		if countValid(root, alts, v) == 0 {
			return fmt.Errorf("%v matches no anyOf branch", v)
		}
	}
	if alts, ok := obj["oneOf"].([]any); ok {
		if countValid(root, alts, v) != 1 {
			return fmt.Errorf("%v does not match exactly one oneOf branch", v)
		}
	}
	if typ, ok := obj["type"]; ok {
		types, _ := typ.([]any)
		if name, ok := typ.(string); ok {
			types = []any{name}
		}
		okType := false
		for _, name := range types {
			okType = okType || hasType(name.(string), v)
		}
		if !okType {
			return fmt.Errorf("%v is not of type %v", v, typ)
		}
	}
	switch x := v.(type) {
	case string:
		n := utf8.RuneCountInString(x)
		if lo, ok := obj["minLength"].(float64); ok && float64(n) < lo {
			return fmt.Errorf("%q shorter than %v", x, lo)
		}
		if hi, ok := obj["maxLength"].(float64); ok && float64(n) > hi {
			return fmt.Errorf("%q longer than %v", x, hi)
		}
		if p, ok := obj["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(x) {
			return fmt.Errorf("%q does not match %q", x, p)
		}
	case []any:
		if lo, ok := obj["minItems"].(float64); ok && float64(len(x)) < lo {
			return fmt.Errorf("array shorter than %v", lo)
		}
		if hi, ok := obj["maxItems"].(float64); ok && float64(len(x)) > hi {
			return fmt.Errorf("array longer than %v", hi)
		}
		if items, ok := obj["items"]; ok {
			for _, e := range x {
				if err := validate(root, items, e); err != nil {
					return err
				}
			}
		}
	case map[string]any:
		props, _ := obj["properties"].(map[string]any)
		req, _ := obj["required"].([]any)
		for _, r := range req {
			if _, ok := x[r.(string)]; !ok {
				return fmt.Errorf("missing required %q", r)
			}
		}
		for k, e := range x {
			sub, declared := props[k]
			if !declared {
				add, ok := obj["additionalProperties"]
				if !ok || add == false {
					if props != nil || ok {
						return fmt.Errorf("unexpected property %q", k)
					}
					continue
				}
				sub = add
			}
			if err := validate(root, sub, e); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
		}
	}
	return nil
}

func countValid(root any, alts []any, v any) int {
	n := 0
	for _, a := range alts {
		if validate(root, a, v) == nil {
			n++
		}
	}
	return n
}

func hasType(name string, v any) bool {
	switch x := v.(type) {
	case nil:
		return name == "null"
	case bool:
		return name == "boolean"
	case float64:
		return name == "number" || name == "integer" && x == math.Trunc(x)
	case string:
		return name == "string"
	case []any:
		return name == "array"
	case map[string]any:
		return name == "object"
	}
	return false
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

func FuzzSchema(f *testing.F) {
	for _, s := range testSchemas {
		f.Add(s)
	}
	for _, s := range []string{`{"$ref":"#"}`, `{"type":["string","null"],"maxLength":0}`, `true`, `{"items":{"items":{}}}`, `{"$defs":{"a":{"$ref":"#/$defs/a"}},"$ref":"#/$defs/a"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, schema string) {
		g, err := FromSchema([]byte(schema))
		if err != nil {
			return
		}
		st := g.NewState()
		_ = st.Accept([]byte(`{"a": [1, "x", null]}`))
		_ = st.CanEnd()
	})
}
