package validate

import (
	"bytes"
	"cmp"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/leak"
)

// valueGuard is the leak guard's reading of a parsed file's scalars (keys
// and values). It finds what the raw scan found in each scalar, reads the
// parsed value of each scalar that is not its raw text as it is (quoted
// with escapes or doubled quotes, folded, continued, a block), and plans
// which spans of each value to take out:
//
//   - a match in the parsed value, its own span;
//   - a raw match, the part of the value it was read from, when that part
//     reads the same in the value, or when a match in the value confirms
//     it (a raw match read through an escape may end inside the secret);
//     otherwise, unsure where the secret is, the whole value.
//
// apply then replaces them, and every secret long enough to be searched
// for (leak.MinSearchLen) wherever it occurs in any scalar of the file: a
// copy of a secret flagged in a comment or in another value. A short
// secret (a one-character URL password, a PIN) goes only where it was
// found, and the rest of the text reads as it was.
type valueGuard struct {
	data  []byte
	root  *yaml.Node
	res   *leak.Result
	lines lineCursor

	owners  []where               // per raw match: the scalar that holds it
	ids     []bool                // per raw match: an identifier where one belongs (see fieldPlace)
	found   []leakAt              // leaks that only a parsed value shows
	spans   map[*yaml.Node][]span // what to take out of each value
	secrets []string              // what the parsed values showed
	lost    []lostScalar          // scalars that could not be read back
}

// lostScalar is a scalar that could not be read back from the file.
type lostScalar struct {
	n *yaml.Node
	w where
}

// span is a part of a value, in bytes.
type span struct{ start, end int }

// readValues reads the scalars under root, whose file is data and whose
// raw scan found res; it marks the allowances that allow a match in a
// parsed value used.
func readValues(data []byte, root *yaml.Node, res *leak.Result) *valueGuard {
	g := &valueGuard{data: data, root: root, res: res, lines: newLineCursor(data), owners: make([]where, len(res.Matches))}
	g.walk(root, nil, false, placeTop)
	for _, l := range g.lost {
		g.unlocated(l.n, l.w)
	}
	return g
}

// walk visits the scalars under n in the file's order; key is the key
// whose value n is, isKey whether n is a key itself, at the place p of a
// register file.
func (g *valueGuard) walk(n *yaml.Node, key *yaml.Node, isKey bool, p fieldPlace) {
	switch n.Kind {
	case yaml.ScalarNode:
		g.scalar(n, where{known: true, key: key, isKey: isKey, keyID: p == placeAccessKeyID})
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			g.walk(n.Content[i], nil, true, placeOther)
			g.walk(n.Content[i+1], n.Content[i], false, p.field(n.Content[i].Value))
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			g.walk(c, key, false, p.item())
		}
	default:
		for _, c := range n.Content {
			g.walk(c, key, false, p)
		}
	}
}

// fieldPlace is where walk is in a register file, as far as the leak
// guard needs to know: it finds the one field whose value is an
// identifier in a secret's shape, source.aws_iam_access_key.access_key_id.
// There an AWS access key id (AKIA…, the whole value) is the id of the key
// the register tracks, as the IAM console shows it, and no finding;
// anywhere else it stays one, since a key id pasted into a description is
// most often half of a pair pasted whole.
type fieldPlace uint8

const (
	placeOther fieldPlace = iota
	placeTop
	placeCredentials // the credentials list
	placeCredential  // an entry of it
	placeSource      // its source:
	placeIAMKey      // source.aws_iam_access_key
	placeAccessKeyID // its access_key_id
)

func (p fieldPlace) field(name string) fieldPlace {
	switch {
	case p == placeTop && name == "credentials":
		return placeCredentials
	case p == placeCredential && name == "source":
		return placeSource
	case p == placeSource && name == "aws_iam_access_key":
		return placeIAMKey
	case p == placeIAMKey && name == "access_key_id":
		return placeAccessKeyID
	}
	return placeOther
}

func (p fieldPlace) item() fieldPlace {
	if p == placeCredentials {
		return placeCredential
	}
	return placeOther
}

// keyID reports whether m, a raw match in value v, is an AWS access key
// id that is the whole of v, of a kind the field holds (AKIA, ASIA: the
// schema's pattern). ABIA and ACCA share the guard's kind but name no
// IAM user's key, so they stay leaks there too.
func keyID(m leak.Match, v string) bool {
	return (m.Kind == leak.KindAWSAccessKeyID || m.Kind == leak.KindAWSTemporaryAccessKeyID) && m.Secret == v &&
		(strings.HasPrefix(v, "AKIA") || strings.HasPrefix(v, "ASIA"))
}

// identifier reports whether raw match i is an identifier where one
// belongs, and so no leak.
func (g *valueGuard) identifier(i int) bool {
	return g != nil && g.ids != nil && g.ids[i]
}

// rawIn is a raw match inside a scalar, as a part of its value.
type rawIn struct {
	span
	allowed, located bool
}

func (g *valueGuard) scalar(n *yaml.Node, w where) {
	if n.Value == "" {
		return // nothing to take out; an implicit null may be placed past the end
	}
	if len(g.res.Matches) == 0 && n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) == 0 &&
		!strings.ContainsAny(n.Value, " \n") {
		// A plain scalar of one word (an id, a date, an email, a URL): a
		// folded line would have left a blank in it, so it is its raw text
		// as it is, which the raw scan read and found clean. Most scalars
		// are such, and not reading them back keeps this pass at about half
		// a raw scan of the same file (BenchmarkReadValues: 65 µs against
		// 130 µs for 100 credentials, 40 KB; 90 µs without this).
		return
	}
	at, ok := g.lines.offset(n.Line, n.Column)
	var src scalarSource
	if ok {
		src, ok = locateScalar(g.data, at, n)
	}
	if !ok {
		g.lost = append(g.lost, lostScalar{n, w})
		return
	}
	ms := g.res.Matches
	lo := sort.Search(len(ms), func(i int) bool { return ms[i].Offset+len(ms[i].Secret) > src.start })
	hi := lo
	for hi < len(ms) && ms[hi].Offset < src.end {
		hi++
	}
	if lo == hi && src.verbatim() {
		return // nothing here, and the raw scan read the value as it is
	}
	v := n.Value
	raws := make([]rawIn, 0, hi-lo)
	for i := lo; i < hi; i++ {
		m := ms[i]
		g.owners[i] = w
		if w.keyID && keyID(m, v) {
			if g.ids == nil {
				g.ids = make([]bool, len(ms))
			}
			g.ids[i] = true
			continue
		}
		a, b := max(m.Offset, src.start), min(m.Offset+len(m.Secret), src.end)
		r := rawIn{span: span{src.valueIndex(a, len(v)), src.valueIndex(b, len(v))}, allowed: m.Allowed}
		r.located = r.start < r.end && v[r.start:r.end] == string(g.data[a:b])
		raws = append(raws, r)
	}
	var spans []span
	var inValue []span // what the parsed value showed, not allowed
	if !src.verbatim() {
		for _, vm := range leak.Scan([]byte(v)).Matches {
			if w.keyID && keyID(vm, v) {
				continue
			}
			s := span{vm.Offset, vm.Offset + len(vm.Secret)}
			covered, allowed := false, vm.Allowed
			for _, r := range raws {
				if r.start < s.end && s.start < r.end {
					covered, allowed = true, allowed || r.allowed
				}
			}
			if allowed {
				continue
			}
			if !covered {
				line, col := g.lines.position(src.raw(s.start))
				last, _ := g.lines.position(src.raw(s.end - 1))
				if g.allow(line, last) {
					continue
				}
				g.found = append(g.found, leakAt{line: line, col: col, kind: vm.Kind, where: w})
			}
			spans = append(spans, s)
			inValue = append(inValue, s)
			g.secrets = append(g.secrets, vm.Secret)
		}
	}
	for _, r := range raws {
		switch {
		case r.allowed:
		case r.located:
			spans = append(spans, r.span)
			g.secrets = append(g.secrets, v[r.start:r.end])
		case slices.ContainsFunc(inValue, func(s span) bool { return r.start < s.end && s.start < r.end }):
			spans = append(spans, r.span) // with the match in the value that confirms it
			g.secrets = append(g.secrets, v[r.start:r.end])
		default:
			spans = append(spans, span{0, len(v)})
		}
	}
	g.plan(n, spans)
}

// unlocated handles a scalar that could not be read back from the file (a
// line break yaml.v3 counts and the raw scan does not, such as U+2028),
// once the others were: its parsed value is scanned, and a raw match that
// no other scalar holds and no comment either, which may then be this
// scalar's, takes the whole value when its secret is in it.
func (g *valueGuard) unlocated(n *yaml.Node, w where) {
	var spans []span
	for _, vm := range leak.Scan([]byte(n.Value)).Matches {
		if vm.Allowed || w.keyID && keyID(vm, n.Value) {
			continue
		}
		spans = append(spans, span{vm.Offset, vm.Offset + len(vm.Secret)})
		g.secrets = append(g.secrets, vm.Secret)
		if !g.rawHolds(vm.Secret) {
			g.found = append(g.found, leakAt{line: n.Line, col: n.Column, kind: vm.Kind, where: w})
		}
	}
	for i, m := range g.res.Matches {
		if m.Allowed || g.owners[i].known || g.inComment(m) {
			continue
		}
		for _, f := range append(unquotedForms(m.Secret), m.Secret) {
			if strings.Contains(n.Value, f) {
				spans = append(spans, span{0, len(n.Value)})
			}
		}
	}
	g.plan(n, spans)
}

// inComment reports whether the raw match m is in a comment.
func (g *valueGuard) inComment(m leak.Match) bool {
	start := bytes.LastIndexByte(g.data[:m.Offset], '\n') + 1
	end := bytes.IndexByte(g.data[m.Offset:], '\n')
	if end < 0 {
		end = len(g.data) - m.Offset
	}
	return inComment(bytes.TrimSuffix(g.data[start:m.Offset+end], []byte("\r")), m.Column)
}

// rawHolds reports whether the raw scan found secret, in any of its
// forms.
func (g *valueGuard) rawHolds(secret string) bool {
	for _, m := range g.res.Matches {
		if m.Secret == secret || slices.Contains(unquotedForms(m.Secret), secret) {
			return true
		}
	}
	return false
}

// allow reports whether an allowance on one of the lines first to last
// allows a match there, and marks it used.
func (g *valueGuard) allow(first, last int) bool {
	as := g.res.Allowances
	i := sort.Search(len(as), func(i int) bool { return as[i].Line >= first })
	if i < len(as) && as[i].Line <= last {
		as[i].Used = true
		return true
	}
	return false
}

func (g *valueGuard) plan(n *yaml.Node, spans []span) {
	if len(spans) == 0 {
		return
	}
	if g.spans == nil {
		g.spans = map[*yaml.Node][]span{}
	}
	g.spans[n] = append(g.spans[n], spans...)
}

// apply takes the planned spans out of the values, then what r finds in
// any scalar of the file.
func (g *valueGuard) apply(r *leak.Redactor) {
	if len(g.spans) == 0 && r.Empty() {
		return
	}
	for n, spans := range g.spans {
		n.Value = cut(n.Value, spans)
	}
	if r.Empty() {
		return
	}
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			n.Value = r.Redact(n.Value)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(g.root)
}

// cut replaces the spans of s, merged where they overlap or touch, with
// leak.Redacted.
func cut(s string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return cmp.Compare(a.start, b.start) })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		b.WriteString(s[last:start])
		b.WriteString(leak.Redacted)
		last = end
	}
	b.WriteString(s[last:])
	return b.String()
}
