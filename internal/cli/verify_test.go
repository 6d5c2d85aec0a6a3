package cli

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// verifyStores are the fakes a verify test asks, and the environment that
// points rotor at them.
type verifyStores struct {
	sm    *awsfake.SecretsManager
	iam   *awsfake.IAM
	vault *vaultfake.Server
	tls   string // host:port of a listener whose certificate no root trusts
	env   map[string]string
}

// newVerifyStores starts one fake per store. The AWS SDK reads its
// configuration from the process environment, so the AWS variables are
// set there (the test cannot run in parallel with another that does).
func newVerifyStores(t *testing.T) verifyStores {
	t.Helper()
	s := verifyStores{sm: awsfake.NewSecretsManager(t), iam: awsfake.NewIAM(t), vault: vaultfake.New(t), tls: untrustedListener(t)}
	s.sm.SetRegion("eu-west-1")
	awsfake.UseEnv(t, "eu-west-1", s.sm.URL, s.iam.URL)
	s.env = map[string]string{"VAULT_ADDR": s.vault.URL, "VAULT_TOKEN": vaultfake.Token}
	return s
}

// untrustedListener serves TLS with a self-signed certificate on
// 127.0.0.1 until the test ends: a handshake with it fails verification.
func untrustedListener(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "self-signed.test"},
		NotBefore: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2028, 1, 1, 0, 0, 0, 0, time.UTC),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = c.(*tls.Conn).Handshake(); c.Close() }()
		}
	}()
	return ln.Addr().String()
}

// writeVerifyRegister writes a register of one file whose credentials
// name the stores s fakes, one verdict each, and returns its folder.
func writeVerifyRegister(t *testing.T, s verifyStores) string {
	t.Helper()
	at := func(v string) time.Time {
		ts, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	s.vault.Put("secret", "payments/db", at("2026-03-01T08:00:00Z"), at("2026-09-01T10:00:00Z"))
	s.vault.Put("secret", "payments/old", at("2026-06-01T08:00:00Z"))
	s.sm.AddSecret("payments/api",
		awsfake.SecretVersion{ID: "a1b2c3d4-0000-0000-0000-000000000001", Created: at("2026-05-31T22:00:00Z"), Stages: []string{awsfake.StagePrevious}},
		awsfake.SecretVersion{ID: "a1b2c3d4-0000-0000-0000-000000000002", Created: at("2026-11-02T09:00:00Z"), Stages: []string{awsfake.StageCurrent}})
	s.iam.AddUser("ci-deployer", awsfake.AccessKey{ID: "AKIAIOSFODNN7EXAMPLE", Created: at("2026-08-15T23:30:00Z"), Status: awsfake.StatusActive})
	s.iam.AddUser("half-done",
		awsfake.AccessKey{ID: "AKIAI44QH8DHBEXAMPLE", Created: at("2026-02-01T10:00:00Z"), Status: awsfake.StatusActive},
		awsfake.AccessKey{ID: "AKIAJ55RI9EICFXAMPLE", Created: at("2026-10-01T10:00:00Z"), Status: awsfake.StatusActive})

	dir := filepath.Join(t.TempDir(), "credential_rotation")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entry := func(id, last, source string) string {
		e := fmt.Sprintf("  - id: %s\n    name: %s\n    owner: alice@example.com\n    team: payments\n    period_days: 180\n    last_changed: %s\n", id, id, last)
		if source != "" {
			e += "    source:\n      " + source + "\n"
		}
		return e
	}
	yaml := "credentials:\n" +
		entry("db-admin", "2026-09-01", "vault_kv: {mount: secret, path: payments/db}") +
		entry("db-old", "2026-10-01", "vault_kv: {mount: secret, path: payments/old}") +
		entry("api-key", "2026-06-01", "aws_secrets_manager: {secret: payments/api}") +
		entry("ci-key", "2026-08-15", "aws_iam_access_key: {user: ci-deployer}") +
		entry("half-key", "2026-10-01", "aws_iam_access_key: {user: half-done}") +
		entry("web-cert", "2026-01-01", fmt.Sprintf("tls: {endpoint: %q}", s.tls)) +
		entry("legacy", "2026-07-01", "")
	if err := os.WriteFile(filepath.Join(dir, "payments.yaml"), []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

type verifyJSON struct {
	Today   string `json:"today"`
	Results []struct {
		ID          string  `json:"id"`
		Kind        string  `json:"kind"`
		Source      string  `json:"source"`
		Verdict     string  `json:"verdict"`
		LastChanged string  `json:"last_changed"`
		StoreDate   *string `json:"store_date"`
		Detail      string  `json:"detail"`
		Reason      string  `json:"reason"`
	} `json:"results"`
	NoSource []string       `json:"no_source"`
	Counts   map[string]int `json:"counts"`
}

// TestVerify: every verdict from every kind of store, through the real
// clients against the fakes, one call per credential, in JSON.
func TestVerify(t *testing.T) {
	s := newVerifyStores(t)
	dir := writeVerifyRegister(t, s)
	r := runRotor(t, s.env, "", "verify", "--register", dir, "--format", "json")
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want %d (unconfirmed and error fail)\nstdout: %s\nstderr: %s", r.code, ExitFailed, r.stdout, r.stderr)
	}
	var got verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
	}
	want := map[string]struct{ verdict, storeDate, reason, detail string }{
		"api-key":  {"unrecorded", "2026-11-02", "", "a1b2c3d4…"},
		"ci-key":   {"confirmed", "2026-08-15", "", "AKIAIOSFODNN7EXAMPLE"},
		"db-admin": {"confirmed", "2026-09-01", "", "version 2 created 2026-09-01T10:00:00Z"},
		"db-old":   {"unconfirmed", "2026-06-01", "", "rotate the secret in the store"},
		"half-key": {"error", "", "ambiguous", "two active access keys"},
		"web-cert": {"error", "", "tls", ""},
	}
	if got.Today != "2026-11-27" || len(got.Results) != len(want) {
		t.Fatalf("today %s, %d results, want 2026-11-27 and %d:\n%s", got.Today, len(got.Results), len(want), r.stdout)
	}
	for i, res := range got.Results {
		if i > 0 && got.Results[i-1].ID >= res.ID {
			t.Errorf("results not sorted by id: %s before %s", got.Results[i-1].ID, res.ID)
		}
		w, ok := want[res.ID]
		if !ok {
			t.Errorf("unexpected result %s", res.ID)
			continue
		}
		store := ""
		if res.StoreDate != nil {
			store = *res.StoreDate
		}
		if res.Verdict != w.verdict || store != w.storeDate || res.Reason != w.reason || !strings.Contains(res.Detail, w.detail) {
			t.Errorf("%s: verdict %s, store_date %q, reason %q, detail %q; want %s, %q, %q, detail with %q",
				res.ID, res.Verdict, store, res.Reason, res.Detail, w.verdict, w.storeDate, w.reason, w.detail)
		}
	}
	if len(got.NoSource) != 1 || got.NoSource[0] != "legacy" {
		t.Errorf("no_source = %v, want [legacy]", got.NoSource)
	}
	wantCounts := map[string]int{"error": 2, "unconfirmed": 1, "unrecorded": 1, "confirmed": 2, "no-source": 1}
	for k, n := range wantCounts {
		if got.Counts[k] != n {
			t.Errorf("counts[%s] = %d, want %d (%v)", k, got.Counts[k], n, got.Counts)
		}
	}
	// One call per credential: two Vault reads, one ListSecretVersionIds,
	// two ListAccessKeys; nothing that reads a value.
	if n := s.vault.CallsTo(vaultfake.RouteRead); n != 2 {
		t.Errorf("Vault was asked %d times, want 2", n)
	}
	if n := s.sm.ActionCalls("ListSecretVersionIds"); n != 1 {
		t.Errorf("ListSecretVersionIds called %d times, want 1", n)
	}
	if n := s.iam.ActionCalls("ListAccessKeys"); n != 2 {
		t.Errorf("ListAccessKeys called %d times, want 2", n)
	}
	if reads := s.vault.ValueReads(); len(reads) != 0 {
		t.Errorf("Vault values read: %v", reads)
	}
	for _, secret := range []string{vaultfake.Token, awsfake.SecretAccessKey} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("output shows a secret %q", secret)
		}
	}
	if !strings.Contains(r.stderr, "2 errors, 1 unconfirmed, 1 unrecorded, 2 confirmed, 1 no-source") {
		t.Errorf("stderr does not end with the counts:\n%s", r.stderr)
	}
}

// TestVerifyInGitHubActions: unconfirmed and error are error annotations
// on the credential's line, unrecorded a warning, and the Markdown goes to
// the job summary.
func TestVerifyInGitHubActions(t *testing.T) {
	s := newVerifyStores(t)
	dir := writeVerifyRegister(t, s)
	summary := filepath.Join(t.TempDir(), "summary.md")
	s.env["GITHUB_ACTIONS"], s.env["GITHUB_STEP_SUMMARY"] = "true", summary
	r := runRotor(t, s.env, "", "verify", "--register", dir)
	if r.code != ExitFailed {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	file := filepath.ToSlash(filepath.Join(dir, "payments.yaml"))
	for _, want := range []string{
		"::error file=" + escapeProperty(file) + ",line=",
		",title=rotor verify-unconfirmed::db-old: the register says it was rotated on 2026-10-01",
		",title=rotor verify-error::half-key: two active access keys",
		"::warning file=" + escapeProperty(file),
		",title=rotor verify-unrecorded::api-key:",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "title=rotor verify-confirmed") {
		t.Errorf("a confirmed credential is annotated:\n%s", r.stdout)
	}
	// db-old's annotation is on its source: line, which follows its id.
	lines := strings.Split(mustRead(t, filepath.Join(dir, "payments.yaml")), "\n")
	for _, l := range strings.Split(r.stdout, "\n") {
		if !strings.Contains(l, "::db-old:") {
			continue
		}
		var line int
		if _, err := fmt.Sscanf(l[strings.Index(l, ",line=")+len(",line="):], "%d", &line); err != nil || line < 1 || line > len(lines) {
			t.Fatalf("annotation line of %q", l)
		}
		if !strings.Contains(strings.Join(lines[max(0, line-8):line], "\n"), "id: db-old") {
			t.Errorf("db-old's annotation points at line %d: %q", line, lines[line-1])
		}
	}
	md := mustRead(t, summary)
	if !strings.Contains(md, "2 errors, 1 unconfirmed") || !strings.Contains(md, "db-old") {
		t.Errorf("job summary:\n%s", md)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestVerifySelected: --id checks only the credentials named; a clean run
// exits 0; an id the register lacks, or one without a source, is a usage
// error that says which and what to do, before any store is asked.
func TestVerifySelected(t *testing.T) {
	s := newVerifyStores(t)
	dir := writeVerifyRegister(t, s)
	r := runRotor(t, s.env, "", "verify", "--register", dir, "--id", "db-admin,ci-key", "--format", "markdown")
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stdout, "db-admin") || !strings.Contains(r.stdout, "ci-key") || strings.Contains(r.stdout, "db-old") {
		t.Errorf("markdown of --id db-admin,ci-key:\n%s", r.stdout)
	}
	if s.sm.ActionCalls("ListSecretVersionIds") != 0 || s.vault.CallsTo(vaultfake.RouteRead) != 1 {
		t.Errorf("stores asked about credentials not named")
	}

	for _, tt := range []struct{ id, want string }{
		{"db-admn", `--id "db-admn": the register has no such credential: did you mean "db-admin"?`},
		{"legacy", `--id "legacy" names no source: add source:`},
	} {
		r := runRotor(t, s.env, "", "verify", "--register", dir, "--id", tt.id)
		if r.code != ExitUsage || !strings.Contains(r.stderr, tt.want) {
			t.Errorf("--id %s: exit %d, stderr %q; want %d and %q", tt.id, r.code, r.stderr, ExitUsage, tt.want)
		}
	}
	if n := s.vault.CallsTo(vaultfake.RouteRead); n != 1 {
		t.Errorf("a refused --id asked Vault: %d reads in all, want 1", n)
	}
}

// TestVerifyUnconfiguredStore: a store rotor cannot be pointed at (no
// VAULT_ADDR) gives its credentials an error naming the variable, and the
// other stores are still asked.
func TestVerifyUnconfiguredStore(t *testing.T) {
	s := newVerifyStores(t)
	dir := writeVerifyRegister(t, s)
	r := runRotor(t, nil, "", "verify", "--register", dir, "--format", "json")
	if r.code != ExitFailed {
		t.Fatalf("exit %d\nstderr: %s", r.code, r.stderr)
	}
	var got verifyJSON
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatal(err)
	}
	for _, res := range got.Results {
		switch {
		case res.Kind == "vault_kv":
			if res.Verdict != "error" || res.Reason != "config" || !strings.Contains(res.Detail, "VAULT_ADDR is not set") {
				t.Errorf("%s: %s %s %q, want a config error naming VAULT_ADDR", res.ID, res.Verdict, res.Reason, res.Detail)
			}
		case res.ID == "ci-key" && res.Verdict != "confirmed":
			t.Errorf("ci-key: %s, want confirmed: one store failing stops no other", res.Verdict)
		}
	}
}

// TestVerifyUsage: a format or timeout rotor does not take is exit 2.
func TestVerifyUsage(t *testing.T) {
	for _, args := range [][]string{
		{"verify", "--format", "csv"},
		{"verify", "--timeout", "0s"},
		{"verify", "--timeout", "soon"},
	} {
		r := runRotor(t, nil, "", append(args, "--register", example)...)
		if r.code != ExitUsage {
			t.Errorf("%v: exit %d, want %d\n%s", args, r.code, ExitUsage, r.stderr)
		}
	}
}

// TestVerifyStoreSetButWrong: a store's configuration that is set but
// wrong is exit 2 before any store is asked, naming the variable and what
// to do (as every command treats its settings), in verify, audit --verify
// and doctor alike; one that is not set at all is each credential's error
// (TestVerifyUnconfiguredStore).
func TestVerifyStoreSetButWrong(t *testing.T) {
	s := newVerifyStores(t)
	dir := writeVerifyRegister(t, s)
	for _, tt := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"plain http to another host", map[string]string{"VAULT_ADDR": "http://vault.example.com:8200", "VAULT_TOKEN": vaultfake.Token}, "VAULT_ADDR (http://vault.example.com:8200): plain http"},
		{"no token", map[string]string{"VAULT_ADDR": s.vault.URL}, "VAULT_TOKEN is not set"},
		{"no address", map[string]string{"VAULT_TOKEN": vaultfake.Token}, "VAULT_ADDR is not set"},
		{"certificate checks off", map[string]string{"VAULT_ADDR": s.vault.URL, "VAULT_TOKEN": vaultfake.Token, "VAULT_SKIP_VERIFY": "true"}, "VAULT_SKIP_VERIFY is set"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, args := range [][]string{
				{"verify", "--register", dir},
				{"doctor", "--register", dir},
			} {
				r := runRotor(t, tt.env, "", args...)
				if r.code != ExitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
					t.Errorf("rotor %s: exit %d, stdout %q, stderr %q; want %d, nothing on stdout, and %q", args[0], r.code, r.stdout, r.stderr, ExitUsage, tt.want)
				}
				if strings.Contains(r.stderr, vaultfake.Token) {
					t.Errorf("rotor %s shows the token", args[0])
				}
			}
		})
	}
	if n := s.vault.CallsTo(vaultfake.RouteRead) + s.sm.ActionCalls("ListSecretVersionIds") + s.iam.ActionCalls("ListAccessKeys"); n != 0 {
		t.Errorf("%d calls reached the stores before the configuration was refused", n)
	}
}

// TestVerifyProgress: a run of 100 checks or more reports every tenth of
// the checks it makes (not of the register: credentials without a source
// are not checked), and the last; a shorter one is quiet.
func TestVerifyProgress(t *testing.T) {
	for _, tt := range []struct{ total, lines int }{{150, 10}, {99, 0}, {1000, 10}, {105, 11}} {
		var b strings.Builder
		progress := verifyProgress(&b)
		for done := 1; done <= tt.total; done++ {
			progress(done, tt.total)
		}
		if n := strings.Count(b.String(), "\n"); n != tt.lines || tt.lines > 0 && !strings.HasSuffix(b.String(), fmt.Sprintf("verified %d of %d credentials\n", tt.total, tt.total)) {
			t.Errorf("%d checks: %d lines, want %d ending with the last:\n%s", tt.total, n, tt.lines, b.String())
		}
	}
}
