// Package azurestore is rotor verify's adapter for Azure Key Vault: it lists
// the versions of a secret (GET {vault}/secrets/{name}/versions, every page,
// azsecrets' NewListSecretPropertiesVersionsPager) and says when the newest
// enabled version was created. It never reads a value: no GetSecret, no GET
// {vault}/secrets/{name} nor {vault}/secrets/{name}/{version}.
//
// Credentials are azidentity's DefaultAzureCredential, which reads the
// process environment itself: AZURE_TENANT_ID, AZURE_CLIENT_ID and
// AZURE_FEDERATED_TOKEN_FILE (GitHub OIDC, workload identity), or
// AZURE_CLIENT_SECRET or AZURE_CLIENT_CERTIFICATE_PATH (a service
// principal), else a managed identity, else the Azure CLI's login;
// AZURE_AUTHORITY_HOST names another cloud's Entra ID. The vault is the
// source's own URL.
//
// The client is azsecrets', with what it would otherwise do on its own
// taken away or bounded:
//
//   - Its pipeline follows redirects with the token (Go's client keeps the
//     Authorization header to a host under the same domain). Requests go
//     through verify.HTTPClient, which follows none: a redirect is an
//     error naming where it pointed.
//   - It follows a page's nextLink wherever it points, with the token. A
//     policy refuses, before the token is added, any request to a host
//     other than the source's vault.
//   - It retries 408, 429 and 5xx itself, sleeping for real (Retry-After
//     up to a minute). Its retries are off; httpretry's transport retries
//     429 and 5xx instead, with the Sleep of Options.Retry, bounded.
//   - Its challenge policy checks that the resource of Key Vault's 401
//     challenge is a parent domain of the vault's host, so that a URL
//     that is no Key Vault cannot obtain a Key Vault token. rotor keeps
//     the check, except for a loopback host (an emulator, a test fake),
//     which cannot be under vault.azure.net.
//
// The credential's own requests (Entra ID, the managed identity endpoint,
// which is plain http on a link-local address) keep azidentity's client.
//
// A checker is safe for concurrent use: one credential, one HTTP client,
// and one Key Vault client per vault, made on first use.
package azurestore

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/security/keyvault/azsecrets"

	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
)

// The environment variables of azidentity that the docs name (the SDK
// reads them itself).
const (
	EnvTenantID           = "AZURE_TENANT_ID"
	EnvClientID           = "AZURE_CLIENT_ID"
	EnvFederatedTokenFile = "AZURE_FEDERATED_TOKEN_FILE"
	EnvClientSecret       = "AZURE_CLIENT_SECRET"
	EnvAuthorityHost      = "AZURE_AUTHORITY_HOST"
)

// Default time limits.
const (
	DefaultTimeout        = verify.DefaultTimeout // one check, its pages and retries included
	DefaultAttemptTimeout = 10 * time.Second      // one request
)

// maxPages bounds the pages one check reads: Key Vault lists 25 versions a
// page, so 400 pages are 10,000 versions, more than a secret rotated daily
// keeps in 25 years.
const maxPages = 400

// Role names the least privilege that lists versions.
const (
	Role       = "Key Vault Reader"
	DataAction = "Microsoft.KeyVault/vaults/secrets/readMetadata/action"
)

// Options configure a Checker. The zero value is DefaultAzureCredential
// with rotor's retry policy.
type Options struct {
	// Credential gets the tokens; nil: azidentity's
	// DefaultAzureCredential, made on the first check.
	Credential azcore.TokenCredential
	// Transport carries the requests to the vaults under
	// verify.HTTPClient's guard and, when set, the credential's requests
	// too; nil: a clone of http.DefaultTransport that keeps up to 100
	// idle connections per host (and azidentity's own for the
	// credential).
	Transport http.RoundTripper
	// Retry is how 429 and 5xx answers and network failures are retried;
	// tests set its Sleep.
	Retry httpretry.Policy
	// Timeout bounds one check, its pages and retries included;
	// AttemptTimeout one request. Zero: DefaultTimeout and
	// DefaultAttemptTimeout.
	Timeout, AttemptTimeout time.Duration
}

// Checker lists Key Vault secret versions. It is safe for concurrent use.
type Checker struct {
	opts Options
	http *http.Client
	cred func() (azcore.TokenCredential, error)

	mu      sync.Mutex
	clients map[string]*azsecrets.Client // by vault, scheme://host
}

var _ verify.Checker = (*Checker)(nil)

// New returns a checker. The credential is made on its first check.
func New(opts Options) *Checker {
	base := opts.Transport
	if base == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.MaxIdleConnsPerHost = 100
		base = t
	}
	c := &Checker{
		opts: opts,
		http: verify.HTTPClient(&httpretry.Transport{
			Base:           verify.StopOnCertificateFailure(base),
			Policy:         opts.Retry,
			AttemptTimeout: cmp.Or(opts.AttemptTimeout, DefaultAttemptTimeout),
		}, cmp.Or(opts.Timeout, DefaultTimeout)),
		clients: map[string]*azsecrets.Client{},
	}
	c.cred = sync.OnceValues(func() (azcore.TokenCredential, error) {
		if opts.Credential != nil {
			return markCredential{opts.Credential}, nil
		}
		var o azidentity.DefaultAzureCredentialOptions
		if opts.Transport != nil {
			o.ClientOptions.Transport = &http.Client{Transport: opts.Transport}
		}
		cred, err := azidentity.NewDefaultAzureCredential(&o)
		if err != nil {
			return nil, err
		}
		return markCredential{cred}, nil
	})
	return c
}

// markCredential marks a failure to get a token, so that classify can tell
// it apart from the vault's answers.
type markCredential struct{ c azcore.TokenCredential }

func (m markCredential) GetToken(ctx context.Context, o policy.TokenRequestOptions) (azcore.AccessToken, error) {
	t, err := m.c.GetToken(ctx, o)
	if err != nil {
		return t, &credentialError{err}
	}
	return t, nil
}

// credentialError is a failure of the credential.
type credentialError struct{ err error }

func (e *credentialError) Error() string { return e.err.Error() }
func (e *credentialError) Unwrap() error { return e.err }

// secretName is what Key Vault takes as a secret's name.
var secretName = regexp.MustCompile(`^[0-9A-Za-z-]{1,127}$`)

// Check lists the versions of src's secret and returns when the newest
// enabled one was created.
func (c *Checker) Check(ctx context.Context, src *rotation.Source) (verify.Observation, error) {
	if src == nil || src.AzureKeyVault == nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "the source %q is not an azure_key_vault one", src.String())
	}
	vault, err := vaultURL(src.AzureKeyVault.Vault)
	if err != nil {
		return verify.Observation{}, err
	}
	name := strings.TrimSpace(src.AzureKeyVault.Secret)
	if !secretName.MatchString(name) {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil,
			"source.azure_key_vault.secret %q is not a Key Vault secret name (1 to 127 letters, digits and dashes): write the name the portal shows, without the vault or a version",
			textsafe.Controls(name))
	}
	client, err := c.client(vault)
	if err != nil {
		return verify.Observation{}, err
	}
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	ctx = verify.WithStop(ctx, stop)
	ctx, rec := httpretry.WithRecord(ctx)
	items, err := listVersions(ctx, client, vault, name)
	if err != nil {
		if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
			err = cause
		}
		return verify.Observation{}, classify(err, vault, name, rec)
	}
	return observe(vault, name, items)
}

// vaultURL checks the source's vault and returns it as https://host.
func vaultURL(raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", verify.Errorf(verify.ReasonConfig, nil, "source.azure_key_vault names no vault: set vault: to its URL, https://NAME.vault.azure.net")
	case err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || strings.Trim(u.Path, "/") != "":
		return "", verify.Errorf(verify.ReasonConfig, err,
			"source.azure_key_vault.vault %q is not a vault URL: write it as the portal's Vault URI, https://NAME.vault.azure.net, with nothing after the host",
			textsafe.Controls(setting.RedactURL(raw)))
	}
	return "https://" + strings.ToLower(u.Host), nil
}

// client returns the vault's client, made on first use.
func (c *Checker) client(vault string) (*azsecrets.Client, error) {
	cred, err := c.cred()
	if err != nil {
		return nil, verify.Errorf(verify.ReasonConfig, err,
			"no usable Azure credentials (%s): set %s, %s and %s (GitHub OIDC), or %s with %s, or run where a managed identity is assigned",
			oneLine(err), EnvTenantID, EnvClientID, EnvFederatedTokenFile, EnvClientSecret, EnvClientID)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if cl, ok := c.clients[vault]; ok {
		return cl, nil
	}
	host := strings.TrimPrefix(vault, "https://")
	cl, err := azsecrets.NewClient(vault, cred, &azsecrets.ClientOptions{
		ClientOptions: azcore.ClientOptions{
			Transport: c.http,
			// httpretry retries, with a sleep tests replace.
			Retry:           policy.RetryOptions{MaxRetries: -1},
			PerCallPolicies: []policy.Policy{pinHost{host: host}},
			Telemetry:       policy.TelemetryOptions{ApplicationID: "rotor-verify"},
		},
		DisableChallengeResourceVerification: setting.IsLoopbackHost(hostname(host)),
	})
	if err != nil {
		return nil, verify.Errorf(verify.ReasonConfig, err, "Key Vault's client for %s cannot be set up: %s", vault, oneLine(err))
	}
	c.clients[vault] = cl
	return cl, nil
}

func hostname(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

// pinHost refuses a request to any host but the vault's, before the
// token is added: a nextLink pointing elsewhere.
type pinHost struct{ host string }

func (p pinHost) Do(req *policy.Request) (*http.Response, error) {
	if u := req.Raw().URL; !strings.EqualFold(u.Host, p.host) || u.Scheme != "https" {
		return nil, &offVaultError{site: u.Scheme + "://" + u.Host}
	}
	return req.Next()
}

// offVaultError is a request pinHost refused. It is not retried (azcore's
// NonRetriable).
type offVaultError struct{ site string }

func (e *offVaultError) Error() string {
	return "the vault linked a page at " + e.site + ", another host: rotor does not send the token there"
}
func (e *offVaultError) NonRetriable() {}

// listVersions reads every page of the secret's versions.
func listVersions(ctx context.Context, client *azsecrets.Client, vault, name string) ([]*azsecrets.SecretProperties, error) {
	p := client.NewListSecretPropertiesVersionsPager(name, nil)
	var out []*azsecrets.SecretProperties
	for pages := 0; p.More(); pages++ {
		if pages == maxPages {
			return nil, verify.Errorf(verify.ReasonInvalid, nil,
				"Key Vault %s listed more than %d pages of versions of %s: rotor stopped reading", vault, maxPages, name)
		}
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Value...)
	}
	return out, nil
}

// observe finds the newest enabled version among those listed.
func observe(vault, name string, items []*azsecrets.SecretProperties) (verify.Observation, error) {
	type entry struct {
		verify.Version
		enabled bool
	}
	var entries []entry
	undated := 0
	for _, it := range items {
		if it == nil || it.ID == nil || it.Attributes == nil || it.Attributes.Created == nil {
			undated++
			continue
		}
		entries = append(entries, entry{
			Version: verify.Version{ID: it.ID.Version(), Created: it.Attributes.Created.UTC()},
			enabled: it.Attributes.Enabled == nil || *it.Attributes.Enabled,
		})
	}
	where := vault + "/secrets/" + name
	if len(entries) == 0 {
		if undated > 0 {
			return verify.Observation{}, verify.Errorf(verify.ReasonInvalid, nil,
				"Key Vault listed %s for %s with no creation date: is %s a Key Vault?", textsafe.Plural(undated, "version", "versions"), where, vault)
		}
		return verify.Observation{}, verify.Errorf(verify.ReasonNotFound, nil, "Key Vault lists no version of %s: set a value (az keyvault secret set), or fix source.azure_key_vault", where)
	}
	slices.SortStableFunc(entries, func(a, b entry) int {
		return cmp.Or(a.Created.Compare(b.Created), strings.Compare(a.ID, b.ID))
	})
	cur := -1
	for i, e := range entries {
		if e.enabled {
			cur = i
		}
	}
	if cur < 0 {
		return verify.Observation{}, verify.Errorf(verify.ReasonDeleted, nil,
			"every version of %s is disabled (%d): nothing reads it; enable the version in use (az keyvault secret set-attributes --enabled true --version ID), or set a new value",
			where, len(entries))
	}
	obs := verify.Observation{
		Changed:  entries[cur].Created,
		Evidence: fmt.Sprintf("version %s created %s (newest enabled)", verify.ShortID(entries[cur].ID), verify.Stamp(entries[cur].Created)),
		Versions: make([]verify.Version, len(entries)),
	}
	for i, e := range entries {
		obs.Versions[i] = e.Version
		obs.Versions[i].Current = i == cur
		if i > cur {
			obs.Warnings = append(obs.Warnings, fmt.Sprintf(
				"version %s of %s created %s is newer and disabled: a rotation set a value that is not in use", verify.ShortID(e.ID), where, verify.Stamp(e.Created)))
		}
	}
	return obs, nil
}

// classify turns a failed listing into a *verify.StoreError that says what
// happened and what to do next. It never repeats a header or a token: an
// azcore.ResponseError's text holds none, and Key Vault's own message is
// shown clipped, on one line, with URLs redacted.
func classify(err error, vault, name string, rec *httpretry.Record) error {
	if se, ok := errors.AsType[*verify.StoreError](err); ok {
		return se // verify.HTTPClient's guard, or the page bound
	}
	where := vault + "/secrets/" + name
	if ce, ok := errors.AsType[*credentialError](err); ok {
		return verify.Errorf(verify.ReasonConfig, err,
			"no Azure token for %s (%s): set %s, %s and %s (GitHub OIDC), or %s with %s, or run where a managed identity is assigned; %s names another cloud's Entra ID",
			vault, oneLine(ce.err), EnvTenantID, EnvClientID, EnvFederatedTokenFile, EnvClientSecret, EnvClientID, EnvAuthorityHost)
	}
	if oe, ok := errors.AsType[*offVaultError](err); ok {
		return verify.Errorf(verify.ReasonInvalid, err, "Key Vault %s: %s", vault, oe.Error())
	}
	attempts := ""
	if rec.Attempts > 1 {
		attempts = " after " + textsafe.Plural(rec.Attempts, "attempt", "attempts")
	}
	var re *azcore.ResponseError
	if errors.Is(err, verify.ErrRedirect) || errors.As(err, &re) && re.StatusCode >= 300 && re.StatusCode < 400 {
		return verify.Errorf(verify.ReasonConfig, err,
			"Key Vault %s answered the listing of %s's versions with a redirect%s, which rotor does not follow (it would carry the token elsewhere): set vault: to the vault's own URI",
			vault, name, verify.RedirectTarget(err))
	}
	if re != nil {
		said := vaultSays(re)
		switch status := re.StatusCode; {
		case status == http.StatusNotFound:
			return verify.Errorf(verify.ReasonNotFound, err,
				"Key Vault %s has no secret %s%s: check source.azure_key_vault's vault and secret (az keyvault secret list-versions --vault-name VAULT --name %s); a deleted secret is listed by az keyvault secret list-deleted",
				vault, name, said, name)
		case status == http.StatusForbidden:
			return verify.Errorf(verify.ReasonAccessDenied, err,
				"access denied%s: give the identity rotor runs as the role %q on the vault or the secret (it has %s, and reads no value), or, on a vault with access policies, the secret permission List; a firewall may also refuse this network",
				said, Role, DataAction)
		case status == http.StatusUnauthorized:
			return verify.Errorf(verify.ReasonAccessDenied, err,
				"Key Vault %s refused the token%s: the identity must be in the vault's tenant (%s) and the token for https://vault.azure.net", vault, said, EnvTenantID)
		case status == http.StatusTooManyRequests:
			return verify.Errorf(verify.ReasonThrottled, err,
				"Key Vault %s still throttled the listing of %s%s%s: run rotor verify again later, or with fewer checks at a time", vault, name, attempts, said)
		case status >= 500:
			return verify.Errorf(verify.ReasonUnreachable, err,
				"Key Vault %s answered %d %s%s to the listing of %s%s: see Azure's status page, and run rotor verify again later",
				vault, status, http.StatusText(status), attempts, name, said)
		default:
			return verify.Errorf(verify.ReasonInvalid, err,
				"Key Vault %s answered %d %s to the listing of %s%s: is %s a Key Vault?", vault, status, http.StatusText(status), where, said, vault)
		}
	}
	if reason, hint, ok := tlsFailure(err); ok {
		return verify.Errorf(reason, err, "Key Vault %s: %s", vault, hint)
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || verify.IsTimeout(err) {
		return verify.Errorf(verify.ReasonUnreachable, err, "Key Vault %s did not answer the listing of %s in time%s: check the network, then run rotor verify again", vault, name, attempts)
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return verify.Errorf(verify.ReasonUnreachable, err, "the host of %s is not found: check source.azure_key_vault.vault (https://NAME.vault.azure.net)", vault)
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) || strings.Contains(err.Error(), "unmarshalling type") {
		return verify.Errorf(verify.ReasonInvalid, err, "Key Vault %s answered the listing of %s with a body rotor cannot read: is %s a Key Vault?", vault, where, vault)
	}
	return verify.Errorf(verify.ReasonUnreachable, err, "cannot reach Key Vault %s%s: %s; check the network and a proxy (HTTPS_PROXY)", vault, attempts, oneLine(err))
}

// vaultSays is Key Vault's own words in an error answer: ` (Key Vault
// says: Forbidden: Caller is not authorized…)`, clipped, on one line.
func vaultSays(re *azcore.ResponseError) string {
	if re.RawResponse == nil || re.RawResponse.Body == nil {
		return ""
	}
	body, _ := io.ReadAll(io.LimitReader(re.RawResponse.Body, 64<<10))
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil || e.Error.Code == "" && e.Error.Message == "" {
		return ""
	}
	msg := e.Error.Message
	if i := strings.IndexAny(msg, "\r\n"); i >= 0 {
		msg = msg[:i] // the first line: the rest names the caller's ids and the resource path
	}
	text := strings.TrimSpace(strings.TrimPrefix(e.Error.Code+": "+msg, ": "))
	return " (Key Vault says: " + textsafe.Controls(setting.RedactURLs(textsafe.Clip(textsafe.OneLine(text), 200))) + ")"
}

// oneLine is an SDK error's text on one line, clipped, URLs redacted.
func oneLine(err error) string {
	return textsafe.Controls(setting.RedactURLs(textsafe.Clip(textsafe.OneLine(err.Error()), 300)))
}

// tlsFailure says what is wrong with a TLS handshake that failed
// verification.
func tlsFailure(err error) (verify.Reason, string, bool) {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		cv       *tls.CertificateVerificationError
	)
	switch {
	case errors.As(err, &unknown):
		return verify.ReasonTLS, "its certificate is signed by an authority this machine does not trust: a proxy that inspects TLS needs its CA in the system's trust store (or SSL_CERT_FILE)", true
	case errors.As(err, &hostname):
		return verify.ReasonTLS, "its certificate is not valid for " + textsafe.Controls(hostname.Host) + ": check source.azure_key_vault.vault", true
	case errors.As(err, &invalid):
		return verify.ReasonTLS, "its certificate fails verification (" + textsafe.Controls(invalid.Error()) + "): check this machine's clock", true
	case errors.As(err, &record):
		return verify.ReasonTLS, "it does not speak TLS at that address: check source.azure_key_vault.vault", true
	case errors.As(err, &cv):
		return verify.ReasonTLS, "its certificate fails verification: check source.azure_key_vault.vault and a proxy", true
	}
	return "", "", false
}
