package register

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Limits that keep hostile input harmless. A register file of 10,000
// credentials is about 3 MiB; anything near these limits is not a register.
const (
	// MaxFileSize bounds a file's bytes, and with them the memory of
	// parsing a hostile one: yaml.v3 spends about 100 bytes per byte of a
	// file packed with tiny nodes.
	MaxFileSize = 4 << 20
	MaxDepth    = 32 // nesting of mappings and sequences
)

// Rules reported by the loader.
const (
	RuleFile = "file" // the file as a whole: size, encoding, shape
	RuleYAML = "yaml" // YAML syntax
)

// Document is one parsed YAML file. Root is the top-level node (a mapping
// for any usable register file); every node keeps its line and column.
type Document struct {
	Path string
	Root *yaml.Node
}

// ReadFile reads and parses the register file at path. A problem with the
// content is a finding, not an error; err is set only when the file cannot
// be read.
func ReadFile(path string) (*Document, []Finding, error) {
	data, f, err := ReadBytes(path)
	if err != nil || f != nil {
		return nil, f, err
	}
	doc, findings := Parse(path, data)
	return doc, findings, nil
}

// ErrNotRegular is returned for a path that is not a regular file (or a
// link to one): a FIFO, a device or a socket could block a read forever.
var ErrNotRegular = errors.New("not a regular file")

// ReadBytes reads the file at path, at most MaxFileSize bytes. Only regular
// files are read: anything else is ErrNotRegular, found before the read
// could block. A file over the size limit is a finding (and no data).
func ReadBytes(path string) ([]byte, []Finding, error) {
	// Non-blocking: open(2) of a FIFO then returns at once instead of
	// waiting for a writer, and the check of what was opened refuses it.
	f, err := os.OpenFile(path, os.O_RDONLY|openNonBlocking, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, nil, fmt.Errorf("read %q: %w (%s)", path, ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > MaxFileSize {
		return nil, []Finding{tooLarge(path)}, nil
	}
	size := min(max(fi.Size(), 512), MaxFileSize)
	// One read of the stat'ed size; the loop covers files that grow.
	buf := make([]byte, 0, size+1)
	data, err := readAllInto(buf, io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read %q: %w", path, err)
	}
	if len(data) > MaxFileSize {
		return nil, []Finding{tooLarge(path)}, nil
	}
	return data, nil, nil
}

func tooLarge(path string) Finding {
	return fileFinding(path, fmt.Sprintf("file is larger than %d MiB, too large for a register file", MaxFileSize>>20),
		"split the register into several files (one per team or system is typical)")
}

// readAllInto is io.ReadAll into a caller-sized buffer.
func readAllInto(b []byte, r io.Reader) ([]byte, error) {
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err != nil {
			if errors.Is(err, io.EOF) {
				return b, nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// bigParses lets one large file at a time through the YAML parser: its node
// tree takes up to about 100 times the file's size in memory, and files are
// read in parallel.
var bigParses = make(chan struct{}, 1)

const bigFile = 1 << 20

// Parse parses data as the register file path. It returns a nil Document
// when the file is unusable, with findings that say why.
func Parse(path string, data []byte) (*Document, []Finding) {
	if len(data) > MaxFileSize {
		return nil, []Finding{tooLarge(path)}
	}
	if bytes.HasPrefix(data, []byte{0xff, 0xfe}) || bytes.HasPrefix(data, []byte{0xfe, 0xff}) ||
		bytes.HasPrefix(data, []byte{0, 0, 0xfe, 0xff}) {
		return nil, []Finding{fileFinding(path, "file is UTF-16 or UTF-32 text, not UTF-8",
			"save the file as UTF-8 (without a byte order mark)")}
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return nil, []Finding{fileFinding(path, fmt.Sprintf("file is binary, not YAML text (NUL byte at offset %d)", i),
			"register files are UTF-8 YAML text; remove this file or restore its content")}
	}
	if !utf8.Valid(data) {
		return nil, []Finding{fileFinding(path, fmt.Sprintf("file is not UTF-8 text (invalid byte at offset %d)", invalidUTF8Offset(data)),
			"save the file as UTF-8")}
	}
	if len(data) > bigFile {
		bigParses <- struct{}{}
		defer func() { <-bigParses }()
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, []Finding{syntaxFinding(path, data, err, parseFirst)}
	}
	if root.Kind == 0 {
		return nil, []Finding{emptyFinding(path)}
	}
	if mayHoldSeveralDocuments(data) {
		if f, ok := checkSingleDocument(path, data); !ok {
			return nil, []Finding{f}
		}
	}
	if len(root.Content) == 0 {
		return nil, []Finding{emptyFinding(path)}
	}
	top := root.Content[0]
	if f, ok := checkShape(path, top, 0); !ok {
		return nil, []Finding{f}
	}
	if top.Kind != yaml.MappingNode {
		if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
			return nil, []Finding{emptyFinding(path)}
		}
		return nil, []Finding{{File: path, Line: top.Line, Column: top.Column, Severity: SeverityError, Rule: RuleFile,
			Message: fmt.Sprintf("top level is %s, not a mapping with a credentials: list", kindName(top)),
			Hint:    "start the file with 'credentials:' followed by a list of entries (see template.yaml)"}}
	}
	return &Document{Path: path, Root: top}, nil
}

// mayHoldSeveralDocuments is a cheap test for a document marker ("---" or
// "...") at the start of a line after the first (after any line break
// YAML counts); only such files pay for a second parse that counts
// documents.
func mayHoldSeveralDocuments(data []byte) bool {
	for _, marker := range [][]byte{[]byte("---"), []byte("...")} {
		for i := 0; ; i++ {
			j := bytes.Index(data[i:], marker)
			if j < 0 {
				break
			}
			if i += j; lastBreakLen(data[:i]) > 0 {
				return true
			}
		}
	}
	return false
}

// checkSingleDocument refuses a file with more than one YAML document:
// yaml.Unmarshal would silently read the first and ignore the rest.
func checkSingleDocument(path string, data []byte) (Finding, bool) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var first, extra yaml.Node
	if err := dec.Decode(&first); err != nil {
		return syntaxFinding(path, data, err, parseTwo), false
	}
	err := dec.Decode(&extra)
	switch {
	case errors.Is(err, io.EOF):
		return Finding{}, true
	case err != nil:
		return syntaxFinding(path, data, err, parseTwo), false
	}
	return Finding{File: path, Line: max(extra.Line, 1), Column: 1, Severity: SeverityError, Rule: RuleFile,
		Message: "file holds more than one YAML document",
		Hint:    "remove the '---' separator and keep one credentials: list per file"}, false
}

func emptyFinding(path string) Finding {
	return fileFinding(path, "file is empty: a register file holds a top-level credentials: list",
		"add entries (see template.yaml) or delete the file")
}

func fileFinding(path, msg, hint string) Finding {
	return Finding{File: path, Line: 1, Column: 1, Severity: SeverityError, Rule: RuleFile, Message: msg, Hint: hint}
}

func syntaxFinding(path string, data []byte, err error, parse func([]byte) error) Finding {
	line, msg := splitYAMLError(err)
	if strings.HasPrefix(msg, "exceeded max depth") {
		return tooDeep(path, line, 1)
	}
	if len(data) <= locateLimit {
		line = locate(data, line, msg, parse)
	}
	return Finding{File: path, Line: line, Column: 1, Severity: SeverityError, Rule: RuleYAML,
		Message: "YAML syntax error: " + msg,
		Hint:    "check indentation and quoting near this line; values containing ': ' or '#' need quotes"}
}

// splitYAMLError returns the line yaml.v3 gives for err (1 if none) and
// the message without the "yaml: line N: " prefix.
func splitYAMLError(err error) (int, string) {
	msg := err.Error()
	line := 1
	if te, ok := err.(*yaml.TypeError); ok && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		msg = m[2]
		// yaml.v3 numbers the lines of parser errors ("did not find
		// expected key") and of misplaced tabs from 0, the others from 1.
		if strings.HasPrefix(msg, "did not find expected") || strings.HasPrefix(msg, "found a tab character") {
			line++
		}
	}
	return max(line, 1), strings.TrimPrefix(msg, "yaml: ")
}

func parseFirst(data []byte) error {
	var n yaml.Node
	return yaml.Unmarshal(data, &n)
}

func parseTwo(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for range 2 {
		var n yaml.Node
		if err := dec.Decode(&n); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return err
		}
	}
	return nil
}

// locateLimit bounds the files whose syntax errors are located exactly:
// that takes a few more parses of the file.
const locateLimit = 256 << 10

// locate finds the line a YAML syntax error is about. For an error inside
// a block, yaml.v3 reports the line where the block starts: an indentation
// mistake deep in a list comes out at the list's first line. The shortest
// run of whole lines from the top (lines as yaml.v3 counts them) that fails
// with the same message ends at the problem.
func locate(data []byte, line int, msg string, parse func([]byte) error) int {
	starts := newSource(data).starts
	fails := func(lines int) bool {
		end := len(data)
		if lines < len(starts) {
			end = starts[lines]
		}
		err := parse(data[:end])
		if err == nil {
			return false
		}
		_, m := splitYAMLError(err)
		return m == msg
	}
	lo, hi := min(max(line-1, 1), len(starts)), len(starts)
	if hi == 0 || !fails(hi) {
		return line
	}
	for lo < hi { // the first prefix in [lo, hi] that fails the same way
		mid := lo + (hi-lo)/2
		if fails(mid) {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return hi
}

func invalidUTF8Offset(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// checkShape refuses what a register never needs and an attacker could use:
// anchors and aliases (alias bombs) and deep nesting.
func checkShape(path string, n *yaml.Node, depth int) (Finding, bool) {
	if depth > MaxDepth {
		return tooDeep(path, n.Line, n.Column), false
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		return Finding{File: path, Line: n.Line, Column: n.Column, Severity: SeverityError, Rule: RuleYAML,
			Message: "YAML anchors and aliases are not allowed in the register",
			Hint:    "write each value out in full so that every change is visible in review"}, false
	}
	for _, c := range n.Content {
		if f, ok := checkShape(path, c, depth+1); !ok {
			return f, false
		}
	}
	return Finding{}, true
}

func tooDeep(path string, line, col int) Finding {
	return Finding{File: path, Line: line, Column: col, Severity: SeverityError, Rule: RuleFile,
		Message: fmt.Sprintf("nesting deeper than %d levels", MaxDepth),
		Hint:    "a register entry is at most a few levels deep; flatten the structure"}
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.ScalarNode:
		return "a single value"
	}
	return "not a mapping"
}

// Value converts n to the plain Go value JSON Schema validation expects:
// map[string]any, []any, string, int64, float64, bool or nil. Scalars
// tagged !!timestamp stay strings (their source text), so a date is never
// turned into a time.Time. A key is its source text; when a key appears
// twice in a mapping the first one counts, and the second is reported
// through dup (which may be nil) with the first.
func Value(n *yaml.Node, dup func(key, first *yaml.Node)) any {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		var seen map[string]*yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if _, ok := m[k.Value]; ok {
				if dup != nil {
					if seen == nil {
						seen = keyNodes(n)
					}
					dup(k, seen[k.Value])
				}
				continue
			}
			m[k.Value] = Value(v, dup)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = Value(c, dup)
		}
		return s
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil
		}
		return Value(n.Content[0], dup)
	case yaml.ScalarNode:
		return scalarValue(n)
	}
	return nil
}

func keyNodes(m *yaml.Node) map[string]*yaml.Node {
	seen := make(map[string]*yaml.Node, len(m.Content)/2)
	for i := 0; i+1 < len(m.Content); i += 2 {
		if _, ok := seen[m.Content[i].Value]; !ok {
			seen[m.Content[i].Value] = m.Content[i]
		}
	}
	return seen
}

func scalarValue(n *yaml.Node) any {
	switch n.ShortTag() {
	case "!!null":
		return nil
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b
		}
	case "!!int", "!!float":
		// A number has one reading: plain decimal digits. YAML's other
		// spellings (0x5A, 0o132, 0132, 1_0, 90.0, 9e1, +90) stay text, so
		// the schema refuses them instead of checking one number while the
		// rules use another.
		if !IsPlainDecimal(n.Value) {
			return n.Value
		}
		if i, err := strconv.ParseInt(n.Value, 10, 64); err == nil {
			return i
		}
		// Beyond int64: still a number, and out of every bound.
		if f, err := strconv.ParseFloat(n.Value, 64); err == nil && !math.IsInf(f, 0) {
			return f
		}
	}
	return n.Value
}

// IsPlainDecimal reports whether s is a whole number written in plain
// decimal: "0", or digits without a leading zero. No sign, point, exponent,
// base prefix or underscore.
func IsPlainDecimal(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// PlainInt returns the value of a plain decimal whole number (see
// IsPlainDecimal) that fits an int; ok is false for anything else.
func PlainInt(s string) (n int, ok bool) {
	if !IsPlainDecimal(s) {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// LooksNumeric reports whether an unquoted scalar was meant as a number:
// YAML resolved it as one, or it starts like one (a digit, a sign or a
// point). Such a value that is not plain decimal gets a message about how
// numbers are written rather than a type error.
func LooksNumeric(n *yaml.Node) bool {
	if n == nil || n.Kind != yaml.ScalarNode || n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
		return false
	}
	if t := n.ShortTag(); t == "!!int" || t == "!!float" {
		return true
	}
	return n.Value != "" && strings.ContainsRune("0123456789+-.", rune(n.Value[0]))
}

// Lookup returns the node at a JSON pointer ("/credentials/0/id", RFC 6901)
// under n, and the key node when the last step is a mapping key. It stops at
// the deepest node that exists, so a missing property points at its parent.
func Lookup(n *yaml.Node, pointer string) (value, key *yaml.Node) {
	value = n
	if n == nil || pointer == "" {
		return value, nil
	}
	for _, tok := range strings.Split(strings.TrimPrefix(pointer, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch value.Kind {
		case yaml.MappingNode:
			k, v := MapGet(value, tok)
			if v == nil {
				return value, key
			}
			value, key = v, k
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(value.Content) || tok != strconv.Itoa(i) {
				return value, key
			}
			value, key = value.Content[i], nil
		default:
			return value, key
		}
	}
	return value, key
}

// MapGet returns the key and value nodes of key in mapping m, or nils.
func MapGet(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}
