package scaffold

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/golden"
	"github.com/rotor-dev/rotor/internal/register"
)

const repoRoot = "../.."

// rotorOnly are rotor's own workflows, which a register repository does
// not need: its tests and its releases.
var rotorOnly = []string{"ci.yml", "release.yml"}

// Rotor's own repository runs the same workflows as every register
// repository, with the local action (uses: ./, which builds rotor from the checkout) in place of
// a release. That one difference is all the comparison forgives.
func TestWorkflowsAreRotorsOwn(t *testing.T) {
	own, err := filepath.Glob(filepath.Join(repoRoot, ".github/workflows/*.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var ownNames []string
	for _, p := range own {
		if name := filepath.Base(p); !slices.Contains(rotorOnly, name) {
			ownNames = append(ownNames, name)
		}
	}
	slices.Sort(ownNames)
	names := slices.Clone(workflowNames)
	slices.Sort(names)
	if !slices.Equal(ownNames, names) {
		t.Fatalf(".github/workflows has %v (besides %v), the scaffold %v: a workflow of a register repository belongs in both", ownNames, rotorOnly, names)
	}
	for _, name := range workflowNames {
		t.Run(name, func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(repoRoot, ".github/workflows", name))
			if err != nil {
				t.Fatal(err)
			}
			got := asRotorsOwn(t, mustRead("files/workflows/"+name))
			if !bytes.Equal(got, want) {
				t.Errorf(".github/workflows/%s differs from internal/scaffold/files/workflows/%s beyond uses: ./; make them one text:\n%s",
					name, name, lineDiff(got, want))
			}
		})
	}
}

// asRotorsOwn turns an embedded workflow into rotor's own: the release's
// `uses:` becomes the local action (which runs rotor built from the
// checkout when no version: is given). Any other use of the marker fails
// the test.
func asRotorsOwn(t *testing.T, data []byte) []byte {
	t.Helper()
	s := strings.ReplaceAll(string(data), "uses: rotor-dev/rotor@"+versionMarker+"\n", "uses: ./\n")
	if strings.Contains(s, versionMarker) {
		t.Fatalf("%s appears other than in `uses: rotor-dev/rotor@%s`", versionMarker, versionMarker)
	}
	return []byte(s)
}

// The template a register gets is rotor's own, but for the first line: its
// $schema points at the register's copy of the schema.
func TestTemplateIsRotorsOwn(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(repoRoot, register.DefaultRoot, register.TemplateFile))
	if err != nil {
		t.Fatal(err)
	}
	got := mustRead("files/register/template.yaml")
	gotFirst, gotRest, _ := bytes.Cut(got, []byte("\n"))
	wantFirst, wantRest, _ := bytes.Cut(want, []byte("\n"))
	if string(gotFirst) != "# yaml-language-server: $schema=.schema/credential.schema.json" {
		t.Errorf("first line %q: want the editor line pointing at .schema/credential.schema.json", gotFirst)
	}
	if string(wantFirst) != "# yaml-language-server: $schema=../schema/credential.schema.json" {
		t.Errorf("rotor's template starts %q: want the editor line pointing at ../schema/credential.schema.json", wantFirst)
	}
	if !bytes.Equal(gotRest, wantRest) {
		t.Errorf("credential_rotation/template.yaml and internal/scaffold/files/register/template.yaml differ below the first line; make them one text:\n%s", lineDiff(gotRest, wantRest))
	}
}

// docOptions are the values the documentation shows rotor init's files
// with: `rotor init --jira-project SEC --timezone Europe/Berlin
// --recipient security-team@example.com --version v1.0.0`.
var docOptions = Options{Version: "v1.0.0", JiraProject: "SEC", Timezone: "Europe/Berlin", Recipients: []string{"security-team@example.com"}}

// Every YAML block of the README's GitHub Actions section and of
// docs/setup.md names the file it shows on the line before it, and is that
// file as rotor init writes it with docOptions; the README's section shows
// every workflow. A YAML block elsewhere in the README that names one of
// init's files is held to it too (the pre-commit configuration).
func TestDocsShowWhatInitWrites(t *testing.T) {
	files, err := Files(docOptions)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string][]byte{}
	for _, f := range files {
		byPath[f.Path] = f.Data
	}
	check := func(t *testing.T, doc string, b block) {
		t.Helper()
		want, ok := byPath[b.file]
		if !ok {
			t.Errorf("%s:%d: the YAML block names %q, which is no file rotor init writes (%s)", doc, b.line, b.file, strings.Join(paths(files), ", "))
			return
		}
		if b.text != string(want) {
			t.Errorf("%s:%d: the block showing %s differs from what rotor init writes for %+v; copy the file in:\n%s", doc, b.line, b.file, docOptions, lineDiff([]byte(b.text), want))
		}
	}

	readme := readDoc(t, "README.md")
	var shown []string
	for _, b := range yamlBlocks(readme) {
		inSection := b.section == "GitHub Actions"
		switch {
		case inSection && b.file == "":
			t.Errorf("README.md:%d: a YAML block in the GitHub Actions section names no file on the line before it (`.github/workflows/<name>.yml`:)", b.line)
		case inSection || byPath[b.file] != nil:
			check(t, "README.md", b)
			if strings.HasPrefix(b.file, WorkflowDir+"/") {
				shown = append(shown, b.file)
			}
		}
	}
	var want []string
	for _, f := range Workflows(docOptions.Version) {
		want = append(want, f.Path)
	}
	if !slices.Equal(shown, want) {
		t.Errorf("README.md's GitHub Actions section shows %v, want every workflow in order: %v", shown, want)
	}

	setup := readDoc(t, "docs/setup.md")
	blocks := yamlBlocks(setup)
	if len(blocks) == 0 {
		t.Error("docs/setup.md shows no YAML block: it shows credential_rotation/rotor.yaml as rotor init writes it")
	}
	for _, b := range blocks {
		if b.file == "" {
			t.Errorf("docs/setup.md:%d: a YAML block names no file on the line before it", b.line)
			continue
		}
		check(t, "docs/setup.md", b)
	}
}

func readDoc(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

// block is one ```yaml block of a Markdown page.
type block struct {
	line    int    // of the opening fence
	section string // the ## heading it is under
	file    string // the last `path` on the line before the fence, when it names a file
	text    string
}

var namedFile = regexp.MustCompile("`([A-Za-z0-9_./-]+\\.(?:ya?ml|md|json))`")

// yamlBlocks returns the ```yaml blocks of a Markdown page.
func yamlBlocks(data []byte) []block {
	var out []block
	var cur *block
	section, prev := "", ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		switch {
		case cur != nil && strings.TrimSpace(line) == "```":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += line + "\n"
		case strings.TrimSpace(line) == "```yaml":
			cur = &block{line: n, section: section}
			if m := namedFile.FindAllStringSubmatch(prev, -1); len(m) > 0 {
				cur.file = m[len(m)-1][1]
			}
		case strings.HasPrefix(line, "## "):
			section = strings.TrimPrefix(line, "## ")
		}
		if strings.TrimSpace(line) != "" {
			prev = line
		}
	}
	return out
}

// lineDiff shows the first line where got and want differ, with its
// neighbours.
func lineDiff(got, want []byte) string {
	g := strings.Split(string(got), "\n")
	w := strings.Split(string(want), "\n")
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl || i >= len(g) || i >= len(w) {
			return "line " + strconv.Itoa(i+1) + ":\n  scaffold: " + quoteLine(g, i) + "\n  other:    " + quoteLine(w, i)
		}
	}
	return "(equal)"
}

func quoteLine(lines []string, i int) string {
	if i >= len(lines) {
		return "(no line)"
	}
	return "`" + lines[i] + "`"
}

func TestIsRelease(t *testing.T) {
	tests := []struct {
		v    string
		want bool
	}{
		{"v1.0.0", true},
		{"v1.2.3-rc.1", true},
		{"v10.20.30", true},
		{"1.0.0", false},
		{"v1.0", false},
		{"main", false},
		{"local", false},
		{"(devel)", false},
		{"devel", false},
		{"", false},
		{"v0.0.0-20261207090000-0123456789ab", false},
		{"v1.2.4-0.20261207090000-0123456789ab", false},
		{"v1.2.3-pre.0.20261207090000-0123456789ab", false},
		{"v1.0.0+dirty", false},
		{"v0.0.0-20261207090000-0123456789ab+dirty", false},
		{"v1.0.0\n", false},
	}
	for _, tt := range tests {
		if got := IsRelease(tt.v); got != tt.want {
			t.Errorf("IsRelease(%q) = %v, want %v", tt.v, got, tt.want)
		}
	}
}

// What rotor.yaml says is what was given: values YAML would read as
// something else are quoted.
func TestSettingsReadBackAsGiven(t *testing.T) {
	tests := []struct {
		name string
		o    Options
	}{
		{"plain", Options{Version: "v1.0.0", JiraProject: "SEC", Timezone: "Europe/Berlin", Recipients: []string{"a@example.com", "b.c@example.org"}}},
		{"YAML 1.1 boolean key", Options{Version: "v1.0.0", JiraProject: "NO", Timezone: "UTC"}},
		{"zone with a sign", Options{Version: "v1.0.0", JiraProject: "OPS_2", Timezone: "Etc/GMT+5"}},
		{"odd addresses", Options{Version: "v1.0.0", JiraProject: "SEC", Recipients: []string{"#team@example.com", "'q'@example.com", "a&b@example.com", "1e3@example.com", "*x@example.com"}}},
		{"no recipients, default zone", Options{Version: "v1.0.0", JiraProject: "SEC"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Files(tt.o)
			if err != nil {
				t.Fatal(err)
			}
			var s struct {
				Timezone string `yaml:"timezone"`
				Jira     struct {
					Project string `yaml:"project"`
				} `yaml:"jira"`
				Report struct {
					Recipients []string `yaml:"recipients"`
				} `yaml:"report"`
			}
			var node yaml.Node
			if err := yaml.Unmarshal(files[0].Data, &node); err != nil {
				t.Fatalf("%s does not parse: %v\n%s", files[0].Path, err, files[0].Data)
			}
			if err := node.Decode(&s); err != nil {
				t.Fatal(err)
			}
			wantZone := tt.o.Timezone
			if wantZone == "" {
				wantZone = "UTC"
			}
			if s.Timezone != wantZone || s.Jira.Project != tt.o.JiraProject || !slices.Equal(s.Report.Recipients, tt.o.Recipients) {
				t.Errorf("read back %+v, want %+v\n%s", s, tt.o, files[0].Data)
			}
			// Every scalar the template filled in is a string to YAML.
			var walk func(n *yaml.Node)
			walk = func(n *yaml.Node) {
				if n.Kind == yaml.ScalarNode && n.Tag != "!!str" && n.Tag != "!!int" {
					t.Errorf("line %d: %q reads as %s", n.Line, n.Value, n.Tag)
				}
				for _, c := range n.Content {
					walk(c)
				}
			}
			walk(&node)
		})
	}
}

func TestFilesRefusesBadOptions(t *testing.T) {
	tests := []struct {
		name   string
		o      Options
		option string
	}{
		{"dev build", Options{Version: "(devel)", JiraProject: "SEC"}, "Version"},
		{"pseudo-version", Options{Version: "v0.0.0-20261207090000-0123456789ab", JiraProject: "SEC"}, "Version"},
		{"lower-case key", Options{Version: "v1.0.0", JiraProject: "sec"}, "JiraProject"},
		{"key with a line break", Options{Version: "v1.0.0", JiraProject: "SEC\nx: 1"}, "JiraProject"},
		{"no key", Options{Version: "v1.0.0"}, "JiraProject"},
		{"unknown zone", Options{Version: "v1.0.0", JiraProject: "SEC", Timezone: "Mars/Olympus"}, "Timezone"},
		{"Local", Options{Version: "v1.0.0", JiraProject: "SEC", Timezone: "Local"}, "Timezone"},
		{"recipient with a line break", Options{Version: "v1.0.0", JiraProject: "SEC", Recipients: []string{"a@example.com\n- b@example.com"}}, "Recipients"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Files(tt.o)
			p, ok := err.(*Problem)
			if !ok || p.Option != tt.option || p.Hint == "" {
				t.Errorf("Files(%+v) = %v, want a problem of %s with a hint", tt.o, err, tt.option)
			}
		})
	}
}

// The schemas' copies sit where the register never reads a credential,
// and every register file init writes points its editor line at them.
func TestSchemaCopies(t *testing.T) {
	files, err := Files(docOptions)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		rel, ok := strings.CutPrefix(f.Path, register.DefaultRoot+"/")
		if !ok {
			continue
		}
		if strings.HasPrefix(rel, SchemaDir+"/") && register.IsCredentialPath(rel) {
			t.Errorf("%s would be read as a register file", f.Path)
		}
		if !register.IsRegisterFileName(rel) {
			continue
		}
		first, _, _ := strings.Cut(string(f.Data), "\n")
		ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
		if !ok {
			t.Errorf("%s starts %q, not with the editor's $schema line", f.Path, first)
			continue
		}
		target := filepath.ToSlash(filepath.Join(filepath.Dir(f.Path), ref))
		if !slices.Contains(paths(files), target) {
			t.Errorf("%s: $schema=%s points at %s, which rotor init does not write", f.Path, ref, target)
		}
	}
}

func TestSchemaRef(t *testing.T) {
	tests := []struct{ root, file, want string }{
		{"credential_rotation", "credential_rotation/payments.yaml", ".schema/credential.schema.json"},
		{"credential_rotation", "credential_rotation/data/analytics.yaml", "../.schema/credential.schema.json"},
		{"credential_rotation/", "credential_rotation/a/b/c.yml", "../../.schema/credential.schema.json"},
		{"sec/credential_rotation", "sec/credential_rotation/x.yaml", ".schema/credential.schema.json"},
	}
	for _, tt := range tests {
		got, err := SchemaRef(tt.root, tt.file, CredentialSchema)
		if err != nil || got != tt.want {
			t.Errorf("SchemaRef(%q, %q) = %q, %v; want %q", tt.root, tt.file, got, err, tt.want)
		}
	}
}

func TestPreCommitEntry(t *testing.T) {
	got := PreCommitEntry("v1.2.3")
	want := "  - repo: https://github.com/rotor-dev/rotor\n    rev: v1.2.3\n    hooks:\n      - id: rotor-validate\n"
	if got != want {
		t.Errorf("PreCommitEntry = %q, want %q", got, want)
	}
}

// rotor.yaml as init writes it, with recipients and without.
func TestSettingsGolden(t *testing.T) {
	for name, o := range map[string]Options{
		"rotor.yaml":               docOptions,
		"rotor-no-recipients.yaml": {Version: "v1.0.0", JiraProject: "OPS"},
	} {
		files, err := Files(o)
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", name+".golden"), files[0].Data)
	}
}
