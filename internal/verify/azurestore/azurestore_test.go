package azurestore_test

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/azurestore"
	"github.com/rotor-dev/rotor/internal/verify/azurestore/azurefake"
)

// fixedToken is a credential that hands out one token, and records the
// token requests (tenant and scopes) it got.
type fixedToken struct {
	token string
	err   error

	mu       sync.Mutex
	requests []policy.TokenRequestOptions
}

func (f *fixedToken) GetToken(_ context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	f.mu.Lock()
	f.requests = append(f.requests, o)
	f.mu.Unlock()
	if f.err != nil {
		return azcore.AccessToken{}, f.err
	}
	return azcore.AccessToken{Token: f.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

func (f *fixedToken) Requests() []policy.TokenRequestOptions {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]policy.TokenRequestOptions(nil), f.requests...)
}

type setup struct {
	vault   *azurefake.Server
	cred    *fixedToken
	sleeper *fakeapi.Sleeper
	checker *azurestore.Checker
}

// newSetup starts a fake vault and a checker that trusts it, with a
// credential handing out the token the fake accepts and retries that do
// not wait.
func newSetup(t *testing.T) *setup {
	t.Helper()
	s := &setup{vault: azurefake.New(t), cred: &fixedToken{token: azurefake.Token}, sleeper: &fakeapi.Sleeper{}}
	s.checker = azurestore.New(azurestore.Options{
		Credential: s.cred,
		Transport:  trusting(s.vault),
		Retry:      httpretry.Policy{Sleep: s.sleeper.Sleep},
	})
	return s
}

func trusting(v *azurefake.Server) *http.Transport {
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: v.CertPool(), MinVersion: tls.VersionTLS12}}
}

func source(vault, secret string) *rotation.Source {
	return &rotation.Source{AzureKeyVault: &rotation.AzureKeyVaultSource{Vault: vault, Secret: secret}}
}

func at(t *testing.T, v string) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, v)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func storeError(t *testing.T, err error, reason verify.Reason, words ...string) *verify.StoreError {
	t.Helper()
	var se *verify.StoreError
	if !errors.As(err, &se) {
		t.Fatalf("error %v (%T) is no *verify.StoreError", err, err)
	}
	if se.Reason != reason {
		t.Errorf("reason %s, want %s: %s", se.Reason, reason, se.Detail)
	}
	for _, w := range words {
		if !strings.Contains(se.Detail, w) {
			t.Errorf("detail %q does not say %q", se.Detail, w)
		}
	}
	if strings.Contains(se.Error(), azurefake.Token) {
		t.Errorf("the error shows the token: %s", se.Error())
	}
	return se
}

// TestCheck: the newest enabled version, every page read, versions oldest
// first whatever order Key Vault lists them in, instants exact; the first
// request draws Key Vault's challenge, the token is asked for the tenant
// and resource it names, and later requests carry it.
func TestCheck(t *testing.T) {
	s := newSetup(t)
	s.vault.SetPageSize(2)
	s.vault.AddSecret("db-admin",
		azurefake.Version{ID: "ffff0000000000000000000000000003", Created: at(t, "2026-09-01T10:22:03Z")},
		azurefake.Version{ID: "00000000000000000000000000000001", Created: at(t, "2026-01-05T08:00:00Z")},
		azurefake.Version{ID: "aaaa0000000000000000000000000002", Created: at(t, "2026-05-20T23:59:59Z")},
		azurefake.Version{ID: "1111000000000000000000000000000a", Created: at(t, "2025-12-31T00:00:01Z"), Disabled: true},
		azurefake.Version{ID: "bbbb00000000000000000000000000b5", Created: at(t, "2026-03-01T12:00:00Z")},
	)
	obs, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
	if err != nil {
		t.Fatal(err)
	}
	want := at(t, "2026-09-01T10:22:03Z")
	if !obs.Changed.Equal(want) || obs.Changed.Location() != time.UTC {
		t.Errorf("Changed = %v, want %v in UTC", obs.Changed, want)
	}
	if obs.Evidence != "version ffff0000… created 2026-09-01T10:22:03Z (newest enabled)" {
		t.Errorf("Evidence = %q", obs.Evidence)
	}
	if len(obs.Warnings) != 0 {
		t.Errorf("Warnings = %q, want none (an older disabled version is no finding)", obs.Warnings)
	}
	var got []string
	for _, v := range obs.Versions {
		got = append(got, fmt.Sprintf("%s %s %v", v.ID[:4], v.Created.Format(time.RFC3339), v.Current))
	}
	wantVersions := []string{
		"1111 2025-12-31T00:00:01Z false",
		"0000 2026-01-05T08:00:00Z false",
		"bbbb 2026-03-01T12:00:00Z false",
		"aaaa 2026-05-20T23:59:59Z false",
		"ffff 2026-09-01T10:22:03Z true",
	}
	if strings.Join(got, "\n") != strings.Join(wantVersions, "\n") {
		t.Errorf("Versions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantVersions, "\n"))
	}
	// Three pages; the first request without a token, answered 401.
	if n := s.vault.CallsTo(azurefake.RouteVersions); n != 4 {
		t.Errorf("%d listings, want 4 (the challenge, then 3 pages)", n)
	}
	if n := s.vault.Challenges(); n != 1 {
		t.Errorf("%d challenges, want 1", n)
	}
	reqs := s.cred.Requests()
	if len(reqs) == 0 || reqs[0].TenantID != azurefake.Tenant || len(reqs[0].Scopes) != 1 || reqs[0].Scopes[0] != azurefake.Resource+"/.default" {
		t.Errorf("token requests %+v, want tenant %s and scope %s/.default", reqs, azurefake.Tenant, azurefake.Resource)
	}
	for _, ex := range s.vault.Exchanges() {
		if ex.Query.Get("api-version") != azurefake.APIVersion {
			t.Errorf("%s %s?%s: api-version %q, want %s", ex.Method, ex.Path, ex.Query.Encode(), ex.Query.Get("api-version"), azurefake.APIVersion)
		}
	}

	// A second check on the same vault needs no second challenge.
	s.vault.AddSecret("api-key", azurefake.Version{Created: at(t, "2026-10-10T10:10:10Z")})
	if _, err := s.checker.Check(context.Background(), source(s.vault.URL+"/", "API-KEY")); err != nil {
		t.Fatal(err)
	}
	if n := s.vault.Challenges(); n != 1 {
		t.Errorf("%d challenges after a second check, want 1", n)
	}
}

// TestCheckDisabled: a newer disabled version is not the one in use (a
// warning); no enabled version at all is a finding.
func TestCheckDisabled(t *testing.T) {
	s := newSetup(t)
	s.vault.AddSecret("db-admin",
		azurefake.Version{ID: "a0000000000000000000000000000001", Created: at(t, "2026-03-01T08:00:00Z")},
		azurefake.Version{ID: "b0000000000000000000000000000002", Created: at(t, "2026-09-01T08:00:00Z"), Disabled: true},
	)
	obs, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Changed.Equal(at(t, "2026-03-01T08:00:00Z")) || !obs.Versions[0].Current || obs.Versions[1].Current {
		t.Errorf("Changed %v, versions %+v: want the enabled version of 2026-03-01 current", obs.Changed, obs.Versions)
	}
	if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], "b0000000… of "+s.vault.URL+"/secrets/db-admin created 2026-09-01T08:00:00Z is newer and disabled") {
		t.Errorf("Warnings = %q", obs.Warnings)
	}

	s.vault.AddSecret("all-off", azurefake.Version{Created: at(t, "2026-03-01T08:00:00Z"), Disabled: true})
	_, err = s.checker.Check(context.Background(), source(s.vault.URL, "all-off"))
	storeError(t, err, verify.ReasonDeleted, "every version of", "is disabled", "az keyvault secret set-attributes")
}

// TestCheckFailures: what Key Vault answers, classified, with what to do
// next and never the token.
func TestCheckFailures(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(s *setup)
		reason  verify.Reason
		words   []string
		calls   int // listings, the challenge included
		waits   int // retries slept
	}{
		{name: "not found", reason: verify.ReasonNotFound, calls: 2,
			words: []string{"has no secret db-admin", "SecretNotFound", "az keyvault secret list-versions", "list-deleted"}},
		{name: "forbidden", prepare: func(s *setup) { s.vault.AddSecret("db-admin"); s.vault.Deny("db-admin") },
			reason: verify.ReasonAccessDenied, calls: 2,
			words: []string{`"Key Vault Reader"`, "Microsoft.KeyVault/vaults/secrets/readMetadata/action", "secret permission List", "Key Vault says: Forbidden: Caller is not authorized to perform action on resource.)"}},
		{name: "token refused", prepare: func(s *setup) { s.vault.SetToken("another") },
			reason: verify.ReasonAccessDenied, calls: 2, words: []string{"refused the token", "AKV10022", "AZURE_TENANT_ID"}},
		{name: "throttled, then served", prepare: func(s *setup) { s.put(); s.vault.Throttle(2) }, calls: 4, waits: 2},
		{name: "still throttled", prepare: func(s *setup) { s.put(); s.vault.Throttle(5) },
			reason: verify.ReasonThrottled, calls: 6, waits: 4, words: []string{"still throttled", "after 5 attempts", "Throttled"}},
		{name: "5xx, then served", prepare: func(s *setup) {
			s.put()
			s.vault.Fail(http.StatusInternalServerError, 1)
			s.vault.Fail(http.StatusBadGateway, 1)
		}, calls: 4, waits: 2},
		{name: "still unavailable", prepare: func(s *setup) { s.put(); s.vault.Fail(http.StatusServiceUnavailable, 5) },
			reason: verify.ReasonUnreachable, calls: 6, waits: 4, words: []string{"503 Service Unavailable after 5 attempts"}},
		{name: "not a key vault", prepare: func(s *setup) {
			s.put()
			s.vault.Inject(fakeapi.Fault{Route: azurefake.RouteVersions, Status: http.StatusOK, Body: `{"value": [{"id": 7}]}`})
		}, reason: verify.ReasonInvalid, calls: 2, words: []string{"a body rotor cannot read"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSetup(t)
			if tt.prepare != nil {
				tt.prepare(s)
			}
			_, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
			if tt.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else {
				storeError(t, err, tt.reason, tt.words...)
			}
			if n := s.vault.CallsTo(azurefake.RouteVersions); n != tt.calls {
				t.Errorf("%d listings, want %d", n, tt.calls)
			}
			if n := len(s.sleeper.Waits()); n != tt.waits {
				t.Errorf("%d waits %v, want %d", n, s.sleeper.Waits(), tt.waits)
			}
		})
	}
}

func (s *setup) put() {
	s.vault.AddSecret("db-admin", azurefake.Version{Created: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC)})
}

// TestRetryAfter: Key Vault's Retry-After is the wait asked of the sleeper.
func TestRetryAfter(t *testing.T) {
	s := newSetup(t)
	s.put()
	s.vault.Throttle(1)
	if _, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin")); err != nil {
		t.Fatal(err)
	}
	if w := s.sleeper.Waits(); len(w) != 1 || w[0] != time.Second {
		t.Errorf("waits %v, want [1s] (Retry-After: 1)", w)
	}
}

// TestTokenStaysAtTheVault: a redirect is not followed, and a page linked
// on another host is not asked for: the other server receives nothing.
func TestTokenStaysAtTheVault(t *testing.T) {
	t.Run("redirect", func(t *testing.T) {
		s := newSetup(t)
		other := azurefake.New(t)
		s.put()
		s.vault.Redirect(other.URL + "/secrets/db-admin/versions?api-version=" + azurefake.APIVersion)
		_, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
		storeError(t, err, verify.ReasonConfig, "with a redirect to "+other.URL, "does not follow")
		if n := other.Total(); n != 0 {
			t.Errorf("the redirect's target received %d requests", n)
		}
	})
	t.Run("next link", func(t *testing.T) {
		s := newSetup(t)
		other := azurefake.New(t)
		s.vault.SetPageSize(1)
		s.vault.SetNextLinkBase(other.URL)
		s.vault.AddSecret("db-admin", azurefake.Version{Created: at(t, "2026-01-01T00:00:00Z")}, azurefake.Version{Created: at(t, "2026-02-01T00:00:00Z")})
		_, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
		storeError(t, err, verify.ReasonInvalid, "linked a page at "+other.URL, "does not send the token there")
		if n := other.Total(); n != 0 {
			t.Errorf("the linked host received %d requests", n)
		}
		if n := len(s.sleeper.Waits()); n != 0 {
			t.Errorf("%d retries of a refused link", n)
		}
	})
}

// TestCheckConfig: a source rotor cannot ask about, or no credential, is a
// config error before any request with a token.
func TestCheckConfig(t *testing.T) {
	tests := []struct {
		name          string
		vault, secret string
		words         []string
	}{
		{name: "no vault", secret: "db", words: []string{"names no vault"}},
		{name: "http", vault: "http://acme.vault.azure.net", secret: "db", words: []string{"is not a vault URL", "https://NAME.vault.azure.net"}},
		{name: "a path", vault: "https://acme.vault.azure.net/secrets/db", secret: "db", words: []string{"nothing after the host"}},
		{name: "a query", vault: "https://acme.vault.azure.net?x=1", secret: "db", words: []string{"is not a vault URL"}},
		{name: "no name", vault: "https://acme.vault.azure.net", words: []string{"is not a Key Vault secret name"}},
		{name: "a path in the name", vault: "https://acme.vault.azure.net", secret: "db/../x", words: []string{`"db/../x" is not a Key Vault secret name`}},
		{name: "a version in the name", vault: "https://acme.vault.azure.net", secret: "db/0123", words: []string{"without the vault or a version"}},
		{name: "a control character", vault: "https://acme.vault.azure.net", secret: "db\x1b[2J", words: []string{"is not a Key Vault secret name"}},
	}
	c := azurestore.New(azurestore.Options{Credential: &fixedToken{token: azurefake.Token}, Transport: failingTransport{t}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.Check(context.Background(), source(tt.vault, tt.secret))
			se := storeError(t, err, verify.ReasonConfig, tt.words...)
			if strings.ContainsRune(se.Detail, '\x1b') {
				t.Errorf("detail has a control character: %q", se.Detail)
			}
		})
	}
	t.Run("not an azure source", func(t *testing.T) {
		_, err := c.Check(context.Background(), &rotation.Source{VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: "x"}})
		storeError(t, err, verify.ReasonConfig, "not an azure_key_vault one")
	})
	t.Run("no credential", func(t *testing.T) {
		s := newSetup(t)
		s.put()
		s.cred.err = errors.New("DefaultAzureCredential: failed to acquire a token.\nAttempted credentials:\n\tEnvironmentCredential: missing environment variable AZURE_TENANT_ID")
		_, err := s.checker.Check(context.Background(), source(s.vault.URL, "db-admin"))
		storeError(t, err, verify.ReasonConfig, "no Azure token for "+s.vault.URL, "missing environment variable AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE")
		for _, ex := range s.vault.Exchanges() {
			if ex.Header.Get("Authorization") != "" {
				t.Errorf("a request carried a token")
			}
		}
	})
}

// failingTransport fails the test on any request.
type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.t.Errorf("unexpected request %s %s", r.Method, r.URL)
	return nil, errors.New("no network in this test")
}

// TestCheckTLS: a vault whose certificate this machine does not trust is a
// tls finding, not retried.
func TestCheckTLS(t *testing.T) {
	s := newSetup(t)
	c := azurestore.New(azurestore.Options{Credential: s.cred, Retry: httpretry.Policy{Sleep: s.sleeper.Sleep}})
	_, err := c.Check(context.Background(), source(s.vault.URL, "db-admin"))
	storeError(t, err, verify.ReasonTLS, "signed by an authority this machine does not trust")
	if n := len(s.sleeper.Waits()); n != 0 {
		t.Errorf("%d retries of a TLS failure", n)
	}
}

// TestCheckConcurrent: one checker serves many checks at once (run with
// -race), one challenge for all of them at most per request in flight.
func TestCheckConcurrent(t *testing.T) {
	s := newSetup(t)
	const n = 40
	for i := range n {
		s.vault.AddSecret(fmt.Sprintf("s-%d", i), azurefake.Version{Created: time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)})
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		wg.Go(func() {
			obs, err := s.checker.Check(context.Background(), source(s.vault.URL, fmt.Sprintf("s-%d", i)))
			if err == nil && obs.Changed.Day() != (time.Date(2026, 1, 1+i, 0, 0, 0, 0, time.UTC)).Day() {
				err = fmt.Errorf("s-%d: changed %v", i, obs.Changed)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	if got := s.vault.CallsTo(azurefake.RouteVersions) - s.vault.Challenges(); got != n {
		t.Errorf("%d served listings, want %d", got, n)
	}
}
