package scaffold

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// list returns every path under dir, folders with a trailing /.
func list(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			rel += "/"
		}
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriteWritesEveryFile(t *testing.T) {
	dir := t.TempDir()
	files := []File{{Path: "a/b/one.yaml", Data: []byte("one\n")}, {Path: "two.yml", Data: []byte("two\n")}}
	if err := Write(dir, files); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Path))
		if err != nil || string(data) != string(f.Data) {
			t.Errorf("%s = %q, %v; want %q", f.Path, data, err, f.Data)
		}
	}
	if got, want := list(t, dir), []string{"a/", "a/b/", "a/b/one.yaml", "two.yml"}; !slices.Equal(got, want) {
		t.Errorf("wrote %v, want %v (no temporary file left)", got, want)
	}
	if got := Existing(dir, append(files, File{Path: "three.yaml"})); !slices.Equal(got, []string{"a/b/one.yaml", "two.yml"}) {
		t.Errorf("Existing = %v", got)
	}
}

// A name taken after Existing looked is never written over, and the files
// already in place and the folders made are taken back.
func TestWriteNeverOverwritesAndTakesBack(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "taken.yaml"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	files := []File{{Path: "new/first.yaml", Data: []byte("1\n")}, {Path: "taken.yaml", Data: []byte("theirs\n")}}
	err := Write(dir, files)
	if !errors.Is(err, ErrTaken) {
		t.Fatalf("Write = %v, want ErrTaken", err)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "taken.yaml"))
	if string(data) != "mine\n" {
		t.Errorf("taken.yaml = %q: written over", data)
	}
	if got := list(t, dir); !slices.Equal(got, []string{"taken.yaml"}) {
		t.Errorf("left behind: %v", got)
	}
}

// A folder that cannot be made stops everything before any file is in
// place.
func TestWriteFailsWhole(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "blocked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	err := Write(dir, []File{{Path: "ok/a.yaml", Data: []byte("a\n")}, {Path: "blocked/b.yaml", Data: []byte("b\n")}})
	if err == nil {
		t.Fatal("Write succeeded with a file in the way of a folder")
	}
	if got := list(t, dir); !slices.Equal(got, []string{"blocked"}) {
		t.Errorf("left behind: %v", got)
	}
}
