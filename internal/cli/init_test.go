package cli

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/scaffold"
)

// gitRepo returns a new, empty git repository (git init).
func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if out, err := exec.Command("git", "init", "-q", dir).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return dir
}

// withBuildVersion makes rotor's own version v for the test.
func withBuildVersion(t *testing.T, v string) {
	t.Helper()
	old := Version
	Version = v
	t.Cleanup(func() { Version = old })
}

// tree returns every file under dir but .git, with its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == ".git" {
				return filepath.SkipDir
			}
			if rel != "." {
				out[filepath.ToSlash(rel)+"/"] = ""
			}
			return nil
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var initFlags = []string{"--jira-project", "SEC", "--timezone", "Europe/Berlin", "--recipient", "security-team@example.com", "--version", "v1.2.3"}

// From git init to a valid register: rotor init, then rotor new twice
// without a terminal, then rotor validate.
func TestInitThenNewThenValidate(t *testing.T) {
	repo := gitRepo(t)
	r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...)
	if r.code != ExitOK {
		t.Fatalf("init: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	got := tree(t, repo)
	for _, p := range scaffold.Paths() {
		if _, ok := got[p]; !ok {
			t.Errorf("%s was not written", p)
		}
		if !strings.Contains(r.stdout, "write  "+p+"\n") {
			t.Errorf("stdout does not list %s:\n%s", p, r.stdout)
		}
	}
	// The action runs the release its tag names: no version: input.
	if !strings.Contains(got[".github/workflows/sync_metadata.yml"], "uses: rotor-dev/rotor@v1.2.3\n") ||
		strings.Contains(got[".github/workflows/sync_metadata.yml"], "version:") ||
		!strings.Contains(got[".pre-commit-config.yaml"], "rev: v1.2.3\n") {
		t.Errorf("the workflows and the hook do not run v1.2.3")
	}
	if !strings.Contains(got["credential_rotation/rotor.yaml"], "timezone: Europe/Berlin\n") ||
		!strings.Contains(got["credential_rotation/rotor.yaml"], "project: SEC\n") ||
		!strings.Contains(got["credential_rotation/rotor.yaml"], "- security-team@example.com\n") {
		t.Errorf("rotor.yaml does not hold the values given:\n%s", got["credential_rotation/rotor.yaml"])
	}
	for p := range got {
		if strings.HasSuffix(p, ".tmp") {
			t.Errorf("a temporary file was left: %s", p)
		}
	}

	reg := filepath.Join(repo, register.DefaultRoot)
	for _, args := range [][]string{
		{"--id", "payments-db-admin", "--name", "Payments DB admin password", "--owner", "alice@example.com", "--period", "90", "--last-changed", "2026-09-01", "--team", "payments"},
		{"--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "180", "--last-changed", "2026-10-01", "--file", filepath.Join(reg, "infra", "vault.yaml")},
	} {
		r := runRotor(t, nil, "", append([]string{"new", "--register", reg}, args...)...)
		if r.code != ExitOK {
			t.Fatalf("new %v: exit %d\n%s", args, r.code, r.stderr)
		}
	}
	if r := runRotor(t, nil, "", "validate", "--register", reg); r.code != ExitOK {
		t.Fatalf("validate: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Every register file's editor line points at a schema that is there:
	// the ones init wrote and the ones rotor new made.
	for _, p := range []string{"rotor.yaml", "template.yaml", "payments.yaml", "infra/vault.yaml"} {
		data, err := os.ReadFile(filepath.Join(reg, p))
		if err != nil {
			t.Fatal(err)
		}
		first, _, _ := strings.Cut(string(data), "\n")
		ref, ok := strings.CutPrefix(first, "# yaml-language-server: $schema=")
		if !ok {
			t.Errorf("%s starts %q, not with the editor's $schema line", p, first)
			continue
		}
		target := filepath.Join(reg, filepath.Dir(p), filepath.FromSlash(ref))
		if !strings.HasPrefix(filepath.Base(filepath.Dir(target)), scaffold.SchemaDir) {
			t.Errorf("%s: $schema=%s is not the register's copy", p, ref)
		}
		if _, err := os.Stat(target); err != nil {
			t.Errorf("%s: $schema=%s does not resolve: %v", p, ref, err)
		}
	}
}

// rotor init twice: the second run writes nothing, says so, names every
// file, and exits 1; a dry run of it exits 0.
func TestInitTwiceRefuses(t *testing.T) {
	repo := gitRepo(t)
	if r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...); r.code != ExitOK {
		t.Fatalf("init: exit %d\n%s", r.code, r.stderr)
	}
	before := tree(t, repo)
	r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...)
	if r.code != ExitFailed {
		t.Fatalf("second init: exit %d, want %d\n%s%s", r.code, ExitFailed, r.stdout, r.stderr)
	}
	for _, p := range scaffold.Paths() {
		if !strings.Contains(r.stdout, "exists  "+p+"\n") {
			t.Errorf("the refusal does not name %s:\n%s", p, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "nothing was written") || !strings.Contains(r.stderr, "never overwrites") {
		t.Errorf("stderr does not say why nothing was written:\n%s", r.stderr)
	}
	if after := tree(t, repo); !mapsEqual(before, after) {
		t.Error("the second init changed the repository")
	}
	// Without --version or --jira-project too: nothing to write, nothing to ask.
	if r := runRotor(t, nil, "", "init", "--dir", repo); r.code != ExitFailed {
		t.Errorf("second init without flags: exit %d, want %d\n%s", r.code, ExitFailed, r.stderr)
	}
	if r := runRotor(t, nil, "", append([]string{"init", "--dir", repo, "--dry-run"}, initFlags...)...); r.code != ExitOK {
		t.Errorf("second init --dry-run: exit %d, want 0\n%s", r.code, r.stderr)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// --dry-run lists every file and writes nothing, not even a folder.
func TestInitDryRunWritesNothing(t *testing.T) {
	repo := gitRepo(t)
	if err := os.WriteFile(filepath.Join(repo, scaffold.PreCommitConfig), []byte("repos: []\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, repo)
	r := runRotor(t, nil, "", append([]string{"init", "--dir", repo, "--dry-run"}, initFlags...)...)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, p := range scaffold.Paths() {
		want := "would write  " + p + "\n"
		if p == scaffold.PreCommitConfig {
			want = "exists  " + p
		}
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the dry run does not list %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stdout, scaffold.PreCommitEntry("v1.2.3")) {
		t.Errorf("the dry run does not show the pre-commit entry to add:\n%s", r.stdout)
	}
	if after := tree(t, repo); !mapsEqual(before, after) {
		t.Errorf("the dry run wrote: %v", keys(after))
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func TestInitOutsideGitRepository(t *testing.T) {
	dir := t.TempDir()
	r := runRotor(t, nil, "", append([]string{"init", "--dir", dir}, initFlags...)...)
	if r.code != ExitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitUsage, r.stderr)
	}
	if !strings.Contains(r.stderr, "is not in a git repository") || !strings.Contains(r.stderr, "git init") {
		t.Errorf("stderr does not say it needs a git repository:\n%s", r.stderr)
	}
	if got := tree(t, dir); len(got) != 0 {
		t.Errorf("wrote %v", keys(got))
	}
	if r := runRotor(t, nil, "", append([]string{"init", "--dir", filepath.Join(dir, "missing")}, initFlags...)...); r.code != ExitUsage || !strings.Contains(r.stderr, "does not exist") {
		t.Errorf("a --dir that does not exist: exit %d\n%s", r.code, r.stderr)
	}
}

// A folder inside the repository: the files go to its root, where the
// workflows and the register must be.
func TestInitFromASubfolderWritesAtTheRoot(t *testing.T) {
	repo := gitRepo(t)
	sub := filepath.Join(repo, "docs", "notes")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if r := runRotor(t, nil, "", append([]string{"init", "--dir", sub}, initFlags...)...); r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if _, err := os.Stat(filepath.Join(repo, ".github", "workflows", "due_check.yml")); err != nil {
		t.Error(err)
	}
	if _, err := os.Stat(filepath.Join(sub, register.DefaultRoot)); err == nil {
		t.Error("the register was written in the subfolder")
	}
}

// Without a terminal, a missing value is an error that names its flag;
// a development build needs --version.
func TestInitMissingValuesNameTheirFlags(t *testing.T) {
	tests := []struct {
		name, build string
		args        []string
		want        []string
		notWant     []string
	}{
		{"dev build, nothing given", "", nil, []string{"missing --jira-project, --version", "development build", "--version v1.0.0"}, nil},
		{"dev build, project given", "", []string{"--jira-project", "SEC"}, []string{"missing --version"}, []string{"--jira-project,"}},
		{"pseudo-version build", "v0.0.0-20261207090000-0123456789ab", []string{"--jira-project", "SEC"}, []string{"missing --version", "v0.0.0-20261207090000-0123456789ab"}, nil},
		{"release build", "v1.4.0", nil, []string{"missing --jira-project:"}, []string{"--version"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withBuildVersion(t, tt.build)
			repo := gitRepo(t)
			r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, tt.args...)...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want %d\n%s", r.code, ExitUsage, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(r.stderr, w) {
					t.Errorf("stderr has %q:\n%s", w, r.stderr)
				}
			}
			if got := tree(t, repo); len(got) != 0 {
				t.Errorf("wrote %v", keys(got))
			}
		})
	}
}

// A release build writes its own release into the workflows.
func TestInitUsesTheBinarysRelease(t *testing.T) {
	withBuildVersion(t, "v1.4.0")
	repo := gitRepo(t)
	if r := runRotor(t, nil, "", "init", "--dir", repo, "--jira-project", "SEC"); r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	data, err := os.ReadFile(filepath.Join(repo, ".github", "workflows", "due_check.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), "uses: rotor-dev/rotor@v1.4.0\n") {
		t.Errorf("due_check.yml does not run v1.4.0:\n%s", data)
	}
	settings, _ := os.ReadFile(filepath.Join(repo, register.DefaultRoot, register.SettingsFile))
	if !strings.Contains(string(settings), "timezone: UTC\n") || !strings.Contains(string(settings), "# report:\n") {
		t.Errorf("rotor.yaml without --timezone and --recipient:\n%s", settings)
	}
}

// Every bad value is named by its flag, with a hint, before anything is
// written.
func TestInitRefusesBadValues(t *testing.T) {
	repo := gitRepo(t)
	r := runRotor(t, nil, "", "init", "--dir", repo, "--jira-project", "sec", "--timezone", "Mars/Olympus",
		"--recipient", "ok@example.com,Bob <bob@example.com>", "--version", "main")
	if r.code != ExitUsage {
		t.Fatalf("exit %d, want %d\n%s", r.code, ExitUsage, r.stderr)
	}
	for _, w := range []string{
		`--jira-project: "sec" is not a Jira project key`,
		`--timezone: "Mars/Olympus" is not a known IANA time zone`,
		`--recipient: "Bob <bob@example.com>" is not an email address`,
		`--version: "main" is not a rotor release`,
		"hint: ",
	} {
		if !strings.Contains(r.stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, r.stderr)
		}
	}
	if strings.Contains(r.stderr, "ok@example.com") {
		t.Errorf("a good recipient was refused:\n%s", r.stderr)
	}
	if got := tree(t, repo); len(got) != 0 {
		t.Errorf("wrote %v", keys(got))
	}
}

// Some files exist: without --yes nothing is written and they are named;
// with --yes the others are written and these kept as they were. A
// .pre-commit-config.yaml of the repository's own is never changed, and
// the entry to add is printed.
func TestInitSomeFilesExist(t *testing.T) {
	repo := gitRepo(t)
	mine := map[string]string{
		".github/workflows/due_check.yml": "# my own due check\n",
		scaffold.PreCommitConfig:          "repos: []\n",
	}
	for p, data := range mine {
		writeFile(t, filepath.Join(repo, filepath.FromSlash(p)), data)
	}
	before := tree(t, repo)

	r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...)
	if r.code != ExitFailed {
		t.Fatalf("without --yes: exit %d, want %d\n%s", r.code, ExitFailed, r.stderr)
	}
	if !strings.Contains(r.stdout, "exists  .github/workflows/due_check.yml (kept as it is)") || !strings.Contains(r.stderr, "--yes") {
		t.Errorf("the refusal does not name the file and --yes:\n%s%s", r.stdout, r.stderr)
	}
	if after := tree(t, repo); !mapsEqual(before, after) {
		t.Fatalf("wrote without --yes: %v", keys(after))
	}

	r = runRotor(t, nil, "", append([]string{"init", "--dir", repo, "--yes"}, initFlags...)...)
	if r.code != ExitOK {
		t.Fatalf("with --yes: exit %d\n%s", r.code, r.stderr)
	}
	after := tree(t, repo)
	for p, data := range mine {
		if after[p] != data {
			t.Errorf("%s was changed:\n%s", p, after[p])
		}
		if !strings.Contains(r.stderr, p) {
			t.Errorf("stderr does not name %s as kept:\n%s", p, r.stderr)
		}
	}
	if _, ok := after[".github/workflows/sync_metadata.yml"]; !ok {
		t.Error("the missing workflows were not written")
	}
	if !strings.Contains(r.stdout, "add this item to its repos:") || !strings.Contains(r.stdout, scaffold.PreCommitEntry("v1.2.3")) {
		t.Errorf("the pre-commit entry to add is not printed:\n%s", r.stdout)
	}
}

// A failure halfway leaves nothing behind: no file, no folder, no
// temporary file.
func TestInitWritesAllOrNothing(t *testing.T) {
	repo := gitRepo(t)
	// .github is a file: the workflows' folder cannot be made, after the
	// register's files were written to their temporary files.
	if err := os.WriteFile(filepath.Join(repo, ".github"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := tree(t, repo)
	r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...)
	if r.code == ExitOK {
		t.Fatalf("exit 0 with .github a file\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, ".github/workflows/sync_metadata.yml") || !strings.Contains(r.stderr, "nothing was written") {
		t.Errorf("stderr does not name the file and say nothing was written:\n%s", r.stderr)
	}
	if after := tree(t, repo); !mapsEqual(before, after) {
		t.Errorf("left behind: %v", keys(after))
	}
}

// In a terminal, init asks for what is missing, checks each answer as
// rotor validate would, and confirms before writing.
func TestInitAsksInATerminal(t *testing.T) {
	repo := gitRepo(t)
	answers := strings.Join([]string{
		"sec", "SEC", // a bad key, asked again
		"Europe/Berlin",
		"a@example.com, bob", "a@example.com, b@example.com", // a bad address, asked again
		"v1", "v1.2.3", // a development build asks for the release
		"", // Enter: yes, write them
	}, "\n") + "\n"
	e, stdout, stderr := testEnv(nil, answers)
	e.Interactive = true
	code := Main(context.Background(), []string{"init", "--dir", repo}, e)
	if code != ExitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	for _, w := range []string{
		"Jira project key (e.g. SEC): ",
		`"sec" is not a Jira project key`,
		"time zone (IANA name; decides what today is) [UTC]: ",
		`"bob" is not an email address`,
		`"v1" is not a rotor release`,
		"write 12 files? [Y/n]: ",
	} {
		if !strings.Contains(stderr.String(), w) {
			t.Errorf("the dialogue lacks %q:\n%s", w, stderr)
		}
	}
	settings, _ := os.ReadFile(filepath.Join(repo, register.DefaultRoot, register.SettingsFile))
	for _, w := range []string{"project: SEC\n", "timezone: Europe/Berlin\n", "- a@example.com\n    - b@example.com\n"} {
		if !bytes.Contains(settings, []byte(w)) {
			t.Errorf("rotor.yaml lacks %q:\n%s", w, settings)
		}
	}

	// Answering no writes nothing.
	repo = gitRepo(t)
	e, _, stderr = testEnv(nil, "SEC\n\n\nv1.2.3\nn\n")
	e.Interactive = true
	if code := Main(context.Background(), []string{"init", "--dir", repo}, e); code != ExitFailed {
		t.Errorf("answered no: exit %d, want %d\n%s", code, ExitFailed, stderr)
	}
	if got := tree(t, repo); len(got) != 0 {
		t.Errorf("answered no, and it wrote %v", keys(got))
	}
}

// actionlint accepts the workflows init writes. Skipped unless actionlint
// is on PATH: go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12.
func TestInitWorkflowsPassActionlint(t *testing.T) {
	bin, err := exec.LookPath("actionlint")
	if err != nil {
		t.Skip("actionlint is not on PATH")
	}
	repo := gitRepo(t)
	if r := runRotor(t, nil, "", append([]string{"init", "--dir", repo}, initFlags...)...); r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	files, _ := filepath.Glob(filepath.Join(repo, ".github", "workflows", "*.yml"))
	cmd := exec.Command(bin, files...)
	cmd.Dir = repo
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}

// rotor new starts a file with the editor line of its repository: the
// register's copy of the schema that rotor init writes, or in rotor's own
// repository (a schema/ folder beside the register, no copy) the source.
func TestNewWritesTheSchemaLineOfItsRepository(t *testing.T) {
	flags := []string{"--id", "vault-unseal-key", "--name", "Vault unseal key", "--owner", "ops@example.com", "--period", "180", "--last-changed", "2026-09-01"}
	tests := []struct {
		name   string
		layout func(t *testing.T, root string)
		want   string
	}{
		{"rotor's own repository", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(filepath.Dir(root), "schema", scaffold.CredentialSchema), "{}\n")
		}, "../../schema/credential.schema.json"},
		{"a register rotor init set up", func(t *testing.T, root string) {
			writeFile(t, filepath.Join(filepath.Dir(root), "schema", scaffold.CredentialSchema), "{}\n")
			writeFile(t, filepath.Join(root, scaffold.SchemaDir, scaffold.CredentialSchema), "{}\n")
		}, "../.schema/credential.schema.json"},
		{"a register without either", func(*testing.T, string) {}, "../.schema/credential.schema.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := copyRegister(t)
			tt.layout(t, root)
			file := filepath.Join(root, "infra", "vault.yaml")
			r := runRotor(t, nil, "", append([]string{"new", "--register", root, "--file", file}, flags...)...)
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			data, _ := os.ReadFile(file)
			first, _, _ := strings.Cut(string(data), "\n")
			if want := "# yaml-language-server: $schema=" + tt.want; first != want {
				t.Errorf("first line %q, want %q", first, want)
			}
		})
	}
}

// A secret pasted into a flag is never printed back.
func TestInitNeverPrintsASecretGivenAsAValue(t *testing.T) {
	const token = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
	repo := gitRepo(t)
	for _, flag := range []string{"--jira-project", "--timezone", "--recipient", "--version"} {
		args := []string{"init", "--dir", repo, "--jira-project", "SEC", "--version", "v1.0.0", flag, token}
		r := runRotor(t, nil, "", args...)
		if r.code != ExitUsage {
			t.Errorf("%s: exit %d, want %d\n%s", flag, r.code, ExitUsage, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, token) || strings.Contains(r.stdout+r.stderr, token[4:]) {
			t.Errorf("%s: the token is printed:\n%s%s", flag, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, flag+": ") {
			t.Errorf("%s: the problem is not named by its flag:\n%s", flag, r.stderr)
		}
	}
	if got := tree(t, repo); len(got) != 0 {
		t.Errorf("wrote %v", keys(got))
	}
}
