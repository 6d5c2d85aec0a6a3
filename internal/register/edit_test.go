package register

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/golden"
)

// newFields is the entry every append test adds.
var newFields = []Field{
	{Key: "id", Value: "new-api-key"},
	{Key: "name", Value: "New API key: read only"},
	{Key: "owner", Value: "carol@example.com"},
	{Key: "period_days", Value: "90", Plain: true},
	{Key: "last_changed", Value: "2026-05-22", Plain: true},
}

func newEntryValue() map[string]any {
	return map[string]any{
		"id": "new-api-key", "name": "New API key: read only", "owner": "carol@example.com",
		"period_days": int64(90), "last_changed": "2026-05-22",
	}
}

// TestAppendEntryGolden appends newFields to every testdata/append/*.in.yaml
// and compares the result with <case>.yaml.golden. Run with -update to
// rewrite the golden files, then review the diff.
func TestAppendEntryGolden(t *testing.T) {
	ins, err := filepath.Glob(filepath.Join("testdata", "append", "*.in.yaml"))
	if err != nil || len(ins) == 0 {
		t.Fatalf("no inputs in testdata/append: %v", err)
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".in.yaml")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			got, err := AppendEntry(data, newFields, "../schema/credential.schema.json")
			if err != nil {
				t.Fatalf("AppendEntry: %v", err)
			}
			golden.Check(t, strings.TrimSuffix(in, ".in.yaml")+".yaml.golden", got)
			assertAppended(t, data, got, newEntryValue())
		})
	}
}

// assertAppended checks the promise of AppendEntry: out parses, holds every
// entry of in unchanged (same value, same bytes) and want exactly once at
// the end, and differs from in only by inserted text (plus an emptied
// "[]" or null value on the credentials line).
func assertAppended(t *testing.T, in, out []byte, want map[string]any) {
	t.Helper()
	doc, findings := Parse("out.yaml", out)
	if doc == nil {
		t.Fatalf("output does not parse: %v\n%s", findings, out)
	}
	_, seq := MapGet(doc.Root, "credentials")
	if seq == nil || seq.Kind != yaml.SequenceNode {
		t.Fatalf("output has no credentials list:\n%s", out)
	}
	var before []*yaml.Node
	var oldRoot *yaml.Node
	if old, _ := Parse("in.yaml", in); old != nil {
		oldRoot = old.Root
		if _, s := MapGet(old.Root, "credentials"); s != nil && s.Kind == yaml.SequenceNode {
			before = s.Content
		}
	}
	if len(seq.Content) != len(before)+1 {
		t.Fatalf("output has %d entries, want %d", len(seq.Content), len(before)+1)
	}
	inLines, outLines := yamlLines(in), yamlLines(out)
	for i, n := range before {
		if got, want := Value(seq.Content[i], nil), Value(n, nil); !reflect.DeepEqual(got, want) {
			t.Errorf("entry %d changed: got %v, want %v", i, got, want)
		}
		// The entry's first line is byte-identical (the rest is covered by
		// the insertion check below).
		if a, b := withoutBreak(inLines[n.Line-1]), withoutBreak(outLines[seq.Content[i].Line-1]); a != b {
			t.Errorf("entry %d's first line changed: %q became %q", i, a, b)
		}
	}
	if oldRoot != nil {
		if got, want := withoutCredentials(doc.Root), withoutCredentials(oldRoot); !reflect.DeepEqual(got, want) {
			t.Errorf("the rest of the file changed: got %v, want %v", got, want)
		}
	}
	if got := Value(seq.Content[len(before)], nil); !reflect.DeepEqual(got, want) {
		t.Errorf("new entry = %v, want %v", got, want)
	}
	count := func(entries []*yaml.Node) int {
		n := 0
		for _, e := range entries {
			if _, id := MapGet(e, "id"); id != nil && id.Value == want["id"] {
				n++
			}
		}
		return n
	}
	if got, was := count(seq.Content), count(before); got != was+1 {
		t.Errorf("the new id appears %d times, want once (plus %d already there)", got-was, was)
	}
	if oldRoot == nil {
		return
	}
	// Only the credentials line may change, and only by losing its "[]" or
	// null value; everything else is insertion.
	k, _ := MapGet(oldRoot, "credentials")
	i := k.Line - 1
	if a, b := withoutBreak(inLines[i]), withoutBreak(outLines[i]); a != b {
		if !emptiedValue(a, b) {
			t.Errorf("credentials line changed from %q to %q", a, b)
		}
		inLines[i] = append([]byte(b), inLines[i][len(a):]...)
		in = bytes.Join(inLines, nil)
	}
	p := commonPrefix(in, out)
	if s := commonSuffix(in[p:], out[p:]); p+s != len(in) {
		t.Errorf("AppendEntry changed %q in the input; it may only insert", in[p:len(in)-s])
	}
}

// withoutBreak returns line l without the line break that ends it.
func withoutBreak(l []byte) string {
	return string(l[:len(l)-len(lineBreak.Find(l))])
}

// emptiedValue reports whether after is before without its "[]" or null
// value (and the spaces around it).
func emptiedValue(before, after string) bool {
	for _, tok := range []string{"[]", "[ ]", "~", "null"} {
		if i := strings.Index(before, tok); i >= 0 {
			if strings.Join(strings.Fields(before[:i]+" "+before[i+len(tok):]), " ") == strings.Join(strings.Fields(after), " ") {
				return true
			}
		}
	}
	return false
}

func commonPrefix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

func commonSuffix(a, b []byte) int {
	n := 0
	for n < len(a) && n < len(b) && a[len(a)-1-n] == b[len(b)-1-n] {
		n++
	}
	return n
}

func TestAppendEntryErrors(t *testing.T) {
	tests := []struct {
		name   string
		data   string
		fields []Field
		want   string
	}{
		{name: "no fields", data: "credentials: []\n", want: "at least one field"},
		{name: "no credentials key", data: "other: 1\n", want: "no top-level credentials"},
		{name: "credentials is a mapping", data: "credentials:\n  id: a\n", want: "line 2: credentials is not a list"},
		{name: "credentials is a string", data: "credentials: none\n", want: "credentials is not a list"},
		{name: "non-empty flow list", data: "credentials: [{id: a}]\n", want: "flow list"},
		{name: "flow list over lines", data: "credentials: [\n]\n", want: "on one line"},
		{name: "flow root mapping", data: "{credentials: []}\n", want: "flow mapping"},
		{name: "tagged null", data: "credentials: !!null\n", want: "not a list"},
		{name: "syntax error", data: "credentials:\n  - id: [\n", want: "cannot be read as a register file: YAML syntax error"},
		{name: "top level list", data: "- id: a\n", want: "top level is a list"},
		{name: "bad field name", data: "credentials: []\n", fields: []Field{{Key: "a: b", Value: "x"}}, want: `field name "a: b"`},
		{name: "empty field name", data: "credentials: []\n", fields: []Field{{Key: "", Value: "x"}}, want: `field name ""`},
		{name: "field twice", data: "credentials: []\n", fields: []Field{{Key: "id", Value: "a"}, {Key: "id", Value: "b"}}, want: `"id" is given twice`},
		{name: "value not UTF-8", data: "credentials: []\n", fields: []Field{{Key: "id", Value: "a\xff"}}, want: "not UTF-8"},
		{name: "plain value over lines", data: "credentials: []\n", fields: []Field{{Key: "n", Value: "1\n2", Plain: true}}, want: "one non-empty line"},
		{name: "plain value over lines at LS", data: "credentials: []\n", fields: []Field{{Key: "n", Value: "1\u20282", Plain: true}}, want: "one non-empty line"},
		{name: "plain value over lines at NEL", data: "credentials: []\n", fields: []Field{{Key: "n", Value: "a\u0085b", Plain: true}}, want: "one non-empty line"},
		{name: "empty plain value", data: "credentials: []\n", fields: []Field{{Key: "n", Plain: true}}, want: "one non-empty line"},
		{name: "plain value that is not a scalar", data: "credentials: []\n", fields: []Field{{Key: "n", Value: "[1, 2", Plain: true}}, want: "would not parse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fields := tt.fields
			if fields == nil && tt.name != "no fields" {
				fields = newFields
			}
			out, err := AppendEntry([]byte(tt.data), fields, "schema.json")
			if err == nil {
				t.Fatalf("AppendEntry succeeded, want an error containing %q; output:\n%s", tt.want, out)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %q, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestAppendEntryValues checks that string values come back exactly as
// given, however much quoting they need, and stay on one line.
func TestAppendEntryValues(t *testing.T) {
	values := []struct{ name, value string }{
		{"plain", "Stripe key"},
		{"empty", ""},
		{"looks like a bool", "yes"},
		{"looks like true", "true"},
		{"looks like an int", "0x1F"},
		{"looks like a date", "2026-05-22"},
		{"looks like null", "~"},
		{"colon space", "a: b"},
		{"hash", "#not-a-comment"},
		{"space hash", "a #b"},
		{"leading space", "  indented"},
		{"quotes", `it's "quoted"`},
		{"backslash", `C:\keys\new`},
		{"newline", "line one\nline two\n"},
		{"carriage return", "a\r\nb"},
		{"tab", "a\tb"},
		{"control", "bell\a"},
		{"unicode", "Schlüssel für Zahlungen ✓"},
		{"line separator", "a\u2028b"},
		{"byte order mark", "\uFEFFa"},
		{"long", strings.Repeat("word ", 60) + "end"},
		{"flow indicators", "[a, {b: c}]"},
		{"dash", "- item"},
		{"document marker", "---"},
	}
	for _, v := range values {
		t.Run(v.name, func(t *testing.T) {
			in := []byte("credentials:\n  - id: a\n")
			out, err := AppendEntry(in, []Field{{Key: "id", Value: "b"}, {Key: "description", Value: v.value}}, "s.json")
			if err != nil {
				t.Fatalf("AppendEntry: %v", err)
			}
			assertAppended(t, in, out, map[string]any{"id": "b", "description": v.value})
			// Lines as YAML counts them: U+2028, U+2029 and U+0085 break
			// lines too.
			if n := len(regexp.MustCompile("\r\n|[\r\n\u2028\u2029\u0085]").FindAll(out, -1)); n != 4 {
				t.Errorf("output has %d lines, want 4 (each field on one line):\n%q", n, out)
			}
		})
	}
}

// TestAppendEntryLineBreaks: lines are those yaml.v3 counts, so a line
// break other than \n (a lone \r, NEL, LS or PS) moves the entry where the
// parser's line numbers say; new lines end as the line above them does
// when that is \n, \r\n or a lone \r, else as the file's first \n does.
func TestAppendEntryLineBreaks(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"lone CR", "credentials:\r  - id: a\r", "credentials:\r  - id: a\r  - id: z\r"},
		{"lone CR, no final break", "credentials:\r  - id: a", "credentials:\r  - id: a\r  - id: z\r"},
		{"lone CR, blank-separated", "credentials:\r  - id: a\r\r  - id: b\r", "credentials:\r  - id: a\r\r  - id: b\r\r  - id: z\r"},
		{"lone CR, empty flow list", "credentials: [] # none yet\r", "credentials: # none yet\r  - id: z\r"},
		{"lone CR, null", "# c\rcredentials: ~\r", "# c\rcredentials:\r  - id: z\r"},
		{"LS before an empty flow list", "# c\u2028credentials: []\n", "# c\u2028credentials:\n  - id: z\n"},
		{"NEL before a null", "# c\u0085credentials: null\n", "# c\u0085credentials:\n  - id: z\n"},
		{"PS before the list", "# c\u2029credentials:\n  - id: a\n", "# c\u2029credentials:\n  - id: a\n  - id: z\n"},
		{"PS only", "credentials:\u2029  - id: a\u2029", "credentials:\u2029  - id: a\u2029  - id: z\n"},
		{"LS in a value's comment", "credentials:\n  - id: a # x\u2028    n: 1\n", "credentials:\n  - id: a # x\u2028    n: 1\n  - id: z\n"},
		{"comments ending in a lone CR", "# a\r# b\r", "# a\r# b\rcredentials:\r  - id: z\r"},
		{"comments ending in LS", "# a\u2028# b\u2028", "# a\u2028# b\u2028credentials:\n  - id: z\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, err := AppendEntry([]byte(tt.in), []Field{{Key: "id", Value: "z"}}, "s.json")
			if err != nil {
				t.Fatalf("AppendEntry: %v", err)
			}
			if string(out) != tt.want {
				t.Errorf("AppendEntry(%q)\n got %q\nwant %q", tt.in, out, tt.want)
			}
			assertAppended(t, []byte(tt.in), out, map[string]any{"id": "z"})
		})
	}
}

func TestWriteFileAtomic(t *testing.T) {
	t.Run("new file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "team", "a.yaml")
		if err := WriteFileAtomic(path, []byte("credentials: []\n")); err != nil {
			t.Fatal(err)
		}
		assertFile(t, path, "credentials: []\n", 0o644)
		assertOnlyFile(t, filepath.Dir(path), "a.yaml")
	})
	t.Run("keeps the mode of an existing file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.yaml")
		if err := os.WriteFile(path, []byte("old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, 0o640); err != nil { // not subject to the umask
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("new\n")); err != nil {
			t.Fatal(err)
		}
		assertFile(t, path, "new\n", 0o640)
		assertOnlyFile(t, dir, "a.yaml")
	})
	t.Run("parent is a file", func(t *testing.T) {
		dir := t.TempDir()
		parent := filepath.Join(dir, "team")
		if err := os.WriteFile(parent, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := WriteFileAtomic(filepath.Join(parent, "a.yaml"), []byte("new\n"))
		if err == nil || !strings.Contains(err.Error(), "a.yaml") {
			t.Fatalf("err = %v, want an error that names the file", err)
		}
		assertFile(t, parent, "old\n", 0o644)
		assertOnlyFile(t, dir, "team")
	})
	t.Run("read-only folder keeps the old content", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("a read-only folder does not stop root (or Windows) from writing")
		}
		dir := t.TempDir()
		path := filepath.Join(dir, "a.yaml")
		if err := os.WriteFile(path, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(dir, 0o555); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
		if err := WriteFileAtomic(path, []byte("new\n")); err == nil {
			t.Fatal("WriteFileAtomic succeeded in a read-only folder")
		}
		assertFile(t, path, "old\n", 0o644)
		assertOnlyFile(t, dir, "a.yaml")
	})
	t.Run("target is a folder keeps it and leaves no temp file", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, "a.yaml")
		if err := os.MkdirAll(filepath.Join(path, "inside"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("new\n")); err == nil {
			t.Fatal("WriteFileAtomic replaced a non-empty folder")
		}
		if fi, err := os.Stat(filepath.Join(path, "inside")); err != nil || !fi.IsDir() {
			t.Errorf("the folder's content is gone: %v", err)
		}
		assertOnlyFile(t, dir, "a.yaml")
	})
}

func assertFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != content {
		t.Errorf("%s holds %q, want %q", path, got, content)
	}
	if runtime.GOOS == "windows" {
		return
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode().Perm(), mode)
	}
}

// assertOnlyFile checks that dir holds exactly name: no temp file is left.
func assertOnlyFile(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("%s holds %v, want only %s", dir, names, name)
	}
}
