package grammar

import (
	"encoding/json"
	"fmt"
	"strings"
)

// visitObjectType emits the declared properties in order, required ones
// always and optional ones possibly, with commas placed by a chain of rules:
// for each position a "first" rule (nothing written yet) and a "rest" rule.
func (c *converter) visitObjectType(s *orderedObject, hint, path string) (string, error) {
	props := &orderedObject{values: map[string]orderedValue{}}
	if v, ok := s.get("properties"); ok {
		p, ok := v.(*orderedObject)
		if !ok {
			return "", fmt.Errorf("grammar: schema %s: properties must be an object", path)
		}
		props = p
	}
	required := map[string]bool{}
	if v, ok := s.get("required"); ok {
		list, ok := v.([]orderedValue)
		if !ok {
			return "", fmt.Errorf("grammar: schema %s: required must be an array", path)
		}
		for _, e := range list {
			name, ok := e.(string)
			if !ok {
				return "", fmt.Errorf("grammar: schema %s: required holds a non-string", path)
			}
			if _, declared := props.get(name); !declared {
				return "", fmt.Errorf("grammar: schema %s: required property %q is not in properties", path, name)
			}
			required[name] = true
		}
	}
	c.primitive("space")
	// Additional members: none, any value, or a schema.
	extra := ""
	if v, ok := s.get("additionalProperties"); ok {
		switch t := v.(type) {
		case bool:
			if t {
				extra = c.primitive("value")
			}
		default:
			body, err := c.visit(v, hint+"-additional", path+"/additionalProperties")
			if err != nil {
				return "", err
			}
			extra = c.newRule(hint+"-additional", body)
		}
	} else if len(props.keys) == 0 {
		extra = c.primitive("value")
	}
	first, rest := "", ""
	if extra != "" {
		kv := c.newRule(hint+"-additional-kv", fmt.Sprintf(`%s ":" space %s`, c.primitive("string"), extra))
		rest = c.newRule(hint+"-additional-rest", fmt.Sprintf(`("," space %s)*`, kv))
		first = c.newRule(hint+"-additional-first", fmt.Sprintf(`(%s %s)?`, kv, rest))
	}
	for i := len(props.keys) - 1; i >= 0; i-- {
		name := props.keys[i]
		body, err := c.visit(props.values[name], hint+"-"+name, path+"/properties/"+name)
		if err != nil {
			return "", err
		}
		value := c.newRule(hint+"-"+name, body)
		key, _ := json.Marshal(name)
		kv := c.newRule(hint+"-"+name+"-kv", fmt.Sprintf(`%s space ":" space %s`, gbnfLiteral(string(key)), value))
		nextFirst, nextRest := orEmpty(first), orEmpty(rest)
		fBody := kv + " " + nextRest
		rBody := `"," space ` + kv + " " + nextRest
		if !required[name] {
			fBody += " | " + nextFirst
			rBody += " | " + nextRest
		}
		first = c.newRule(hint+"-first", strings.TrimSpace(fBody))
		rest = c.newRule(hint+"-rest", strings.TrimSpace(rBody))
	}
	return `"{" space ` + orEmpty(first) + ` "}" space`, nil
}

func orEmpty(rule string) string {
	if rule == "" {
		return `""`
	}
	return rule
}
