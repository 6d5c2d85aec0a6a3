package cli

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/verify/azurestore/azurefake"
)

// azureVaultHost is the vault the register names; the test's transport
// dials the fake for it.
const azureVaultHost = "kv-test.vault.azure.net"

// TestVerifyAzureKeyVault: rotor verify asks Key Vault through
// azidentity's own credential chain (a service principal from the AZURE_*
// variables, its token from a fake Entra ID), answers the challenge, and
// judges the newest enabled version; a secret that is missing or that the
// role may not list is an error saying what to fix. No value is read, and
// no token or client secret is printed.
func TestVerifyAzureKeyVault(t *testing.T) {
	vault, login := azurefake.New(t), azurefake.NewLogin(t)
	for k, v := range map[string]string{
		"AZURE_TENANT_ID":                     azurefake.Tenant,
		"AZURE_CLIENT_ID":                     azurefake.ClientID,
		"AZURE_CLIENT_SECRET":                 azurefake.ClientSecret,
		"AZURE_AUTHORITY_HOST":                login.URL,
		"AZURE_FEDERATED_TOKEN_FILE":          "",
		"AZURE_CLIENT_CERTIFICATE_PATH":       "",
		"AZURE_CLIENT_CERTIFICATE_PASSWORD":   "",
		"AZURE_USERNAME":                      "",
		"AZURE_PASSWORD":                      "",
		"AZURE_TOKEN_CREDENTIALS":             "",
		"AZURE_CLIENT_SEND_CERTIFICATE_CHAIN": "",
	} {
		t.Setenv(k, v) // restored when the test ends
		if v == "" {
			// azidentity tells a variable set empty from one unset.
			os.Unsetenv(k)
		}
	}
	at := func(v string) time.Time {
		ts, err := time.Parse(time.RFC3339, v)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	vault.AddSecret("db-admin",
		azurefake.Version{ID: "4387e9f3d6e14c459867679a90fd0f79", Created: at("2026-03-01T08:00:00Z")},
		azurefake.Version{ID: "9a1f0c22b7d34e6f8b5c1d2e3f405162", Created: at("2026-09-01T10:22:03Z")},
		azurefake.Version{ID: "c0ffee00000000000000000000000003", Created: at("2026-11-20T09:00:00Z"), Disabled: true})
	vault.AddSecret("api-key", azurefake.Version{Created: at("2026-02-01T12:00:00Z")})
	vault.AddSecret("locked", azurefake.Version{Created: at("2026-02-01T12:00:00Z")})
	vault.Deny("locked")

	dir := filepath.Join(t.TempDir(), "credential_rotation")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var yaml strings.Builder
	yaml.WriteString("credentials:\n")
	for _, c := range []struct{ id, last, secret string }{
		{"db-admin", "2026-09-01", "db-admin"},
		{"api-key", "2026-08-01", "api-key"},
		{"gone", "2026-08-01", "gone"},
		{"locked", "2026-02-01", "locked"},
	} {
		fmt.Fprintf(&yaml, "  - id: %s\n    name: %s\n    owner: alice@example.com\n    team: payments\n    period_days: 180\n    last_changed: %s\n"+
			"    source:\n      azure_key_vault: {vault: \"https://%s\", secret: %s}\n", c.id, c.id, c.last, azureVaultHost, c.secret)
	}
	if err := os.WriteFile(filepath.Join(dir, "payments.yaml"), []byte(yaml.String()), 0o644); err != nil {
		t.Fatal(err)
	}

	// The test's network: the vault's name dials the fake vault, Entra
	// ID's public host (MSAL's instance discovery) the fake login, the
	// fakes themselves, and nothing else; the fakes' certificate
	// (httptest's, for example.com) is trusted.
	hosts := map[string]string{
		azureVaultHost + ":443":                   strings.TrimPrefix(vault.URL, "https://"),
		"login.microsoftonline.com:443":           strings.TrimPrefix(login.URL, "https://"),
		strings.TrimPrefix(vault.URL, "https://"): strings.TrimPrefix(vault.URL, "https://"),
		strings.TrimPrefix(login.URL, "https://"): strings.TrimPrefix(login.URL, "https://"),
	}
	var d net.Dialer
	transport := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: vault.CertPool(), ServerName: "example.com", MinVersion: tls.VersionTLS12},
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			to, ok := hosts[addr]
			if !ok {
				t.Errorf("a connection to %s, which the test does not serve", addr)
				return nil, fmt.Errorf("no network in this test: %s", addr)
			}
			return d.DialContext(ctx, network, to)
		},
	}
	e, stdout, stderr := testEnv(nil, "")
	e.HTTPClient = &http.Client{Transport: transport}
	code := Main(context.Background(), []string{"verify", "--register", dir, "--format", "json"}, e)
	if code != ExitFailed {
		t.Fatalf("exit %d, want %d\nstdout: %s\nstderr: %s", code, ExitFailed, stdout, stderr)
	}
	var got verifyJSON
	if err := json.Unmarshal(stdout.Bytes(), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	want := map[string]struct{ verdict, storeDate, reason, detail string }{
		"api-key":  {"unconfirmed", "2026-02-01", "", ""},
		"db-admin": {"confirmed", "2026-09-01", "", "version 9a1f0c22… created 2026-09-01T10:22:03Z (newest enabled)"},
		"gone":     {"error", "", "not-found", "has no secret gone"},
		"locked":   {"error", "", "access-denied", `"Key Vault Reader"`},
	}
	if len(got.Results) != len(want) {
		t.Fatalf("%d results, want %d:\n%s", len(got.Results), len(want), stdout)
	}
	for _, res := range got.Results {
		w := want[res.ID]
		store := ""
		if res.StoreDate != nil {
			store = *res.StoreDate
		}
		if res.Kind != "azure_key_vault" || res.Verdict != w.verdict || store != w.storeDate || res.Reason != w.reason || !strings.Contains(res.Detail, w.detail) {
			t.Errorf("%s: %s %s, store_date %q, reason %q, detail %q; want %s, %q, %q, detail with %q",
				res.ID, res.Kind, res.Verdict, store, res.Reason, res.Detail, w.verdict, w.storeDate, w.reason, w.detail)
		}
	}
	// Checks that start together each meet the challenge, which drops
	// the token the client holds: one token request per check at most.
	if n := login.CallsTo(azurefake.RouteToken); n < 1 || n > len(want) {
		t.Errorf("%d token requests, want 1 to %d", n, len(want))
	}
	if reads := vault.ValueReads(); len(reads) != 0 {
		t.Errorf("values read: %v", reads)
	}
	for _, secret := range []string{azurefake.Token, azurefake.ClientSecret} {
		if strings.Contains(stdout.String()+stderr.String(), secret) {
			t.Errorf("output shows a secret %q", secret)
		}
	}
}
