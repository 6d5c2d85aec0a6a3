package register

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
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
	eol := lineEndingOf(data)
	doc, findings := Parse("", data)
	if doc == nil {
		if onlyComments(data) {
			// A header with no content yet: start the list below it.
			var b bytes.Buffer
			b.Write(data)
			if !bytes.HasSuffix(data, []byte("\n")) {
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
	lines := splitLines(data)
	keyIndent := indentOf(lines[key.Line-1])
	var (
		indent int   // spaces before the dash
		gap    = 2   // from the dash to the entry's fields
		ats    []int // line indexes (0-based) before which the entry may go, best first
	)
	switch {
	case seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle != 0:
		if len(seq.Content) > 0 {
			return nil, fmt.Errorf("line %d: credentials is a flow list [...]; write it as a block list to add entries", seq.Line)
		}
		// "credentials: []": drop the brackets, keep any comment after them.
		l, ok := removeToken(lines[seq.Line-1], seq.Column, "[", "]")
		if !ok {
			return nil, fmt.Errorf("line %d: write the empty credentials list as [] on one line to add entries", seq.Line)
		}
		lines[seq.Line-1] = l
		indent, ats = keyIndent+2, []int{seq.Line}
	case seq.Kind == yaml.SequenceNode:
		indent = indentOf(lines[seq.Line-1])
		if first := seq.Content[0]; first.Line == seq.Line && first.Column > seq.Column+1 {
			// "-   id: a": the entry's fields start further right.
			gap = first.Column - seq.Column
		}
		end := len(lines)
		if next := nextKey(doc.Root, key); next != nil {
			end = next.Line - 1
		}
		ats = []int{endOfEntry(lines, seq.Content[len(seq.Content)-1].Line-1, end, indent), end}
	case seq.Kind == yaml.ScalarNode && seq.Tag == "!!null" && seq.Style&yaml.TaggedStyle == 0:
		if seq.Value != "" {
			// "credentials: ~" or "credentials: null": drop the value.
			l, ok := removeToken(lines[seq.Line-1], seq.Column, seq.Value, "")
			if !ok {
				return nil, fmt.Errorf("line %d: remove the null value of credentials: to add entries", seq.Line)
			}
			lines[seq.Line-1] = l
		}
		indent, ats = keyIndent+2, []int{max(key.Line, seq.Line)}
	default:
		return nil, fmt.Errorf("line %d: credentials is not a list", seq.Line)
	}
	var err error
	for _, at := range ats {
		var out []byte
		if out, err = checked(doc, insertEntry(lines, at, fields, indent, gap, eol, seq), fields); err == nil {
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
		if f.Plain && (f.Value == "" || strings.ContainsAny(f.Value, "\r\n")) {
			return fmt.Errorf("field %q: a plain value is one non-empty line", f.Key)
		}
	}
	return nil
}

var fieldKey = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_-]*$`)

func insertEntry(lines []string, at int, fields []Field, indent, gap int, eol string, seq *yaml.Node) []byte {
	var b bytes.Buffer
	for _, l := range lines[:at] {
		b.WriteString(l)
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		b.WriteString(eol)
	}
	if at > 0 && strings.TrimSpace(lines[at-1]) != "" && seq.Kind == yaml.SequenceNode && blankSeparated(lines, seq) {
		b.WriteString(eol)
	}
	writeEntry(&b, fields, indent, gap, eol)
	for _, l := range lines[at:] {
		b.WriteString(l)
	}
	return b.Bytes()
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

// splitLines splits data after each newline, keeping the newlines.
func splitLines(data []byte) []string {
	s := string(data)
	var lines []string
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			lines = append(lines, s)
			break
		}
		lines = append(lines, s[:i+1])
		s = s[i+1:]
	}
	return lines
}

// lineEndingOf returns the line ending of the file's first line: "\r\n"
// for a Windows file, else "\n".
func lineEndingOf(data []byte) string {
	if i := bytes.IndexByte(data, '\n'); i > 0 && data[i-1] == '\r' {
		return "\r\n"
	}
	return "\n"
}

func lineEnding(l string) string {
	if strings.HasSuffix(l, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(l, "\n") {
		return "\n"
	}
	return ""
}

const bom = "\uFEFF"

// indentOf returns the number of spaces that start l (after a byte order
// mark).
func indentOf(l string) int {
	l = strings.TrimPrefix(l, bom)
	return len(l) - len(strings.TrimLeft(l, " "))
}

// onlyComments reports whether data holds nothing but comments and blank
// lines.
func onlyComments(data []byte) bool {
	for _, l := range splitLines(data) {
		t := strings.TrimSpace(strings.TrimPrefix(l, bom))
		if t != "" && !strings.HasPrefix(t, "#") {
			return false
		}
	}
	return true
}

// removeToken removes the token that starts at 1-based (character) column
// col of line: open ... close with only blanks between, or open alone when
// close is "". The spaces before it go too; a comment after it stays.
func removeToken(line string, col int, open, close string) (string, bool) {
	eol := lineEnding(line)
	body := strings.TrimSuffix(line, eol)
	start := byteOffset(body, col)
	if !strings.HasPrefix(body[start:], open) {
		return "", false
	}
	end := start + len(open)
	if close != "" {
		rest := strings.TrimLeft(body[end:], " \t")
		if !strings.HasPrefix(rest, close) {
			return "", false
		}
		end = len(body) - len(rest) + len(close)
	}
	body = strings.TrimRight(body[:start], " \t") + strings.TrimRight(body[end:], " \t")
	return body + eol, true
}

// byteOffset converts yaml's 1-based character column to a byte offset in
// line; a byte order mark does not count as a character.
func byteOffset(line string, col int) int {
	off := 0
	if strings.HasPrefix(line, bom) {
		off = len(bom)
	}
	for i := 1; i < col && off < len(line); i++ {
		_, size := utf8.DecodeRuneInString(line[off:])
		off += size
	}
	return off
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

// endOfEntry returns the 0-based line index just past the last line of the
// list entry that starts on line first: the entry goes on while lines are
// blank or indented deeper than its dash (content, block scalars and the
// entry's own comments), up to end. Blank lines after it, and comments at
// the list's own indentation or less, stay below the new entry.
func endOfEntry(lines []string, first, end, dash int) int {
	at := first + 1
	for i := first + 1; i < end; i++ {
		if strings.TrimSpace(lines[i]) == "" {
			continue
		}
		if indentOf(lines[i]) <= dash {
			break
		}
		at = i + 1
	}
	return min(at, end)
}

// blankSeparated reports whether the entries of seq are separated by blank
// lines, so that a new entry follows the same layout.
func blankSeparated(lines []string, seq *yaml.Node) bool {
	if len(seq.Content) < 2 {
		return false
	}
	prev := seq.Content[1].Line - 2
	return prev >= 0 && prev < len(lines) && strings.TrimSpace(lines[prev]) == ""
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
	if s := strings.TrimSuffix(string(out), "\n"); err == nil && !strings.ContainsAny(s, "\r\n\u2028\u2029\u0085") {
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
