// Package vaultfake is a fake HashiCorp Vault for tests, on fakeapi: KV
// version 2 mounts whose secrets have versions written at chosen instants,
// answering GET /v1/<mount>/metadata/<path> as Vault documents it (the
// answer envelope, current_version, versions by number with created_time,
// deletion_time and destroyed; RFC 3339 times with nanoseconds), with
// Vault's token check, its errors ({"errors": [...]}: 403 permission
// denied, 404 with no errors, 429 rate limit quota exceeded, 503 sealed),
// namespaces (X-Vault-Namespace) and a per-path deny list.
//
// It fails the test on any request that would read a secret value: a GET
// of <mount>/data/<path>, or of anything but metadata. Vault's metadata
// read is one answer with every version kept: there is nothing to page.
//
// Faults (throttling, 5xx, redirects) and call counts are fakeapi's; the
// fake is safe for concurrent use and cheap enough for a benchmark of
// 10,000 secrets with a configurable latency.
package vaultfake

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// Token is the token the fake accepts unless SetToken says otherwise.
const Token = "hvs.fake-vault-token-for-tests"

// RouteRead is the one route the fake serves, as fakeapi's Calls keys it.
const RouteRead = "GET /v1/{path...}"

// Server is a started fake Vault.
type Server struct {
	*fakeapi.Server

	t    testing.TB
	cert *x509.Certificate

	mu      sync.Mutex
	token   string
	now     func() time.Time
	latency time.Duration
	mounts  map[string]bool    // namespace + "\x00" + mount → KV version 2 (false: version 1)
	secrets map[string]*Secret // namespace + "\x00" + mount + "\x00" + path
	denied  map[string]bool    // the same keys
	reads   []string           // secret value reads, for ValueReads
}

// Secret is one secret of a KV version 2 mount: its metadata and the
// metadata of its versions. Its methods change it as Vault's commands would.
type Secret struct {
	s       *Server
	updated time.Time
	current int // 0: the newest version, as Vault keeps it
	vers    []*version
}

type version struct {
	created   time.Time
	deleted   time.Time // zero: not deleted
	destroyed bool
}

// New starts a fake Vault with a KV version 2 mount at "secret" (Vault's
// dev server default) in the root namespace; it stops when the test ends,
// and fails the test on a secret value read, an unexpected request or a
// fault that never fired.
func New(t testing.TB) *Server {
	t.Helper()
	s := newServer(t)
	s.Start(t)
	return s
}

// NewTLS is New serving https with httptest's certificate (valid for
// 127.0.0.1 and example.com), which Certificate returns: write it to a file
// for VAULT_CACERT.
func NewTLS(t testing.TB) *Server {
	t.Helper()
	s := newServer(t)
	srv := httptest.NewTLSServer(s.Server)
	s.URL = srv.URL
	s.cert = srv.Certificate()
	t.Cleanup(func() {
		srv.Close()
		s.Verify(t)
	})
	return s
}

// Certificate returns the certificate of a fake from NewTLS, PEM-encoded.
func (s *Server) Certificate() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw})
}

func newServer(t testing.TB) *Server {
	s := &Server{
		t:       t,
		token:   Token,
		now:     time.Now,
		mounts:  map[string]bool{key("", "secret"): true},
		secrets: map[string]*Secret{},
		denied:  map[string]bool{},
	}
	s.Server = fakeapi.New(fakeapi.API{
		Name: "vaultfake",
		Routes: []fakeapi.Route{
			{Method: http.MethodGet, Pattern: "/v1/{path...}", Handle: s.read},
		},
		Authorize: s.authorized,
		Refuse: func(w http.ResponseWriter, _ *http.Request) {
			writeErrors(w, http.StatusForbidden, "permission denied")
		},
		NotFound: func(w http.ResponseWriter, _ *http.Request) { writeErrors(w, http.StatusNotFound) },
		Error:    func(w http.ResponseWriter, status int) { writeErrors(w, status, errorText(status)) },
	})
	return s
}

func key(parts ...string) string { return strings.Join(parts, "\x00") }

// SetToken makes the fake accept token only.
func (s *Server) SetToken(token string) { s.mu.Lock(); s.token = token; s.mu.Unlock() }

// SetNow sets the fake's clock: the Date header of its answers, which says
// whether a deletion_time has passed.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetLatency makes every answer wait d first (or until the request ends).
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// Mount adds a KV version 2 mount at path in namespace ns ("" is the root
// namespace).
func (s *Server) Mount(ns, path string) { s.mount(ns, path, true) }

// MountKV1 adds a KV version 1 mount: it has no metadata endpoint, and its
// keys are values, so the fake answers 404 to a metadata read there (a
// Vault would read the key "metadata/<path>").
func (s *Server) MountKV1(ns, path string) { s.mount(ns, path, false) }

func (s *Server) mount(ns, path string, v2 bool) {
	s.mu.Lock()
	s.mounts[key(trim(ns), trim(path))] = v2
	s.mu.Unlock()
}

// Put writes a secret at mount/path of the root namespace with one version
// created at each instant given, oldest first (version 1 is the first).
func (s *Server) Put(mount, path string, created ...time.Time) *Secret {
	return s.PutIn("", mount, path, created...)
}

// PutIn is Put in namespace ns; the mount is added when missing.
func (s *Server) PutIn(ns, mount, path string, created ...time.Time) *Secret {
	ns, mount, path = trim(ns), trim(mount), trim(path)
	sec := &Secret{s: s}
	for _, c := range created {
		sec.vers = append(sec.vers, &version{created: c})
		sec.updated = c
	}
	s.mu.Lock()
	if _, ok := s.mounts[key(ns, mount)]; !ok {
		s.mounts[key(ns, mount)] = true
	}
	s.secrets[key(ns, mount, path)] = sec
	s.mu.Unlock()
	return sec
}

// Deny makes the fake refuse a read of mount/path in namespace ns with 403,
// as a policy without read on <mount>/metadata/<path> does.
func (s *Server) Deny(ns, mount, path string) {
	s.mu.Lock()
	s.denied[key(trim(ns), trim(mount), trim(path))] = true
	s.mu.Unlock()
}

// Throttle answers the next n reads with 429, as a rate limit quota does.
func (s *Server) Throttle(n int) {
	s.Inject(fakeapi.Fault{Route: RouteRead, Status: http.StatusTooManyRequests, Times: n})
}

// Fail answers the next n reads with status (500, 502, 503: sealed).
func (s *Server) Fail(status, n int) {
	s.Inject(fakeapi.Fault{Route: RouteRead, Status: status, Times: n})
}

// Redirect answers the next read with 307 to location, as a standby node
// without request forwarding does.
func (s *Server) Redirect(location string) {
	s.Inject(fakeapi.Fault{Route: RouteRead, Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": location}})
}

// ValueReads returns the requests that would have read a secret value;
// each has failed the test already.
func (s *Server) ValueReads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reads...)
}

// Write adds a version created at created, as vault kv put does; it
// becomes the current one.
func (sec *Secret) Write(created time.Time) *Secret {
	sec.s.mu.Lock()
	defer sec.s.mu.Unlock()
	sec.vers = append(sec.vers, &version{created: created})
	sec.updated = created
	return sec
}

// Delete marks version n deleted at (vault kv delete; an instant after the
// fake's clock is a deletion delete_version_after has scheduled).
func (sec *Secret) Delete(n int, at time.Time) *Secret {
	sec.s.mu.Lock()
	defer sec.s.mu.Unlock()
	sec.vers[n-1].deleted = at
	return sec
}

// Destroy marks version n destroyed (vault kv destroy).
func (sec *Secret) Destroy(n int) *Secret {
	sec.s.mu.Lock()
	defer sec.s.mu.Unlock()
	sec.vers[n-1].destroyed = true
	return sec
}

// SetCurrent makes the answer's current_version n, whatever the newest
// version is: an answer Vault is not known to give, for the adapter's
// edge cases.
func (sec *Secret) SetCurrent(n int) *Secret {
	sec.s.mu.Lock()
	defer sec.s.mu.Unlock()
	sec.current = n
	return sec
}

// Touch sets the secret's updated_time, as vault kv metadata put does
// without writing a version.
func (sec *Secret) Touch(at time.Time) *Secret {
	sec.s.mu.Lock()
	defer sec.s.mu.Unlock()
	sec.updated = at
	return sec
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	token := s.token
	s.mu.Unlock()
	got := r.Header.Get("X-Vault-Token")
	if got == "" {
		got, _ = strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	}
	return got != "" && got == token
}

// read serves GET /v1/<mount>/metadata/<path>: the mount is the longest
// mounted prefix of the path, as Vault's router finds it.
func (s *Server) read(w http.ResponseWriter, r *fakeapi.Request) {
	s.mu.Lock()
	latency, now := s.latency, s.now()
	s.mu.Unlock()
	if latency > 0 {
		t := time.NewTimer(latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	ns := trim(r.Header.Get("X-Vault-Namespace"))
	full := r.PathValue("path")
	s.mu.Lock()
	defer s.mu.Unlock()
	mount, rest, v2, ok := s.route(ns, full)
	switch {
	case !ok:
		writeErrors(w, http.StatusNotFound, "no handler for route \""+full+"\". route entry not found.")
		return
	case !v2:
		// A KV version 1 mount: its keys are values.
		if _, known := s.secrets[key(ns, mount, rest)]; known {
			s.valueRead(r)
		}
		writeErrors(w, http.StatusNotFound)
		return
	}
	kind, path, _ := strings.Cut(rest, "/")
	if kind != "metadata" || path == "" || r.URL.RawQuery != "" {
		// data/<path> is the secret's value; anything else (config, a
		// LIST) is no metadata read of one secret.
		s.valueRead(r)
		writeErrors(w, http.StatusNotFound)
		return
	}
	if s.denied[key(ns, mount, path)] {
		writeErrors(w, http.StatusForbidden, "1 error occurred:\n\t* permission denied\n\n")
		return
	}
	sec, ok := s.secrets[key(ns, mount, path)]
	if !ok {
		writeErrors(w, http.StatusNotFound)
		return
	}
	fakeapi.WriteJSON(w, http.StatusOK, "application/json", sec.answer())
}

// valueRead fails the test: rotor must never ask for a value. s.mu is held.
func (s *Server) valueRead(r *fakeapi.Request) {
	line := r.Method + " " + r.URL.RequestURI()
	s.reads = append(s.reads, line)
	s.t.Errorf("vaultfake: a request that reads a secret value, or no metadata: %s", line)
}

// route finds the mount of path in ns (longest prefix). s.mu is held.
func (s *Server) route(ns, path string) (mount, rest string, v2, ok bool) {
	best := -1
	for k, kv2 := range s.mounts {
		kns, m, _ := strings.Cut(k, "\x00")
		if kns != ns || !strings.HasPrefix(path, m+"/") || len(m) <= best {
			continue
		}
		mount, rest, v2, ok, best = m, path[len(m)+1:], kv2, true, len(m)
	}
	return mount, rest, v2, ok
}

// answer is the documented body of a metadata read. s.mu is held.
func (sec *Secret) answer() map[string]any {
	versions := map[string]any{}
	for i, v := range sec.vers {
		versions[strconv.Itoa(i+1)] = map[string]any{
			"created_time":  stamp(v.created),
			"deletion_time": stamp(v.deleted),
			"destroyed":     v.destroyed,
		}
	}
	current := sec.current
	if current == 0 {
		current = len(sec.vers)
	}
	var created time.Time
	if len(sec.vers) > 0 {
		created = sec.vers[0].created
	}
	return map[string]any{
		"request_id":     "0d5e7a6c-3c1b-4a5e-9f0e-7f3a2b1c0d9e",
		"lease_id":       "",
		"renewable":      false,
		"lease_duration": 0,
		"data": map[string]any{
			"cas_required":         false,
			"created_time":         stamp(created),
			"current_version":      current,
			"custom_metadata":      nil,
			"delete_version_after": "0s",
			"max_versions":         0,
			"oldest_version":       0,
			"updated_time":         stamp(sec.updated),
			"versions":             versions,
		},
		"wrap_info":  nil,
		"warnings":   nil,
		"auth":       nil,
		"mount_type": "kv",
	}
}

// stamp writes an instant as Vault does: RFC 3339 in UTC with the
// nanoseconds it has; "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func trim(s string) string { return strings.Trim(s, "/") }

// writeErrors answers in Vault's error shape: {"errors": [...]}, an empty
// list for a plain 404.
func writeErrors(w http.ResponseWriter, status int, errs ...string) {
	if errs == nil {
		errs = []string{}
	}
	fakeapi.WriteJSON(w, status, "application/json", map[string]any{"errors": errs})
}

// errorText is what Vault says with a fault's status.
func errorText(status int) string {
	switch status {
	case http.StatusTooManyRequests:
		return "request path \"secret/metadata\": rate limit quota exceeded"
	case http.StatusServiceUnavailable:
		return "Vault is sealed"
	case http.StatusTemporaryRedirect:
		return "redirecting to the active node"
	}
	return strings.ToLower(http.StatusText(status))
}
