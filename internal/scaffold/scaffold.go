// Package scaffold is what rotor init writes into a register repository:
// the register's settings, template, README and a copy of the schemas, the
// workflows that run rotor, and the pre-commit configuration. The text of
// each lives here once, embedded; rotor's own .github/workflows and the
// README's copies are held to it by tests, so they cannot drift apart.
//
// Write puts the files in place all or nothing, and never over a file
// that exists.
package scaffold

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"text/template"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/schema"
)

//go:embed files
var files embed.FS

// versionMarker stands, in the embedded files, for the rotor release the
// repository runs: in `uses: rotor-dev/rotor@…` (the action runs the
// release its tag names) and the pre-commit hook's `rev:`.
const versionMarker = "<rotor-version>"

// Where things go, relative to the repository's root (slash-separated).
const (
	// SchemaDir is the register's copy of rotor's JSON Schemas, inside the
	// register folder. It is hidden, so the register never reads it as
	// credentials (register.IsCredentialPath); the leak guard still reads
	// it, as it reads every file of the register.
	SchemaDir = ".schema"
	// CredentialSchema and SettingsSchema are the copies' file names, those
	// of schema/ in rotor's repository.
	CredentialSchema = "credential.schema.json"
	SettingsSchema   = "settings.schema.json"
	// WorkflowDir holds the workflows.
	WorkflowDir = ".github/workflows"
	// PreCommitConfig is pre-commit's configuration file.
	PreCommitConfig = ".pre-commit-config.yaml"
	// ReadmeFile is the register's README for its contributors.
	ReadmeFile = "README.md"
)

// Options are the values the written files depend on.
type Options struct {
	// Version is the rotor release the workflows and the pre-commit hook
	// run (IsRelease).
	Version string
	// JiraProject is the key of the Jira project rotor opens tickets in.
	JiraProject string
	// Timezone is the IANA name of the register's time zone; "" is UTC.
	Timezone string
	// Recipients receive the weekly report; none leaves the list out.
	Recipients []string
}

// File is one file to write.
type File struct {
	Path string // relative to the repository's root, slash-separated
	Data []byte
}

var (
	// release is a version that both `uses: rotor-dev/rotor@…` and
	// `go install …@…` can fetch: a release tag. The same form action.yml
	// accepts for its input version.
	release = regexp.MustCompile(`^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$`)
	// pseudo is the tail of a Go pseudo-version (v0.0.0-20261207090000-0123456789ab):
	// a build from a commit, no tag to fetch.
	pseudo = regexp.MustCompile(`(^|[-.])(0\.)?[0-9]{14}-[0-9a-f]{12}$`)
	// projectKey is the form of a Jira project key, as settings.schema.json
	// has it.
	projectKey = regexp.MustCompile(`^[A-Z][A-Z0-9_]+$`)
	// plain is a value written without quotes: nothing YAML reads as
	// anything but text.
	plain = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._%+@/-]*$`)
)

// IsRelease reports whether v names a rotor release: vMAJOR.MINOR.PATCH,
// with a pre-release suffix or not, and not a Go pseudo-version (a build
// of an untagged commit, which no `uses:` can name).
func IsRelease(v string) bool {
	return release.MatchString(v) && !pseudo.MatchString(v)
}

// Problem is a value of Options that cannot go into the files: which
// option, what is wrong, and what to give instead.
type Problem struct {
	Option string // "Version", "JiraProject", "Timezone", "Recipients"
	Msg    string
	Hint   string
}

func (p *Problem) Error() string { return p.Msg }

// CheckVersion refuses a version that is not a release.
func CheckVersion(v string) *Problem {
	if IsRelease(v) {
		return nil
	}
	return &Problem{Option: "Version", Msg: fmt.Sprintf("%q is not a rotor release", v),
		Hint: "give a release tag such as v1.0.0: the workflows run `uses: rotor-dev/rotor@<tag>` and the pre-commit hook `rev: <tag>`"}
}

// CheckJiraProject refuses what is not a Jira project key.
func CheckJiraProject(key string) *Problem {
	if projectKey.MatchString(key) {
		return nil
	}
	return &Problem{Option: "JiraProject", Msg: fmt.Sprintf("%q is not a Jira project key", key),
		Hint: "a project key is upper-case letters, digits and _, starting with a letter, e.g. SEC (Jira shows it in every issue key: SEC-42)"}
}

// CheckTimezone refuses a name that time.LoadLocation does not know, and
// "Local": today must not depend on the machine rotor runs on.
func CheckTimezone(name string) *Problem {
	hint := "use an IANA name such as UTC, Europe/Berlin or America/New_York"
	if name == "" || strings.EqualFold(name, "Local") {
		return &Problem{Option: "Timezone", Msg: fmt.Sprintf("%q is not an IANA time zone name", name), Hint: hint}
	}
	if _, err := time.LoadLocation(name); err != nil {
		return &Problem{Option: "Timezone", Msg: fmt.Sprintf("%q is not a known IANA time zone", name), Hint: hint}
	}
	return nil
}

// Check returns the problems of o, in the order of its fields. Recipients
// are checked as email addresses by the caller, with rotor validate's
// rule; here only that each is one line.
func (o Options) Check() []*Problem {
	var ps []*Problem
	if p := CheckVersion(o.Version); p != nil {
		ps = append(ps, p)
	}
	if p := CheckJiraProject(o.JiraProject); p != nil {
		ps = append(ps, p)
	}
	if o.Timezone != "" {
		if p := CheckTimezone(o.Timezone); p != nil {
			ps = append(ps, p)
		}
	}
	for _, r := range o.Recipients {
		if r == "" || strings.ContainsFunc(r, func(c rune) bool { return c < ' ' || c == 0x7f }) {
			ps = append(ps, &Problem{Option: "Recipients", Msg: fmt.Sprintf("%q is not an email address", r), Hint: "give one address a recipient, e.g. security-team@example.com"})
		}
	}
	return ps
}

// Files returns every file rotor init writes, in the order it lists them:
// the register (settings, template, README, the schemas' copies), the
// workflows, and the pre-commit configuration.
func Files(o Options) ([]File, error) {
	if ps := o.Check(); len(ps) > 0 {
		return nil, ps[0]
	}
	return build(o)
}

// Paths returns the path of every file rotor init writes, in Files'
// order, whatever the options.
func Paths() []string {
	files, err := build(Options{})
	if err != nil {
		panic(err) // the embedded templates do not parse: a build mistake
	}
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.Path
	}
	return out
}

func build(o Options) ([]File, error) {
	if o.Timezone == "" {
		o.Timezone = "UTC"
	}
	reg := func(name string) string { return path.Join(register.DefaultRoot, name) }
	settings, err := render("files/register/rotor.yaml.tmpl", o)
	if err != nil {
		return nil, err
	}
	readme, err := render("files/register/README.md.tmpl", o)
	if err != nil {
		return nil, err
	}
	out := []File{
		{Path: reg(register.SettingsFile), Data: settings},
		{Path: reg(register.TemplateFile), Data: mustRead("files/register/template.yaml")},
		{Path: reg(ReadmeFile), Data: readme},
		{Path: reg(SchemaDir + "/" + CredentialSchema), Data: slices.Clone(schema.Credential)},
		{Path: reg(SchemaDir + "/" + SettingsSchema), Data: slices.Clone(schema.Settings)},
	}
	out = append(out, Workflows(o.Version)...)
	out = append(out, File{Path: PreCommitConfig, Data: withVersion(mustRead("files/pre-commit-config.yaml"), o.Version)})
	return out, nil
}

// workflowNames are the workflows of a register repository, in the order
// the README lists them.
var workflowNames = []string{"sync_metadata.yml", "due_check.yml", "record_rotation.yml", "weekly_report.yml", "audit.yml", "dashboard.yml"}

// Workflows returns the workflows of a register repository, running the
// rotor release version.
func Workflows(version string) []File {
	out := make([]File, 0, len(workflowNames))
	for _, name := range workflowNames {
		out = append(out, File{Path: WorkflowDir + "/" + name, Data: withVersion(mustRead("files/workflows/"+name), version)})
	}
	return out
}

// PreCommitEntry is the item of a .pre-commit-config.yaml's repos list
// that runs rotor's hook at version, for a configuration that exists.
func PreCommitEntry(version string) string {
	data := string(withVersion(mustRead("files/pre-commit-config.yaml"), version))
	_, entry, _ := strings.Cut(data, "repos:\n")
	return entry
}

// SchemaRef is the $schema reference, in the editor line of a register
// file at file (a path inside the register folder root), to the
// register's copy of the schema named name: the path from the file's
// folder, so that it resolves in any clone.
func SchemaRef(root, file, name string) (string, error) {
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return "", err
	}
	target, err := filepath.Abs(filepath.Join(root, SchemaDir, name))
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(dir, target)
	if err != nil {
		return "", err
	}
	return filepath.ToSlash(rel), nil
}

func withVersion(data []byte, version string) []byte {
	return bytes.ReplaceAll(data, []byte(versionMarker), []byte(version))
}

func mustRead(name string) []byte {
	data, err := files.ReadFile(name)
	if err != nil {
		panic(err) // embedded: a missing file is a build mistake
	}
	return data
}

// render executes the embedded template name with o, every value written
// as YAML text (yamlText).
func render(name string, o Options) ([]byte, error) {
	t, err := template.New(path.Base(name)).Option("missingkey=error").Parse(string(mustRead(name)))
	if err != nil {
		return nil, err
	}
	data := struct {
		Version, JiraProject, Timezone string
		Recipients                     []string
	}{Version: o.Version, JiraProject: yamlText(o.JiraProject), Timezone: yamlText(o.Timezone)}
	for _, r := range o.Recipients {
		data.Recipients = append(data.Recipients, yamlText(r))
	}
	var b bytes.Buffer
	if err := t.Execute(&b, data); err != nil {
		return nil, fmt.Errorf("render %s: %w", name, err)
	}
	return b.Bytes(), nil
}

// yamlText is s as a YAML scalar that reads back as the string s: plain
// when it is made of ordinary characters and YAML reads it as that very
// string (not NO, a boolean to YAML 1.1, nor 1e3), else double-quoted (a
// JSON string is a YAML double-quoted scalar).
func yamlText(s string) string {
	var v any
	if plain.MatchString(s) && yaml.Unmarshal([]byte(s), &v) == nil && v == s && !yaml11Special(s) {
		return s
	}
	q, _ := json.Marshal(s) // a string always marshals
	return string(q)
}

// yaml11Special reports whether YAML 1.1, which some editors and tools
// still read, takes s for a boolean.
func yaml11Special(s string) bool {
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "on", "off":
		return true
	}
	return false
}
