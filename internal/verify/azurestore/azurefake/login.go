package azurefake

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// The service principal Login accepts: AZURE_CLIENT_ID and
// AZURE_CLIENT_SECRET.
const (
	ClientID     = "0f1e2d3c-4b5a-4697-8877-665544332211"
	ClientSecret = "fake~client~secret~for~tests~0123456789"
)

// RouteToken is Login's token endpoint, as fakeapi's Calls keys it.
const RouteToken = "POST /{tenant}/oauth2/v2.0/token"

// Login is a fake Microsoft Entra ID for azidentity's credentials: point
// AZURE_AUTHORITY_HOST at its URL. It serves instance discovery, the
// tenant's OpenID configuration and the client credentials grant (a
// client secret), issuing Token for the scope
// https://vault.azure.net/.default only (MSAL adds openid, profile and
// offline_access). MSAL asks login.microsoftonline.com for instance
// discovery whatever the authority host: a test's transport dials Login
// for that host too.
type Login struct {
	*fakeapi.Server
}

// NewLogin starts a fake Entra ID on https://127.0.0.1:PORT, with the
// same certificate as New's (httptest's); it stops when the test ends.
func NewLogin(t testing.TB) *Login {
	t.Helper()
	l := &Login{}
	l.Server = fakeapi.New(fakeapi.API{
		Name: "azurefake login",
		Routes: []fakeapi.Route{
			{Method: http.MethodGet, Pattern: "/common/discovery/instance", Public: true, Handle: l.instance},
			{Method: http.MethodGet, Pattern: "/{tenant}/v2.0/.well-known/openid-configuration", Public: true, Handle: l.openID},
			{Method: http.MethodPost, Pattern: "/{tenant}/oauth2/v2.0/token", Public: true, Handle: l.token},
		},
		Authorize: func(*http.Request) bool { return false },
		Refuse:    func(http.ResponseWriter, *http.Request) {},
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			oauthError(w, http.StatusNotFound, "invalid_request", "not found")
		},
		Error: func(w http.ResponseWriter, status int) {
			oauthError(w, status, "temporarily_unavailable", http.StatusText(status))
		},
	})
	srv := httptest.NewTLSServer(l.Server)
	l.URL = srv.URL
	t.Cleanup(func() {
		srv.Close()
		l.Verify(t)
	})
	return l
}

func (l *Login) host() string { return strings.TrimPrefix(l.URL, "https://") }

// instance answers MSAL's instance discovery: the host is its own alias.
func (l *Login) instance(w http.ResponseWriter, r *fakeapi.Request) {
	tenant := Tenant
	if a, err := url.Parse(r.URL.Query().Get("authorization_endpoint")); err == nil {
		if seg := strings.Split(strings.Trim(a.Path, "/"), "/"); seg[0] != "" {
			tenant = seg[0]
		}
	}
	fakeapi.WriteJSON(w, http.StatusOK, "", map[string]any{
		"tenant_discovery_endpoint": l.URL + "/" + tenant + "/v2.0/.well-known/openid-configuration",
		"api-version":               "1.1",
		"metadata": []map[string]any{{
			"preferred_network": l.host(), "preferred_cache": l.host(), "aliases": []string{l.host()},
		}},
	})
}

// openID answers the tenant's OpenID configuration.
func (l *Login) openID(w http.ResponseWriter, r *fakeapi.Request) {
	tenant := r.PathValue("tenant")
	base := l.URL + "/" + tenant
	fakeapi.WriteJSON(w, http.StatusOK, "", map[string]any{
		"token_endpoint":         base + "/oauth2/v2.0/token",
		"authorization_endpoint": base + "/oauth2/v2.0/authorize",
		"issuer":                 base + "/v2.0",
		"jwks_uri":               base + "/discovery/v2.0/keys",
	})
}

// token serves the client credentials grant.
func (l *Login) token(w http.ResponseWriter, r *fakeapi.Request) {
	form, err := url.ParseQuery(string(r.Body))
	switch {
	case err != nil || form.Get("grant_type") != "client_credentials":
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "AADSTS70003: the grant type is not supported.")
	case form.Get("client_id") != ClientID || form.Get("client_secret") != ClientSecret:
		oauthError(w, http.StatusUnauthorized, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
	case r.PathValue("tenant") != Tenant:
		oauthError(w, http.StatusBadRequest, "invalid_request", "AADSTS90002: Tenant not found.")
	case !slices.Contains(strings.Fields(form.Get("scope")), Resource+"/.default"):
		oauthError(w, http.StatusBadRequest, "invalid_scope", "AADSTS70011: The provided value for the input parameter 'scope' is not valid.")
	default:
		fakeapi.WriteJSON(w, http.StatusOK, "", map[string]any{
			"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": Token,
		})
	}
}

func oauthError(w http.ResponseWriter, status int, code, description string) {
	fakeapi.WriteJSON(w, status, "", map[string]any{"error": code, "error_description": description})
}
