package vaultstore_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// at parses an RFC 3339 instant with nanoseconds.
func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// now is the fake's clock in every test: its answers' Date.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

type env struct {
	fake    *vaultfake.Server
	sleeper *fakeapi.Sleeper
	checker *vaultstore.Checker
}

// setup starts a fake and a checker for it; edit changes the options.
func setup(t *testing.T, edit func(*vaultstore.Options)) env {
	t.Helper()
	fake := vaultfake.New(t)
	fake.SetNow(func() time.Time { return now })
	sleeper := &fakeapi.Sleeper{}
	opts := vaultstore.Options{
		Address: fake.URL,
		Token:   vaultfake.Token,
		Retry:   httpretry.Policy{Sleep: sleeper.Sleep},
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := vaultstore.New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return env{fake: fake, sleeper: sleeper, checker: c}
}

func source(mount, path string) *rotation.Source {
	return &rotation.Source{VaultKV: &rotation.VaultKVSource{Mount: mount, Path: path}}
}

// wantError checks err's reason, that its detail says every one of want,
// and that it holds no token.
func wantError(t *testing.T, err error, reason verify.Reason, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", reason)
	}
	se, ok := err.(*verify.StoreError)
	if !ok {
		t.Fatalf("error %T %v, want a *verify.StoreError", err, err)
	}
	if se.Reason != reason {
		t.Errorf("reason %s (%s), want %s", se.Reason, se.Detail, reason)
	}
	for _, w := range want {
		if !strings.Contains(se.Detail, w) {
			t.Errorf("detail %q does not say %q", se.Detail, w)
		}
	}
	for _, secret := range []string{vaultfake.Token, "hvs.", "s.abc"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q holds a token", err)
		}
	}
}

func TestCheckReadsTheCurrentVersionsCreatedTime(t *testing.T) {
	e := setup(t, nil)
	e.fake.Put("secret", "payments/db",
		at(t, "2026-03-01T09:00:00.5Z"),
		at(t, "2026-06-01T09:00:00Z"),
		at(t, "2026-09-01T10:22:03.123456789Z"),
	).Touch(at(t, "2026-10-15T08:00:00Z")) // metadata put later: updated_time is not the rotation

	obs, err := e.checker.Check(context.Background(), source("secret", "payments/db"))
	if err != nil {
		t.Fatal(err)
	}
	if want := at(t, "2026-09-01T10:22:03.123456789Z"); !obs.Changed.Equal(want) {
		t.Errorf("Changed = %s, want %s (created_time of current_version, to the nanosecond)", obs.Changed.Format(time.RFC3339Nano), want.Format(time.RFC3339Nano))
	}
	if want := "version 3 created 2026-09-01T10:22:03.123456789Z"; obs.Evidence != want {
		t.Errorf("Evidence = %q, want %q", obs.Evidence, want)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none", obs.Warnings)
	}
	want := []verify.Version{
		{ID: "1", Created: at(t, "2026-03-01T09:00:00.5Z")},
		{ID: "2", Created: at(t, "2026-06-01T09:00:00Z")},
		{ID: "3", Created: at(t, "2026-09-01T10:22:03.123456789Z"), Current: true},
	}
	if fmt.Sprint(obs.Versions) != fmt.Sprint(want) {
		t.Errorf("Versions = %v\nwant %v", obs.Versions, want)
	}

	ex := e.fake.Exchanges()
	if len(ex) != 1 {
		t.Fatalf("%d requests, want 1", len(ex))
	}
	if ex[0].Method != "GET" || ex[0].Path != "/v1/secret/metadata/payments/db" {
		t.Errorf("request %s %s, want GET /v1/secret/metadata/payments/db", ex[0].Method, ex[0].Path)
	}
	if got := ex[0].Header.Get("X-Vault-Token"); got != vaultfake.Token {
		t.Errorf("X-Vault-Token = %q, want the token of the options", got)
	}
	if _, ok := ex[0].Header["X-Vault-Namespace"]; ok {
		t.Errorf("X-Vault-Namespace sent without a namespace: %q", ex[0].Header.Get("X-Vault-Namespace"))
	}
}

func TestCheckVersionTenSortsAfterNine(t *testing.T) {
	e := setup(t, nil)
	var created []time.Time
	for i := range 11 {
		created = append(created, time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC))
	}
	e.fake.Put("secret", "many", created...)
	obs, err := e.checker.Check(context.Background(), source("secret", "many"))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, v := range obs.Versions {
		ids = append(ids, v.ID)
	}
	if got := strings.Join(ids, ","); got != "1,2,3,4,5,6,7,8,9,10,11" {
		t.Errorf("versions in order %s, want numeric order", got)
	}
	if !obs.Versions[10].Current || !obs.Changed.Equal(created[10]) {
		t.Errorf("current %v, Changed %s; want version 11", obs.Versions[10], obs.Changed)
	}
}

func TestCheckNestedMountAndSlashes(t *testing.T) {
	e := setup(t, nil)
	e.fake.Mount("", "kv/team-a")
	e.fake.Put("kv/team-a", "app/db", at(t, "2026-09-01T00:00:00Z"))
	if _, err := e.checker.Check(context.Background(), source("/kv/team-a/", "/app/db")); err != nil {
		t.Fatal(err)
	}
	if p := e.fake.Exchanges()[0].Path; p != "/v1/kv/team-a/metadata/app/db" {
		t.Errorf("path %s", p)
	}
}

func TestCheckOutcomes(t *testing.T) {
	created := []time.Time{
		time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
	}
	cases := []struct {
		name    string
		arrange func(f *vaultfake.Server)
		mount   string
		reason  verify.Reason
		want    []string
	}{
		{
			name:   "no such secret",
			reason: verify.ReasonNotFound,
			want:   []string{"secret/metadata/payments/db", "or the mount \"secret\" is not KV version 2"},
		},
		{
			name:   "no such mount",
			mount:  "nomount",
			reason: verify.ReasonNotFound,
			want:   []string{"nomount/metadata/payments/db", "KV version 2"},
		},
		{
			name:    "a KV version 1 mount",
			arrange: func(f *vaultfake.Server) { f.MountKV1("", "kv1") },
			mount:   "kv1",
			reason:  verify.ReasonNotFound,
			want:    []string{"not KV version 2"},
		},
		{
			name:    "metadata without a version",
			arrange: func(f *vaultfake.Server) { f.Put("secret", "payments/db") },
			reason:  verify.ReasonNotFound,
			want:    []string{"no version"},
		},
		{
			name: "the policy may not read the metadata",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...)
				f.Deny("", "secret", "payments/db")
			},
			reason: verify.ReasonAccessDenied,
			want:   []string{`capability "read" on path "secret/metadata/payments/db"`, "permission denied"},
		},
		{
			name: "the token is not Vault's",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...)
				f.SetToken("hvs.another-token")
			},
			reason: verify.ReasonAccessDenied,
			want:   []string{"secret/metadata/payments/db", "invalid or expired"},
		},
		{
			name: "the current version is deleted",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...).Delete(2, now.Add(-time.Hour))
			},
			reason: verify.ReasonDeleted,
			want:   []string{"current version 2", "deleted at 2026-11-27T11:00:00Z", "vault kv undelete -versions=2"},
		},
		{
			name: "the current version is destroyed",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...).Destroy(2)
			},
			reason: verify.ReasonDeleted,
			want:   []string{"current version 2", "destroyed"},
		},
		{
			name: "the newest version is deleted and current_version names it",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...).Write(created[1].Add(time.Hour)).Delete(3, now.Add(-time.Minute))
			},
			reason: verify.ReasonDeleted,
			want:   []string{"current version 3"},
		},
		{
			name: "current_version names no version",
			arrange: func(f *vaultfake.Server) {
				f.Put("secret", "payments/db", created...).SetCurrent(7)
			},
			reason: verify.ReasonInvalid,
			want:   []string{"current_version 7"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, nil)
			if tc.arrange != nil {
				tc.arrange(e.fake)
			}
			mount := tc.mount
			if mount == "" {
				mount = "secret"
			}
			_, err := e.checker.Check(context.Background(), source(mount, "payments/db"))
			wantError(t, err, tc.reason, tc.want...)
			if n := e.fake.Total(); n != 1 {
				t.Errorf("%d requests, want 1 (no retry of a final answer)", n)
			}
		})
	}
}

func TestCheckCurrentVersionOlderThanTheNewestEntry(t *testing.T) {
	// KV v2 moves current_version to each version written, so the newest
	// entry is current even when deleted (above). Should an answer name an
	// older current version with a deleted newer one beside it, rotor
	// judges the version Vault calls current and says what else it saw.
	e := setup(t, nil)
	v3 := at(t, "2026-09-01T10:00:00Z")
	e.fake.Put("secret", "db", at(t, "2026-07-01T10:00:00Z"), at(t, "2026-08-01T10:00:00Z"), v3, at(t, "2026-10-01T10:00:00Z")).
		Delete(4, now.Add(-24*time.Hour)).
		SetCurrent(3)
	obs, err := e.checker.Check(context.Background(), source("secret", "db"))
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Changed.Equal(v3) || obs.Evidence != "version 3 created 2026-09-01T10:00:00Z" {
		t.Errorf("Changed %s, Evidence %q; want version 3", obs.Changed, obs.Evidence)
	}
	if len(obs.Versions) != 4 || !obs.Versions[2].Current || obs.Versions[3].Current {
		t.Errorf("Versions = %v, want 4 with the third current", obs.Versions)
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "version 4 of secret/metadata/db is newer than the current version 3") {
		t.Errorf("Warnings = %q", obs.Warnings)
	}
}

func TestCheckDeletionScheduledLaterIsAWarning(t *testing.T) {
	e := setup(t, nil)
	created := at(t, "2026-11-01T00:00:00Z")
	e.fake.Put("secret", "db", created).Delete(1, now.Add(48*time.Hour)) // delete_version_after
	obs, err := e.checker.Check(context.Background(), source("secret", "db"))
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Changed.Equal(created) {
		t.Errorf("Changed = %s", obs.Changed)
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "due to be deleted at 2026-11-29T12:00:00Z") {
		t.Errorf("Warnings = %q", obs.Warnings)
	}
}

func TestCheckRetriesThrottlingAndServerErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  func(f *vaultfake.Server)
		calls  int
		reason verify.Reason // "" for success
		want   []string
	}{
		{"429 twice, then an answer", func(f *vaultfake.Server) { f.Throttle(2) }, 3, "", nil},
		{"500 then 502, then an answer", func(f *vaultfake.Server) { f.Fail(500, 1); f.Fail(502, 1) }, 3, "", nil},
		{"429 every time", func(f *vaultfake.Server) { f.Throttle(5) }, 5, verify.ReasonThrottled, []string{"429 Too Many Requests after 5 attempts", "rate limit quota"}},
		{"sealed every time", func(f *vaultfake.Server) { f.Fail(503, 5) }, 5, verify.ReasonUnreachable, []string{"503 Service Unavailable after 5 attempts", "Vault is sealed", "vault status"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := setup(t, nil)
			e.fake.Put("secret", "db", at(t, "2026-09-01T00:00:00Z"))
			tc.fault(e.fake)
			_, err := e.checker.Check(context.Background(), source("secret", "db"))
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				wantError(t, err, tc.reason, tc.want...)
			}
			if n := e.fake.CallsTo(vaultfake.RouteRead); n != tc.calls {
				t.Errorf("%d reads, want %d", n, tc.calls)
			}
			if w := e.sleeper.Waits(); len(w) != tc.calls-1 {
				t.Errorf("waits %v, want %d backoffs between the attempts", w, tc.calls-1)
			}
		})
	}
}

func TestCheckNamespace(t *testing.T) {
	e := setup(t, func(o *vaultstore.Options) { o.Namespace = "team-a/" })
	e.fake.PutIn("team-a", "secret", "db", at(t, "2026-09-01T00:00:00Z"))
	if _, err := e.checker.Check(context.Background(), source("secret", "db")); err != nil {
		t.Fatal(err)
	}
	if got := e.fake.Exchanges()[0].Header.Get("X-Vault-Namespace"); got != "team-a" {
		t.Errorf("X-Vault-Namespace = %q, want team-a", got)
	}

	// The same secret asked for from the root namespace is not there.
	root := setup(t, nil)
	root.fake.PutIn("team-a", "secret", "db", at(t, "2026-09-01T00:00:00Z"))
	_, err := root.checker.Check(context.Background(), source("secret", "db"))
	wantError(t, err, verify.ReasonNotFound)

	e.fake.Deny("team-a", "secret", "db")
	_, err = e.checker.Check(context.Background(), source("secret", "db"))
	wantError(t, err, verify.ReasonAccessDenied, `"secret/metadata/db" (namespace team-a)`)
}

func TestCheckIgnoresVaultVariablesOfTheProcess(t *testing.T) {
	// Vault's client reads these itself; rotor's options decide.
	t.Setenv("VAULT_TOKEN", "hvs.process-token")
	t.Setenv("VAULT_NAMESPACE", "elsewhere")
	t.Setenv("VAULT_HEADERS", `{"X-Extra": "from-the-process"}`)
	t.Setenv("VAULT_AGENT_ADDR", "http://127.0.0.1:1")
	t.Setenv("VAULT_MAX_RETRIES", "9")
	e := setup(t, nil)
	e.fake.Put("secret", "db", at(t, "2026-09-01T00:00:00Z"))
	if _, err := e.checker.Check(context.Background(), source("secret", "db")); err != nil {
		t.Fatal(err)
	}
	h := e.fake.Exchanges()[0].Header
	if h.Get("X-Vault-Token") != vaultfake.Token || h.Get("X-Vault-Namespace") != "" || h.Get("X-Extra") != "" {
		t.Errorf("headers %v: the process's VAULT_* variables were used", h)
	}
}

func TestCheckNeverFollowsARedirect(t *testing.T) {
	var hits atomic.Int32
	elsewhere := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		t.Errorf("the redirect's target received %s %s with X-Vault-Token %q", r.Method, r.URL, r.Header.Get("X-Vault-Token"))
	}))
	defer elsewhere.Close()

	e := setup(t, nil)
	e.fake.Put("secret", "db", at(t, "2026-09-01T00:00:00Z"))
	e.fake.Redirect(elsewhere.URL + "/v1/secret/metadata/db?token=x")
	_, err := e.checker.Check(context.Background(), source("secret", "db"))
	wantError(t, err, verify.ReasonConfig, "redirect to "+elsewhere.URL, "VAULT_ADDR", "does not follow")
	if strings.Contains(err.Error(), "token=x") {
		t.Errorf("error %q shows the redirect's query", err)
	}
	if hits.Load() != 0 {
		t.Errorf("the redirect was followed %d times", hits.Load())
	}
	if n := e.fake.Total(); n != 1 {
		t.Errorf("%d requests to Vault, want 1 (a redirect is final)", n)
	}
}

func TestCheckRefusesPathsThatLeaveTheMetadata(t *testing.T) {
	e := setup(t, nil)
	for _, tc := range []struct{ mount, path string }{
		{"secret", "../data/db"},
		{"secret", "app/../../secret/data/db"},
		{"secret", "app//db"},
		{"secret", "./db"},
		{"secret", ""},
		{"", "db"},
		{"secret/..", "db"},
		{"secret", "db\n"},
	} {
		_, err := e.checker.Check(context.Background(), source(tc.mount, tc.path))
		wantError(t, err, verify.ReasonConfig, "source.vault_kv.")
	}
	if n := e.fake.Total(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
	_, err := e.checker.Check(context.Background(), &rotation.Source{TLS: &rotation.TLSSource{Endpoint: "x:443"}})
	wantError(t, err, verify.ReasonConfig, "not a vault_kv source")
}

func TestCheckUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := "http://" + l.Addr().String()
	l.Close() // nothing listens there now
	sleeper := &fakeapi.Sleeper{}
	c, err := vaultstore.New(vaultstore.Options{Address: addr, Token: vaultfake.Token, Retry: httpretry.Policy{Sleep: sleeper.Sleep}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Check(context.Background(), source("secret", "db"))
	wantError(t, err, verify.ReasonUnreachable, "cannot be reached (5 attempts)", "connection refused", "VAULT_ADDR")
	if len(sleeper.Waits()) != 4 {
		t.Errorf("waits %v, want 4", sleeper.Waits())
	}
}

func TestCheckTimeout(t *testing.T) {
	e := setup(t, func(o *vaultstore.Options) {
		o.AttemptTimeout = 20 * time.Millisecond
		o.Retry.MaxAttempts = 2
	})
	e.fake.Put("secret", "db", at(t, "2026-09-01T00:00:00Z"))
	e.fake.SetLatency(time.Second)
	start := time.Now()
	_, err := e.checker.Check(context.Background(), source("secret", "db"))
	wantError(t, err, verify.ReasonUnreachable, "did not answer the read of secret/metadata/db in time (2 attempts)")
	if d := time.Since(start); d > 900*time.Millisecond {
		t.Errorf("the check took %s: the attempt timeout did not bound it", d)
	}
}

func TestNewConfiguration(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"no address", map[string]string{"VAULT_TOKEN": "hvs.abc"}, []string{"VAULT_ADDR is not set"}},
		{"no token", map[string]string{"VAULT_ADDR": "https://vault.example.com:8200"}, []string{"VAULT_TOKEN is not set"}},
		{"plain http to another host", map[string]string{"VAULT_ADDR": "http://vault.example.com:8200", "VAULT_TOKEN": "hvs.abc"}, []string{"VAULT_ADDR (http://vault.example.com:8200)", "use https://"}},
		{"not a URL", map[string]string{"VAULT_ADDR": "vault.example.com:8200", "VAULT_TOKEN": "hvs.abc"}, []string{"VAULT_ADDR", "https://HOST:PORT"}},
		{"a unix socket", map[string]string{"VAULT_ADDR": "unix:///run/vault.sock", "VAULT_TOKEN": "hvs.abc"}, []string{"VAULT_ADDR"}},
		{"skip verify", map[string]string{"VAULT_ADDR": "https://vault.example.com:8200", "VAULT_TOKEN": "hvs.abc", "VAULT_SKIP_VERIFY": "true"}, []string{"VAULT_SKIP_VERIFY is set", "VAULT_CACERT"}},
		{"no CA file", map[string]string{"VAULT_ADDR": "https://vault.example.com:8200", "VAULT_TOKEN": "hvs.abc", "VAULT_CACERT": "/nonexistent/ca.pem"}, []string{"VAULT_CACERT"}},
		{"a client certificate without its key", map[string]string{"VAULT_ADDR": "https://vault.example.com:8200", "VAULT_TOKEN": "hvs.abc", "VAULT_CLIENT_CERT": "/x.pem"}, []string{"VAULT_CLIENT_KEY"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts, err := vaultstore.OptionsFromEnv(func(k string) string { return tc.env[k] })
			if err == nil {
				_, err = vaultstore.New(opts)
			}
			wantError(t, err, verify.ReasonConfig, tc.want...)
			if strings.Contains(err.Error(), "hvs.abc") {
				t.Errorf("error %q shows the token", err)
			}
		})
	}
	opts, err := vaultstore.OptionsFromEnv(func(k string) string {
		return map[string]string{"VAULT_ADDR": " https://vault.example.com:8200 ", "VAULT_TOKEN": "hvs.abc", "VAULT_NAMESPACE": "ns1", "VAULT_SKIP_VERIFY": "false"}[k]
	})
	if err != nil || opts.Address != "https://vault.example.com:8200" || opts.Token != "hvs.abc" || opts.Namespace != "ns1" {
		t.Errorf("OptionsFromEnv = %+v, %v", opts, err)
	}
	if _, err := vaultstore.New(opts); err != nil {
		t.Errorf("New: %v", err)
	}
}

func TestCheckOverHTTPSWithVaultCACert(t *testing.T) {
	fake := vaultfake.NewTLS(t)
	fake.Put("secret", "db", at(t, "2026-09-01T00:00:00Z"))
	ca := filepath.Join(t.TempDir(), "vault-ca.pem")
	if err := os.WriteFile(ca, fake.Certificate(), 0o600); err != nil {
		t.Fatal(err)
	}
	check := func(env map[string]string) (*fakeapi.Sleeper, error) {
		env["VAULT_ADDR"], env["VAULT_TOKEN"] = fake.URL, vaultfake.Token
		opts, err := vaultstore.OptionsFromEnv(func(k string) string { return env[k] })
		if err != nil {
			t.Fatal(err)
		}
		sleeper := &fakeapi.Sleeper{}
		opts.Retry.Sleep = sleeper.Sleep
		c, err := vaultstore.New(opts)
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.Check(context.Background(), source("secret", "db"))
		return sleeper, err
	}

	if _, err := check(map[string]string{"VAULT_CACERT": ca}); err != nil {
		t.Fatalf("with VAULT_CACERT: %v", err)
	}
	if _, err := check(map[string]string{"VAULT_CAPATH": filepath.Dir(ca)}); err != nil {
		t.Fatalf("with VAULT_CAPATH: %v", err)
	}
	sleeper, err := check(map[string]string{})
	wantError(t, err, verify.ReasonTLS, "authority this machine does not trust", "VAULT_CACERT")
	if len(sleeper.Waits()) != 0 {
		t.Errorf("a certificate Vault's CA settings reject was retried: waits %v", sleeper.Waits())
	}
	_, err = check(map[string]string{"VAULT_CACERT": ca, "VAULT_TLS_SERVER_NAME": "vault.internal"})
	wantError(t, err, verify.ReasonTLS, "not valid for vault.internal", "VAULT_TLS_SERVER_NAME")
	if n := fake.Total(); n != 2 {
		t.Errorf("%d requests reached the fake, want the 2 that were verified", n)
	}
}

func TestCheckConcurrently(t *testing.T) {
	e := setup(t, nil)
	e.fake.Discard = true
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 200
	for i := range n {
		e.fake.Put("secret", fmt.Sprintf("app/%03d", i), base, base.Add(time.Duration(i)*time.Hour))
	}
	// Fewer throttled answers than a check's attempts: even if every one
	// of them falls on the same check, it gets its answer.
	const throttled = 4
	e.fake.Throttle(throttled)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			obs, err := e.checker.Check(context.Background(), source("secret", fmt.Sprintf("app/%03d", i)))
			if err == nil && !obs.Changed.Equal(base.Add(time.Duration(i)*time.Hour)) {
				err = fmt.Errorf("app/%03d: Changed %s", i, obs.Changed)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := e.fake.CallsTo(vaultfake.RouteRead); got != n+throttled {
		t.Errorf("%d reads, want %d (each secret once, and the %d throttled again)", got, n+throttled, throttled)
	}
}
