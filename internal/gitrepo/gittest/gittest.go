// Package gittest gives tests real git: the git CLI in a clean, fixed
// environment, and a bare repository served over smart HTTP by git's own
// http-backend behind GitHub-style basic auth (user x-access-token), so a
// push travels the same path as from GitHub Actions.
package gittest

import (
	"io"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// User is the basic-auth user GitHub expects with a token.
const User = "x-access-token"

// Require skips the test when the git CLI is missing.
func Require(t testing.TB) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
}

// Env is the environment every git of a test runs in: no user or system
// configuration, a fixed identity and date, no prompts, no fsync.
func Env() []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + filepath.Join(os.TempDir(), "gittest-no-home"),
		"GIT_CONFIG_NOSYSTEM=1",
		"GIT_CONFIG_GLOBAL=" + os.DevNull,
		"GIT_AUTHOR_NAME=Test", "GIT_AUTHOR_EMAIL=test@example.com",
		"GIT_COMMITTER_NAME=Test", "GIT_COMMITTER_EMAIL=test@example.com",
		"GIT_AUTHOR_DATE=2025-01-01T00:00:00Z", "GIT_COMMITTER_DATE=2025-01-01T00:00:00Z",
		"GIT_TERMINAL_PROMPT=0",
		// Throwaway repositories need no fsync; on a busy disk it costs seconds.
		"GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=core.fsync", "GIT_CONFIG_VALUE_0=none",
	}
}

// Git runs the git CLI in dir and returns its trimmed standard output; a
// failure fails the test with git's standard error.
func Git(t testing.TB, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = Env()
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	return strings.TrimSpace(string(out))
}

// Server serves the bare repositories under a folder over smart HTTP,
// behind basic auth with one token, counting requests.
type Server struct {
	*httptest.Server
	// Requests counts every request, refused ones included.
	Requests atomic.Int64
	// ReadOnly makes the server answer 403 to pushes, as GitHub does for
	// a token without Contents: write.
	ReadOnly atomic.Bool
}

// NewServer serves the bare repositories in root (each needs
// http.receivepack set to accept pushes), accepting only token.
func NewServer(t testing.TB, root, token string) *Server {
	t.Helper()
	execPath := Git(t, root, "--exec-path")
	backend := &cgi.Handler{
		Path:   filepath.Join(execPath, "git-http-backend"),
		Root:   "/",
		Stderr: io.Discard, // git's messages reach the client in the answer
		Env:    append(Env(), "GIT_PROJECT_ROOT="+root, "GIT_HTTP_EXPORT_ALL=1"),
	}
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Requests.Add(1)
		user, pass, ok := r.BasicAuth()
		if !ok || user != User || pass != token {
			w.Header().Set("WWW-Authenticate", `Basic realm="GitHub"`)
			http.Error(w, "Invalid username or token. Password authentication is not supported for Git operations.", http.StatusUnauthorized)
			return
		}
		push := r.URL.Query().Get("service") == "git-receive-pack" || strings.HasSuffix(r.URL.Path, "/git-receive-pack")
		if push && s.ReadOnly.Load() {
			http.Error(w, "Write access to repository not granted.", http.StatusForbidden)
			return
		}
		backend.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}
