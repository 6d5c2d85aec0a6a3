package gitrepo_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const (
	credPath   = "credential_rotation/payments-db-admin.yaml"
	nestedPath = "credential_rotation/team/nested.yaml"
	branch     = "rotor/record/payments-db-admin"
)

func open(t *testing.T, dir string, opts gitrepo.Options) *gitrepo.Repo {
	t.Helper()
	r, err := gitrepo.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	return r
}

func newCommit(t *testing.T, r *gitrepo.Repo, path, content string) string {
	t.Helper()
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	h, err := r.CreateCommit(rotation.Commit{
		Base:    head,
		Path:    path,
		Content: []byte(content),
		Message: "Record rotation of payments-db-admin\n",
		Author:  rotation.Signature{Name: "rotor", Email: "rotor@example.com", When: when},
	})
	if err != nil {
		t.Fatalf("CreateCommit: %v", err)
	}
	return h
}

func TestOpen(t *testing.T) {
	f := newFixture(t, nil)
	setURL := func(t *testing.T, u string) string {
		dir := filepath.Join(t.TempDir(), "wc")
		git(t, filepath.Dir(dir), "init", "-q", dir)
		if u != "" {
			git(t, dir, "remote", "add", "origin", u)
		}
		return dir
	}
	tests := []struct {
		name    string
		dir     func(t *testing.T) string
		wantErr string // "" means Open succeeds
		notIn   string // must not appear in the error
	}{
		{name: "not a repository", dir: func(t *testing.T) string { return t.TempDir() }, wantErr: "is not in a git repository"},
		{name: "no origin", dir: func(t *testing.T) string { return setURL(t, "") }, wantErr: `has no remote "origin"`},
		{name: "ssh", dir: func(t *testing.T) string { return setURL(t, "git@github.com:owner/repo.git") }, wantErr: "SSH address"},
		{name: "ssh URL", dir: func(t *testing.T) string { return setURL(t, "ssh://git@github.com/owner/repo.git") }, wantErr: `uses "ssh"`},
		{name: "plain http", dir: func(t *testing.T) string { return setURL(t, "http://github.com/owner/repo") }, wantErr: "plain http"},
		{name: "plain http with a token in the query", dir: func(t *testing.T) string {
			return setURL(t, "http://github.com/owner/repo.git?access_token=s3cr3tquery#s3cr3tfragment")
		}, wantErr: "plain http", notIn: "s3cr3t"},
		{name: "password in URL", dir: func(t *testing.T) string { return setURL(t, "https://x-access-token:s3cr3tpass@github.com/owner/repo") }, wantErr: "embeds a password", notIn: "s3cr3tpass"},
		{name: "password in http URL", dir: func(t *testing.T) string { return setURL(t, "http://u:s3cr3tpass@example.com/r") }, wantErr: "embeds a password", notIn: "s3cr3tpass"},
		{name: "two URLs", dir: func(t *testing.T) string {
			d := setURL(t, "https://github.com/owner/repo")
			git(t, d, "remote", "set-url", "--add", "--push", "origin", "https://github.com/owner/other")
			return d
		}, wantErr: "has 2 URLs"},
		{name: "bare", dir: func(t *testing.T) string { return f.origin }, wantErr: "is not in a git repository"},
		{name: "https", dir: func(t *testing.T) string { return setURL(t, "https://github.com/owner/repo") }},
		{name: "user name only", dir: func(t *testing.T) string { return setURL(t, "https://x-access-token@github.com/owner/repo") }},
		{name: "http loopback", dir: func(t *testing.T) string { return setURL(t, "http://127.0.0.1:8080/origin.git") }},
		{name: "http localhost", dir: func(t *testing.T) string { return setURL(t, "http://localhost/origin.git") }},
		{name: "file URL", dir: func(t *testing.T) string { return f.clone }},
		{name: "local path", dir: func(t *testing.T) string { return setURL(t, f.origin) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := gitrepo.Open(tt.dir(t), gitrepo.Options{Token: testToken})
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Open: %v", err)
			case tt.wantErr != "" && err == nil:
				t.Fatalf("Open succeeded, want an error with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr):
				t.Fatalf("Open: %v\nwant an error with %q", err, tt.wantErr)
			case err != nil && tt.notIn != "" && strings.Contains(err.Error(), tt.notIn):
				t.Fatalf("Open: the error repeats %q: %v", tt.notIn, err)
			}
		})
	}

	t.Run("finds the root from a subfolder", func(t *testing.T) {
		r := open(t, filepath.Join(f.clone, "credential_rotation", "team"), gitrepo.Options{})
		want, _ := filepath.EvalSymlinks(f.clone)
		got, _ := filepath.EvalSymlinks(r.Root())
		if got != want {
			t.Fatalf("Root() = %q, want %q", got, want)
		}
	})
}

func TestHeadShallowFileAt(t *testing.T) {
	f := newFixture(t, nil)
	r := open(t, f.clone, gitrepo.Options{})
	head, err := r.Head()
	if err != nil {
		t.Fatal(err)
	}
	if want := git(t, f.clone, "rev-parse", "HEAD"); head != want {
		t.Fatalf("Head() = %s, want %s", head, want)
	}
	if shallow, err := r.Shallow(); err != nil || !shallow {
		t.Fatalf("Shallow() = %v, %v; want true for a depth-1 clone", shallow, err)
	}
	if shallow, err := open(t, f.seed, gitrepo.Options{}).Shallow(); err != nil || shallow {
		t.Fatalf("Shallow() of a full repository = %v, %v; want false", shallow, err)
	}

	got, err := r.FileAt(head, nestedPath)
	if err != nil {
		t.Fatal(err)
	}
	if want, _ := os.ReadFile(filepath.Join(f.clone, filepath.FromSlash(nestedPath))); !bytes.Equal(got, want) {
		t.Fatalf("FileAt = %q, want %q", got, want)
	}

	errTests := []struct {
		name, commit, path, want string
	}{
		{"missing file", head, "credential_rotation/nope.yaml", "is not in commit"},
		{"missing folder", head, "nope/x.yaml", "is not in commit"},
		{"a folder", head, "credential_rotation/team", "not a regular file"},
		{"a symlink", head, "credential_rotation/link.yaml", "not a regular file"},
		{"dot-dot", head, "credential_rotation/../README.md", "must be clean"},
		{"absolute", head, "/README.md", "must be relative"},
		{"into .git", head, ".git/config", "must not reach into .git"},
		{"short hash", head[:7], "README.md", "not a full commit hash"},
		{"unknown commit", strings.Repeat("ab", 20), "README.md", "is not in the repository"},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.FileAt(tt.commit, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("FileAt(%q) = %v, want an error with %q", tt.path, err, tt.want)
			}
		})
	}
	if _, err := r.FileAt(head, "nope.yaml"); !errors.Is(err, gitrepo.ErrNotFound) {
		t.Fatalf("FileAt of a missing file: %v, want ErrNotFound", err)
	}
}

func TestCreateCommit(t *testing.T) {
	f := newFixture(t, nil)
	r := open(t, f.clone, gitrepo.Options{})
	head, _ := r.Head()
	refsBefore := git(t, f.clone, "for-each-ref")
	content := "id: nested\nlast_rotated: 2025-03-04\n"

	c1 := newCommit(t, r, nestedPath, content)
	c2 := newCommit(t, open(t, f.clone, gitrepo.Options{}), nestedPath, content)
	if c1 != c2 {
		t.Fatalf("equal inputs gave %s and %s", c1, c2)
	}

	// Exactly one file changed, with its mode kept.
	if got, want := git(t, f.clone, "diff-tree", "-r", "--no-commit-id", "--name-status", head, c1), "M\t"+nestedPath; got != want {
		t.Fatalf("diff-tree = %q, want %q", got, want)
	}
	if got := git(t, f.clone, "show", c1+":"+nestedPath); got+"\n" != content {
		t.Fatalf("content at the new commit = %q", got)
	}
	if got := git(t, f.clone, "log", "-1", "--format=%P|%an <%ae> %ad|%cn <%ce> %cd|%s|%G?", "--date=raw", c1); got != head+"|rotor <rotor@example.com> 1741061167 +0100|rotor <rotor@example.com> 1741061167 +0100|Record rotation of payments-db-admin|N" {
		t.Fatalf("commit header = %q", got)
	}
	git(t, f.clone, "fsck", "--no-dangling") // the objects are well formed

	// An executable keeps its mode.
	c3 := newCommit(t, r, "scripts/rotate.sh", "#!/bin/sh\necho rotated\n")
	if got := git(t, f.clone, "diff-tree", "-r", "--no-commit-id", "--raw", head, c3); !strings.HasPrefix(got, ":100755 100755 ") || !strings.HasSuffix(got, "\tscripts/rotate.sh") {
		t.Fatalf("diff-tree = %q, want one change of scripts/rotate.sh keeping mode 100755", got)
	}
	// A file at the root.
	c4 := newCommit(t, r, "README.md", "changed\n")
	if got := git(t, f.clone, "diff-tree", "-r", "--no-commit-id", "--name-only", head, c4); got != "README.md" {
		t.Fatalf("diff-tree = %q", got)
	}

	// Nothing outside the object store moved.
	if got := git(t, f.clone, "status", "--porcelain"); got != "" {
		t.Fatalf("git status after CreateCommit:\n%s", got)
	}
	if got := git(t, f.clone, "rev-parse", "HEAD"); got != head {
		t.Fatalf("HEAD moved to %s", got)
	}
	if got := git(t, f.clone, "for-each-ref"); got != refsBefore {
		t.Fatalf("refs changed:\n%s\nwant:\n%s", got, refsBefore)
	}

	base := rotation.Commit{Base: head, Path: credPath, Content: []byte("x\n"), Message: "m", Author: rotation.Signature{Name: "rotor", Email: "rotor@example.com", When: when}}
	errTests := []struct {
		name   string
		change func(c *rotation.Commit)
		want   string
		is     error
	}{
		{"unchanged content", func(c *rotation.Commit) { c.Content, _ = r.FileAt(head, credPath) }, "content unchanged", gitrepo.ErrUnchanged},
		{"new file", func(c *rotation.Commit) { c.Path = "credential_rotation/new.yaml" }, "only changes files that exist", gitrepo.ErrNotFound},
		{"a folder", func(c *rotation.Commit) { c.Path = "credential_rotation/team" }, "not a regular file", nil},
		{"through a file", func(c *rotation.Commit) { c.Path = "README.md/x" }, "is not a folder", nil},
		{"a symlink", func(c *rotation.Commit) { c.Path = "credential_rotation/link.yaml" }, "not a regular file", nil},
		{"unclean path", func(c *rotation.Commit) { c.Path = "./README.md" }, "must be clean", nil},
		{"unknown base", func(c *rotation.Commit) { c.Base = strings.Repeat("0", 40) }, "is not in the repository", nil},
		{"newline in name", func(c *rotation.Commit) { c.Author.Name = "a\nb" }, "line break", nil},
		{"no email", func(c *rotation.Commit) { c.Author.Email = "" }, "needs a name and an email", nil},
		{"no time", func(c *rotation.Commit) { c.Author.When = time.Time{} }, "has no time", nil},
		{"empty message", func(c *rotation.Commit) { c.Message = "\n" }, "message is empty", nil},
	}
	for _, tt := range errTests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			_, err := r.CreateCommit(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("CreateCommit = %v, want an error with %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Fatalf("CreateCommit = %v, want it to match %v", err, tt.is)
			}
		})
	}
}

// pushFixture is a depth-1 clone whose origin is served over HTTP, with
// origin's main one commit ahead of the clone (someone pushed meanwhile).
func pushFixture(t *testing.T) (*fixture, *gitServer) {
	f := newFixture(t, nil)
	f.advanceOrigin(t)
	srv := newGitServer(t, f.dir)
	git(t, f.clone, "remote", "set-url", "origin", srv.URL+"/origin.git")
	return f, srv
}

func remoteRef(t *testing.T, f *fixture, name string) string {
	t.Helper()
	cmd := []string{"--git-dir", f.origin, "for-each-ref", "--format=%(objectname)", "refs/heads/" + name}
	return git(t, f.dir, cmd...)
}

func looseObjects(t *testing.T, f *fixture) int {
	t.Helper()
	var n int
	out := git(t, f.dir, "--git-dir", f.origin, "count-objects")
	if _, err := fmt.Sscanf(out, "%d objects", &n); err != nil {
		t.Fatalf("count-objects: %q: %v", out, err)
	}
	return n
}

func TestPushFromShallowClone(t *testing.T) {
	f, srv := pushFixture(t)
	r := open(t, f.clone, gitrepo.Options{Token: testToken})
	ctx := context.Background()
	head, _ := r.Head()

	if got, err := r.RemoteBranch(ctx, branch); err != nil || got != "" {
		t.Fatalf("RemoteBranch before the push = %q, %v; want \"\"", got, err)
	}
	if n := srv.Requests.Swap(0); n != 1 {
		t.Fatalf("RemoteBranch made %d requests, want 1", n)
	}

	c1 := newCommit(t, r, credPath, "id: payments-db-admin\nlast_rotated: 2025-03-04\n")
	before := looseObjects(t, f)
	if err := r.Push(ctx, c1, branch); err != nil {
		t.Fatalf("Push: %v", err)
	}
	// The pack held the commit, the blob and the two trees on the path:
	// nothing origin had (receive-pack unpacks small packs into loose objects).
	if got := looseObjects(t, f) - before; got != 4 {
		t.Fatalf("origin gained %d objects, want 4", got)
	}
	if n := srv.Requests.Swap(0); n != 2 {
		t.Fatalf("Push made %d requests, want 2 (advertisement, pack)", n)
	}
	if got := remoteRef(t, f, branch); got != c1 {
		t.Fatalf("origin's %s = %q, want %s", branch, got, c1)
	}
	// Origin holds exactly that commit, on top of the clone's HEAD.
	if got := git(t, f.dir, "--git-dir", f.origin, "log", "-1", "--format=%H %P %s", "refs/heads/"+branch); got != c1+" "+head+" Record rotation of payments-db-admin" {
		t.Fatalf("origin's log = %q", got)
	}
	if got := git(t, f.dir, "--git-dir", f.origin, "show", c1+":"+credPath); got != "id: payments-db-admin\nlast_rotated: 2025-03-04" {
		t.Fatalf("origin's file = %q", got)
	}
	git(t, f.dir, "--git-dir", f.origin, "fsck", "--no-dangling")
	if got, err := r.RemoteBranch(ctx, branch); err != nil || got != c1 {
		t.Fatalf("RemoteBranch after the push = %q, %v; want %s", got, err, c1)
	}
	srv.Requests.Store(0)

	// A second commit for the same branch replaces the first (not a
	// fast-forward: both sit on HEAD).
	c2 := newCommit(t, r, credPath, "id: payments-db-admin\nlast_rotated: 2025-03-05\n")
	if err := r.Push(ctx, c2, branch); err != nil {
		t.Fatalf("second Push: %v", err)
	}
	if got := remoteRef(t, f, branch); got != c2 {
		t.Fatalf("origin's %s = %q after the second push, want %s", branch, got, c2)
	}
	if n := srv.Requests.Swap(0); n != 2 {
		t.Fatalf("second Push made %d requests, want 2", n)
	}

	// Pushing what origin already has sends no pack.
	if err := r.Push(ctx, c2, branch); err != nil {
		t.Fatalf("repeated Push: %v", err)
	}
	if n := srv.Requests.Swap(0); n != 1 {
		t.Fatalf("repeated Push made %d requests, want 1", n)
	}
	if got := git(t, f.clone, "for-each-ref", "refs/remotes/origin/rotor"); got != "" {
		t.Fatalf("Push wrote local refs: %s", got)
	}
}

func TestPushFileRemote(t *testing.T) {
	f := newFixture(t, nil)
	r := open(t, f.clone, gitrepo.Options{})
	c := newCommit(t, r, nestedPath, "changed\n")
	if err := r.Push(context.Background(), c, branch); err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got := remoteRef(t, f, branch); got != c {
		t.Fatalf("origin's %s = %q, want %s", branch, got, c)
	}
	if got, err := r.RemoteBranch(context.Background(), branch); err != nil || got != c {
		t.Fatalf("RemoteBranch = %q, %v; want %s", got, err, c)
	}
}

func TestPushFromFullClone(t *testing.T) {
	f := newFixture(t, nil)
	srv := newGitServer(t, f.dir)
	git(t, f.seed, "remote", "set-url", "origin", srv.URL+"/origin.git")
	r := open(t, f.seed, gitrepo.Options{Token: testToken})
	c := newCommit(t, r, nestedPath, "changed\n")
	before := looseObjects(t, f)
	if err := r.Push(context.Background(), c, branch); err != nil {
		t.Fatalf("Push: %v", err)
	}
	if got := remoteRef(t, f, branch); got != c {
		t.Fatalf("origin's %s = %q, want %s", branch, got, c)
	}
	// commit, blob, and three trees: root, credential_rotation, team.
	if got := looseObjects(t, f) - before; got != 5 {
		t.Fatalf("origin gained %d objects, want 5", got)
	}
}

func TestPushRefused(t *testing.T) {
	tests := []struct {
		name     string
		token    string
		readOnly bool
		want     []string
	}{
		{"wrong token", "ghs_wrongtoken_9876543210", false, []string{"refused with HTTP 401", "did not accept the token", `"Contents: read and write"`, "Invalid username or token"}},
		{"no token", "", false, []string{"refused with HTTP 401", "none was given"}},
		{"read-only token", testToken, true, []string{"refused with HTTP 403", `"Contents: read and write"`, "Write access to repository not granted"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, srv := pushFixture(t)
			srv.ReadOnly.Store(tt.readOnly)
			r := open(t, f.clone, gitrepo.Options{Token: tt.token})
			c := newCommit(t, r, credPath, "changed\n")
			err := r.Push(context.Background(), c, branch)
			if !errors.Is(err, gitrepo.ErrAccessDenied) {
				t.Fatalf("Push = %v, want ErrAccessDenied", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q: %v", w, err)
				}
			}
			if tt.token != "" && strings.Contains(err.Error(), tt.token) {
				t.Errorf("error repeats the token: %v", err)
			}
			if n := srv.Requests.Load(); n != 1 {
				t.Errorf("Push made %d requests, want 1 (no retries)", n)
			}
			if got := remoteRef(t, f, branch); got != "" {
				t.Errorf("origin has %s = %s after a refused push", branch, got)
			}
		})
	}
}

func TestPushRejectedUpdate(t *testing.T) {
	f, srv := pushFixture(t)
	// A hook that declines every update, like a ruleset on GitHub.
	writeFile(t, filepath.Join(f.origin, "hooks", "pre-receive"), "#!/bin/sh\necho 'rules forbid this' >&2\nexit 1\n", 0o755)
	r := open(t, f.clone, gitrepo.Options{Token: testToken})
	c := newCommit(t, r, credPath, "changed\n")
	err := r.Push(context.Background(), c, branch)
	if !errors.Is(err, gitrepo.ErrRejected) || !strings.Contains(err.Error(), `origin refused the update: "pre-receive hook declined"; origin said: "rules forbid this`) {
		t.Fatalf("Push = %v, want ErrRejected", err)
	}
	if n := srv.Requests.Load(); n != 2 {
		t.Errorf("Push made %d requests, want 2", n)
	}
	if got := remoteRef(t, f, branch); got != "" {
		t.Errorf("origin has %s = %s after a rejected push", branch, got)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	f := newFixture(t, nil)
	other := newCountingServer(t)
	redirect := newRedirectServer(t, other.URL)
	git(t, f.clone, "remote", "set-url", "origin", redirect.URL+"/origin.git")
	r := open(t, f.clone, gitrepo.Options{Token: testToken})
	c := newCommit(t, r, credPath, "changed\n")

	err := r.Push(context.Background(), c, branch)
	if !errors.Is(err, gitrepo.ErrRedirect) || !strings.Contains(err.Error(), "redirect to "+other.URL+"/origin.git,") {
		t.Fatalf("Push = %v, want ErrRedirect", err)
	}
	if strings.Contains(err.Error(), testToken) {
		t.Fatalf("error repeats the token: %v", err)
	}
	if _, err := r.RemoteBranch(context.Background(), branch); !errors.Is(err, gitrepo.ErrRedirect) {
		t.Fatalf("RemoteBranch = %v, want ErrRedirect", err)
	}
	if n := redirect.Requests.Load(); n != 2 {
		t.Errorf("the redirecting server got %d requests, want 2 (one per call)", n)
	}
	if n, a := other.requests.Load(), other.withAuth.Load(); n != 0 || a != 0 {
		t.Errorf("the redirect target got %d requests (%d with Authorization), want none", n, a)
	}
}

func TestPushTooShallow(t *testing.T) {
	// A clone that lost its shallow list: HEAD's parent is missing and
	// nothing marks the boundary, and origin no longer advertises HEAD.
	f, srv := pushFixture(t)
	if err := os.Remove(filepath.Join(f.clone, ".git", "shallow")); err != nil {
		t.Fatal(err)
	}
	r := open(t, f.clone, gitrepo.Options{Token: testToken})
	c := newCommit(t, r, credPath, "changed\n")
	err := r.Push(context.Background(), c, branch)
	if !errors.Is(err, gitrepo.ErrShallow) || !strings.Contains(err.Error(), "fetch-depth: 0") || !strings.Contains(err.Error(), "nothing was pushed") {
		t.Fatalf("Push = %v, want ErrShallow naming fetch-depth: 0", err)
	}
	if n := srv.Requests.Load(); n != 1 {
		t.Errorf("Push made %d requests, want 1 (the advertisement only)", n)
	}
	if got := remoteRef(t, f, branch); got != "" {
		t.Errorf("origin has %s = %s", branch, got)
	}
}

func TestNetworkArguments(t *testing.T) {
	f, srv := pushFixture(t)
	r := open(t, f.clone, gitrepo.Options{Token: testToken})
	c := newCommit(t, r, credPath, "changed\n")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Push(ctx, c, branch); !errors.Is(err, context.Canceled) {
		t.Errorf("Push with a cancelled context = %v, want context.Canceled", err)
	}
	for _, b := range []string{"", "refs/heads/x", "a..b", "a b", "-x", "x.lock"} {
		if err := r.Push(context.Background(), c, b); err == nil {
			t.Errorf("Push to branch %q succeeded", b)
		}
	}
	if err := r.Push(context.Background(), strings.Repeat("1", 40), branch); err == nil {
		t.Errorf("Push of an unknown commit succeeded")
	}
	if n := srv.Requests.Load(); n != 0 {
		t.Errorf("%d requests for calls that should fail before the network", n)
	}
}

func BenchmarkCreateCommit(b *testing.B) {
	files := make(map[string]string, 100)
	line := strings.Repeat("x", 60) + "\n"
	for i := range 100 {
		files[fmt.Sprintf("credential_rotation/cred-%03d.yaml", i)] = fmt.Sprintf("id: cred-%03d\n", i) + strings.Repeat(line, 30<<10/len(line))
	}
	f := newFixture(b, files)
	r, err := gitrepo.Open(f.clone, gitrepo.Options{})
	if err != nil {
		b.Fatal(err)
	}
	head, _ := r.Head()
	content := []byte(files["credential_rotation/cred-042.yaml"])
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		c := append(content[:len(content):len(content)], fmt.Sprintf("rotated: %d\n", i)...)
		if _, err := r.CreateCommit(rotation.Commit{
			Base: head, Path: "credential_rotation/cred-042.yaml", Content: c, Message: "m\n",
			Author: rotation.Signature{Name: "rotor", Email: "rotor@example.com", When: when},
		}); err != nil {
			b.Fatal(err)
		}
	}
}
