package register

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sort"
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

// splice is one finished edit of the file's bytes.
type splice struct {
	start, end int
	text       string
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

// checkSet returns out, the splices applied to the file, if it holds what
// SetFields promises: the entry seq.Content[idx] with the values want and
// its other values unchanged, every other entry and top-level value
// unchanged, and no line outside first..last (0-based) touched.
//
// The check parses the whole new file: with the parse of the input that is
// two parses, nearly all of SetFields' time (BenchmarkSetFields: about 7 ms
// for a 100-entry, 73 KB file; 27 ms for 271 KB, where one parse takes
// 11 ms). A caller that edits many files could pass the Document it already
// holds to save the first.
func checkSet(old *Document, seq *yaml.Node, idx int, src *source, splices []splice, want map[string]any, first, last int) ([]byte, error) {
	out := apply(src.data, splices)
	if err := checkLines(src, newSource(out), splices, first, last); err != nil {
		return nil, err
	}
	doc, findings := Parse("", out)
	if doc == nil {
		return nil, fmt.Errorf("the file would not parse after the change (%s); change it by hand", findings[0].Message)
	}
	_, newSeq := MapGet(doc.Root, "credentials")
	if newSeq == nil || newSeq.Kind != yaml.SequenceNode || len(newSeq.Content) != len(seq.Content) ||
		!reflect.DeepEqual(withoutCredentials(doc.Root), withoutCredentials(old.Root)) {
		return nil, errors.New("the change would alter the rest of the file; change it by hand")
	}
	for i, n := range seq.Content {
		if i != idx && !sameNode(newSeq.Content[i], n) {
			return nil, fmt.Errorf("the change would alter entry %d (line %d); change the file by hand", i+1, n.Line)
		}
	}
	entry := newSeq.Content[idx]
	got, _ := Value(entry, nil).(map[string]any)
	was, _ := Value(seq.Content[idx], nil).(map[string]any)
	for k, w := range want {
		if kk, _, err := uniqueKey(entry, k, ""); err != nil || kk == nil || !reflect.DeepEqual(got[k], w) {
			return nil, fmt.Errorf("field %q would not read back as written (%v); change it by hand", k, got[k])
		}
		delete(got, k)
		delete(was, k)
	}
	if got == nil || !reflect.DeepEqual(got, was) {
		return nil, fmt.Errorf("the change would alter other fields of the entry on line %d; change it by hand", seq.Content[idx].Line)
	}
	return out, nil
}

// checkLines checks that out (src with splices applied) has every line of
// src that no splice touches, byte for byte and in order, that the splices
// touch only lines first..last, and that the lines they add are whole.
func checkLines(src, out *source, splices []splice, first, last int) error {
	n := len(src.starts)
	touched := make(map[int]bool)
	shift := make([]int, n+1) // lines added before line i: shift[i] summed below
	for _, sp := range splices {
		added := countBreaks(sp.text) - countBreaks(src.data[sp.start:sp.end])
		from := src.lineOf(sp.start)
		if sp.start == src.len() && lastBreakLen(src.data) > 0 {
			from = n // after the last line break
		}
		if sp.start == sp.end && (from == n || sp.start == src.starts[from]) && lastBreakLen(sp.text) > 0 {
			shift[from] += added // whole lines inserted before line from
			continue
		}
		if added != 0 && sp.start != src.len() {
			return errors.New("the change would write a value over several lines; change the file by hand")
		}
		to := src.lineOf(sp.end)
		for l := from; l <= to; l++ {
			if l < first || l > last {
				return fmt.Errorf("the change would touch line %d, outside the entry; change the file by hand", l+1)
			}
			touched[l] = true
		}
		shift[to+1] += added
	}
	delta := 0
	for i := 0; i < n; i++ {
		delta += shift[i]
		if touched[i] {
			continue
		}
		j := i + delta
		if j >= len(out.starts) || string(src.line(i)) != string(out.line(j)) {
			return fmt.Errorf("the change would alter line %d; change the file by hand", i+1)
		}
	}
	if len(out.starts) != n+delta+shift[n] {
		return errors.New("the change would add or remove lines it should not; change the file by hand")
	}
	return nil
}

// sameNode reports whether a and b are the same YAML value written the same
// way, positions aside: stricter than comparing their Values, and without
// building them (a third of the check's time on a large file).
func sameNode(a, b *yaml.Node) bool {
	if a.Kind != b.Kind || a.Style != b.Style || a.Tag != b.Tag || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return false
	}
	for i := range a.Content {
		if !sameNode(a.Content[i], b.Content[i]) {
			return false
		}
	}
	return true
}

func apply(data []byte, splices []splice) []byte {
	size := len(data)
	for _, sp := range splices {
		size += len(sp.text) - (sp.end - sp.start)
	}
	out := make([]byte, 0, size)
	at := 0
	for _, sp := range splices {
		out = append(out, data[at:sp.start]...)
		out = append(out, sp.text...)
		at = sp.end
	}
	return append(out, data[at:]...)
}

// source is a file's bytes with its lines as YAML counts them: a line ends
// at \n, \r\n, a lone \r, NEL (U+0085), LS (U+2028) or PS (U+2029), so
// yaml.v3's line numbers index starts.
type source struct {
	data   []byte
	starts []int // offset of each line's first byte
	ends   []int // offset of each line's break (len(data) for a last line without one)
}

func newSource(data []byte) *source {
	s := &source{data: data}
	start := 0
	for i := 0; i < len(data); {
		n := breakAt(data, i)
		if n == 0 {
			i++
			continue
		}
		s.starts, s.ends = append(s.starts, start), append(s.ends, i)
		i += n
		start = i
	}
	if start < len(data) || len(s.starts) == 0 {
		s.starts, s.ends = append(s.starts, start), append(s.ends, len(data))
	}
	return s
}

// breakAt returns the length of the line break at b[i:], or 0.
func breakAt[T ~string | ~[]byte](b T, i int) int {
	if i < 0 || i >= len(b) {
		return 0
	}
	switch b[i] {
	case '\n':
		return 1
	case '\r':
		if i+1 < len(b) && b[i+1] == '\n' {
			return 2
		}
		return 1
	case 0xC2:
		if i+1 < len(b) && b[i+1] == 0x85 {
			return 2
		}
	case 0xE2:
		if i+2 < len(b) && b[i+1] == 0x80 && (b[i+2] == 0xA8 || b[i+2] == 0xA9) {
			return 3
		}
	}
	return 0
}

// lastBreakLen returns the length of the line break that ends s, or 0.
func lastBreakLen[T ~string | ~[]byte](s T) int {
	for n := 3; n >= 1; n-- {
		if len(s) >= n && breakAt(s, len(s)-n) == n {
			return n
		}
	}
	return 0
}

func countBreaks[T ~string | ~[]byte](b T) int {
	n := 0
	for i := 0; i < len(b); {
		if k := breakAt(b, i); k > 0 {
			n++
			i += k
			continue
		}
		i++
	}
	return n
}

// line returns line i (0-based) with its break.
func (s *source) line(i int) []byte {
	if i+1 < len(s.starts) {
		return s.data[s.starts[i]:s.starts[i+1]]
	}
	return s.data[s.starts[i]:]
}

// lineOf returns the 0-based line that holds offset off.
func (s *source) lineOf(off int) int {
	return sort.Search(len(s.starts), func(i int) bool { return s.starts[i] > off }) - 1
}

// offset converts yaml's 1-based line and (character) column to a byte
// offset; a byte order mark does not count as a character.
func (s *source) offset(line, col int) int {
	l := min(max(line-1, 0), len(s.starts)-1)
	off, end := s.starts[l], s.ends[l]
	if l == 0 && strings.HasPrefix(string(s.data[off:min(end, off+len(bom))]), bom) {
		off += len(bom)
	}
	for i := 1; i < col && off < end; i++ {
		_, size := utf8.DecodeRune(s.data[off:end])
		off += size
	}
	return off
}

// scalarEnd returns the offset just past the scalar n that starts at off,
// and false when n is not on one line or is not where yaml.v3 put it.
func (s *source) scalarEnd(off int, n *yaml.Node, flow bool) (int, bool) {
	d, end := s.data, s.ends[s.lineOf(off)]
	if off >= end {
		return 0, false
	}
	var i int
	switch {
	case n.Style&yaml.DoubleQuotedStyle != 0:
		if d[off] != '"' {
			return 0, false
		}
		for i = off + 1; i < end && d[i] != '"'; i++ {
			if d[i] == '\\' {
				i++
			}
		}
		if i >= end {
			return 0, false
		}
		i++
	case n.Style&yaml.SingleQuotedStyle != 0:
		if d[off] != '\'' {
			return 0, false
		}
		for i = off + 1; i < end; i++ {
			if d[i] == '\'' {
				if i+1 < end && d[i+1] == '\'' {
					i++
					continue
				}
				break
			}
		}
		if i >= end {
			return 0, false
		}
		i++
	case n.Style&(yaml.LiteralStyle|yaml.FoldedStyle|yaml.TaggedStyle) != 0:
		return 0, false
	default: // plain: up to a comment, a ": ", a flow indicator or the line's end, as yaml.v3 scans it
		for i = off; i < end; i++ {
			c := d[i]
			if c == '#' && i > off && isBlank(d[i-1]) ||
				c == ':' && (i+1 == end || isBlank(d[i+1])) ||
				flow && strings.IndexByte(flowIndicators+"?", c) >= 0 {
				break
			}
		}
		for i > off && isBlank(d[i-1]) {
			i--
		}
		return i, string(d[off:i]) == n.Value
	}
	var v string
	if err := yaml.Unmarshal(d[off:i], &v); err != nil || v != n.Value {
		return 0, false
	}
	return i, true
}

// flowEnd returns the offset just past the flow collection that starts at
// off ([ or {).
func (s *source) flowEnd(off int) (int, bool) {
	d := s.data
	if off >= len(d) || d[off] != '[' && d[off] != '{' {
		return 0, false
	}
	depth, prev := 0, byte('[')
	for i := off; i < len(d); i++ {
		c := d[i]
		switch {
		case c == '#' && (isBlank(d[i-1]) || d[i-1] == '\n' || d[i-1] == '\r'):
			for i < len(d) && breakAt(d, i) == 0 {
				i++
			}
			continue
		case (c == '"' || c == '\'') && strings.IndexByte("[{,:?", prev) >= 0:
			for i++; i < len(d); i++ {
				if c == '"' && d[i] == '\\' {
					i++
					continue
				}
				if d[i] == c {
					if c == '\'' && i+1 < len(d) && d[i+1] == '\'' {
						i++
						continue
					}
					break
				}
			}
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			if depth--; depth == 0 {
				return i + 1, true
			}
		}
		if !isBlank(c) && breakAt(d, i) == 0 {
			prev = c
		}
	}
	return 0, false
}

func (s *source) len() int { return len(s.data) }

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func (s *source) blankLine(i int) bool {
	for _, c := range s.data[s.starts[i]:s.ends[i]] {
		if !isBlank(c) {
			return false
		}
	}
	return true
}

func (s *source) indent(i int) int {
	return indentOf(string(s.data[s.starts[i]:s.ends[i]]))
}

// eolBefore returns the line ending for a line inserted before line at:
// that of the line above it when it is \n or \r\n, else the file's.
func (s *source) eolBefore(at int) string {
	if at > 0 {
		if brk := string(s.line(at - 1)[s.ends[at-1]-s.starts[at-1]:]); brk == "\n" || brk == "\r\n" {
			return brk
		}
	}
	return lineEndingOf(s.data)
}
