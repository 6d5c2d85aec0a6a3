package gitrepo_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

const testToken = "ghs_testtoken0123456789abcdefABCDEF"

// when is the fixed time of every commit the tests make.
var when = time.Date(2025, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))

func requireGit(t testing.TB) { t.Helper(); gittest.Require(t) }

func git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	return gittest.Git(t, dir, args...)
}

func writeFile(t testing.TB, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}

// fixture is a bare origin with a few commits and a depth-1 clone of it.
type fixture struct {
	dir    string // holds origin.git
	origin string // the bare repository
	clone  string // depth-1 clone, origin set to file://…/origin.git
	seed   string // the non-bare repository that built origin
}

// newFixture builds origin.git with three commits on main and clones it
// with --depth 1. files maps paths to contents for the last commit.
func newFixture(t testing.TB, files map[string]string) *fixture {
	t.Helper()
	requireGit(t)
	dir := t.TempDir()
	f := &fixture{
		dir:    dir,
		origin: filepath.Join(dir, "origin.git"),
		clone:  filepath.Join(dir, "clone"),
		seed:   filepath.Join(dir, "seed"),
	}
	git(t, dir, "init", "-q", "--bare", "-b", "main", f.origin)
	git(t, f.origin, "config", "http.receivepack", "true")
	git(t, dir, "init", "-q", "-b", "main", f.seed)
	writeFile(t, filepath.Join(f.seed, "README.md"), "first\n", 0o644)
	git(t, f.seed, "add", "-A")
	git(t, f.seed, "commit", "-q", "-m", "one")
	writeFile(t, filepath.Join(f.seed, "README.md"), "second\n", 0o644)
	git(t, f.seed, "commit", "-q", "-am", "two")
	for p, c := range files {
		writeFile(t, filepath.Join(f.seed, filepath.FromSlash(p)), c, 0o644)
	}
	writeFile(t, filepath.Join(f.seed, "credential_rotation", "payments-db-admin.yaml"), "id: payments-db-admin\nlast_rotated: 2024-01-01\n", 0o644)
	writeFile(t, filepath.Join(f.seed, "credential_rotation", "team", "nested.yaml"), "id: nested\nlast_rotated: 2024-02-02\n", 0o644)
	writeFile(t, filepath.Join(f.seed, "scripts", "rotate.sh"), "#!/bin/sh\necho rotate\n", 0o755)
	if err := os.Symlink("payments-db-admin.yaml", filepath.Join(f.seed, "credential_rotation", "link.yaml")); err != nil {
		t.Fatal(err)
	}
	git(t, f.seed, "add", "-A")
	git(t, f.seed, "commit", "-q", "-m", "three")
	git(t, f.seed, "remote", "add", "origin", f.origin)
	git(t, f.seed, "push", "-q", f.origin, "main")
	git(t, dir, "clone", "-q", "--depth", "1", "file://"+f.origin, f.clone)
	return f
}

// advanceOrigin adds a commit to origin's main that the clone lacks.
func (f *fixture) advanceOrigin(t testing.TB) {
	t.Helper()
	writeFile(t, filepath.Join(f.seed, "README.md"), "fourth\n", 0o644)
	git(t, f.seed, "commit", "-q", "-am", "four")
	git(t, f.seed, "push", "-q", f.origin, "main")
}

// gitServer is origin over smart HTTP, behind basic auth with testToken.
type gitServer = gittest.Server

func newGitServer(t testing.TB, root string) *gitServer {
	t.Helper()
	return gittest.NewServer(t, root, testToken)
}

// countingServer records every request it receives and answers 500.
type countingServer struct {
	*httptest.Server
	requests atomic.Int64
	withAuth atomic.Int64
}

func newCountingServer(t testing.TB) *countingServer {
	s := &countingServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		if r.Header.Get("Authorization") != "" {
			s.withAuth.Add(1)
		}
		http.Error(w, "nothing here", http.StatusInternalServerError)
	}))
	t.Cleanup(s.Close)
	return s
}

// redirectServer answers every request with a 302 to the same path on to.
func newRedirectServer(t testing.TB, to string) *gitServer {
	s := &gitServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		http.Redirect(w, r, to+r.URL.RequestURI(), http.StatusFound)
	}))
	t.Cleanup(s.Close)
	return s
}
