package gitrepo_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/gitrepo"
)

// TestOriginsWordsRedacted: what origin says back (the body of a refusal,
// a hook's output) is quoted with the token and the secrets of every URL
// in it replaced by [redacted].
func TestOriginsWordsRedacted(t *testing.T) {
	const said = "Write access to repository not granted for " + testToken + "; see https://u:LOCSECRET@docs.example.com/x?token=LOCSECRET"
	const want = "Write access to repository not granted for [redacted]; see https://[redacted]@docs.example.com/x?[redacted]"
	check := func(t *testing.T, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
		if strings.Contains(err.Error(), testToken) || strings.Contains(err.Error(), "LOCSECRET") {
			t.Errorf("error %q shows a secret", err)
		}
	}

	t.Run("refusal", func(t *testing.T) {
		f := newFixture(t, nil)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, said, http.StatusForbidden)
		}))
		t.Cleanup(srv.Close)
		git(t, f.clone, "remote", "set-url", "origin", srv.URL+"/origin.git")
		r := open(t, f.clone, gitrepo.Options{Token: testToken})
		_, err := r.RemoteBranch(context.Background(), branch)
		if !errors.Is(err, gitrepo.ErrAccessDenied) {
			t.Fatalf("RemoteBranch = %v, want ErrAccessDenied", err)
		}
		check(t, err)
	})

	t.Run("hook", func(t *testing.T) {
		f, _ := pushFixture(t)
		writeFile(t, filepath.Join(f.origin, "hooks", "pre-receive"), "#!/bin/sh\necho '"+said+"' >&2\nexit 1\n", 0o755)
		r := open(t, f.clone, gitrepo.Options{Token: testToken})
		err := r.Push(context.Background(), newCommit(t, r, credPath, "changed\n"), branch)
		if !errors.Is(err, gitrepo.ErrRejected) {
			t.Fatalf("Push = %v, want ErrRejected", err)
		}
		check(t, err)
	})
}

// TestRedirectTargetRedacted: the refused hop is named as every URL is
// shown, its user and query redacted, without go-git's /info/refs.
func TestRedirectTargetRedacted(t *testing.T) {
	f := newFixture(t, nil)
	other := newCountingServer(t)
	target := strings.Replace(other.URL, "://", "://u:LOCSECRET@", 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target+"/moved.git"+strings.TrimPrefix(r.URL.RequestURI(), "/origin.git")+"&token=LOCSECRET", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	git(t, f.clone, "remote", "set-url", "origin", srv.URL+"/origin.git")
	r := open(t, f.clone, gitrepo.Options{Token: testToken})

	_, err := r.RemoteBranch(context.Background(), branch)
	if !errors.Is(err, gitrepo.ErrRedirect) {
		t.Fatalf("RemoteBranch = %v, want ErrRedirect", err)
	}
	want := "redirect to " + strings.Replace(other.URL, "://", "://[redacted]@", 1) + "/moved.git,"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not contain %q", err, want)
	}
	if strings.Contains(err.Error(), "LOCSECRET") || strings.Contains(err.Error(), testToken) {
		t.Errorf("error %q shows a secret", err)
	}
	if n := other.requests.Load(); n != 0 {
		t.Errorf("the redirect target got %d requests, want none", n)
	}
}
