package gitrepo_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

func TestBroughtIn(t *testing.T) {
	requireGit(t)
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	day := func(d int) time.Time { return time.Date(2026, 1, d, 12, 0, 0, 0, time.UTC) }
	main := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: day(1), Message: "root\n", Files: map[string]string{"a": "1"}},
		{When: day(2), Message: "fork point\n", Files: map[string]string{"a": "2"}},
	})
	git(t, dir, "branch", "-q", "side", "main")
	side := gittest.Import(t, dir, "side", []gittest.Commit{
		{When: day(3), Message: "side 1\n", Files: map[string]string{"b": "1"}},
		{When: day(4), Message: "side 2\n", Files: map[string]string{"b": "2"}},
	})
	gittest.Import(t, dir, "main", []gittest.Commit{{When: day(5), Message: "on main\n", Files: map[string]string{"c": "1"}}})
	git(t, dir, "checkout", "-q", "-f", "main")
	gittest.GitAt(t, dir, day(6), "merge", "-q", "--no-ff", "-m", "Merge pull request #3 from acme/side", "side")
	merge := strings.TrimSpace(git(t, dir, "rev-parse", "HEAD"))

	repo, err := gitrepo.Open(dir, gitrepo.Options{LocalOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	hashes := func(cs []gitrepo.CommitInfo) []string {
		var out []string
		for _, c := range cs {
			out = append(out, c.Hash)
		}
		return out
	}
	// The walk stops at the first-parent chain the caller knows.
	stop := map[string]bool{main[0]: true, main[1]: true}
	got, err := repo.BroughtIn(merge, stop, 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{side[1], side[0]}; !slices.Equal(hashes(got), want) {
		t.Errorf("brought in %v, want %v", hashes(got), want)
	}
	// The limit bounds it, and a commit with one parent brings in nothing.
	if got, err := repo.BroughtIn(merge, nil, 1); err != nil || len(got) != 1 {
		t.Errorf("limit 1: %v, %v", hashes(got), err)
	}
	if got, err := repo.BroughtIn(main[1], nil, 100); err != nil || len(got) != 0 {
		t.Errorf("a plain commit brought in %v, %v", hashes(got), err)
	}
	if b, err := repo.Branch(); err != nil || b != "main" {
		t.Errorf("branch %q, %v", b, err)
	}
	git(t, dir, "checkout", "-q", "--detach")
	if b, err := repo.Branch(); err != nil || b != "" {
		t.Errorf("detached: branch %q, %v", b, err)
	}
}

func TestOriginName(t *testing.T) {
	requireGit(t)
	for _, tc := range []struct{ url, want string }{
		{"https://x-access-token:ghs_secret@github.com/acme/register.git?x=1#f", "https://github.com/acme/register"},
		{"https://github.com/acme/register", "https://github.com/acme/register"},
		{"git@github.com:acme/register.git", "github.com:acme/register.git"},
		{"/srv/git/register.git", ""},
		{"file:///srv/git/register.git", ""},
		{"", ""},
	} {
		dir := t.TempDir()
		git(t, dir, "init", "-q", "-b", "main")
		if tc.url != "" {
			git(t, dir, "remote", "add", "origin", tc.url)
		}
		repo, err := gitrepo.Open(dir, gitrepo.Options{LocalOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got := repo.OriginName(); got != tc.want {
			t.Errorf("origin %q: named %q, want %q", tc.url, got, tc.want)
		}
	}
}
