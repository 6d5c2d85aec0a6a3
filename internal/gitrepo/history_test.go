package gitrepo_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const regDir = "credential_rotation"

// newHistoryRepo makes an empty repository on main with an origin remote
// (Open needs one; nothing here talks to it).
func newHistoryRepo(t testing.TB) string {
	t.Helper()
	requireGit(t)
	dir := filepath.Join(t.TempDir(), "repo")
	git(t, filepath.Dir(dir), "init", "-q", "-b", "main", dir)
	git(t, dir, "remote", "add", "origin", "https://github.com/owner/repo")
	return dir
}

// commitAt writes files (path → content; "" removes the path), commits
// everything at when, and returns the commit's hash.
func commitAt(t *testing.T, dir string, when time.Time, msg string, files map[string]string) string {
	t.Helper()
	for p, c := range files { // removals first: a file may become a folder
		if c == "" {
			if err := os.RemoveAll(filepath.Join(dir, filepath.FromSlash(p))); err != nil {
				t.Fatal(err)
			}
		}
	}
	for p, c := range files {
		if c != "" {
			writeFile(t, filepath.Join(dir, filepath.FromSlash(p)), c, 0o644)
		}
	}
	git(t, dir, "add", "-A")
	gittest.GitAt(t, dir, when, "commit", "-q", "--allow-empty", "-m", msg)
	return git(t, dir, "rev-parse", "HEAD")
}

// gitCommitBefore is the oracle for CommitBefore: git's own first-parent
// walk. Commit times are whole seconds, and --before takes the last
// second it includes: the one before instant.
func gitCommitBefore(t *testing.T, dir string, instant time.Time) string {
	t.Helper()
	return git(t, dir, "rev-list", "-1", "--first-parent", "--before=@"+strconv.FormatInt(lastSecondBefore(instant), 10), "HEAD")
}

// lastSecondBefore is the last whole second (since the epoch) before
// instant.
func lastSecondBefore(instant time.Time) int64 {
	if instant.Nanosecond() == 0 {
		return instant.Unix() - 1
	}
	return instant.Unix()
}

// gitCommitsIn is the oracle for CommitsIn: git rev-list --since and
// --until, both of which include the second they name.
func gitCommitsIn(t *testing.T, dir string, span rotation.Span) string {
	t.Helper()
	since := span.From.Unix()
	if span.From.Nanosecond() != 0 {
		since++
	}
	return git(t, dir, "rev-list", "--first-parent", "--since=@"+strconv.FormatInt(since, 10), "--until=@"+strconv.FormatInt(lastSecondBefore(span.To), 10), "HEAD")
}

func mustCommitBefore(t *testing.T, r *gitrepo.Repo, instant time.Time) (gitrepo.CommitInfo, bool) {
	t.Helper()
	c, found, err := r.CommitBefore(instant)
	if err != nil {
		t.Fatalf("CommitBefore(%s): %v", instant.Format(time.RFC3339Nano), err)
	}
	return c, found
}

func TestCommitBeforeComparesInstants(t *testing.T) {
	dir := newHistoryRepo(t)
	utc := time.UTC
	east := time.FixedZone("+14", 14*3600)
	west := time.FixedZone("-12", -12*3600)
	t1 := time.Date(2025, 3, 1, 9, 0, 0, 0, utc)
	// t2 reads 3 March on its wall clock and t3 2 March, yet t3 is the
	// later instant: an hour after t2.
	t2 := time.Date(2025, 3, 3, 5, 0, 0, 0, east) // 2 March 15:00 UTC
	t3 := time.Date(2025, 3, 2, 4, 0, 0, 0, west) // 2 March 16:00 UTC
	t4 := time.Date(2025, 3, 5, 12, 0, 0, 0, utc)
	c1 := commitAt(t, dir, t1, "one", map[string]string{regDir + "/a.yaml": "a: 1\n"})
	c2 := commitAt(t, dir, t2, "two", map[string]string{regDir + "/a.yaml": "a: 2\n"})
	c3 := commitAt(t, dir, t3, "three", map[string]string{regDir + "/a.yaml": "a: 3\n"})
	c4 := commitAt(t, dir, t4, "four\n\nbody", map[string]string{regDir + "/a.yaml": "a: 4\n"})
	r := open(t, dir, gitrepo.Options{})

	tests := []struct {
		name    string
		instant time.Time
		want    string // "" for not found
	}{
		{"before the first commit", t1.Add(-time.Second), ""},
		{"long before", time.Date(1990, 1, 1, 0, 0, 0, 0, utc), ""},
		{"at the first commit", t1, ""},
		{"a nanosecond after the first commit", t1.Add(time.Nanosecond), c1},
		{"between", t1.Add(time.Hour), c1},
		{"at t2", t2, c1},
		{"a second after t2", t2.Add(time.Second), c2},
		{"after t2, in UTC", time.Date(2025, 3, 2, 15, 30, 0, 0, utc), c2},
		{"after t2, in +14:00", time.Date(2025, 3, 3, 5, 30, 0, 0, east), c2},
		{"after t2, in -12:00", time.Date(2025, 3, 2, 3, 30, 0, 0, west), c2},
		{"a second before t3", t3.Add(-time.Second), c2},
		{"at t3, in UTC", time.Date(2025, 3, 2, 16, 0, 0, 0, utc), c2},
		{"a nanosecond after t3, in +14:00", time.Date(2025, 3, 3, 6, 0, 0, 1, east), c3},
		{"a second after t3, in UTC", time.Date(2025, 3, 2, 16, 0, 1, 0, utc), c3},
		{"at t4", t4, c3},
		{"after t4", t4.Add(time.Second), c4},
		{"now", time.Now(), c4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, found := mustCommitBefore(t, r, tt.instant)
			if found != (tt.want != "") || c.Hash != tt.want {
				t.Fatalf("CommitBefore = %q, found %v; want %q", c.Hash, found, tt.want)
			}
			if oracle := gitCommitBefore(t, dir, tt.instant); oracle != tt.want {
				t.Fatalf("git rev-list says %q, the test wants %q", oracle, tt.want)
			}
		})
	}

	// The commit as it was made: zones kept, message whole, parents.
	c, _ := mustCommitBefore(t, r, t2.Add(time.Second))
	if c.Committer.When.Format(time.RFC3339) != "2025-03-03T05:00:00+14:00" || !c.Author.When.Equal(t2) {
		t.Errorf("committer %s, author %s; want 2025-03-03T05:00:00+14:00 for both", c.Committer.When.Format(time.RFC3339), c.Author.When.Format(time.RFC3339))
	}
	if c.Committer.Name != "Test" || c.Committer.Email != "test@example.com" || c.Author != c.Committer {
		t.Errorf("signatures %+v, %+v", c.Author, c.Committer)
	}
	if !slices.Equal(c.Parents, []string{c1}) || c.Message != "two\n" {
		t.Errorf("parents %v, message %q", c.Parents, c.Message)
	}
	if c, _ := mustCommitBefore(t, r, t4.Add(time.Second)); c.Message != "four\n\nbody\n" {
		t.Errorf("message %q", c.Message)
	}
	if c, _ := mustCommitBefore(t, r, t1.Add(time.Second)); len(c.Parents) != 0 {
		t.Errorf("root commit has parents %v", c.Parents)
	}
}

func TestMergeOnTheDefaultBranch(t *testing.T) {
	dir := newHistoryRepo(t)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	c1 := commitAt(t, dir, day(1), "one", map[string]string{regDir + "/a.yaml": "a: 1\n", regDir + "/b.yaml": "b: 1\n"})
	git(t, dir, "checkout", "-q", "-b", "side")
	s1 := commitAt(t, dir, day(2), "side", map[string]string{regDir + "/a.yaml": "a: side\n"})
	git(t, dir, "checkout", "-q", "main")
	c2 := commitAt(t, dir, day(3), "two", map[string]string{regDir + "/b.yaml": "b: 2\n"})
	merger := append(gittest.Dates(day(4)), "GIT_COMMITTER_NAME=Merger", "GIT_COMMITTER_EMAIL=merger@example.com")
	gittest.GitEnv(t, dir, merger, "merge", "-q", "--no-ff", "-m", "Merge side", "side")
	m := git(t, dir, "rev-parse", "HEAD")
	r := open(t, dir, gitrepo.Options{})

	// The side commit is newer than c1 but not on the first-parent chain.
	if c, _ := mustCommitBefore(t, r, day(2).Add(time.Hour)); c.Hash != c1 {
		t.Errorf("CommitBefore(day 2) = %s, want %s (c1), not the side branch's %s", c.Hash, c1, s1)
	}
	c, _ := mustCommitBefore(t, r, day(5))
	if c.Hash != m || !slices.Equal(c.Parents, []string{c2, s1}) {
		t.Fatalf("CommitBefore(day 5) = %s with parents %v, want the merge %s with [%s %s]", c.Hash, c.Parents, m, c2, s1)
	}
	if c.Committer.Name != "Merger" || c.Committer.Email != "merger@example.com" {
		t.Errorf("merge committer = %+v, want Merger", c.Committer)
	}

	log, err := r.CommitsIn(rotation.Span{From: day(1).Add(-time.Hour), To: day(6)})
	if err != nil {
		t.Fatal(err)
	}
	if got := hashes(log); !slices.Equal(got, []string{m, c2, c1}) {
		t.Errorf("CommitsIn = %v, want [merge c2 c1] = %v", got, []string{m, c2, c1})
	}

	// The merge brings the side branch's change to a.yaml.
	changes, err := r.ChangedFiles(m, regDir)
	if err != nil {
		t.Fatal(err)
	}
	want := []gitrepo.Change{{Path: regDir + "/a.yaml", OldHash: blobAt(t, dir, c2, regDir+"/a.yaml"), NewHash: blobAt(t, dir, s1, regDir+"/a.yaml")}}
	if !slices.Equal(changes, want) {
		t.Errorf("ChangedFiles(merge) = %+v, want %+v", changes, want)
	}
	checkChangedFiles(t, dir, r, m, regDir)
}

func hashes(cs []gitrepo.CommitInfo) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Hash
	}
	return out
}

func blobAt(t *testing.T, dir, commit, path string) string {
	t.Helper()
	return git(t, dir, "rev-parse", commit+":"+path)
}

// checkChangedFiles holds ChangedFiles to git diff-tree.
func checkChangedFiles(t *testing.T, dir string, r *gitrepo.Repo, commit, under string) {
	t.Helper()
	got, err := r.ChangedFiles(commit, under)
	if err != nil {
		t.Fatalf("ChangedFiles(%s, %q): %v", commit, under, err)
	}
	args := []string{"diff-tree", "-r", "--no-commit-id", "--raw", "--no-renames", "--root", "--no-abbrev", "--diff-merges=first-parent", commit}
	if under != "" {
		args = append(args, "--", under)
	}
	var want []gitrepo.Change
	for _, line := range strings.Split(git(t, dir, args...), "\n") {
		if line == "" {
			continue
		}
		// :100644 100644 old new M\tpath
		meta, path, _ := strings.Cut(line, "\t")
		f := strings.Fields(meta)
		oldMode, newMode, oldHash, newHash := f[0][1:], f[1], f[2], f[3]
		isFile := func(m string) bool { return m == "100644" || m == "100755" }
		if !isFile(oldMode) {
			oldHash = ""
		}
		if !isFile(newMode) {
			newHash = ""
		}
		if oldHash == newHash {
			continue // a mode change, or a link on both sides
		}
		want = append(want, gitrepo.Change{Path: path, OldHash: oldHash, NewHash: newHash})
	}
	if !slices.Equal(got, want) {
		t.Errorf("ChangedFiles(%s, %q) =\n%+v\ngit diff-tree says\n%+v", commit, under, got, want)
	}
}

// checkTreeFiles holds TreeFiles to git ls-tree.
func checkTreeFiles(t *testing.T, dir string, r *gitrepo.Repo, commit, under string) []gitrepo.Blob {
	t.Helper()
	got, err := r.TreeFiles(commit, under)
	if err != nil {
		t.Fatalf("TreeFiles(%s, %q): %v", commit, under, err)
	}
	args := []string{"ls-tree", "-r", "--full-tree", "--format=%(objectmode) %(objectname)\t%(path)", commit}
	if under != "" {
		args = append(args, "--", under)
	}
	var want []gitrepo.Blob
	for _, line := range strings.Split(git(t, dir, args...), "\n") {
		meta, path, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		mode, hash, _ := strings.Cut(meta, " ")
		if mode == "100644" || mode == "100755" {
			want = append(want, gitrepo.Blob{Path: path, Hash: hash})
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("TreeFiles(%s, %q) =\n%+v\ngit ls-tree says\n%+v", commit, under, got, want)
	}
	return got
}

// TestAWeekOfChanges: a week of commits that add, modify, remove and
// move register files, read the way the report reads it.
func TestAWeekOfChanges(t *testing.T) {
	dir := newHistoryRepo(t)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 10, 0, 0, 0, time.FixedZone("+01", 3600)) }
	var cs []string
	add := func(d int, files map[string]string) {
		cs = append(cs, commitAt(t, dir, day(d), "day "+strconv.Itoa(d), files))
	}
	add(1, map[string]string{regDir + "/a.yaml": "a: 1\n", regDir + "/b.yaml": "b: 1\n", regDir + "/team/c.yaml": "c: 1\n", "README.md": "hi\n"})
	add(2, map[string]string{regDir + "/a.yaml": "a: 2\n"})                              // modified
	add(3, map[string]string{regDir + "/b.yaml": ""})                                    // removed
	add(4, map[string]string{regDir + "/team/d.yaml": "d: 1\n", "README.md": "ho\n"})    // added, and a file outside
	add(5, map[string]string{regDir + "/team": "", regDir + "/team.yaml": "c: 1\n"})     // a folder removed, a file added
	add(6, map[string]string{"README.md": "hu\n"})                                       // nothing under the register
	add(7, map[string]string{regDir + "/x": "x: 1\n", regDir + "/a.yaml": "a: 1\n"})     // back to an old blob
	add(8, map[string]string{regDir + "/x": "", regDir + "/x/y.yaml": "x: 1\n"})         // a file becomes a folder
	add(9, map[string]string{regDir + "/.hidden.yaml": "h\n", regDir + "/z.yml": "z\n"}) // the caller filters names
	if err := os.Symlink("a.yaml", filepath.Join(dir, regDir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	add(10, map[string]string{}) // a symbolic link: not a file
	git(t, dir, "update-index", "--chmod=+x", regDir+"/a.yaml")
	gittest.GitAt(t, dir, day(11), "commit", "-q", "-m", "mode only")
	cs = append(cs, git(t, dir, "rev-parse", "HEAD"))
	r := open(t, dir, gitrepo.Options{})

	for i, c := range cs {
		for _, under := range []string{regDir, regDir + "/team", "", "nope", "credential_rotation/nope/deeper"} {
			checkChangedFiles(t, dir, r, c, under)
			checkTreeFiles(t, dir, r, c, under)
		}
		if t.Failed() {
			t.Fatalf("at day %d", i+1)
		}
	}
	// The removal is reported with the old blob and no new one.
	ch, _ := r.ChangedFiles(cs[2], regDir)
	if want := []gitrepo.Change{{Path: regDir + "/b.yaml", OldHash: blobAt(t, dir, cs[1], regDir+"/b.yaml")}}; !slices.Equal(ch, want) {
		t.Errorf("ChangedFiles(day 3) = %+v, want %+v", ch, want)
	}
	if ch, _ := r.ChangedFiles(cs[5], regDir); len(ch) != 0 {
		t.Errorf("ChangedFiles(day 6) = %+v, want none", ch)
	}
	if ch, _ := r.ChangedFiles(cs[10], regDir); len(ch) != 0 {
		t.Errorf("ChangedFiles of a mode change = %+v, want none", ch)
	}
	// The root commit adds everything.
	if ch, _ := r.ChangedFiles(cs[0], regDir); len(ch) != 3 || ch[0].OldHash != "" {
		t.Errorf("ChangedFiles(root) = %+v, want three additions", ch)
	}
	// A symbolic link is not listed; an executable is.
	files, _ := r.TreeFiles(cs[10], regDir)
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	if want := []string{regDir + "/.hidden.yaml", regDir + "/a.yaml", regDir + "/team.yaml", regDir + "/x/y.yaml", regDir + "/z.yml"}; !slices.Equal(paths, want) {
		t.Errorf("TreeFiles = %v, want %v", paths, want)
	}

	// The week of days 2 to 8: from the first instant of day 2 up to,
	// not including, day 9's.
	span := func(from, to time.Time) rotation.Span { return rotation.Span{From: from, To: to} }
	log, err := r.CommitsIn(span(day(2), day(9)))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := hashes(log), reversed(cs[1:8]); !slices.Equal(got, want) {
		t.Errorf("CommitsIn[day 2, day 9) = %v, want %v", got, want)
	}
	log, _ = r.CommitsIn(span(day(1), day(1).Add(time.Nanosecond)))
	if got := hashes(log); !slices.Equal(got, cs[:1]) {
		t.Errorf("CommitsIn around the root = %v, want %v", got, cs[:1])
	}
	if log, _ := r.CommitsIn(span(day(1).Add(-time.Second), day(1))); len(log) != 0 {
		t.Errorf("CommitsIn up to the root = %v, want none", hashes(log))
	}
	if log, _ := r.CommitsIn(span(day(20), day(30))); len(log) != 0 {
		t.Errorf("CommitsIn after the last commit = %v", hashes(log))
	}
	if log, _ := r.CommitsIn(span(day(5), day(3))); len(log) != 0 {
		t.Errorf("CommitsIn of a span that ends before it begins = %v", hashes(log))
	}
	if log, _ := r.CommitsIn(span(day(5), day(5))); len(log) != 0 {
		t.Errorf("CommitsIn of an empty span = %v", hashes(log))
	}
	// Oracle: git rev-list --since --until, on the commits' own seconds
	// and a nanosecond either side.
	for a := 0; a <= 12; a++ {
		for u := a; u <= 12; u++ {
			for _, off := range []time.Duration{-time.Nanosecond, 0, time.Nanosecond} {
				s := span(day(1).AddDate(0, 0, a-1).Add(off), day(1).AddDate(0, 0, u-1).Add(-off))
				log, err := r.CommitsIn(s)
				if err != nil {
					t.Fatal(err)
				}
				if got, want := strings.Join(hashes(log), "\n"), gitCommitsIn(t, dir, s); got != want {
					t.Errorf("CommitsIn(%v) = %v, git says %v", s, got, want)
				}
			}
		}
	}

	// Errors.
	head := cs[len(cs)-1]
	errTests := []struct {
		name string
		call func() error
		want string
	}{
		{"tree of a file", func() error { _, err := r.TreeFiles(head, regDir+"/a.yaml"); return err }, "is not a folder"},
		{"changes of a file", func() error { _, err := r.ChangedFiles(head, regDir+"/a.yaml"); return err }, "is not a folder"},
		{"unclean dir", func() error { _, err := r.TreeFiles(head, regDir+"/../x"); return err }, "must be clean"},
		{"trailing slash", func() error { _, err := r.TreeFiles(head, regDir+"/"); return err }, "must be clean"},
		{"short hash", func() error { _, err := r.TreeFiles(head[:7], regDir); return err }, "not a full commit hash"},
		{"unknown commit", func() error { _, err := r.ChangedFiles(strings.Repeat("ab", 20), regDir); return err }, "is not in the repository"},
		{"a blob as commit", func() error { _, err := r.TreeFiles(blobAt(t, dir, head, regDir+"/a.yaml"), regDir); return err }, "is not in the repository"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.call(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one with %q", err, tt.want)
			}
		})
	}
}

func reversed(s []string) []string {
	out := slices.Clone(s)
	slices.Reverse(out)
	return out
}

func TestBlobContent(t *testing.T) {
	dir := newHistoryRepo(t)
	big := strings.Repeat("x", gitrepo.MaxBlobSize)
	c := commitAt(t, dir, when, "blobs", map[string]string{"a.yaml": "a: 1\n", "max": big, "over": big + "y"})
	r := open(t, dir, gitrepo.Options{})

	got, err := r.BlobContent(blobAt(t, dir, c, "a.yaml"))
	if err != nil || string(got) != "a: 1\n" {
		t.Fatalf("BlobContent = %q, %v", got, err)
	}
	if got, err := r.BlobContent(blobAt(t, dir, c, "max")); err != nil || len(got) != gitrepo.MaxBlobSize {
		t.Fatalf("BlobContent of a %d-byte blob: %d bytes, %v", gitrepo.MaxBlobSize, len(got), err)
	}
	if _, err := r.BlobContent(""); err == nil {
		t.Errorf("BlobContent of an empty hash succeeded")
	}
	// Packed objects too (the sizes come from the pack index then).
	git(t, dir, "gc", "-q")
	r = open(t, dir, gitrepo.Options{})
	if got, err := r.BlobContent(blobAt(t, dir, c, "a.yaml")); err != nil || string(got) != "a: 1\n" {
		t.Fatalf("BlobContent after gc = %q, %v", got, err)
	}
	errTests := []struct{ name, hash, want string }{
		{"too large", blobAt(t, dir, c, "over"), fmt.Sprintf("holds %d bytes, more than the %d", gitrepo.MaxBlobSize+1, gitrepo.MaxBlobSize)},
		{"a tree", git(t, dir, "rev-parse", c+"^{tree}"), "is not a blob"},
		{"a commit", c, "is not a blob"},
		{"unknown", strings.Repeat("cd", 20), "is not in the repository"},
		{"short", c[:8], "not a full blob hash"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.BlobContent(tt.hash)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("BlobContent = %v, want an error with %q", err, tt.want)
			}
			// Only a blob too large is a version history can skip.
			if errors.Is(err, gitrepo.ErrTooLarge) != (tt.name == "too large") {
				t.Errorf("errors.Is(%v, ErrTooLarge) = %v", err, !(tt.name == "too large"))
			}
		})
	}
}

func TestFileVersions(t *testing.T) {
	dir := newHistoryRepo(t)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	path := regDir + "/a.yaml"
	cs := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: day(1), Files: map[string]string{path: "v1\n"}},
		{When: day(2), Files: map[string]string{regDir + "/b.yaml": "b\n"}},
		{When: day(3), Files: map[string]string{path: "v2\n"}},
		{When: day(4), Delete: []string{path}},
		{When: day(5), Files: map[string]string{regDir + "/b.yaml": "b2\n"}},
		{When: day(6), Files: map[string]string{path: "v1\n"}},
		{When: day(7), Files: map[string]string{regDir + "/b.yaml": "b3\n"}},
	})
	// A side branch merged in: only the first-parent chain counts.
	git(t, dir, "checkout", "-q", "-b", "side", cs[6])
	gittest.Import(t, dir, "side", []gittest.Commit{{When: day(8), Files: map[string]string{path: "side\n"}}})
	git(t, dir, "checkout", "-q", "main")
	gittest.GitAt(t, dir, day(9), "merge", "-q", "--no-ff", "-s", "ours", "-m", "merge side", "side")
	merge := git(t, dir, "rev-parse", "HEAD")
	r := open(t, dir, gitrepo.Options{})
	v1 := blobAt(t, dir, cs[0], path)
	v2 := blobAt(t, dir, cs[2], path)
	list := func(commit string, stop int) []string {
		t.Helper()
		var out []string
		err := r.FileVersions(commit, path, func(v gitrepo.FileVersion) bool {
			out = append(out, v.Commit.Hash+" "+v.Blob)
			return len(out) < stop
		})
		if err != nil {
			t.Fatalf("FileVersions(%s): %v", commit, err)
		}
		return out
	}
	want := []string{cs[5] + " " + v1, cs[3] + " ", cs[2] + " " + v2, cs[0] + " " + v1}
	if got := list(merge, 100); !slices.Equal(got, want) {
		t.Errorf("FileVersions(merge) =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := list(cs[4], 100); !slices.Equal(got, want[1:]) {
		t.Errorf("FileVersions(day 5) = %v, want %v", got, want[1:])
	}
	if got := list(merge, 2); !slices.Equal(got, want[:2]) {
		t.Errorf("FileVersions stopped after 2 = %v, want %v", got, want[:2])
	}
	// A path that never existed: one version, absent since the root.
	var got []gitrepo.FileVersion
	if err := r.FileVersions(merge, regDir+"/none.yaml", func(v gitrepo.FileVersion) bool { got = append(got, v); return true }); err != nil ||
		len(got) != 1 || got[0].Blob != "" || got[0].Commit.Hash != cs[0] {
		t.Errorf("FileVersions(none.yaml) = %+v, %v", got, err)
	}
	// A file where a folder is expected is no file of the register.
	if err := r.FileVersions(merge, path+"/x.yaml", func(v gitrepo.FileVersion) bool { got = append(got, v); return true }); err != nil {
		t.Errorf("FileVersions(under a file) = %v", err)
	}

	shallow := filepath.Join(t.TempDir(), "clone")
	git(t, dir, "clone", "-q", "--depth", "4", "--no-single-branch", "file://"+dir, shallow)
	rs := open(t, shallow, gitrepo.Options{})
	err := rs.FileVersions(merge, path, func(gitrepo.FileVersion) bool { return true })
	if !errors.Is(err, gitrepo.ErrShallow) {
		t.Errorf("FileVersions in a shallow clone = %v, want ErrShallow", err)
	}
	// What the clone holds is answered.
	err = rs.FileVersions(merge, path, func(gitrepo.FileVersion) bool { return false })
	if err != nil {
		t.Errorf("FileVersions of the newest version in a shallow clone = %v", err)
	}
}

// TestShallowClones: the answers a clone of depth 1 or 5 can give, and
// ErrShallow (never "not found") for the ones it cannot.
func TestShallowClones(t *testing.T) {
	seed := newHistoryRepo(t)
	day := func(d int) time.Time { return time.Date(2025, 3, d, 12, 0, 0, 0, time.UTC) }
	var commits []gittest.Commit
	for d := 1; d <= 10; d++ {
		commits = append(commits, gittest.Commit{When: day(d), Files: map[string]string{regDir + "/a.yaml": fmt.Sprintf("a: %d\n", d)}})
	}
	cs := gittest.Import(t, seed, "main", commits)
	clone := func(t *testing.T, depth int) *gitrepo.Repo {
		dir := filepath.Join(t.TempDir(), "clone")
		git(t, seed, "clone", "-q", "--depth", strconv.Itoa(depth), "file://"+seed, dir)
		return open(t, dir, gitrepo.Options{})
	}
	wantShallow := func(t *testing.T, what string, err error) {
		t.Helper()
		if !errors.Is(err, gitrepo.ErrShallow) || !strings.Contains(err.Error(), "fetch-depth: 0") {
			t.Errorf("%s = %v, want ErrShallow naming fetch-depth: 0", what, err)
		}
	}

	t.Run("depth 1", func(t *testing.T) {
		r := clone(t, 1)
		if c, found := mustCommitBefore(t, r, day(10).Add(time.Second)); !found || c.Hash != cs[9] {
			t.Errorf("CommitBefore(after day 10) = %s, %v; want HEAD", c.Hash, found)
		}
		_, found, err := r.CommitBefore(day(10))
		wantShallow(t, "CommitBefore(day 10)", err)
		if found {
			t.Errorf("CommitBefore(day 10) found a commit")
		}
		_, _, err = r.CommitBefore(day(0)) // before the history, but the clone cannot know
		wantShallow(t, "CommitBefore(before the first commit)", err)
		if _, err := r.CommitsIn(rotation.Span{From: day(4), To: day(11)}); err != nil {
			wantShallow(t, "CommitsIn[day 4, day 11)", err)
		} else {
			t.Errorf("CommitsIn[day 4, day 11) succeeded")
		}
		if log, err := r.CommitsIn(rotation.Span{From: day(10).Add(time.Second), To: day(11)}); err != nil || len(log) != 0 {
			t.Errorf("CommitsIn(after day 10, before day 11) = %v, %v; want none", hashes(log), err)
		}
		_, err = r.ChangedFiles(cs[9], regDir)
		wantShallow(t, "ChangedFiles(HEAD)", err)
		if files, err := r.TreeFiles(cs[9], regDir); err != nil || len(files) != 1 {
			t.Errorf("TreeFiles(HEAD) = %v, %v", files, err)
		}
	})

	t.Run("depth 5", func(t *testing.T) {
		r := clone(t, 5) // days 6 to 10; day 6 is the boundary
		for d := 6; d <= 10; d++ {
			if c, found := mustCommitBefore(t, r, day(d).Add(time.Hour)); !found || c.Hash != cs[d-1] {
				t.Errorf("CommitBefore(day %d) = %s, %v; want %s", d, c.Hash, found, cs[d-1])
			}
		}
		_, _, err := r.CommitBefore(day(6))
		wantShallow(t, "CommitBefore(day 6)", err)
		log, err := r.CommitsIn(rotation.Span{From: day(6).Add(time.Nanosecond), To: day(10).Add(time.Nanosecond)})
		if got, want := hashes(log), reversed(cs[6:10]); err != nil || !slices.Equal(got, want) {
			t.Errorf("CommitsIn(after day 6, up to day 10) = %v, %v; want %v", got, err, want)
		}
		_, err = r.CommitsIn(rotation.Span{From: day(6), To: day(11)})
		wantShallow(t, "CommitsIn[day 6, day 11)", err)
		if ch, err := r.ChangedFiles(cs[6], regDir); err != nil || len(ch) != 1 {
			t.Errorf("ChangedFiles(day 7) = %v, %v", ch, err)
		}
		_, err = r.ChangedFiles(cs[5], regDir)
		wantShallow(t, "ChangedFiles(day 6)", err)
	})

	t.Run("shallow list lost", func(t *testing.T) {
		r := clone(t, 5)
		if err := os.Remove(filepath.Join(r.Root(), ".git", "shallow")); err != nil {
			t.Fatal(err)
		}
		r = open(t, r.Root(), gitrepo.Options{})
		_, _, err := r.CommitBefore(day(2))
		wantShallow(t, "CommitBefore(day 2)", err)
		_, err = r.ChangedFiles(cs[5], regDir)
		wantShallow(t, "ChangedFiles(day 6)", err)
	})

	t.Run("full clone", func(t *testing.T) {
		r := clone(t, 100)
		if _, found := mustCommitBefore(t, r, day(1)); found {
			t.Errorf("CommitBefore(the first commit) found a commit")
		}
	})
}

// TestCommitBeforeMatchesGit holds CommitBefore to git rev-list on a
// history whose clocks disagree: zones from -12:00 to +14:00 and commits
// dated before their parents. Both take the first commit on the chain
// before the instant.
func TestCommitBeforeMatchesGit(t *testing.T) {
	dir := newHistoryRepo(t)
	rnd := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	var commits []gittest.Commit
	var instants []time.Time
	for i := range 80 {
		at := base.Add(time.Duration(i)*6*time.Hour + time.Duration(rnd.IntN(20)-14)*time.Hour) // some go back in time
		zone := time.FixedZone("", (rnd.IntN(27)-12)*3600)
		commits = append(commits, gittest.Commit{When: at.In(zone), Files: map[string]string{regDir + "/a.yaml": fmt.Sprintf("a: %d\n", i)}})
		instants = append(instants, at, at.Add(-time.Second), at.Add(time.Nanosecond), at.Add(time.Duration(rnd.IntN(7200))*time.Second))
	}
	gittest.Import(t, dir, "main", commits)
	r := open(t, dir, gitrepo.Options{})
	for _, in := range append(instants, base.Add(-time.Hour), base.AddDate(1, 0, 0)) {
		c, _ := mustCommitBefore(t, r, in)
		if want := gitCommitBefore(t, dir, in); c.Hash != want {
			t.Errorf("CommitBefore(%s) = %q, git rev-list says %q", in.Format(time.RFC3339Nano), c.Hash, want)
		}
	}
}

// yearOfHistory builds the report's benchmark repository: a register of
// 100 files of 100 credentials each (~30 KiB a file), then 365 daily
// commits that each rotate one credential. It returns the repository and
// the last commit's time.
func yearOfHistory(b *testing.B) (string, time.Time) {
	b.Helper()
	dir := newHistoryRepo(b)
	files := make([][]string, 100) // file → its credentials' blocks
	content := func(f int) string { return strings.Join(files[f], "") }
	cred := func(f, c int, rotated time.Time) string {
		return fmt.Sprintf("- id: svc-%03d-%03d\n  owner: team-%02d@example.com\n  description: service account %d of file %d, used by the nightly jobs\n  rotation_period_days: 90\n  last_rotated: %s\n  last_ticket: SEC-%d\n  notes: rotated by the platform team following the runbook\n\n",
			f, c, f%10, c, f, rotated.Format(time.DateOnly), f*100+c)
	}
	start := time.Date(2024, 3, 1, 9, 0, 0, 0, time.FixedZone("CET", 3600))
	first := gittest.Commit{When: start, Message: "register\n", Files: map[string]string{}}
	for f := range files {
		files[f] = make([]string, 100)
		for c := range files[f] {
			files[f][c] = cred(f, c, start.AddDate(0, 0, -c))
		}
		first.Files[fmt.Sprintf("%s/team-%02d/creds-%03d.yaml", regDir, f%10, f)] = content(f)
	}
	commits := []gittest.Commit{first}
	for d := 1; d < 365; d++ {
		when := start.AddDate(0, 0, d)
		f, c := (d*37)%100, (d*53)%100
		files[f][c] = cred(f, c, when)
		commits = append(commits, gittest.Commit{When: when, Message: fmt.Sprintf("Record rotation of svc-%03d-%03d\n", f, c),
			Files: map[string]string{fmt.Sprintf("%s/team-%02d/creds-%03d.yaml", regDir, f%10, f): content(f)}})
	}
	gittest.Import(b, dir, "main", commits)
	git(b, dir, "gc", "-q") // as a clone from GitHub arrives: one pack
	return dir, commits[len(commits)-1].When
}

// BenchmarkCommitBefore365 is one past register's lookup: CommitBefore and
// TreeFiles, a week back and at the start of a year of daily commits.
func BenchmarkCommitBefore365(b *testing.B) {
	dir, last := yearOfHistory(b)
	r, err := gitrepo.Open(dir, gitrepo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		back int // days
	}{{"week", 7}, {"year", 364}} {
		b.Run(bc.name, func(b *testing.B) {
			// Just after the commit of that day: CommitBefore finds commits
			// strictly before an instant, and 364 days back is the first one.
			instant := last.AddDate(0, 0, -bc.back).Add(time.Second)
			b.ReportAllocs()
			for b.Loop() {
				c, found, err := r.CommitBefore(instant)
				if err != nil || !found {
					b.Fatal(found, err)
				}
				files, err := r.TreeFiles(c.Hash, regDir)
				if err != nil || len(files) != 100 {
					b.Fatal(len(files), err)
				}
			}
		})
	}
}

// BenchmarkReadYearOfSnapshots is what the report reads from git for an
// 8-week trend: the register today and at 8 weekly dates before (9
// CommitBefore + TreeFiles), and each distinct blob once. "cold" opens the
// repository in every iteration, as one run of rotor does.
func BenchmarkReadYearOfSnapshots(b *testing.B) {
	dir, last := yearOfHistory(b)
	read := func(b *testing.B, r *gitrepo.Repo) (blobs, bytes int) {
		seen := map[string]bool{}
		for w := range 9 {
			c, found, err := r.CommitBefore(last.AddDate(0, 0, -7*w).Add(time.Second))
			if err != nil || !found {
				b.Fatal(found, err)
			}
			files, err := r.TreeFiles(c.Hash, regDir)
			if err != nil {
				b.Fatal(err)
			}
			for _, f := range files {
				if seen[f.Hash] {
					continue
				}
				seen[f.Hash] = true
				data, err := r.BlobContent(f.Hash)
				if err != nil {
					b.Fatal(err)
				}
				blobs, bytes = blobs+1, bytes+len(data)
			}
		}
		return blobs, bytes
	}
	open := func(b *testing.B) *gitrepo.Repo {
		r, err := gitrepo.Open(dir, gitrepo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		return r
	}
	b.Run("cold", func(b *testing.B) {
		b.ReportAllocs()
		var blobs, n int
		for b.Loop() {
			blobs, n = read(b, open(b))
		}
		b.ReportMetric(float64(blobs), "blobs/op")
		b.ReportMetric(float64(n)/(1<<20), "MiB-read/op")
	})
	b.Run("warm", func(b *testing.B) {
		r := open(b)
		read(b, r)
		b.ReportAllocs()
		for b.Loop() {
			read(b, r)
		}
	})
}
