package gittest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Dates returns the environment entries that set git's author and
// committer date to when, in when's own zone (its offset is what git
// records).
func Dates(when time.Time) []string {
	d := gitDate(when)
	return []string{"GIT_AUTHOR_DATE=" + d, "GIT_COMMITTER_DATE=" + d}
}

// gitDate is git's raw date format: seconds since the epoch and the zone
// offset, e.g. "@1741694400 -1200".
func gitDate(when time.Time) string {
	return fmt.Sprintf("@%d %s", when.Unix(), when.Format("-0700"))
}

// GitAt runs git like Git, with author and committer date when.
func GitAt(t testing.TB, dir string, when time.Time, args ...string) string {
	t.Helper()
	return GitEnv(t, dir, Dates(when), args...)
}

// GitEnv runs git like Git, with extra environment entries ("KEY=value")
// that override Env's, e.g. GIT_COMMITTER_NAME for who merged.
func GitEnv(t testing.TB, dir string, extra []string, args ...string) string {
	t.Helper()
	return run(t, dir, extra, nil, args...)
}

func run(t testing.TB, dir string, extra []string, stdin []byte, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(Env(), extra...) // exec keeps the last of equal keys
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// Commit is one commit Import writes.
type Commit struct {
	// When is the author and committer date, in its own zone.
	When time.Time
	// Author and Committer are "Name <email>"; empty means
	// "Test <test@example.com>". Committer empty: the author.
	Author, Committer string
	// Message; empty means "commit <n>" (n counts from 1).
	Message string
	// Files sets each path (slash-separated) to its content, mode 100644.
	Files map[string]string
	// Delete removes paths (files or whole folders).
	Delete []string
}

// Import appends commits to branch in the repository at dir with one
// git fast-import, much faster than a git commit per commit (365 commits of
// a 100-file register take well under a second), and returns their hashes
// in order. A branch that does not exist yet starts with the first commit
// as its root. Only objects and the branch change: when branch is checked
// out, bring the working tree along with `git reset -q --hard`.
func Import(t testing.TB, dir, branch string, commits []Commit) []string {
	t.Helper()
	ref := "refs/heads/" + branch
	var s bytes.Buffer
	for i, c := range commits {
		author := c.Author
		if author == "" {
			author = "Test <test@example.com>"
		}
		committer := c.Committer
		if committer == "" {
			committer = author
		}
		msg := c.Message
		if msg == "" {
			msg = fmt.Sprintf("commit %d\n", i+1)
		}
		d := strings.TrimPrefix(gitDate(c.When), "@")
		fmt.Fprintf(&s, "commit %s\nmark :%d\nauthor %s %s\ncommitter %s %s\ndata %d\n%s\n", ref, i+1, author, d, committer, d, len(msg), msg)
		if i == 0 && branchExists(dir, ref) {
			fmt.Fprintf(&s, "from %s^0\n", ref)
		}
		for _, p := range c.Delete {
			fmt.Fprintf(&s, "D %s\n", p)
		}
		paths := make([]string, 0, len(c.Files))
		for p := range c.Files {
			paths = append(paths, p)
		}
		slices.Sort(paths)
		for _, p := range paths {
			fmt.Fprintf(&s, "M 100644 inline %s\ndata %d\n%s\n", p, len(c.Files[p]), c.Files[p])
		}
		s.WriteString("\n")
	}
	marks := filepath.Join(t.TempDir(), "marks")
	run(t, dir, nil, s.Bytes(), "fast-import", "--quiet", "--export-marks="+marks)
	raw, err := os.ReadFile(marks)
	if err != nil {
		t.Fatal(err)
	}
	hashes := make([]string, len(commits))
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var n int
		var h string
		if _, err := fmt.Sscanf(line, ":%d %s", &n, &h); err != nil || n < 1 || n > len(commits) {
			t.Fatalf("fast-import marks: bad line %q", line)
		}
		hashes[n-1] = h
	}
	return hashes
}

func branchExists(dir, ref string) bool {
	cmd := exec.Command("git", "rev-parse", "-q", "--verify", ref)
	cmd.Dir = dir
	cmd.Env = Env()
	return cmd.Run() == nil
}
