package register

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// aliasBomb is "billion laughs": nine levels of nine aliases each.
func aliasBomb() string {
	var b strings.Builder
	b.WriteString("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i < 10; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("a" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 8) + prev + "]\n")
	}
	return b.String()
}

// deepIndent nests n block mappings, one more space per line.
func deepIndent(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat(" ", i) + "a:\n")
	}
	return b.String()
}

func TestParseFindings(t *testing.T) {
	const entry = "credentials:\n  - id: payments-db-admin\n    owner: alice@example.com\n"
	tests := []struct {
		name      string
		data      string
		rule      string
		line, col int
		msg       string
	}{
		{name: "empty", data: "", rule: RuleFile, line: 1, col: 1, msg: "file is empty"},
		{name: "blank lines", data: "\n  \n\n", rule: RuleFile, line: 1, col: 1, msg: "file is empty"},
		{name: "comments only", data: "# nothing yet\n", rule: RuleFile, line: 1, col: 1, msg: "file is empty"},
		{name: "document marker only", data: "---\n", rule: RuleFile, line: 1, col: 1, msg: "file is empty"},
		{name: "null", data: "~\n", rule: RuleFile, line: 1, col: 1, msg: "file is empty"},
		{name: "top-level list", data: "# x\n- id: a\n", rule: RuleFile, line: 2, col: 1, msg: "top level is a list"},
		{name: "top-level scalar", data: "hello\n", rule: RuleFile, line: 1, col: 1, msg: "top level is a single value"},
		{name: "two documents", data: entry + "---\nother: 1\n", rule: RuleFile, line: 4, col: 1, msg: "more than one YAML document"},
		{name: "two documents, lone CR line ends", data: "credentials: []\r---\rother: 1\r", rule: RuleFile, line: 2, col: 1, msg: "more than one YAML document"},
		{name: "two documents, LS line ends", data: "credentials: []\u2028---\u2028other: 1\u2028", rule: RuleFile, line: 2, col: 1, msg: "more than one YAML document"},
		{name: "two documents, NEL before the marker", data: "credentials: []\u0085...\nother: 1\n", rule: RuleYAML, line: 3, col: 1, msg: "YAML syntax error"},
		{name: "document end then more", data: entry + "...\nother: 1\n", rule: RuleYAML, line: 5, col: 1, msg: "YAML syntax error"},
		{name: "second document broken", data: entry + "---\nother: [\n", rule: RuleYAML, line: 5, col: 1, msg: "YAML syntax error"},
		{name: "binary", data: "credentials:\x00\x01\x02\xff", rule: RuleFile, line: 1, col: 1, msg: "binary, not YAML text (NUL byte at offset 12)"},
		{name: "invalid UTF-8", data: entry + "    name: caf\xe9\n", rule: RuleFile, line: 1, col: 1, msg: "not UTF-8 text (invalid byte at offset 81)"},
		{name: "UTF-16", data: "\xff\xfec\x00r\x00", rule: RuleFile, line: 1, col: 1, msg: "UTF-16 or UTF-32"},
		{name: "alias bomb", data: aliasBomb(), rule: RuleYAML, line: 1, col: 5, msg: "anchors and aliases are not allowed"},
		{name: "alias", data: "credentials:\n  - &e {id: a}\n  - *e\n", rule: RuleYAML, line: 2, col: 5, msg: "anchors and aliases"},
		{name: "10,000 open brackets", data: strings.Repeat("[", 10000), rule: RuleYAML, line: 1, col: 1, msg: "YAML syntax error"},
		{name: "10,000 nested lists", data: strings.Repeat("[", 10000) + strings.Repeat("]", 10000), rule: RuleFile, line: 1, col: 34, msg: "nesting deeper than 32 levels"},
		{name: "100,000 nested lists", data: strings.Repeat("[", 100000) + strings.Repeat("]", 100000), rule: RuleFile, line: 1, col: 1, msg: "nesting deeper than 32 levels"},
		{name: "10,000 dashes", data: strings.Repeat("- ", 10000) + "x\n", rule: RuleFile, line: 1, col: 67, msg: "nesting deeper than 32 levels"},
		{name: "100,000 dashes", data: strings.Repeat("- ", 100000) + "x\n", rule: RuleFile, line: 1, col: 1, msg: "nesting deeper than 32 levels"},
		{name: "2,000 indented mappings", data: deepIndent(2000), rule: RuleFile, line: 33, col: 33, msg: "nesting deeper than 32 levels"},
		{name: "mapping value in a value", data: entry + "    name: a: b\n", rule: RuleYAML, line: 4, col: 1, msg: "mapping values are not allowed"},
		{name: "entry indented one space too few", data: entry + "\n  - id: b\n   owner: c\n", rule: RuleYAML, line: 6, col: 1, msg: "did not find expected '-' indicator"},
		{name: "entry indented one space too few, lone CR line ends", data: strings.ReplaceAll(entry+"\n  - id: b\n   owner: c\n", "\n", "\r"), rule: RuleYAML, line: 6, col: 1, msg: "did not find expected '-' indicator"},
		{name: "mapping value in a value after LS", data: "# a\u2028" + entry + "    name: a: b\n", rule: RuleYAML, line: 5, col: 1, msg: "mapping values are not allowed"},
		{name: "unclosed flow list", data: entry + "    name: [unclosed\n", rule: RuleYAML, line: 4, col: 1, msg: "did not find expected ',' or ']'"},
		{name: "unclosed quote", data: entry + "    name: \"unclosed\n", rule: RuleYAML, line: 4, col: 1, msg: "found unexpected end of stream"},
		{name: "tab indentation", data: "a: 1\n\tb: 2\n", rule: RuleYAML, line: 2, col: 1, msg: "found a tab character"},
		{name: "tab before a list entry", data: "credentials:\n\t- id: a\n", rule: RuleYAML, line: 2, col: 1, msg: "cannot start any token"},
		{name: "reserved character", data: entry + "    name: @x\n", rule: RuleYAML, line: 4, col: 1, msg: "cannot start any token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, findings := Parse("a.yaml", []byte(tt.data))
			if doc != nil {
				t.Errorf("Parse returned a document, want nil")
			}
			if len(findings) != 1 {
				t.Fatalf("got %d findings %v, want 1", len(findings), findings)
			}
			f := findings[0]
			if f.File != "a.yaml" || f.Rule != tt.rule || f.Line != tt.line || f.Column != tt.col ||
				f.Severity != SeverityError || !strings.Contains(f.Message, tt.msg) || f.Hint == "" {
				t.Errorf("finding = %s (hint %q), want a.yaml:%d:%d: ...%s... [%s] with a hint", f, f.Hint, tt.line, tt.col, tt.msg, tt.rule)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		data string
	}{
		{name: "entry", data: "credentials:\n  - id: a\n"},
		{name: "leading document marker", data: "---\ncredentials: []\n"},
		{name: "document end marker", data: "credentials: []\n...\n"},
		// Editors on Windows write a byte order mark; YAML allows it at the
		// start and it changes nothing.
		{name: "UTF-8 byte order mark", data: "\uFEFFcredentials:\n  - id: a\n"},
		{name: "CRLF", data: "credentials:\r\n  - id: a\r\n"},
		{name: "no trailing newline", data: "credentials:\n  - id: a"},
		{name: "32 levels", data: "a: " + strings.Repeat("[", 31) + strings.Repeat("]", 31) + "\n"},
		{name: "dashes inside a value", data: "a: \"x\n---b\"\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, findings := Parse("a.yaml", []byte(tt.data))
			if doc == nil || len(findings) != 0 {
				t.Fatalf("Parse = %v, %v; want a document and no findings", doc, findings)
			}
			if doc.Root.Kind != yaml.MappingNode || doc.Path != "a.yaml" {
				t.Errorf("Root kind %v, path %q; want a mapping from a.yaml", doc.Root.Kind, doc.Path)
			}
		})
	}
	t.Run("byte order mark keeps positions", func(t *testing.T) {
		doc, _ := Parse("a.yaml", []byte("\uFEFFcredentials:\n  - id: a\n"))
		k, _ := MapGet(doc.Root, "credentials")
		if k == nil || k.Line != 1 || k.Column != 1 {
			t.Fatalf("credentials key at %v, want 1:1", k)
		}
	})
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Run("50 MB file", func(t *testing.T) {
		// A valid register line repeated: were it parsed, it would take
		// seconds and gigabytes. The size limit refuses it from its size.
		line := []byte("  - id: a-credential-with-a-long-name\n")
		data := append([]byte("credentials:\n"), bytes.Repeat(line, 50<<20/len(line))...)
		path := write("big.yaml", data)
		doc, findings, err := ReadFile(path)
		if err != nil || doc != nil || len(findings) != 1 {
			t.Fatalf("ReadFile = %v, %v, %v; want one finding", doc, findings, err)
		}
		if f := findings[0]; f.Rule != RuleFile || f.Line != 1 || !strings.Contains(f.Message, fmt.Sprintf("larger than %d MiB", MaxFileSize>>20)) || f.File != path {
			t.Errorf("finding = %s", f)
		}
	})
	t.Run("just over the limit", func(t *testing.T) {
		path := write("over.yaml", append([]byte("a: "), bytes.Repeat([]byte("x"), MaxFileSize)...))
		if _, findings, err := ReadFile(path); err != nil || len(findings) != 1 || !strings.Contains(findings[0].Message, "too large") {
			t.Fatalf("ReadFile = %v, %v; want a too-large finding", findings, err)
		}
	})
	t.Run("valid", func(t *testing.T) {
		path := write("ok.yaml", []byte("credentials:\n  - id: a\n"))
		doc, findings, err := ReadFile(path)
		if err != nil || doc == nil || len(findings) != 0 || doc.Path != path {
			t.Fatalf("ReadFile = %v, %v, %v; want a document", doc, findings, err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		path := write("empty.yaml", nil)
		if _, findings, err := ReadFile(path); err != nil || len(findings) != 1 || !strings.Contains(findings[0].Message, "empty") {
			t.Fatalf("ReadFile = %v, %v; want an empty-file finding", findings, err)
		}
	})
	t.Run("missing", func(t *testing.T) {
		path := filepath.Join(dir, "missing.yaml")
		if _, _, err := ReadFile(path); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
			t.Fatalf("err = %v, want one that names the file", err)
		}
	})
	t.Run("folder", func(t *testing.T) {
		if _, _, err := ReadFile(dir); err == nil {
			t.Fatal("ReadFile of a folder succeeded")
		}
	})
}

func TestValue(t *testing.T) {
	tests := []struct {
		name string
		yaml string
		want any
	}{
		{"date stays text", "2026-05-22", "2026-05-22"},
		{"timestamp stays text", "2026-05-22T10:00:00Z", "2026-05-22T10:00:00Z"},
		{"quoted date", `"2026-05-22"`, "2026-05-22"},
		{"int", "90", int64(90)},
		{"zero", "0", int64(0)},
		{"negative int stays text", "-3", "-3"},
		{"hex int stays text", "0x1F", "0x1F"},
		{"octal int stays text", "0o17", "0o17"},
		{"leading zero stays text", "0132", "0132"},
		{"underscores stay text", "1_000", "1_000"},
		{"int beyond int64", "99999999999999999999", 1e20},
		{"float stays text", "1.5", "1.5"},
		{"whole float stays text", "90.0", "90.0"},
		{"exponent stays text", "1e3", "1e3"},
		{"infinity stays text", ".inf", ".inf"},
		{"not a number stays text", ".nan", ".nan"},
		{"true", "true", true},
		{"True", "True", true},
		{"false", "false", false},
		{"yes is text", "yes", "yes"},
		{"quoted int", `"90"`, "90"},
		{"null", "null", nil},
		{"tilde", "~", nil},
		{"empty", "", nil},
		{"binary tag stays text", "!!binary aGk=", "aGk="},
		{"custom tag", "!thing x", "x"},
		{"list", "[1, a, null]", []any{int64(1), "a", nil}},
		{"mapping", "{a: 1, b: [x]}", map[string]any{"a": int64(1), "b": []any{"x"}}},
		{"int key", "{1: a}", map[string]any{"1": "a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte("v: "+tt.yaml+"\n"), &doc); err != nil {
				t.Fatal(err)
			}
			got := Value(&doc, nil).(map[string]any)["v"]
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Value(%s) = %#v, want %#v", tt.yaml, got, tt.want)
			}
		})
	}
}

func TestValueDuplicateKeys(t *testing.T) {
	doc, findings := Parse("a.yaml", []byte("credentials:\n  - id: a\n    id: b\nother: 1\nother: 2\n"))
	if doc == nil {
		t.Fatal(findings)
	}
	type pos struct {
		key                            string
		line, col, firstLine, firstCol int
	}
	var got []pos
	v := Value(doc.Root, func(key, first *yaml.Node) {
		got = append(got, pos{key.Value, key.Line, key.Column, first.Line, first.Column})
	})
	want := []pos{{"id", 3, 5, 2, 5}, {"other", 5, 1, 4, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("dup calls = %v, want %v", got, want)
	}
	wantValue := map[string]any{"credentials": []any{map[string]any{"id": "a"}}, "other": int64(1)}
	if !reflect.DeepEqual(v, wantValue) {
		t.Errorf("Value = %v, want %v (the first of duplicate keys counts)", v, wantValue)
	}
	if v := Value(doc.Root, nil); !reflect.DeepEqual(v, wantValue) {
		t.Errorf("Value without dup = %v, want %v", v, wantValue)
	}
}

func TestLookup(t *testing.T) {
	doc, findings := Parse("a.yaml", []byte(`credentials:
  - id: a
    exemption:
      reason: x
  - id: b
    "a/b": slash
    "m~n": tilde
    "~1": literal
    "": empty
`))
	if doc == nil {
		t.Fatal(findings)
	}
	tests := []struct {
		pointer   string
		value     string // Value of the scalar found, or the line:col of a collection
		line, col int
		key       bool
	}{
		{pointer: "", line: 1, col: 1},
		{pointer: "/credentials", line: 2, col: 3, key: true},
		{pointer: "/credentials/0/id", value: "a", line: 2, col: 9, key: true},
		{pointer: "/credentials/0/exemption/reason", value: "x", line: 4, col: 15, key: true},
		{pointer: "/credentials/1/a~1b", value: "slash", line: 6, col: 12, key: true},
		{pointer: "/credentials/1/m~0n", value: "tilde", line: 7, col: 12, key: true},
		{pointer: "/credentials/1/~01", value: "literal", line: 8, col: 11, key: true},
		{pointer: "/credentials/1/", value: "empty", line: 9, col: 9, key: true},
		{pointer: "/credentials/2/id", line: 2, col: 3, key: true},       // out of range: the list
		{pointer: "/credentials/-1", line: 2, col: 3, key: true},         // negative
		{pointer: "/credentials/01", line: 2, col: 3, key: true},         // leading zero is not an index
		{pointer: "/credentials/+1", line: 2, col: 3, key: true},         // nor is a sign
		{pointer: "/credentials/x", line: 2, col: 3, key: true},          // not a number
		{pointer: "/credentials/0/missing", line: 2, col: 5, key: false}, // missing key: the entry
		{pointer: "/credentials/0/id/deeper", value: "a", line: 2, col: 9, key: true},
		{pointer: "/", line: 1, col: 1}, // the key "" at the top: missing, so the root
	}
	for _, tt := range tests {
		t.Run(tt.pointer, func(t *testing.T) {
			v, k := Lookup(doc.Root, tt.pointer)
			if v == nil {
				t.Fatal("Lookup returned nil")
			}
			if v.Line != tt.line || v.Column != tt.col || (tt.value != "" && v.Value != tt.value) {
				t.Errorf("Lookup(%q) = %q at %d:%d, want %q at %d:%d", tt.pointer, v.Value, v.Line, v.Column, tt.value, tt.line, tt.col)
			}
			if (k != nil) != tt.key {
				t.Errorf("Lookup(%q) key = %v, want key: %v", tt.pointer, k, tt.key)
			}
		})
	}
	if v, k := Lookup(nil, "/credentials"); v != nil || k != nil {
		t.Errorf("Lookup(nil) = %v, %v; want nils", v, k)
	}
	if k, v := MapGet(nil, "x"); k != nil || v != nil {
		t.Errorf("MapGet(nil) = %v, %v; want nils", k, v)
	}
}

func TestParseRegisterExamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "..", DefaultRoot, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example files: %v", err)
	}
	for _, path := range files {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, findings, err := ReadFile(path)
			if err != nil || doc == nil || len(findings) != 0 {
				t.Fatalf("ReadFile = %v, %v, %v", doc, findings, err)
			}
			walkScalars(doc.Root, func(n *yaml.Node) {
				if n.Tag == "!!timestamp" {
					if s, ok := Value(n, nil).(string); !ok || s != n.Value {
						t.Errorf("%d:%d: date %q came out as %#v", n.Line, n.Column, n.Value, Value(n, nil))
					}
				}
			})
		})
	}
}

func walkScalars(n *yaml.Node, fn func(*yaml.Node)) {
	if n.Kind == yaml.ScalarNode {
		fn(n)
	}
	for _, c := range n.Content {
		walkScalars(c, fn)
	}
}

func TestSortFindings(t *testing.T) {
	a := Finding{File: "a.yaml", Line: 2, Column: 1, Severity: SeverityError, Rule: "r", Message: "m", Hint: "h1"}
	b := a
	b.Hint = "h2"
	c := Finding{File: "a.yaml", Line: 1, Column: 5, Severity: SeverityWarning, Rule: "r", Message: "m"}
	d := Finding{File: "0.yaml", Line: 9, Column: 9, Severity: SeverityError, Rule: "r", Message: "m"}
	got := SortFindings([]Finding{b, a, c, a, d, b})
	want := []Finding{d, c, a, b}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("SortFindings = %v, want %v", got, want)
	}
	if n := CountErrors(got); n != 3 {
		t.Errorf("CountErrors = %d, want 3", n)
	}
	if s := c.String(); s != "a.yaml:1:5: warning: m [r]" {
		t.Errorf("String = %q", s)
	}
	if s := d.String(); s != "0.yaml:9:9: m [r]" {
		t.Errorf("String = %q", s)
	}
}
