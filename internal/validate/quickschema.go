package validate

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// quickSchema answers one question fast: does a value conform to a JSON
// Schema? It is compiled from the same embedded schema as the full
// validator, understands only the keywords rotor's schemas use, and refuses
// to compile (so the full validator always runs) when it meets any other.
// A register that conforms, the common case, is then checked without the
// allocations of the full validator; a value that does not conform goes to
// the full validator, which explains what is wrong.
type quickSchema struct {
	types      []string // "object", "array", "string", "integer", ...
	properties map[string]*quickSchema
	required   []string
	closed     bool // additionalProperties: false
	items      *quickSchema
	ref        *quickSchema
	pattern    *regexp.Regexp
	minLength  int
	maxLength  int // -1: none
	minProps   int
	maxProps   int // -1: none
	minimum    *float64
	maximum    *float64
	enum       []any
}

// annotations are keywords that never affect validity.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$defs": true, "title": true, "description": true,
	"default": true, "format": true, "examples": true, "$comment": true,
}

// compileQuickSchema compiles raw (a JSON Schema document). It returns an
// error naming the first keyword it does not understand.
func compileQuickSchema(raw []byte) (*quickSchema, error) {
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	c := quickCompiler{root: doc, defs: map[string]*quickSchema{}}
	return c.compile(doc)
}

type quickCompiler struct {
	root map[string]any
	defs map[string]*quickSchema
}

func (c *quickCompiler) compile(s map[string]any) (*quickSchema, error) {
	q := &quickSchema{maxLength: -1, maxProps: -1}
	for key, val := range s {
		var err error
		switch key {
		case "type":
			switch t := val.(type) {
			case string:
				q.types = []string{t}
			case []any:
				for _, x := range t {
					name, ok := x.(string)
					if !ok {
						return nil, fmt.Errorf("type: %v", val)
					}
					q.types = append(q.types, name)
				}
			default:
				return nil, fmt.Errorf("type: %v", val)
			}
		case "properties":
			props, ok := val.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("properties: not an object")
			}
			q.properties = make(map[string]*quickSchema, len(props))
			for name, sub := range props {
				m, ok := sub.(map[string]any)
				if !ok {
					return nil, fmt.Errorf("properties/%s: not a schema object", name)
				}
				if q.properties[name], err = c.compile(m); err != nil {
					return nil, err
				}
			}
		case "required":
			list, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("required: not a list")
			}
			for _, x := range list {
				name, ok := x.(string)
				if !ok {
					return nil, fmt.Errorf("required: %v", x)
				}
				q.required = append(q.required, name)
			}
		case "additionalProperties":
			if b, ok := val.(bool); !ok || b {
				return nil, fmt.Errorf("additionalProperties: only false is supported")
			}
			q.closed = true
		case "items":
			m, ok := val.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("items: not a schema object")
			}
			if q.items, err = c.compile(m); err != nil {
				return nil, err
			}
		case "$ref":
			ref, _ := val.(string)
			if q.ref, err = c.resolve(ref); err != nil {
				return nil, err
			}
		case "pattern":
			p, _ := val.(string)
			if q.pattern, err = regexp.Compile(p); err != nil {
				return nil, fmt.Errorf("pattern: %w", err)
			}
		case "minLength", "maxLength":
			n, ok := val.(float64)
			if !ok || n != math.Trunc(n) || n < 0 {
				return nil, fmt.Errorf("%s: %v", key, val)
			}
			if key == "minLength" {
				q.minLength = int(n)
			} else {
				q.maxLength = int(n)
			}
		case "minProperties", "maxProperties":
			n, ok := val.(float64)
			if !ok || n != math.Trunc(n) || n < 0 {
				return nil, fmt.Errorf("%s: %v", key, val)
			}
			if key == "minProperties" {
				q.minProps = int(n)
			} else {
				q.maxProps = int(n)
			}
		case "minimum", "maximum":
			n, ok := val.(float64)
			if !ok {
				return nil, fmt.Errorf("%s: %v", key, val)
			}
			if key == "minimum" {
				q.minimum = &n
			} else {
				q.maximum = &n
			}
		case "enum":
			list, ok := val.([]any)
			if !ok {
				return nil, fmt.Errorf("enum: not a list")
			}
			for _, x := range list {
				switch x.(type) {
				case string, bool, nil:
				default:
					return nil, fmt.Errorf("enum: only strings, booleans and null are supported")
				}
			}
			q.enum = list
		default:
			if !annotations[key] {
				return nil, fmt.Errorf("keyword %q is not supported", key)
			}
		}
	}
	return q, nil
}

// resolve compiles a local reference "#/$defs/name" once.
func (c *quickCompiler) resolve(ref string) (*quickSchema, error) {
	name, ok := strings.CutPrefix(ref, "#/$defs/")
	if !ok || strings.Contains(name, "/") {
		return nil, fmt.Errorf("$ref %q: only #/$defs/<name> is supported", ref)
	}
	if q, ok := c.defs[name]; ok {
		return q, nil
	}
	defs, _ := c.root["$defs"].(map[string]any)
	def, ok := defs[name].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %q: no such definition", ref)
	}
	q := &quickSchema{maxLength: -1, maxProps: -1}
	c.defs[name] = q // placeholder for recursive references
	compiled, err := c.compile(def)
	if err != nil {
		return nil, err
	}
	*q = *compiled
	return q, nil
}

// valid reports whether v (as produced by register.Value) conforms.
func (q *quickSchema) valid(v any) bool {
	if q.ref != nil && !q.ref.valid(v) {
		return false
	}
	if len(q.types) > 0 && !q.hasType(v) {
		return false
	}
	if q.enum != nil && !inEnum(q.enum, v) {
		return false
	}
	switch x := v.(type) {
	case map[string]any:
		if len(x) < q.minProps || q.maxProps >= 0 && len(x) > q.maxProps {
			return false
		}
		for _, name := range q.required {
			if _, ok := x[name]; !ok {
				return false
			}
		}
		for name, val := range x {
			sub, ok := q.properties[name]
			if !ok {
				if q.closed {
					return false
				}
				continue
			}
			if !sub.valid(val) {
				return false
			}
		}
	case []any:
		if q.items != nil {
			for _, item := range x {
				if !q.items.valid(item) {
					return false
				}
			}
		}
	case string:
		if q.minLength > 0 || q.maxLength >= 0 {
			n := utf8.RuneCountInString(x)
			if n < q.minLength || (q.maxLength >= 0 && n > q.maxLength) {
				return false
			}
		}
		if q.pattern != nil && !q.pattern.MatchString(x) {
			return false
		}
	case int64:
		return q.inRange(float64(x))
	case float64:
		return q.inRange(x)
	}
	return true
}

func (q *quickSchema) inRange(f float64) bool {
	return (q.minimum == nil || f >= *q.minimum) && (q.maximum == nil || f <= *q.maximum)
}

func (q *quickSchema) hasType(v any) bool {
	for _, t := range q.types {
		switch v := v.(type) {
		case map[string]any:
			if t == "object" {
				return true
			}
		case []any:
			if t == "array" {
				return true
			}
		case string:
			if t == "string" {
				return true
			}
		case bool:
			if t == "boolean" {
				return true
			}
		case nil:
			if t == "null" {
				return true
			}
		case int64:
			if t == "integer" || t == "number" {
				return true
			}
		case float64:
			if t == "number" || (t == "integer" && v == math.Trunc(v)) {
				return true
			}
		}
	}
	return false
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}
