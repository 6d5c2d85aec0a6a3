package dashboard

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func siteOf(files map[string]string) *Site {
	s := &Site{files: map[string]file{}}
	for p, b := range files {
		s.files[p] = file{body: []byte(b)}
		s.paths = append(s.paths, p)
	}
	slices.Sort(s.paths)
	return s
}

// tree returns every file under dir with its content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func siblings(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteDirReplacesTheSiteWhole(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "site")
	first := siteOf(map[string]string{"index.html": "one", "credentials/gone.html": "gone", "teams/a.html": "a"})
	if err := first.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	second := siteOf(map[string]string{"index.html": "two", "teams/a.html": "a2", "status.json": "{}"})
	if err := second.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"index.html": "two", "teams/a.html": "a2", "status.json": "{}", MarkerFile: markerText}
	if got := tree(t, dir); !maps.Equal(got, want) {
		t.Errorf("the folder holds %v, want %v", got, want)
	}
	if got := siblings(t, dir); !slices.Equal(got, []string{"site"}) {
		t.Errorf("beside the site: %v, want nothing else", got)
	}
	fi, err := os.Stat(dir)
	if err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("the site folder's mode is %v (%v), want 0755 for a web server", fi.Mode(), err)
	}
}

// A failure while writing the new site leaves the old one as it was.
func TestWriteDirFailureLeavesTheOldSite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "site")
	old := siteOf(map[string]string{"index.html": "old", "teams/a.html": "a"})
	if err := old.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	before := tree(t, dir)
	// "teams" is a file and a folder: the second write fails halfway.
	broken := siteOf(map[string]string{"index.html": "new", "teams": "file", "teams/b.html": "b"})
	err := broken.WriteDir(dir)
	if err == nil || !strings.Contains(err.Error(), "the old site is untouched") {
		t.Fatalf("error %v, want one saying the old site is untouched", err)
	}
	if got := tree(t, dir); !maps.Equal(got, before) {
		t.Errorf("after a failed write the folder holds %v, want the old site %v", got, before)
	}
	if got := siblings(t, dir); !slices.Equal(got, []string{"site"}) {
		t.Errorf("beside the site: %v, want nothing else", got)
	}
}

// A folder of other files is never replaced: a mistyped --out must not
// delete someone's work.
func TestWriteDirRefusesAForeignFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := siteOf(map[string]string{"index.html": "x"}).WriteDir(dir)
	if err == nil || !strings.Contains(err.Error(), "did not write") {
		t.Fatalf("error %v, want a refusal", err)
	}
	if got := tree(t, dir); !maps.Equal(got, map[string]string{"notes.txt": "mine"}) {
		t.Errorf("the folder holds %v", got)
	}
	file := filepath.Join(dir, "notes.txt")
	if err := siteOf(map[string]string{"index.html": "x"}).WriteDir(file); err == nil || !strings.Contains(err.Error(), "is not a folder") {
		t.Errorf("writing over a file: %v", err)
	}
	// An empty folder is fine.
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := siteOf(map[string]string{"index.html": "x"}).WriteDir(empty); err != nil {
		t.Errorf("writing into an empty folder: %v", err)
	}
}
