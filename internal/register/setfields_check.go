package register

import (
	"errors"
	"fmt"
	"reflect"

	"gopkg.in/yaml.v3"
)

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
