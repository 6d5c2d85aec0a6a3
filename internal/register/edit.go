package register

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Field is one "key: value" line of a new register entry.
type Field struct {
	Key   string
	Value string
	// Plain writes Value as it is (numbers, dates); otherwise Value is a
	// string and is quoted when YAML needs it.
	Plain bool
}

// AppendEntry returns data with a new credential appended to its
// credentials: list, leaving every other byte of the file as it was. The
// entry follows the indentation, line endings and blank-line layout of the
// entries already there. Empty data gets a new file with the schema line for
// editors: schemaRef is the path of credential.schema.json relative to the
// file. The result is checked before it is returned: it parses, holds every
// original entry unchanged and the new entry once.
func AppendEntry(data []byte, fields []Field, schemaRef string) ([]byte, error) {
	if err := checkFields(fields); err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# yaml-language-server: $schema=%s\ncredentials:\n", schemaRef)
		writeEntry(&b, fields, 2, 2, "\n")
		return b.Bytes(), nil
	}
	src := newSource(data)
	doc, findings := Parse("", data)
	if doc == nil {
		if src.onlyComments() {
			// A header with no content yet: start the list below it.
			eol := src.eolBefore(len(src.starts))
			var b bytes.Buffer
			b.Write(data)
			if lastBreakLen(data) == 0 {
				b.WriteString(eol)
			}
			b.WriteString("credentials:" + eol)
			writeEntry(&b, fields, 2, 2, eol)
			return checked(nil, b.Bytes(), fields)
		}
		return nil, fmt.Errorf("the file cannot be read as a register file: %s", findings[0].Message)
	}
	if doc.Root.Style&yaml.FlowStyle != 0 {
		return nil, fmt.Errorf("line %d: the file is one flow mapping {...}; write it in block style to add entries", doc.Root.Line)
	}
	key, seq := MapGet(doc.Root, "credentials")
	if key == nil {
		return nil, fmt.Errorf("the file has no top-level credentials: list to append to")
	}
	keyIndent := src.indent(key.Line - 1)
	var (
		indent int      // spaces before the dash
		gap    = 2      // from the dash to the entry's fields
		ats    []int    // line indexes (0-based) before which the entry may go, best first
		empty  []splice // the credentials line without its [] or null value
	)
	switch {
	case seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle != 0:
		if len(seq.Content) > 0 {
			return nil, fmt.Errorf("line %d: credentials is a flow list [...]; write it as a block list to add entries", seq.Line)
		}
		// "credentials: []": drop the brackets, keep any comment after them.
		sp, ok := src.removeToken(seq.Line, seq.Column, "[", "]")
		if !ok {
			return nil, fmt.Errorf("line %d: write the empty credentials list as [] on one line to add entries", seq.Line)
		}
		empty = []splice{sp}
		indent, ats = keyIndent+2, []int{seq.Line}
	case seq.Kind == yaml.SequenceNode:
		indent = src.indent(seq.Line - 1)
		if first := seq.Content[0]; first.Line == seq.Line && first.Column > seq.Column+1 {
			// "-   id: a": the entry's fields start further right.
			gap = first.Column - seq.Column
		}
		end := len(src.starts)
		if next := nextKey(doc.Root, key); next != nil {
			end = next.Line - 1
		}
		ats = []int{src.endOfEntry(seq.Content[len(seq.Content)-1].Line-1, end, indent), end}
	case seq.Kind == yaml.ScalarNode && seq.Tag == "!!null" && seq.Style&yaml.TaggedStyle == 0:
		if seq.Value != "" {
			// "credentials: ~" or "credentials: null": drop the value.
			sp, ok := src.removeToken(seq.Line, seq.Column, seq.Value, "")
			if !ok {
				return nil, fmt.Errorf("line %d: remove the null value of credentials: to add entries", seq.Line)
			}
			empty = []splice{sp}
		}
		indent, ats = keyIndent+2, []int{max(key.Line, seq.Line)}
	default:
		return nil, fmt.Errorf("line %d: credentials is not a list", seq.Line)
	}
	var err error
	for _, at := range ats {
		var out []byte
		if out, err = checked(doc, apply(data, append(slices.Clip(empty), src.entryAt(at, fields, indent, gap, seq))), fields); err == nil {
			return out, nil
		}
	}
	return nil, err
}

// checkFields refuses fields that cannot be written as one simple line each.
func checkFields(fields []Field) error {
	if len(fields) == 0 {
		return fmt.Errorf("a new entry needs at least one field")
	}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if !fieldKey.MatchString(f.Key) {
			return fmt.Errorf("field name %q: use letters, digits, '_' and '-'", f.Key)
		}
		if seen[f.Key] {
			return fmt.Errorf("field %q is given twice", f.Key)
		}
		seen[f.Key] = true
		if !utf8.ValidString(f.Value) {
			return fmt.Errorf("field %q: the value is not UTF-8 text", f.Key)
		}
		if f.Plain && (f.Value == "" || countBreaks(f.Value) > 0) {
			return fmt.Errorf("field %q: a plain value is one non-empty line", f.Key)
		}
	}
	return nil
}

var fieldKey = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

// entryAt returns the splice that inserts the new entry before line at
// (0-based; the number of lines for the end), in the line endings there.
func (s *source) entryAt(at int, fields []Field, indent, gap int, seq *yaml.Node) splice {
	eol := s.eolBefore(at)
	var b bytes.Buffer
	if at > 0 && s.lineBreak(at-1) == "" {
		b.WriteString(eol)
	}
	if at > 0 && !s.blankLine(at-1) && seq.Kind == yaml.SequenceNode && s.blankSeparated(seq) {
		b.WriteString(eol)
	}
	writeEntry(&b, fields, indent, gap, eol)
	off := s.len()
	if at < len(s.starts) {
		off = s.starts[at]
	}
	return splice{start: off, end: off, text: b.String()}
}

// checked returns out if it holds the entries of old unchanged plus the new
// entry, and the rest of the file unchanged.
func checked(old *Document, out []byte, fields []Field) ([]byte, error) {
	doc, findings := Parse("", out)
	if doc == nil {
		return nil, fmt.Errorf("the file would not parse after adding the entry (%s); add it by hand", findings[0].Message)
	}
	_, seq := MapGet(doc.Root, "credentials")
	var before []*yaml.Node
	var rest map[string]any
	if old != nil {
		if _, s := MapGet(old.Root, "credentials"); s != nil && s.Kind == yaml.SequenceNode {
			before = s.Content
		}
		rest = withoutCredentials(old.Root)
	}
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) != len(before)+1 ||
		(old != nil && !reflect.DeepEqual(withoutCredentials(doc.Root), rest)) {
		return nil, fmt.Errorf("the layout of the credentials list is not one rotor can add to; add the entry by hand")
	}
	for i, n := range before {
		if !reflect.DeepEqual(Value(seq.Content[i], nil), Value(n, nil)) {
			return nil, fmt.Errorf("adding the entry would change entry %d; add it by hand", i+1)
		}
	}
	got, ok := Value(seq.Content[len(before)], nil).(map[string]any)
	if !ok || len(got) != len(fields) {
		return nil, fmt.Errorf("the new entry would not read back as written; add it by hand")
	}
	for _, f := range fields {
		v, ok := got[f.Key]
		if !ok || !f.Plain && v != f.Value {
			return nil, fmt.Errorf("field %q would not read back as written; add the entry by hand", f.Key)
		}
	}
	return out, nil
}

func withoutCredentials(root *yaml.Node) map[string]any {
	m, _ := Value(root, nil).(map[string]any)
	delete(m, "credentials")
	return m
}

// nextKey returns the key after key in mapping m, or nil.
func nextKey(m, key *yaml.Node) *yaml.Node {
	for i := 0; i+2 < len(m.Content); i += 2 {
		if m.Content[i] == key {
			return m.Content[i+2]
		}
	}
	return nil
}

func writeEntry(b *bytes.Buffer, fields []Field, indent, gap int, eol string) {
	dash := strings.Repeat(" ", indent) + "-" + strings.Repeat(" ", gap-1)
	pad := strings.Repeat(" ", indent+gap)
	for i, f := range fields {
		if i == 0 {
			fmt.Fprintf(b, "%s%s: %s%s", dash, f.Key, scalar(f), eol)
			continue
		}
		fmt.Fprintf(b, "%s%s: %s%s", pad, f.Key, scalar(f), eol)
	}
}

// scalar renders a field's value as YAML on one line, quoting strings only
// when YAML would read them as something else.
func scalar(f Field) string {
	if f.Plain {
		return f.Value
	}
	out, err := yaml.Marshal(f.Value)
	// yaml.v3 folds a long value and breaks lines at U+2028 and U+2029 too:
	// anything over more than one line is written double-quoted instead.
	if s := strings.TrimSuffix(string(out), "\n"); err == nil && countBreaks(s) == 0 {
		return s
	}
	return doubleQuoted(f.Value)
}

// doubleQuoted writes s as a YAML double-quoted scalar on one line.
func doubleQuoted(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\r':
			b.WriteString(`\r`)
		case r < 0x20 || r >= 0x7f && r < 0xa0 || r == 0xfeff || r == 0x2028 || r == 0x2029 || r >= 0xfffe && r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// WriteFileAtomic replaces path with data so that readers see the old or
// the new content, never a half-written file. A new file gets mode 0644; an
// existing one keeps its mode.
func WriteFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %q: %w", path, err)
	}
	return nil
}
