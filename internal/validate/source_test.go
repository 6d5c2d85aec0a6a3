package validate

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/register/registertest"
)

// scalars returns the scalar nodes of a parsed text, in the file's order.
func scalars(t testing.TB, data []byte) []*yaml.Node {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		t.Skip(err)
	}
	var out []*yaml.Node
	var walk func(*yaml.Node)
	walk = func(n *yaml.Node) {
		if n.Kind == yaml.ScalarNode {
			out = append(out, n)
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&root)
	return out
}

// checkSource holds a located scalar to its value: every byte of the
// value that is not white space was read from that very byte of the file,
// in order, inside the scalar's bytes.
func checkSource(t *testing.T, data []byte, n *yaml.Node, src scalarSource) {
	t.Helper()
	if src.start < 0 || src.start > src.end || src.end > len(data) {
		t.Fatalf("%q: source %d..%d of %d bytes", n.Value, src.start, src.end, len(data))
	}
	prev := src.start
	for i := 0; i <= len(n.Value); i++ {
		r := src.raw(i)
		if r < prev || r > src.end {
			t.Fatalf("%q: byte %d read from %d, after %d, end %d", n.Value, i, r, prev, src.end)
		}
		prev = r
		if i < len(n.Value) && !isBlankOrBreak(n.Value[i]) && n.Value[i] != data[r] && data[r] != '\\' && data[r] != '\'' {
			t.Fatalf("%q: byte %d %q read from %q at %d", n.Value, i, n.Value[i], data[r], r)
		}
	}
}

func TestLocateScalar(t *testing.T) {
	src := "a: |\n  x\n  y\nb: >-\n  p\n\n  q\nc: !!str  v\nd: &an \"w\"\ne: *an\nf: 'it''s'\n" +
		"g: plain\n  folded\nh: {i: j, \"k\": [l, m]}\n\"n\": o # c\np: \"a\\\n   b\"\n" +
		"q: \"tab\\there \\x41\\u00e9 \\\"q\\\" \\\\ end  \n\n  more\"\nr: 'one\n  two'\n" +
		"s: Zürich Größe\nt: \"Zürich\\tGröße\"\n"
	data := []byte(src)
	lc := newLineCursor(data)
	for _, n := range scalars(t, data) {
		at, ok := lc.offset(n.Line, n.Column)
		if !ok {
			t.Fatalf("%d:%d: no offset", n.Line, n.Column)
		}
		s, ok := locateScalar(data, at, n)
		if !ok {
			t.Fatalf("%d:%d %q: not located", n.Line, n.Column, n.Value)
		}
		checkSource(t, data, n, s)
	}
}

// FuzzLocateScalar: every scalar yaml.v3 reads is read back from the file
// byte for byte, except where yaml.v3 and the raw scan count lines
// differently (a lone \r, U+0085, U+2028, U+2029) or a byte order mark
// shifts the first line; register.Parse refuses what is not UTF-8.
func FuzzLocateScalar(f *testing.F) {
	f.Add("a: |\n  x\n  y\nb: >-\n  p\n\n  q\nc: !!str  v\nd: &an \"w\"\ne: *an\nf: 'it''s'\n")
	f.Add("g: plain\n  folded\nh: {i: j, \"k\": [l, m]}\n\"n\": o # c\np: \"a\\\n   b\"\n")
	f.Add("q: \"tab\\there \\x41\\u00e9 \\\"q\\\" \\\\ end  \n\n  more\"\nr: 'one\n  two'\n")
	f.Add("credentials:\n  - id: a\n    description: \"pwd=Summer\\\"2024Pa55y\"\n    reason: 'pwd=Winter''2024Pa55x'\n")
	f.Add("a: \"x \\\n\n\n  y\"\nb: '\n\n  z  '\n- [\"a\\tb\", 'c''d']\n")
	f.Fuzz(func(t *testing.T, text string) {
		data := []byte(text)
		if !utf8.Valid(data) || bytes.ContainsAny(data, "\r\u0085\u2028\u2029\ufeff") || strings.Contains(text, "\x00") {
			t.Skip()
		}
		lc := newLineCursor(data)
		for _, n := range scalars(t, data) {
			if n.Value == "" {
				continue // an implicit null may be placed past the end
			}
			at, ok := lc.offset(n.Line, n.Column)
			if !ok {
				t.Fatalf("%d:%d %q: no offset in %q", n.Line, n.Column, n.Value, text)
			}
			s, ok := locateScalar(data, at, n)
			if !ok {
				t.Fatalf("%d:%d %q: not located in %q", n.Line, n.Column, n.Value, text)
			}
			checkSource(t, data, n, s)
		}
	})
}

// BenchmarkReadValues is the leak guard's pass over a parsed file of 100
// credentials with nothing to take out: every scalar located, none read
// again. It is what the guard adds to parsing and validating the file.
func BenchmarkReadValues(b *testing.B) {
	dir := b.TempDir()
	files, err := registertest.Generate(dir, 100, 100)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	doc, findings := register.Parse(files[0], data)
	if doc == nil {
		b.Fatal(findings)
	}
	res := leak.Scan(data)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		readValues(data, doc.Root, &res)
	}
}

// BenchmarkScanFile is the raw scan of the same file, for comparison.
func BenchmarkScanFile(b *testing.B) {
	dir := b.TempDir()
	files, err := registertest.Generate(dir, 100, 100)
	if err != nil {
		b.Fatal(err)
	}
	data, err := os.ReadFile(files[0])
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		leak.Scan(data)
	}
}
