package register

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

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
// entry follows the indentation of the entries already there. Empty data
// gets a new file with the schema line for editors: schemaRef is the path of
// credential.schema.json relative to the file.
func AppendEntry(data []byte, fields []Field, schemaRef string) ([]byte, error) {
	if len(fields) == 0 {
		return nil, fmt.Errorf("a new entry needs at least one field")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# yaml-language-server: $schema=%s\ncredentials:\n", schemaRef)
		writeEntry(&b, fields, 2)
		return b.Bytes(), nil
	}
	doc, findings := Parse("", data)
	if doc == nil {
		return nil, fmt.Errorf("the file cannot be read as a register file: %s", findings[0].Message)
	}
	key, seq := MapGet(doc.Root, "credentials")
	if key == nil {
		return nil, fmt.Errorf("the file has no top-level credentials: list to append to")
	}
	lines := splitLines(data)
	var indent int
	var at int // line index (0-based) before which the entry goes
	switch {
	case seq.Kind == yaml.SequenceNode && seq.Style&yaml.FlowStyle != 0:
		if len(seq.Content) > 0 {
			return nil, fmt.Errorf("line %d: credentials is a flow list [...]; write it as a block list to add entries", seq.Line)
		}
		// "credentials: []": turn it into a block list.
		l := lines[key.Line-1]
		lines[key.Line-1] = strings.Replace(l, "[]", "", 1)
		lines[key.Line-1] = strings.TrimRight(lines[key.Line-1], " \t") + lineEnding(l)
		indent, at = key.Column+1, key.Line
	case seq.Kind == yaml.SequenceNode:
		first := seq.Content[0]
		indent = dashColumn(lines[first.Line-1], first.Column)
		at = endOfValue(doc.Root, key, lines)
	case seq.Kind == yaml.ScalarNode && seq.Tag == "!!null":
		indent, at = key.Column+1, key.Line
	default:
		return nil, fmt.Errorf("line %d: credentials is not a list", seq.Line)
	}
	var b bytes.Buffer
	for _, l := range lines[:at] {
		b.WriteString(l)
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		b.WriteString("\n")
	}
	if at > 0 && strings.TrimSpace(lines[at-1]) != "" && seq.Kind == yaml.SequenceNode && blankSeparated(lines, seq) {
		b.WriteString("\n")
	}
	writeEntry(&b, fields, indent)
	for _, l := range lines[at:] {
		b.WriteString(l)
	}
	return b.Bytes(), nil
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

func lineEnding(l string) string {
	if strings.HasSuffix(l, "\r\n") {
		return "\r\n"
	}
	if strings.HasSuffix(l, "\n") {
		return "\n"
	}
	return ""
}

// dashColumn returns the 0-based column of the "-" that starts the
// sequence item whose content starts at 1-based column col.
func dashColumn(line string, col int) int {
	for i := min(col-2, len(line)-1); i >= 0; i-- {
		if line[i] == '-' {
			return i
		}
	}
	return 2
}

// endOfValue returns the 0-based line index just past the value of key in
// mapping m: the line of the next key, less the blank and comment lines
// right above it (they introduce that key), or the end of the file.
func endOfValue(m, key *yaml.Node, lines []string) int {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i] != key || i+2 >= len(m.Content) {
			continue
		}
		next := m.Content[i+2].Line - 1
		for next > key.Line {
			t := strings.TrimSpace(lines[next-1])
			if t != "" && !strings.HasPrefix(t, "#") {
				break
			}
			next--
		}
		return next
	}
	return len(lines)
}

// blankSeparated reports whether the entries of seq are separated by blank
// lines, so that a new entry follows the same layout.
func blankSeparated(lines []string, seq *yaml.Node) bool {
	if len(seq.Content) < 2 {
		return false
	}
	prev := seq.Content[1].Line - 2
	return prev >= 0 && strings.TrimSpace(lines[prev]) == ""
}

func writeEntry(b *bytes.Buffer, fields []Field, indent int) {
	pad := strings.Repeat(" ", indent)
	for i, f := range fields {
		if i == 0 {
			fmt.Fprintf(b, "%s- %s: %s\n", pad, f.Key, scalar(f))
			continue
		}
		fmt.Fprintf(b, "%s  %s: %s\n", pad, f.Key, scalar(f))
	}
}

// scalar renders a field's value as YAML, quoting strings only when YAML
// would read them as something else.
func scalar(f Field) string {
	if f.Plain {
		return f.Value
	}
	out, err := yaml.Marshal(f.Value)
	if err != nil {
		return fmt.Sprintf("%q", f.Value)
	}
	return strings.TrimSuffix(string(out), "\n")
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
