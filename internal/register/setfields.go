package register

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// SetFields returns data with the credential whose id is id changed: each
// field's value is replaced in place, or, when the entry lacks the key, a
// new "key: value" line is added to the entry in the entry's own
// indentation, after its last field (and anything nested under it) and
// before the blank lines and comments that follow it. In a flow entry
// ({id: a, ...}) a missing key is added as ", key: value" after the last
// value. Every other byte of the file stays as it was.
//
// A replaced value keeps its quoting: a double-quoted value stays
// double-quoted, a single-quoted one single-quoted (or double-quoted when it
// needs escapes), and an unquoted one is written unquoted when YAML reads it
// back as the same string (Plain values are written as they are). A comment
// on the value's line keeps its column when the new value fits before it,
// else it follows one space after the value.
//
// Values written over several lines, block scalars (| or >), tagged
// values, nested mappings or lists, duplicate keys and duplicate ids are
// refused with an error, as is a field named id. The result is checked
// before it is returned: it parses, the entry reads back with the new
// values and its other values unchanged, every other entry and top-level
// value is unchanged, and only the edited lines differ from data.
func SetFields(data []byte, id string, fields []Field) ([]byte, error) {
	if id == "" {
		return nil, errors.New("no credential id given")
	}
	if len(fields) == 0 {
		return nil, errors.New("no fields to set")
	}
	if err := checkFields(fields); err != nil {
		return nil, err
	}
	plainValues := make(map[string]any, len(fields))
	for _, f := range fields {
		if f.Key == "id" {
			return nil, fmt.Errorf("field %q: the id of a credential is not changed here", f.Key)
		}
		if f.Plain {
			v, err := plainValue(f)
			if err != nil {
				return nil, err
			}
			plainValues[f.Key] = v
		}
	}
	doc, findings := Parse("", data)
	if doc == nil {
		return nil, fmt.Errorf("the file cannot be read as a register file: %s", findings[0].Message)
	}
	credKey, seq := MapGet(doc.Root, "credentials")
	if credKey == nil {
		return nil, fmt.Errorf("credential %q is not in this file: it has no top-level credentials: list", id)
	}
	if seq.Kind != yaml.SequenceNode {
		return nil, fmt.Errorf("line %d: credentials is not a list", seq.Line)
	}
	idx, err := findCredential(seq, id)
	if err != nil {
		return nil, err
	}
	entry := seq.Content[idx]
	src := newSource(data)
	// bound is the 0-based index of the first line past the entry's own
	// region: the next entry's line, the next top-level key's, or the end.
	bound := len(src.starts)
	if idx+1 < len(seq.Content) {
		bound = seq.Content[idx+1].Line - 1
	} else if next := nextKey(doc.Root, credKey); next != nil {
		bound = next.Line - 1
	}
	flow := entry.Style&yaml.FlowStyle != 0
	var (
		edits []*valueEdit
		added []Field
		want  = make(map[string]any, len(fields))
	)
	for _, f := range fields {
		k, v, err := uniqueKey(entry, f.Key, id)
		if err != nil {
			return nil, err
		}
		if k == nil {
			added = append(added, f)
			want[f.Key] = newValue(f, 0, plainValues)
			continue
		}
		e, err := src.replaceValue(k, v, f, flow, id)
		if err != nil {
			return nil, err
		}
		want[f.Key] = newValue(f, v.Style, plainValues)
		edits = append(edits, e)
	}
	tries := [][]*valueEdit{edits}
	if len(added) > 0 {
		if tries, err = src.addKeys(entry, added, flow, bound, edits, id); err != nil {
			return nil, err
		}
	}
	first, last := entry.Line-1, bound
	for _, try := range tries {
		splices := finish(src, try)
		var out []byte
		if out, err = checkSet(doc, seq, idx, src, splices, want, first, last); err == nil {
			return out, nil
		}
	}
	return nil, err
}

// findCredential returns the index of the entry of seq whose id is id.
func findCredential(seq *yaml.Node, id string) (int, error) {
	found := -1
	var odd *yaml.Node // the first entry that is not a mapping
	for i, e := range seq.Content {
		if e.Kind != yaml.MappingNode {
			if odd == nil {
				odd = e
			}
			continue
		}
		_, v := MapGet(e, "id")
		if v == nil || v.Kind != yaml.ScalarNode || v.Value != id {
			continue
		}
		if found >= 0 {
			return -1, fmt.Errorf("credential %q appears twice in this file (lines %d and %d); remove one of them first", id, seq.Content[found].Line, e.Line)
		}
		found = i
	}
	if found < 0 {
		if odd != nil {
			return -1, fmt.Errorf("credential %q is not in this file (the entry on line %d is not a mapping and was skipped)", id, odd.Line)
		}
		return -1, fmt.Errorf("credential %q is not in this file", id)
	}
	return found, nil
}

// uniqueKey returns the key and value nodes of key in entry, or nils; a key
// written twice is an error.
func uniqueKey(entry *yaml.Node, key, id string) (k, v *yaml.Node, err error) {
	for i := 0; i+1 < len(entry.Content); i += 2 {
		if entry.Content[i].Value != key {
			continue
		}
		if k != nil {
			return nil, nil, fmt.Errorf("credential %q has %s twice (lines %d and %d); remove one of them first", id, key, k.Line, entry.Content[i].Line)
		}
		k, v = entry.Content[i], entry.Content[i+1]
	}
	return k, v, nil
}

// plainValue returns what a Plain field's value reads back as, refusing a
// value that YAML would not read as exactly that one unquoted scalar.
func plainValue(f Field) (any, error) {
	var doc yaml.Node
	err := yaml.Unmarshal([]byte(f.Value), &doc)
	if err != nil || len(doc.Content) != 1 {
		return nil, fmt.Errorf("field %q: %q is not a single YAML value", f.Key, f.Value)
	}
	n := doc.Content[0]
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Value != f.Value || n.HeadComment+n.LineComment+n.FootComment != "" {
		return nil, fmt.Errorf("field %q: %q does not read back as itself when written unquoted", f.Key, f.Value)
	}
	return scalarValue(n), nil
}

// newValue returns the value field f reads back as when written in style.
func newValue(f Field, style yaml.Style, plainValues map[string]any) any {
	if f.Plain && style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) == 0 {
		return plainValues[f.Key]
	}
	return f.Value
}

// render writes f's value as one line of YAML in the quoting style of the
// value it replaces (0 for a new key); flow is set inside {...} or [...].
func render(f Field, style yaml.Style, flow bool) (string, error) {
	switch {
	case style&yaml.DoubleQuotedStyle != 0:
		return doubleQuoted(f.Value), nil
	case style&yaml.SingleQuotedStyle != 0:
		return singleQuoted(f.Value), nil
	case f.Plain:
		if flow && strings.ContainsAny(f.Value, flowIndicators) {
			return "", fmt.Errorf("field %q: %q cannot be written unquoted inside {...}", f.Key, f.Value)
		}
		return f.Value, nil
	}
	s := scalar(f)
	if countBreaks(s) > 0 || // yaml.Marshal folds at U+2028 and U+2029
		flow && s[0] != '"' && s[0] != '\'' && strings.ContainsAny(s, flowIndicators) {
		s = doubleQuoted(f.Value)
	}
	return s, nil
}

const flowIndicators = ",[]{}"

// singleQuoted writes s as a single-quoted scalar, or double-quoted when s
// holds a character that only a double-quoted scalar can escape.
func singleQuoted(s string) string {
	dq := doubleQuoted(s)
	if dq != `"`+strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s)+`"` {
		return dq
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

// valueEdit replaces data[start:end] (a value, or nothing at an insertion
// point) with text. When a comment follows on the line after gap spaces,
// the spaces are adjusted to keep the comment's column where possible.
type valueEdit struct {
	start, end int
	text       string
	gap        int // spaces between the old value and a comment after it; -1: no comment
}

// finish turns edits into splices in file order, placing comments.
func finish(src *source, edits []*valueEdit) []splice {
	out := make([]splice, 0, len(edits))
	for _, e := range edits {
		s := splice{start: e.start, end: e.end, text: e.text}
		if e.gap >= 0 {
			old := utf8.RuneCount(src.data[e.start:e.end])
			pad := max(1, e.gap+old-utf8.RuneCountInString(e.text))
			s.end += e.gap
			s.text += strings.Repeat(" ", pad)
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b splice) int { return a.start - b.start })
	return out
}

// replaceValue returns the edit that writes f over the value v of key k.
func (s *source) replaceValue(k, v *yaml.Node, f Field, flow bool, id string) (*valueEdit, error) {
	where := fmt.Sprintf("line %d: %s of credential %q", v.Line, f.Key, id)
	switch {
	case v.Kind != yaml.ScalarNode:
		return nil, fmt.Errorf("%s is %s, not a single value; change it by hand", where, kindName(v))
	case v.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		return nil, fmt.Errorf("%s is a block scalar (| or >); write it on one line so that rotor can change it", where)
	case v.Style&yaml.TaggedStyle != 0:
		return nil, fmt.Errorf("%s has a YAML tag (%s); remove the tag so that rotor can change it", where, v.Tag)
	}
	text, err := render(f, v.Style, flow)
	if err != nil {
		return nil, err
	}
	var start, end int
	if v.Value == "" && v.Style == 0 {
		// An empty value: yaml.v3 places it at the next token, so go from
		// the key's colon instead.
		var spaced, ok bool
		if start, spaced, ok = s.emptyValueAt(k, flow); !ok {
			return nil, fmt.Errorf("%s is empty and its key is written in a way rotor cannot follow; write %s: %s by hand", where, f.Key, text)
		}
		if !spaced {
			text = " " + text
		}
		end = start
	} else {
		var ok bool
		start = s.offset(v.Line, v.Column)
		if end, ok = s.scalarEnd(start, v, flow); !ok {
			return nil, fmt.Errorf("%s is written over several lines; write it on one line so that rotor can change it", where)
		}
	}
	return &valueEdit{start: start, end: end, text: text, gap: s.commentGap(end)}, nil
}

// emptyValueAt returns where the empty value of key k is: after the
// key's colon and the space that follows it (spaced), if any.
func (s *source) emptyValueAt(k *yaml.Node, flow bool) (at int, spaced, ok bool) {
	colon, ok := s.colonAfter(k, flow)
	if !ok {
		return 0, false, false
	}
	at = colon + 1
	if at < s.ends[s.lineOf(colon)] && isBlank(s.data[at]) {
		return at + 1, true, true
	}
	return at, false, true
}

// colonAfter returns the offset of the ':' after key k on k's line.
func (s *source) colonAfter(k *yaml.Node, flow bool) (int, bool) {
	if k.Kind != yaml.ScalarNode || k.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0 {
		return 0, false
	}
	end, ok := s.scalarEnd(s.offset(k.Line, k.Column), k, flow)
	if !ok {
		return 0, false
	}
	lineEnd := s.ends[s.lineOf(end)]
	for end < lineEnd && isBlank(s.data[end]) {
		end++
	}
	return end, end < lineEnd && s.data[end] == ':'
}

// commentGap returns the number of spaces between off and a comment that
// follows them on off's line, or -1 when no comment follows.
func (s *source) commentGap(off int) int {
	lineEnd := s.ends[s.lineOf(off)]
	i := off
	for i < lineEnd && s.data[i] == ' ' {
		i++
	}
	if i < lineEnd && s.data[i] == '#' {
		return i - off
	}
	return -1
}

// addKeys returns the ways to add fields to entry, best first: each is
// edits plus the insertion.
func (s *source) addKeys(entry *yaml.Node, fields []Field, flow bool, bound int, edits []*valueEdit, id string) ([][]*valueEdit, error) {
	lastKey, lastValue := entry.Content[len(entry.Content)-2], entry.Content[len(entry.Content)-1]
	if flow {
		at, ok := s.nodeEnd(lastKey, lastValue)
		if !ok {
			return nil, fmt.Errorf("line %d: rotor cannot find the end of the last value of credential %q; add %s by hand", lastValue.Line, id, fields[0].Key)
		}
		var b strings.Builder
		for _, f := range fields {
			text, err := render(f, 0, true)
			if err != nil {
				return nil, err
			}
			fmt.Fprintf(&b, ", %s: %s", f.Key, text)
		}
		all := slices.Clone(edits)
		for i, e := range all {
			if e.end == at { // the last value is replaced too: add after its new text
				c := *e
				c.text += b.String()
				all[i] = &c
				return [][]*valueEdit{all}, nil
			}
		}
		return [][]*valueEdit{append(all, &valueEdit{start: at, end: at, text: b.String(), gap: -1})}, nil
	}
	indent := entry.Content[0].Column - 1
	first := lastKey.Line - 1
	at := first + 1
	for i := first + 1; i < min(bound, len(s.starts)); i++ {
		if s.blankLine(i) {
			continue
		}
		if s.indent(i) <= indent {
			break
		}
		at = i + 1
	}
	ats := []int{at}
	// After the blank lines too, for a last value (a |+ block scalar)
	// that keeps them.
	if j := at; j < min(bound, len(s.starts)) && s.blankLine(j) {
		for j < min(bound, len(s.starts)) && s.blankLine(j) {
			j++
		}
		ats = append(ats, j)
	}
	var tries [][]*valueEdit
	for _, at := range ats {
		eol := s.eolBefore(at)
		var lines []string
		for _, f := range fields {
			text, err := render(f, 0, false)
			if err != nil {
				return nil, err
			}
			lines = append(lines, strings.Repeat(" ", indent)+f.Key+": "+text)
		}
		off, text := len(s.data), strings.Join(lines, eol)+eol
		if at < len(s.starts) {
			off = s.starts[at]
		} else if s.ends[len(s.ends)-1] == len(s.data) {
			// No line break at the end of the file: keep it so.
			text = eol + strings.Join(lines, eol)
		}
		tries = append(tries, append(slices.Clone(edits), &valueEdit{start: off, end: off, text: text, gap: -1}))
	}
	return tries, nil
}

// nodeEnd returns the offset just past value v of key k in a flow mapping.
func (s *source) nodeEnd(k, v *yaml.Node) (int, bool) {
	switch {
	case v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode:
		return s.flowEnd(s.offset(v.Line, v.Column))
	case v.Kind != yaml.ScalarNode || v.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0:
		return 0, false
	case v.Value == "" && v.Style == 0: // empty: after the colon, or the key
		if at, _, ok := s.emptyValueAt(k, true); ok {
			return at, true
		}
		if k.Kind != yaml.ScalarNode || k.Style&yaml.TaggedStyle != 0 {
			return 0, false
		}
		return s.scalarEnd(s.offset(k.Line, k.Column), k, true)
	}
	return s.scalarEnd(s.offset(v.Line, v.Column), v, true)
}
