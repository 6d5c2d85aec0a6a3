package register

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func TestDiscover(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{
		"payments.yaml",
		"platform.yml",
		"LEGACY.YAML",
		"rotor.yaml",    // settings: not a register file at the root
		"template.yaml", // template: not a register file at the root
		"team/template.yaml",
		"team/rotor.yaml",
		"team/data/analytics.yaml",
		"a/b/c/d/e/deep.yaml",
		".hidden.yaml",
		".git/config.yaml",
		"team/.drafts/draft.yaml",
		"README.md",
		"team/notes.txt",
		"team/backup.yaml.bak",
		"team/yaml",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("credentials: []\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A folder with a YAML name is not a file.
	if err := os.MkdirAll(filepath.Join(root, "folder.yaml"), 0o755); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"LEGACY.YAML",
		"a/b/c/d/e/deep.yaml",
		"payments.yaml",
		"platform.yml",
		"team/data/analytics.yaml",
		"team/rotor.yaml",
		"team/template.yaml",
	}
	if runtime.GOOS != "windows" {
		// A link to a file counts; a link to a folder is not followed.
		if err := os.Symlink(filepath.Join(root, "payments.yaml"), filepath.Join(root, "link.yaml")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, "team"), filepath.Join(root, "team-link.yaml")); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(root, "team"), filepath.Join(root, "linked-team")); err != nil {
			t.Fatal(err)
		}
		// A pipe named like a register file would block the reader.
		if err := mkfifo(filepath.Join(root, "pipe.yaml")); err != nil {
			t.Fatal(err)
		}
		want = append(want, "link.yaml")
	}
	got, err := Discover(root)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		rel, err := filepath.Rel(root, got[i])
		if err != nil || !strings.HasPrefix(got[i], root) {
			t.Fatalf("path %q is not under the root %q", got[i], root)
		}
		got[i] = filepath.ToSlash(rel)
	}
	slices.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Discover =\n  %v\nwant\n  %v", got, want)
	}
}

func TestDiscoverRootForms(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "rotor.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	// The root given with a trailing separator still excludes its rotor.yaml.
	got, err := Discover(root + string(filepath.Separator))
	if err != nil || len(got) != 1 || filepath.Base(got[0]) != "a.yaml" {
		t.Errorf("Discover(root/) = %v, %v; want only a.yaml", got, err)
	}
	// A hidden root folder is read; only hidden entries inside are skipped.
	hidden := filepath.Join(root, ".register")
	if err := os.MkdirAll(hidden, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(hidden, "b.yaml"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := Discover(hidden); err != nil || len(got) != 1 || got[0] != filepath.Join(hidden, "b.yaml") {
		t.Errorf("Discover(hidden root) = %v, %v; want b.yaml", got, err)
	}
	if got, err := Discover(filepath.Join(root, "empty")); err == nil {
		t.Errorf("Discover(missing) = %v, want an error", got)
	}
}

func TestDiscoverErrors(t *testing.T) {
	root := t.TempDir()
	file := filepath.Join(root, "register.yaml")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, root, want string
	}{
		{"missing folder", filepath.Join(root, "credential_rotation"), "does not exist: run rotor from the repository root or pass --register"},
		{"a file instead of a folder", file, "is not a folder: pass the folder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files, err := Discover(tt.root)
			if err == nil {
				t.Fatalf("Discover = %v, want an error", files)
			}
			if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.root) {
				t.Errorf("error = %q, want it to name %q and say %q", err, tt.root, tt.want)
			}
		})
	}
	t.Run("unreadable subfolder", func(t *testing.T) {
		if runtime.GOOS == "windows" || os.Geteuid() == 0 {
			t.Skip("permissions do not stop root (or Windows) from reading")
		}
		locked := filepath.Join(root, "locked")
		if err := os.Mkdir(locked, 0o000); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.Chmod(locked, 0o755) })
		if _, err := Discover(root); err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("err = %v, want one that names the unreadable folder", err)
		}
	})
}

func TestIsRegisterFileName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.yaml": true, "a.yml": true, "A.YAML": true, "a.Yml": true, "dir/a.yaml": true,
		"a.json": false, "a.yaml.bak": false, "yaml": false, "a.yamll": false, "": false,
	} {
		if got := IsRegisterFileName(name); got != want {
			t.Errorf("IsRegisterFileName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestWalkListsEveryFileForTheLeakGuard(t *testing.T) {
	root := t.TempDir()
	for _, name := range []string{
		"payments.yaml", "rotor.yaml", "template.yaml", ".env", "README.md",
		"team/.drafts/draft.yaml", "team/notes.txt", ".git/config", ".git/objects/ab/cd",
	} {
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tree, err := Walk(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	rel := func(paths ...string) []string {
		out := []string{}
		for _, p := range paths {
			if p == "" {
				continue
			}
			r, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(r))
		}
		return out
	}
	for _, c := range []struct {
		what      string
		got, want []string
	}{
		{"files", rel(tree.Files...), []string{"payments.yaml"}},
		{"settings and template", rel(tree.Settings, tree.Template), []string{"rotor.yaml", "template.yaml"}},
		{"others", rel(tree.Others...), []string{".env", "README.md", "team/.drafts/draft.yaml", "team/notes.txt"}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %v, want %v", c.what, c.got, c.want)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Walk(ctx, root); !errors.Is(err, context.Canceled) {
		t.Errorf("Walk with a cancelled context: %v", err)
	}
}

func TestIsCredentialPath(t *testing.T) {
	for rel, want := range map[string]bool{
		"payments.yaml": true, "team/db.yml": true, "deep/er/x.YAML": true,
		"rotor.yaml": false, "template.yaml": false, "team/rotor.yaml": true,
		".hidden.yaml": false, ".git/x.yaml": false, "a/.b/c.yaml": false,
		"notes.txt": false, "yaml": false,
	} {
		if got := IsCredentialPath(rel); got != want {
			t.Errorf("IsCredentialPath(%q) = %v, want %v", rel, got, want)
		}
	}
}
