package gitrepo_test

import (
	"fmt"
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
	// What git log merge^1..merge lists: the side's commits, never the
	// fork point or anything older, which the first parent holds too.
	known, err := repo.Ancestors(main[1])
	if err != nil {
		t.Fatal(err)
	}
	known.Add(strings.TrimSpace(git(t, dir, "rev-parse", merge+"^1")))
	got, err := repo.BroughtIn(merge, known)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(git(t, dir, "rev-list", merge+"^1.."+merge+"^2"))
	if !slices.Equal(hashes(got), want) || !slices.Equal(want, []string{side[1], side[0]}) {
		t.Errorf("brought in %v, want %v (git rev-list: %v)", hashes(got), []string{side[1], side[0]}, want)
	}
	// A commit with one parent brings in nothing.
	if got, err := repo.BroughtIn(main[1], known); err != nil || len(got) != 0 {
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

// TestBroughtInMatchesGit holds BroughtIn to git rev-list on merges of
// branches forked long ago, built on other merged branches, and merged
// back and forth, with commit times in order, all in one second, and
// skewed (children older than their parents): BroughtIn reads no time.
func TestBroughtInMatchesGit(t *testing.T) {
	requireGit(t)
	base := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for name, at := range map[string]func(n int) time.Time{
		"in order":      func(n int) time.Time { return base.Add(time.Duration(n) * time.Hour) },
		"one second":    func(int) time.Time { return base },
		"clocks skewed": func(n int) time.Time { return base.Add(time.Duration(n%3*-2+n) * time.Hour) },
	} {
		t.Run(name, func(t *testing.T) {
			dir, merges := mergeHistory(t, at)
			repo, err := gitrepo.Open(dir, gitrepo.Options{LocalOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range merges {
				known, err := repo.Ancestors(strings.TrimSpace(git(t, dir, "rev-parse", m+"^1")))
				if err != nil {
					t.Fatal(err)
				}
				got, err := repo.BroughtIn(m, known)
				if err != nil {
					t.Fatal(err)
				}
				var hs []string
				for _, c := range got {
					hs = append(hs, c.Hash)
				}
				// Every commit the merge reaches and its first parent does
				// not, but the merge itself (an octopus has more than ^2).
				want := slices.DeleteFunc(strings.Fields(git(t, dir, "rev-list", m, "^"+m+"^1")), func(h string) bool { return h == m })
				slices.Sort(hs)
				slices.Sort(want)
				if !slices.Equal(hs, want) {
					t.Errorf("merge %s: brought in %v, git rev-list says %v", m[:12], hs, want)
				}
			}
		})
	}
}

// mergeHistory makes a repository whose merges bring in branches forked
// early, stacked on each other, and merged back and forth; at gives the
// n-th commit's time. It returns the merges, oldest first.
func mergeHistory(t *testing.T, at func(n int) time.Time) (dir string, merges []string) {
	dir = t.TempDir()
	git(t, dir, "init", "-q", "-b", "main")
	n := 0
	commit := func(branch, file string) {
		if n > 0 {
			git(t, dir, "checkout", "-q", branch)
		}
		n++
		writeFile(t, dir+"/"+file, file, 0o644)
		git(t, dir, "add", file)
		gittest.GitAt(t, dir, at(n), "commit", "-q", "-m", branch+" "+file)
	}
	merge := func(into, from string) {
		git(t, dir, "checkout", "-q", into)
		n++
		gittest.GitAt(t, dir, at(n), "merge", "-q", "--no-ff", "-m", "Merge "+from+" into "+into, from)
		merges = append(merges, strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	}
	commit("main", "m1")
	git(t, dir, "branch", "old", "main") // forked early, merged late
	for i := range 5 {
		commit("main", fmt.Sprintf("m%d", i+2))
	}
	commit("old", "o1")
	git(t, dir, "branch", "stacked", "old") // built on old
	commit("stacked", "s1")
	git(t, dir, "branch", "cross", "main")
	commit("cross", "c1")
	merge("old", "main") // main merged into the branch
	commit("old", "o2")
	merge("main", "old")
	commit("stacked", "s2")
	merge("main", "stacked")
	merge("main", "cross")
	git(t, dir, "checkout", "-q", "-b", "octo", "main")
	commit("octo", "x1")
	git(t, dir, "checkout", "-q", "-b", "octo2", "main")
	commit("octo2", "y1")
	git(t, dir, "checkout", "-q", "main")
	n++
	gittest.GitAt(t, dir, at(n), "merge", "-q", "--no-ff", "-m", "Merge octo and octo2", "octo", "octo2")
	merges = append(merges, strings.TrimSpace(git(t, dir, "rev-parse", "HEAD")))
	return dir, merges
}

func TestOriginName(t *testing.T) {
	requireGit(t)
	for _, tc := range []struct{ url, want string }{
		{"https://x-access-token:ghs_secret@github.com/acme/register.git?x=1#f", "https://github.com/acme/register"},
		{"https://github.com/acme/register", "https://github.com/acme/register"},
		{"git@github.com:acme/register.git", "github.com:acme/register.git"},
		{"x-access-token:ghp_S3CRETS3CRETS3CRET@github.com:acme/register.git", "github.com:acme/register.git"},
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
