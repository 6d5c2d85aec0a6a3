// Package azurefake is a fake Azure Key Vault for tests, on fakeapi, served
// over https (Key Vault's clients refuse anything else): secrets whose
// versions were created at chosen instants, enabled or disabled, answering
// GET /secrets/{name}/versions as Key Vault documents it (the list of
// SecretItem: id, attributes with enabled and created/updated in epoch
// seconds, recoveryLevel; pages of a chosen size linked by an absolute
// nextLink carrying $skiptoken), with Key Vault's authentication challenge:
// a request without a bearer token, or with a token the vault does not
// accept, is answered 401 with
//
//	WWW-Authenticate: Bearer authorization="https://login.microsoftonline.com/{tenant}", resource="https://vault.azure.net"
//
// and Key Vault's error shape ({"error": {"code", "message"}}): 404
// SecretNotFound, 403 Forbidden (ForbiddenByRbac), 429 Throttled, 5xx.
//
// It fails the test on any request that would read a secret value: GET
// /secrets/{name} (the current version) and GET /secrets/{name}/{version}.
//
// Login is a fake Microsoft Entra ID token endpoint (instance and tenant
// discovery, the client credentials grant), so that a test can drive
// azidentity's own credentials (AZURE_AUTHORITY_HOST pointing at it).
//
// Faults (throttling, 5xx, redirects) and call counts are fakeapi's; the
// fake is safe for concurrent use and cheap enough for a benchmark of
// 10,000 secrets with a configurable latency.
package azurefake

import (
	"cmp"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// Tenant is the directory the fake vault's challenge names.
const Tenant = "5c3b2a1d-0e9f-4a8b-9c7d-6e5f4a3b2c1d"

// Token is the access token the fake vault accepts unless SetToken says
// otherwise (and the one Login issues).
const Token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.fake-key-vault-access-token.c2lnbmF0dXJl"

// Resource is the resource the challenge names: the scope a token for Key
// Vault is asked for, with "/.default".
const Resource = "https://vault.azure.net"

// APIVersion is the api-version azsecrets v1.5.1 sends.
const APIVersion = "2026-04-01"

// DefaultPageSize is how many versions one page lists, as Key Vault's
// default maxresults.
const DefaultPageSize = 25

// The routes of the fake vault, as fakeapi's Calls keys them.
const (
	RouteVersions = "GET /secrets/{name}/versions"  // the one rotor may call
	RouteSecret   = "GET /secrets/{name}"           // the current version's value
	RouteVersion  = "GET /secrets/{name}/{version}" // a version's value
)

// Version is one version of a secret.
type Version struct {
	ID       string    // 32 hex digits; "" makes one up
	Created  time.Time // Key Vault keeps whole seconds: the fraction is dropped
	Disabled bool
}

// Server is a started fake Key Vault.
type Server struct {
	*fakeapi.Server

	t    testing.TB
	cert *x509.Certificate

	mu       sync.Mutex
	token    string
	tenant   string
	pageSize int
	latency  time.Duration
	nextBase string                // "" : the vault's own URL
	secrets  map[string][]*Version // by lower-case name: Key Vault names are case-insensitive
	denied   map[string]bool
	reads    []string
	versions int // made-up version ids so far
}

// New starts a fake Key Vault on https://127.0.0.1:PORT with httptest's
// certificate (CertPool and Certificate give it); it stops when the test
// ends, and fails the test on a secret value read, an unexpected request
// or a fault that never fired.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		token:    Token,
		tenant:   Tenant,
		pageSize: DefaultPageSize,
		secrets:  map[string][]*Version{},
		denied:   map[string]bool{},
	}
	s.Server = fakeapi.New(fakeapi.API{
		Name: "azurefake",
		Routes: []fakeapi.Route{
			{Method: http.MethodGet, Pattern: "/secrets/{name}/versions", Handle: s.list},
			// The value reads answer whatever the token: they fail the test.
			{Method: http.MethodGet, Pattern: "/secrets/{name}", Public: true, Handle: s.valueRead},
			{Method: http.MethodGet, Pattern: "/secrets/{name}/{version}", Public: true, Handle: s.valueRead},
		},
		Authorize: s.authorized,
		Refuse:    s.challenge,
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, http.StatusNotFound, "NotFound", "The requested resource was not found.")
		},
		Error: func(w http.ResponseWriter, status int) {
			code, msg := errorText(status)
			writeError(w, status, code, msg)
		},
	})
	srv := httptest.NewTLSServer(s.Server)
	s.URL = srv.URL
	s.cert = srv.Certificate()
	t.Cleanup(func() {
		srv.Close()
		s.Verify(t)
	})
	return s
}

// Certificate returns the fake's certificate, PEM-encoded.
func (s *Server) Certificate() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.cert.Raw})
}

// CertPool returns a pool that trusts the fake's certificate.
func (s *Server) CertPool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(s.cert)
	return p
}

// SetToken makes the fake accept token only.
func (s *Server) SetToken(token string) { s.mu.Lock(); s.token = token; s.mu.Unlock() }

// SetTenant sets the tenant the challenge names.
func (s *Server) SetTenant(tenant string) { s.mu.Lock(); s.tenant = tenant; s.mu.Unlock() }

// SetPageSize sets how many versions a page lists (a request's maxresults,
// when smaller, wins).
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = max(n, 1); s.mu.Unlock() }

// SetLatency makes every routed answer wait d first (or until the request
// ends).
func (s *Server) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetNextLinkBase makes the nextLink of every page point at base (a
// scheme://host) instead of the vault: an answer Key Vault does not give,
// for the test that a token never follows a link to another host.
func (s *Server) SetNextLinkBase(base string) { s.mu.Lock(); s.nextBase = base; s.mu.Unlock() }

// AddSecret creates (or replaces) a secret with the versions given, in
// any order.
func (s *Server) AddSecret(name string, versions ...Version) {
	s.mu.Lock()
	defer s.mu.Unlock()
	vs := make([]*Version, len(versions))
	for i, v := range versions {
		if v.ID == "" {
			s.versions++
			v.ID = fmt.Sprintf("%032x", s.versions)
		}
		v.Created = v.Created.Truncate(time.Second)
		vs[i] = &v
	}
	s.secrets[strings.ToLower(name)] = vs
}

// AddVersion adds a version to a secret, creating it when missing, as az
// keyvault secret set does.
func (s *Server) AddVersion(name string, v Version) {
	s.mu.Lock()
	vs := s.secrets[strings.ToLower(name)]
	s.mu.Unlock()
	all := make([]Version, 0, len(vs)+1)
	for _, x := range vs {
		all = append(all, *x)
	}
	s.AddSecret(name, append(all, v)...)
}

// Deny makes the fake answer 403 to a listing of name's versions, as a
// vault does when the caller's role lacks
// Microsoft.KeyVault/vaults/secrets/readMetadata/action.
func (s *Server) Deny(name string) {
	s.mu.Lock()
	s.denied[strings.ToLower(name)] = true
	s.mu.Unlock()
}

// Throttle answers the next n listings with 429 Throttled and
// Retry-After: 1.
func (s *Server) Throttle(n int) {
	s.Inject(fakeapi.Fault{Route: RouteVersions, Status: http.StatusTooManyRequests, RetryAfter: time.Second, Times: n})
}

// Fail answers the next n listings with status (500, 502, 503, 504).
func (s *Server) Fail(status, n int) {
	s.Inject(fakeapi.Fault{Route: RouteVersions, Status: status, Times: n})
}

// Redirect answers the next listing with 307 to location.
func (s *Server) Redirect(location string) {
	s.Inject(fakeapi.Fault{Route: RouteVersions, Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": location}})
}

// ValueReads returns the requests that would have read a secret value;
// each has failed the test already.
func (s *Server) ValueReads() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reads...)
}

// Challenges returns how many requests were answered with the
// authentication challenge.
func (s *Server) Challenges() int {
	n := 0
	for _, ex := range s.Exchanges() {
		if ex.Status == http.StatusUnauthorized {
			n++
		}
	}
	return n
}

func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	token := s.token
	s.mu.Unlock()
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && got == token
}

// challenge answers a request without an acceptable token as Key Vault
// does: 401, the WWW-Authenticate challenge naming the tenant and the
// resource, and an error saying why.
func (s *Server) challenge(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	tenant := s.tenant
	s.mu.Unlock()
	w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer authorization="https://login.microsoftonline.com/%s", resource="%s"`, tenant, Resource))
	if r.Header.Get("Authorization") == "" {
		writeError(w, http.StatusUnauthorized, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
		return
	}
	writeError(w, http.StatusUnauthorized, "Unauthorized", "AKV10022: Invalid audience.")
}

// valueRead fails the test: rotor must never ask for a value.
func (s *Server) valueRead(w http.ResponseWriter, r *fakeapi.Request) {
	line := r.Method + " " + r.URL.Path
	s.mu.Lock()
	s.reads = append(s.reads, line)
	s.mu.Unlock()
	s.t.Errorf("azurefake: a request that reads a secret value: %s", line)
	writeError(w, http.StatusForbidden, "Forbidden", "azurefake: rotor must not read secret values")
}

// list serves GET /secrets/{name}/versions: one page of the secret's
// versions, in the order of their ids (Key Vault lists them in no order of
// date), the next page linked by an absolute nextLink.
func (s *Server) list(w http.ResponseWriter, r *fakeapi.Request) {
	s.mu.Lock()
	latency := s.latency
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
	q := r.URL.Query()
	if q.Get("api-version") == "" {
		writeError(w, http.StatusBadRequest, "BadParameter", "The 'api-version' query parameter is missing.")
		return
	}
	name := r.PathValue("name")
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.denied[strings.ToLower(name)] {
		writeError(w, http.StatusForbidden, "Forbidden",
			"Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role definitions were changed recently, please observe propagation time.\r\n"+
				"Action: 'Microsoft.KeyVault/vaults/secrets/readMetadata/action'\r\nResource: '/subscriptions/00000000-0000-0000-0000-000000000000/resourcegroups/rg/providers/microsoft.keyvault/vaults/fake/secrets/"+name+"'\r\n"+
				"Assignment: (not found)\r\nDecisionReason: 'DeniedWithNoValidRBAC'\r\n",
			"ForbiddenByRbac")
		return
	}
	vs, ok := s.secrets[strings.ToLower(name)]
	if !ok {
		writeError(w, http.StatusNotFound, "SecretNotFound",
			"A secret with (name/id) "+name+" was not found in this key vault. If you recently deleted this secret you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")
		return
	}
	size := s.pageSize
	if m, err := strconv.Atoi(q.Get("maxresults")); err == nil && m > 0 && m < size {
		size = m
	}
	from := 0
	if tok := q.Get("$skiptoken"); tok != "" {
		b, err := base64.RawURLEncoding.DecodeString(tok)
		n, err2 := strconv.Atoi(string(b))
		if err != nil || err2 != nil || n < 0 || n > len(vs) {
			writeError(w, http.StatusBadRequest, "BadParameter", "The $skiptoken is invalid.")
			return
		}
		from = n
	}
	sorted := slices.SortedFunc(slices.Values(vs), func(a, b *Version) int { return cmp.Compare(a.ID, b.ID) })
	to := min(from+size, len(sorted))
	items := make([]map[string]any, 0, to-from)
	for _, v := range sorted[from:to] {
		items = append(items, map[string]any{
			"id": s.URL + "/secrets/" + name + "/" + v.ID,
			"attributes": map[string]any{
				"enabled":         !v.Disabled,
				"created":         v.Created.Unix(),
				"updated":         v.Created.Unix(),
				"recoverableDays": 90,
				"recoveryLevel":   "Recoverable+Purgeable",
			},
		})
	}
	var next any // JSON null on the last page, as Key Vault writes it
	if to < len(sorted) {
		base := cmp.Or(s.nextBase, s.URL)
		next = base + "/secrets/" + url.PathEscape(name) + "/versions?api-version=" + url.QueryEscape(q.Get("api-version")) +
			"&$skiptoken=" + base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(to))) + "&maxresults=" + strconv.Itoa(size)
	}
	fakeapi.WriteJSON(w, http.StatusOK, "application/json; charset=utf-8", map[string]any{"value": items, "nextLink": next})
}

// writeError answers in Key Vault's error shape, with an innererror code
// when one is given.
func writeError(w http.ResponseWriter, status int, code, message string, inner ...string) {
	e := map[string]any{"code": code, "message": message}
	if len(inner) > 0 {
		e["innererror"] = map[string]any{"code": inner[0]}
	}
	fakeapi.WriteJSON(w, status, "application/json; charset=utf-8", map[string]any{"error": e})
}

// errorText is what Key Vault says with a fault's status.
func errorText(status int) (code, message string) {
	switch status {
	case http.StatusTooManyRequests:
		return "Throttled", "Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable", "The service is temporarily unavailable."
	case http.StatusTemporaryRedirect:
		return "Redirect", "Temporary redirect."
	}
	return strings.ReplaceAll(http.StatusText(status), " ", ""), http.StatusText(status)
}
