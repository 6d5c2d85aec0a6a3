package relay

// The generic part of the decoder of parse.go: a one-pass JSON scanner
// that fills Go values exactly as encoding/json would, field by field,
// for the callbacks parse.go gives it.

import (
	"encoding/json"
	"fmt"
)

// maxDepth is encoding/json's nesting limit.
const maxDepth = 10000

type parser struct {
	b       []byte
	i       int
	depth   int
	typeErr error // the first value of the wrong type; syntax errors win
}

// syntaxError is a body that is not JSON.
type syntaxError struct {
	msg    string
	offset int
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (offset %d)", e.msg, e.offset) }

// typeError is JSON of the wrong shape.
type typeError struct{ field string }

func (e *typeError) Error() string { return fmt.Sprintf("%q has the wrong type", e.field) }

func (p *parser) syntax(where string) error {
	if p.i >= len(p.b) {
		return &syntaxError{msg: "unexpected end of JSON input", offset: p.i}
	}
	return &syntaxError{msg: fmt.Sprintf("invalid character %q %s", p.b[p.i], where), offset: p.i}
}

func (p *parser) mistyped(field string) {
	if p.typeErr == nil {
		p.typeErr = &typeError{field: field}
	}
}

func (p *parser) peek() byte {
	if p.i < len(p.b) {
		return p.b[p.i]
	}
	return 0
}

func (p *parser) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > maxDepth {
		return &syntaxError{msg: "exceeded max depth", offset: p.i}
	}
	return nil
}

// object reads {"key": value, ...}; field must consume each value.
func (p *parser) object(field func(key []byte) error) error {
	p.i++ // {
	if err := p.enter(); err != nil {
		return err
	}
	p.ws()
	if p.peek() == '}' {
		p.i++
		p.depth--
		return nil
	}
	for {
		p.ws()
		if p.peek() != '"' {
			return p.syntax("looking for the beginning of an object key")
		}
		key, err := p.key()
		if err != nil {
			return err
		}
		p.ws()
		if p.peek() != ':' {
			return p.syntax("after an object key")
		}
		p.i++
		p.ws()
		if err := field(key); err != nil {
			return err
		}
		p.ws()
		switch p.peek() {
		case ',':
			p.i++
		case '}':
			p.i++
			p.depth--
			return nil
		default:
			return p.syntax("after an object value")
		}
	}
}

// array reads [value, ...]; elem must consume element i. It returns how
// many elements there were.
func (p *parser) array(elem func(i int) error) (int, error) {
	p.i++ // [
	if err := p.enter(); err != nil {
		return 0, err
	}
	p.ws()
	if p.peek() == ']' {
		p.i++
		p.depth--
		return 0, nil
	}
	for n := 0; ; n++ {
		p.ws()
		if err := elem(n); err != nil {
			return 0, err
		}
		p.ws()
		switch p.peek() {
		case ',':
			p.i++
		case ']':
			p.i++
			p.depth--
			return n + 1, nil
		default:
			return 0, p.syntax("after an array element")
		}
	}
}

// rawString scans the string at p.i and returns its quoted form and
// whether decoding it needs more than a copy (escapes or non-ASCII).
func (p *parser) rawString() (quoted []byte, slow bool, err error) {
	start := p.i
	p.i++ // "
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return p.b[start:p.i], slow, nil
		case c == '\\':
			slow = true
			p.i++
			switch p.peek() {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				p.i++
			case 'u':
				p.i++
				for range 4 {
					if !isHex(p.peek()) {
						return nil, false, p.syntax("in \\u hexadecimal character escape")
					}
					p.i++
				}
			default:
				return nil, false, p.syntax("in string escape code")
			}
		case c < 0x20:
			return nil, false, p.syntax("in string literal")
		default:
			if c >= 0x80 {
				slow = true
			}
			p.i++
		}
	}
	return nil, false, p.syntax("in string literal")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// string decodes the string at p.i. Escapes, invalid UTF-8 and surrogates
// are left to encoding/json, so they decode exactly as it decodes them.
func (p *parser) string() (string, error) {
	q, slow, err := p.rawString()
	if err != nil {
		return "", err
	}
	if !slow {
		return string(q[1 : len(q)-1]), nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return "", &syntaxError{msg: err.Error(), offset: p.i}
	}
	return s, nil
}

// key returns an object key, decoded; the common plain key costs nothing.
func (p *parser) key() ([]byte, error) {
	q, slow, err := p.rawString()
	if err != nil {
		return nil, err
	}
	if !slow {
		return q[1 : len(q)-1], nil
	}
	var s string
	if err := json.Unmarshal(q, &s); err != nil {
		return nil, &syntaxError{msg: err.Error(), offset: p.i}
	}
	return []byte(s), nil
}

func (p *parser) literal(word string) error {
	if len(p.b)-p.i < len(word) || string(p.b[p.i:p.i+len(word)]) != word {
		return p.syntax("in literal " + word)
	}
	p.i += len(word)
	return nil
}

// number scans a JSON number and returns its text.
func (p *parser) number() ([]byte, error) {
	start := p.i
	if p.peek() == '-' {
		p.i++
	}
	switch c := p.peek(); {
	case c == '0':
		p.i++
	case '1' <= c && c <= '9':
		p.digits()
	default:
		return nil, p.syntax("in numeric literal")
	}
	if p.peek() == '.' {
		p.i++
		if !isDigit(p.peek()) {
			return nil, p.syntax("after decimal point in numeric literal")
		}
		p.digits()
	}
	if c := p.peek(); c == 'e' || c == 'E' {
		p.i++
		if c := p.peek(); c == '+' || c == '-' {
			p.i++
		}
		if !isDigit(p.peek()) {
			return nil, p.syntax("in exponent of numeric literal")
		}
		p.digits()
	}
	return p.b[start:p.i], nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func (p *parser) digits() {
	for isDigit(p.peek()) {
		p.i++
	}
}

// skip reads and discards any value.
func (p *parser) skip() error {
	switch c := p.peek(); {
	case c == '{':
		return p.object(func([]byte) error { return p.skip() })
	case c == '[':
		_, err := p.array(func(int) error { return p.skip() })
		return err
	case c == '"':
		_, _, err := p.rawString()
		return err
	case c == 't':
		return p.literal("true")
	case c == 'f':
		return p.literal("false")
	case c == 'n':
		return p.literal("null")
	case c == '-' || isDigit(c):
		_, err := p.number()
		return err
	default:
		return p.syntax("looking for the beginning of a value")
	}
}

// skipMistyped records a value of the wrong type for field and skips it.
func (p *parser) skipMistyped(field string) error {
	p.mistyped(field)
	return p.skip()
}

// str reads a string into dst; null leaves dst alone.
func (p *parser) str(dst *string, field string) error {
	switch p.peek() {
	case '"':
		s, err := p.string()
		if err != nil {
			return err
		}
		*dst = s
		return nil
	case 'n':
		return p.literal("null")
	}
	return p.skipMistyped(field)
}

// flex reads a string or a number into dst as flexString.UnmarshalJSON
// does.
func (p *parser) flex(dst *flexString, field string) error {
	switch c := p.peek(); {
	case c == '"':
		s, err := p.string()
		if err != nil {
			return err
		}
		*dst = flexString(s)
		return nil
	case c == '-' || isDigit(c):
		n, err := p.number()
		if err != nil {
			return err
		}
		*dst = flexString(n)
		return nil
	case c == 'n':
		return p.literal("null")
	}
	return p.skipMistyped(field)
}

// strings reads an array of strings into dst, as encoding/json fills a
// slice: elements are decoded over the backing array's old values.
func (p *parser) strings(dst *[]string, field string) error {
	switch p.peek() {
	case '[':
		s := *dst
		n, err := p.array(func(i int) error {
			if i == cap(s) {
				s = append(s[:i], "")
			} else {
				s = s[:i+1]
			}
			return p.str(&s[i], field)
		})
		if err != nil {
			return err
		}
		if n == 0 {
			*dst = []string{}
		} else {
			*dst = s[:n]
		}
		return nil
	case 'n':
		*dst = nil
		return p.literal("null")
	}
	return p.skipMistyped(field)
}

// obj reads an object through field; null leaves the target alone.
func (p *parser) obj(name string, field func(k []byte) error) error {
	switch p.peek() {
	case '{':
		return p.object(field)
	case 'n':
		return p.literal("null")
	}
	return p.skipMistyped(name)
}
