package register

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// fuzzSeeds are the example register files and hostile inputs, small
// enough for the fuzzer to mutate.
func fuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	files, err := filepath.Glob(filepath.Join("..", "..", DefaultRoot, "*.yaml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no example register files: %v", err)
	}
	var seeds [][]byte
	for _, path := range files {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	ins, _ := filepath.Glob(filepath.Join("testdata", "append", "*.in.yaml"))
	for _, path := range ins {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	for _, s := range []string{
		"",
		aliasBomb(),
		strings.Repeat("[", 100),
		strings.Repeat("[", 40) + strings.Repeat("]", 40),
		strings.Repeat("- ", 100) + "x\n",
		deepIndent(40),
		"credentials:\x00\x01\xff",
		"credentials: caf\xe9\n",
		"\xff\xfec\x00",
		"\uFEFFcredentials:\n  - id: a\n",
		"credentials: []\n---\nother: 1\n",
		"credentials:\n  - id: a\n   owner: b\n",
		"credentials:\n  - id: a\n    id: b\n",
		"credentials:\n- id: a\n  last_changed: 2026-05-22\n  period_days: 0x1F\n",
		"credentials: [ ] # none\n",
		"credentials: ~\n",
		"{credentials: []}\n",
		"credentials:\n  - id: \"a\n    b\"\n",
		"credentials:\n  - notes: |+\n      x\n\n\nother: 1\n",
		"credentials:\n  - ? [a]\n    : b\n",
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}

// FuzzParse: Parse, Value and Lookup never panic on any input, and every
// refusal is a positioned finding on a line of the file as yaml.v3 counts
// them (a lone \r, NEL, LS and PS end lines too), or the one after the
// last.
func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "/credentials/0/id")
	}
	f.Add([]byte("a: {b: [1, 2]}\n"), "/a/b/1")
	f.Add([]byte("\"a/b\": {\"~\": 1}\n"), "/a~1b/~0")
	f.Add([]byte("\r\r0"), "")
	f.Add([]byte("a: 1\rb: 2\rc: [\r"), "")
	f.Add([]byte("a: 1\u2028b: [\u2028"), "")
	f.Fuzz(func(t *testing.T, data []byte, pointer string) {
		doc, findings := Parse("f.yaml", data)
		for _, fd := range findings {
			if fd.File != "f.yaml" || fd.Line < 1 || fd.Line > countBreaks(data)+2 || fd.Column < 1 || fd.Rule == "" || fd.Message == "" || fd.Severity != SeverityError {
				t.Errorf("malformed finding %#v", fd)
			}
		}
		if doc == nil {
			if len(findings) == 0 {
				t.Fatal("Parse returned neither a document nor a finding")
			}
			return
		}
		if len(findings) != 0 || doc.Root == nil || doc.Root.Kind != yaml.MappingNode {
			t.Fatalf("Parse returned a document (%v) with findings %v", doc.Root, findings)
		}
		Value(doc.Root, func(key, first *yaml.Node) {
			if key == nil || first == nil || key.Value != first.Value || key.Line < first.Line {
				t.Errorf("dup(%v, %v): not a later duplicate of the same key", key, first)
			}
		})
		for _, p := range []string{pointer, "/credentials/0/id", "/" + pointer, ""} {
			if v, _ := Lookup(doc.Root, p); v == nil {
				t.Errorf("Lookup(%q) = nil", p)
			}
		}
	})
}

// FuzzAppendEntry: for any register file with a credentials list,
// AppendEntry either fails or returns a file that parses and holds every
// original entry unchanged plus the new one, and differs from the input only
// by the inserted lines.
func FuzzAppendEntry(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s, "new key: value\n#x")
	}
	f.Add([]byte("credentials:\n- id: a\n"), "")
	f.Fuzz(func(t *testing.T, data []byte, value string) {
		doc, _ := Parse("f.yaml", data)
		if doc == nil {
			return
		}
		if _, seq := MapGet(doc.Root, "credentials"); seq == nil || seq.Kind != yaml.SequenceNode && seq.Tag != "!!null" {
			return
		}
		fields := []Field{{Key: "id", Value: "fuzz-new"}, {Key: "description", Value: value}, {Key: "period_days", Value: "30", Plain: true}}
		out, err := AppendEntry(data, fields, "s.json")
		if err != nil {
			return
		}
		assertAppended(t, data, out, map[string]any{"id": "fuzz-new", "description": value, "period_days": int64(30)})
	})
}
