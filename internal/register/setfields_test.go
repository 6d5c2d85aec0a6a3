package register

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/golden"
)

// recordFields are the fields rotor record sets after a rotation.
var recordFields = []Field{
	{Key: "last_changed", Value: "2026-11-28", Plain: true},
	{Key: "last_ticket", Value: "SEC-42"},
}

func recordValues() map[string]any {
	return map[string]any{"last_changed": "2026-11-28", "last_ticket": "SEC-42"}
}

// setCases names the credential each testdata/setfields/<case>.in.yaml has
// edited; every input needs a row.
var setCases = map[string]string{
	"add-ticket":               "stripe-api-key",
	"block-scalar-last":        "hsm-card",
	"bom":                      "a",
	"comments":                 "payments-db-admin",
	"crlf":                     "a",
	"crlf-no-trailing-newline": "b",
	"dash-alone":               "stripe-api-key",
	"empty-values":             "new-key",
	"flow-entries":             "zürich-ldap",
	"flow-list":                "a",
	"flow-nested-last":         "b",
	"followed-by-key":          "payments-db-admin",
	"four-space":               "stripe-api-key",
	"keep-block-scalar":        "x",
	"lone-cr":                  "a",
	"many-entries":             "key-3",
	"mixed-line-endings":       "a",
	"nested-last":              "legacy-ldap-bind",
	"no-trailing-newline":      "b",
	"quoted-double":            "payments-db-admin",
	"quoted-single":            "payments-db-admin",
	"register-example":         "stripe-api-key",
	"trailing-comments":        "payments-db-admin",
	"zero-indent":              "stripe-api-key",
}

// TestSetFieldsGolden sets recordFields on one credential of every
// testdata/setfields/*.in.yaml and compares the result with <case>.yaml.golden.
// Run with -update to rewrite the golden files, then review the diff.
func TestSetFieldsGolden(t *testing.T) {
	ins, err := filepath.Glob(filepath.Join("testdata", "setfields", "*.in.yaml"))
	if err != nil || len(ins) == 0 {
		t.Fatalf("no inputs in testdata/setfields: %v", err)
	}
	seen := make(map[string]bool)
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.yaml")
		seen[name] = true
		t.Run(name, func(t *testing.T) {
			id, ok := setCases[name]
			if !ok {
				t.Fatalf("add %q to setCases: which credential does it edit?", name)
			}
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := SetFields(data, id, recordFields)
			if err != nil {
				t.Fatalf("SetFields: %v", err)
			}
			golden.Check(t, strings.TrimSuffix(in, ".in.yaml")+".yaml.golden", got)
			assertSet(t, data, got, id, recordValues())
		})
	}
	for name := range setCases {
		if !seen[name] {
			t.Errorf("setCases has %q but testdata/setfields/%s.in.yaml is missing", name, name)
		}
	}
}

// assertSet checks the promise of SetFields without its code: out parses,
// the credential id holds want and its other values unchanged, every other
// entry and top-level value is unchanged, and the lines of out are those of
// in except lines of the entry that name a field in want (changed in
// place, or new lines for missing keys).
func assertSet(t *testing.T, in, out []byte, id string, want map[string]any) {
	t.Helper()
	old, _ := Parse("in.yaml", in)
	if old == nil {
		t.Fatalf("input does not parse")
	}
	doc, findings := Parse("out.yaml", out)
	if doc == nil {
		t.Fatalf("output does not parse: %v\n%s", findings, out)
	}
	_, oldSeq := MapGet(old.Root, "credentials")
	_, seq := MapGet(doc.Root, "credentials")
	if seq == nil || seq.Kind != yaml.SequenceNode || len(seq.Content) != len(oldSeq.Content) {
		t.Fatalf("output has no credentials list of %d entries:\n%s", len(oldSeq.Content), out)
	}
	if got, was := withoutCredentials(doc.Root), withoutCredentials(old.Root); !reflect.DeepEqual(got, was) {
		t.Errorf("the rest of the file changed: got %v, want %v", got, was)
	}
	target := -1
	for i, n := range oldSeq.Content {
		if _, v := MapGet(n, "id"); v != nil && v.Kind == yaml.ScalarNode && v.Value == id {
			target = i
			continue
		}
		if got, was := Value(seq.Content[i], nil), Value(n, nil); !reflect.DeepEqual(got, was) {
			t.Errorf("entry %d changed: got %v, want %v", i, got, was)
		}
	}
	if target < 0 {
		t.Fatalf("credential %q is not in the input", id)
	}
	got, _ := Value(seq.Content[target], nil).(map[string]any)
	was, _ := Value(oldSeq.Content[target], nil).(map[string]any)
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s = %#v, want %#v", k, got[k], w)
		}
		delete(got, k)
		delete(was, k)
	}
	if !reflect.DeepEqual(got, was) {
		t.Errorf("other fields of the entry changed: got %v, want %v", got, was)
	}

	// Align the lines: equal lines match; a changed line must name a field
	// on both sides (or the output side, for a key added in a flow
	// mapping); an extra output line must be a new "key: value".
	first := oldSeq.Content[target].Line - 1
	last := len(bytes.Split(in, []byte("\n")))
	if target+1 < len(oldSeq.Content) {
		last = oldSeq.Content[target+1].Line - 1
	}
	names := func(l []byte) bool {
		for k := range want {
			if bytes.Contains(l, []byte(k)) {
				return true
			}
		}
		return false
	}
	added := func(l []byte) bool {
		for k := range want {
			if bytes.HasPrefix(bytes.TrimLeft(l, " "), []byte(k+": ")) {
				return true
			}
		}
		return false
	}
	inLines, outLines := yamlLines(in), yamlLines(out)
	n, k := len(inLines), len(outLines)-len(inLines)
	if k < 0 {
		t.Fatalf("output has %d lines fewer than the input", -k)
	}
	inEntry := func(i int) bool { return i >= first && i <= last }
	// reach[i][d]: inLines[:i] aligns with outLines[:i+d].
	reach := make([][]bool, n+1)
	for i := range reach {
		reach[i] = make([]bool, k+1)
	}
	reach[0][0] = true
	for i := 0; i <= n; i++ {
		for d := 0; d <= k; d++ {
			if !reach[i][d] {
				continue
			}
			j := i + d
			if i < n && j < len(outLines) {
				a, b := inLines[i], outLines[j]
				if bytes.Equal(a, b) || inEntry(i) && (names(b) && sameStart(a, b) ||
					i == n-1 && !lineBreak.Match(a) && bytes.HasPrefix(b, a) && lineBreak.Match(b[len(a):])) {
					reach[i+1][d] = true
				}
			}
			if d < k && j < len(outLines) && inEntry(i) && added(outLines[j]) {
				reach[i][d+1] = true
			}
		}
	}
	if !reach[n][k] {
		p := commonPrefix(in, out)
		t.Fatalf("the output changes more than the entry's %v lines (%d-%d): first difference at byte %d: %q became %q",
			slices.Sorted(maps.Keys(want)), first+1, last+1, p, in[p:min(len(in), p+60)], out[p:min(len(out), p+60)])
	}
}

// lineBreak matches the line breaks of YAML 1.1 (and yaml.v3), at the end
// of a line.
var lineBreak = regexp.MustCompile(`(\r\n|\r|\n|\x{85}|\x{2028}|\x{2029})$`)

// yamlLines splits data after each line break, keeping the breaks, and ends
// with the text after the last one (maybe empty).
func yamlLines(data []byte) [][]byte {
	var out [][]byte
	at := 0
	for _, loc := range anyBreak.FindAllIndex(data, -1) {
		out = append(out, data[at:loc[1]])
		at = loc[1]
	}
	return append(out, data[at:])
}

var anyBreak = regexp.MustCompile(`\r\n|\r|\n|\x{85}|\x{2028}|\x{2029}`)

// sameStart reports whether two lines agree up to their first ':', or,
// for a line without one, in their indentation: a value changed in place
// keeps what comes before it.
func sameStart(a, b []byte) bool {
	if i := bytes.IndexByte(a, ':'); i >= 0 {
		return bytes.HasPrefix(b, a[:i+1])
	}
	n := len(a) - len(bytes.TrimLeft(a, " "))
	return bytes.HasPrefix(b, a[:n])
}

func TestSetFieldsErrors(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		id     string
		fields []Field
		want   string
	}{
		{name: "not found", data: "credentials:\n  - id: a\n", id: "x", want: `credential "x" is not in this file`},
		{name: "not found, entry not a mapping", data: "credentials:\n  - a\n  - id: b\n", id: "x", want: `credential "x" is not in this file (the entry on line 2 is not a mapping`},
		{name: "twice", data: "credentials:\n  - id: x\n  - id: y\n  - id: x\n", id: "x", want: `credential "x" appears twice in this file (lines 2 and 4)`},
		{name: "no credentials", data: "other: 1\n", id: "x", want: "no top-level credentials"},
		{name: "credentials not a list", data: "credentials:\n  id: x\n", id: "x", want: "line 2: credentials is not a list"},
		{name: "empty id", data: "credentials:\n  - id: x\n", id: "", want: "no credential id"},
		{name: "no fields", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{}, want: "no fields"},
		{name: "change the id", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{{Key: "id", Value: "y"}}, want: `field "id"`},
		{name: "bad key", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{{Key: "a b", Value: "y"}}, want: `field name "a b"`},
		{name: "field twice", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}}, want: "given twice"},
		{name: "plain value with comment", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{{Key: "n", Value: "1 # 2", Plain: true}}, want: "does not read back as itself"},
		{name: "plain value that is a list", data: "credentials:\n  - id: x\n", id: "x", fields: []Field{{Key: "n", Value: "[1]", Plain: true}}, want: "does not read back as itself"},
		{name: "plain value with comma in flow", data: "credentials:\n  - {id: x, n: 1}\n", id: "x", fields: []Field{{Key: "n", Value: "1,2", Plain: true}}, want: "cannot be written unquoted inside {...}"},
		{name: "syntax error", data: "credentials:\n  - id: [\n", id: "x", want: "cannot be read as a register file: YAML syntax error"},
		{name: "anchor", data: "credentials:\n  - &a {id: x}\n", id: "x", want: "anchors and aliases are not allowed"},
		{name: "top level list", data: "- id: x\n", id: "x", want: "top level is a list"},
		{name: "literal block scalar", data: "credentials:\n  - id: x\n    last_ticket: |\n      SEC-1\n", id: "x", want: `line 3: last_ticket of credential "x" is a block scalar`},
		{name: "folded block scalar", data: "credentials:\n  - id: x\n    last_ticket: >-\n      SEC-1\n", id: "x", want: "is a block scalar"},
		{name: "plain over two lines", data: "credentials:\n  - id: x\n    last_ticket: SEC-1\n      and more\n", id: "x", want: "is written over several lines"},
		{name: "quoted over two lines", data: "credentials:\n  - id: x\n    last_ticket: \"SEC-1\n      and more\"\n", id: "x", want: "is written over several lines"},
		{name: "escaped line break", data: "credentials:\n  - id: x\n    last_ticket: \"SEC-\\\n      1\"\n", id: "x", want: "is written over several lines"},
		{name: "flow value over two lines", data: "credentials:\n  - {id: x, last_ticket: SEC\n      1}\n", id: "x", want: "is written over several lines"},
		{name: "value is a mapping", data: "credentials:\n  - id: x\n    last_ticket: {key: SEC-1}\n", id: "x", want: "is a mapping, not a single value"},
		{name: "value is a list", data: "credentials:\n  - id: x\n    last_ticket:\n      - SEC-1\n", id: "x", want: "is a list, not a single value"},
		{name: "tagged value", data: "credentials:\n  - id: x\n    last_ticket: !!str SEC-1\n", id: "x", want: "has a YAML tag (!!str)"},
		{name: "key twice", data: "credentials:\n  - id: x\n    last_ticket: SEC-1\n    last_ticket: SEC-2\n", id: "x", want: `credential "x" has last_ticket twice (lines 3 and 4)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := tt.fields
			if fields == nil {
				fields = recordFields
			}
			out, err := SetFields([]byte(tt.data), tt.id, fields)
			if err == nil {
				t.Fatalf("SetFields succeeded, want an error containing %q; output:\n%s", tt.want, out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestSetFieldsValues checks that string values come back exactly as
// given in every place a value can be: replacing an unquoted, a
// double-quoted and a single-quoted value, an added key, and the same
// inside a flow mapping.
func TestSetFieldsValues(t *testing.T) {
	files := map[string]string{
		"plain":       "credentials:\n  - id: x\n    last_ticket: SEC-1 # c\n",
		"double":      "credentials:\n  - id: x\n    last_ticket: \"SEC-1\"\n",
		"single":      "credentials:\n  - id: x\n    last_ticket: 'SEC-1'\n",
		"added":       "credentials:\n  - id: x\n",
		"flow":        "credentials:\n  - {id: x, last_ticket: SEC-1, name: y}\n",
		"flow added":  "credentials:\n  - {id: x}\n",
		"flow double": "credentials: [{id: x, last_ticket: \"SEC-1\"}]\n",
		"flow empty":  "credentials:\n  - {id: x, last_ticket: }\n",
		"flow root":   "{credentials: [{id: x, last_ticket: 'SEC-1'}]}\n",
	}
	values := []string{
		"SEC-42", "", "yes", "0x1F", "2026-05-22", "~", "a: b", "#x", "a #b", " lead", "trail ",
		`it's "quoted"`, `C:\keys`, "line\nbreak", "a\tb", "bell\a", "Schlüssel ✓", "a\u2028b", "a\u0085b",
		"\uFEFFa", "[a, {b: c}]", "a,b", "x}", "- item", "---", "'", `"`,
	}
	for name, data := range files {
		for _, v := range values {
			t.Run(fmt.Sprintf("%s/%q", name, v), func(t *testing.T) {
				out, err := SetFields([]byte(data), "x", []Field{{Key: "last_ticket", Value: v}})
				if err != nil {
					t.Fatalf("SetFields: %v", err)
				}
				assertSet(t, []byte(data), out, "x", map[string]any{"last_ticket": v})
				if got, want := bytes.Count(out, []byte("\n")), bytes.Count([]byte(data), []byte("\n"))+boolInt(strings.HasSuffix(name, "added") && !strings.HasPrefix(name, "flow")); got != want {
					t.Errorf("output has %d lines, want %d:\n%s", got, want, out)
				}
			})
		}
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestSetFieldsCommentColumn: a comment after the value keeps its column
// while the new value fits, else follows one space after it.
func TestSetFieldsCommentColumn(t *testing.T) {
	for _, tt := range []struct{ in, value, want string }{
		{"t: SEC-1    # c", "SEC-42", "t: SEC-42   # c"},
		{"t: SEC-1 # c", "SEC-42", "t: SEC-42 # c"},
		{"t: SEC-12345  # c", "SEC-4", "t: SEC-4      # c"},
		{"t: SEC-1  # c", "SEC-12345", "t: SEC-12345 # c"},
		{"t: Zürich  # c", "Genève", "t: Genève  # c"},
		{"t:   # c", "SEC-42", "t: SEC-42 # c"},
		{"t:      # c", "SEC-42", "t: SEC-42 # c"},
		{"t: SEC-1\t# c", "SEC-42", "t: SEC-42\t# c"},
	} {
		in := "credentials:\n  - id: x\n    " + tt.in + "\n"
		out, err := SetFields([]byte(in), "x", []Field{{Key: "t", Value: tt.value}})
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got := strings.Split(string(out), "\n")[2]; got != "    "+tt.want {
			t.Errorf("%q → %q, want %q", tt.in, got, "    "+tt.want)
		}
	}
}

// registerFile returns a register file of n entries of about 30 lines each
// (comments, a nested exemption, a multi-line description).
func registerFile(n int) []byte {
	var b bytes.Buffer
	b.WriteString("# yaml-language-server: $schema=../schema/credential.schema.json\ncredentials:\n")
	for i := range n {
		fmt.Fprintf(&b, `  # Credential %[1]d of the generated register.
  - id: credential-%[1]d
    name: Generated credential number %[1]d
    owner: owner-%[1]d@example.com
    team: team-%[2]d
    system: system-%[2]d
    environment: production
    period_days: 90
    last_changed: 2026-09-01  # rotated by someone
    notice_days: 14
    criticality: high
    runbook: https://wiki.example.com/runbooks/credential-%[1]d
    jira_assignee: "557058:0c1e7a2b-5d2f-4e8b-9a61-3f4d2c1b0a99"
    description: >-
      A long description of what this credential unlocks, who uses it and
      how it is rotated, so that the file is about the size of a real one.
    exemption:
      until: 2027-01-31
      reason: A migration freezes changes until February.
      approved_by: ciso@example.com

`, i, i%10)
	}
	return b.Bytes()
}

// BenchmarkSetFields edits the last entry of a generated register file: a
// 100-entry file (about 80 KB), and a 370-entry one of about 300 KB, the
// largest rotor record expects.
func BenchmarkSetFields(b *testing.B) {
	for _, n := range []int{100, 370} {
		data := registerFile(n)
		id := fmt.Sprintf("credential-%d", n-1)
		b.Run(fmt.Sprintf("%d-entries-%dKB", n, len(data)>>10), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := SetFields(data, id, recordFields); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestSetFieldsFlow covers flow mappings whose last value is empty or
// missing, and a file that is one flow mapping.
func TestSetFieldsFlow(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"credentials:\n  - {id: x, last_ticket: }\n", "credentials:\n  - {id: x, last_ticket: SEC-42, last_changed: 2026-11-28}\n"},
		{"credentials:\n  - {id: x, other}\n", "credentials:\n  - {id: x, other, last_changed: 2026-11-28, last_ticket: SEC-42}\n"},
		{"credentials:\n  - {id: x, n: [1, {b: \"]\"}]  }  # c\n", "credentials:\n  - {id: x, n: [1, {b: \"]\"}], last_changed: 2026-11-28, last_ticket: SEC-42  }  # c\n"},
		{"{credentials: [{id: x, last_changed: '2026-01-01'}]}", "{credentials: [{id: x, last_changed: '2026-11-28', last_ticket: SEC-42}]}"},
		// A comment starts after any line break YAML counts: its "]" is not
		// the list's.
		{"credentials:\n  - {id: x, n: [1,\u2028# ]\u2028 2]}\n", "credentials:\n  - {id: x, n: [1,\u2028# ]\u2028 2], last_changed: 2026-11-28, last_ticket: SEC-42}\n"},
		{"credentials:\n  - {id: x, n: [1,\u0085# ]\u0085 2]}\n", "credentials:\n  - {id: x, n: [1,\u0085# ]\u0085 2], last_changed: 2026-11-28, last_ticket: SEC-42}\n"},
		{"credentials:\n  - {id: x,\n     last_changed: 2026-01-01   # c\n    }\n", "credentials:\n  - {id: x,\n     last_changed: 2026-11-28, last_ticket: SEC-42 # c\n    }\n"},
	} {
		out, err := SetFields([]byte(tt.in), "x", recordFields)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if string(out) != tt.want {
			t.Errorf("%q\n got %q\nwant %q", tt.in, out, tt.want)
		}
		assertSet(t, []byte(tt.in), out, "x", recordValues())
	}
}
