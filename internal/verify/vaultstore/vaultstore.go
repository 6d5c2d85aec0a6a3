// Package vaultstore is rotor verify's adapter for HashiCorp Vault's KV
// version 2 secrets engine: it reads a secret's metadata (GET
// /v1/<mount>/metadata/<path>, never <mount>/data/<path>) with Vault's own
// Go client, and says when the current version was written.
//
// The client is Vault's (github.com/hashicorp/vault/api), with what it
// would otherwise do on its own taken away:
//
//   - It reads the process environment by itself (VAULT_TOKEN,
//     VAULT_NAMESPACE and VAULT_HEADERS in NewClient; VAULT_SKIP_VERIFY,
//     VAULT_AGENT_ADDR, VAULT_MAX_RETRIES, VAULT_SRV_LOOKUP and more in
//     DefaultConfig). rotor builds the configuration from Options only and
//     sets the token, the namespace and the headers again after NewClient,
//     so a variable rotor does not document changes nothing.
//   - It follows one 301, 302 or 307 by itself, sending the token again
//     (a standby node redirects to the active one). DisableRedirects is
//     set, and the HTTP client is verify.HTTPClient, which follows none:
//     a redirect is an error naming where it pointed.
//   - It retries 412, 429 and 5xx itself, sleeping for real
//     (go-retryablehttp). Its retries are off; httpretry's transport
//     retries 429 and 5xx instead, with the Sleep of Options.Retry.
package vaultstore

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
	"slices"
	"strconv"
	"strings"
	"time"

	vault "github.com/hashicorp/vault/api"

	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
)

// The environment variables of Vault's own CLI that rotor honours
// (OptionsFromEnv reads them).
const (
	EnvAddress       = "VAULT_ADDR"            // https://vault.example.com:8200
	EnvToken         = "VAULT_TOKEN"           // a token whose policy may read the metadata
	EnvNamespace     = "VAULT_NAMESPACE"       // Vault Enterprise / HCP namespace
	EnvCACert        = "VAULT_CACERT"          // PEM file of the CA that signed Vault's certificate
	EnvCAPath        = "VAULT_CAPATH"          // a folder of such PEM files
	EnvClientCert    = "VAULT_CLIENT_CERT"     // PEM client certificate, when Vault asks for one
	EnvClientKey     = "VAULT_CLIENT_KEY"      // its key
	EnvTLSServerName = "VAULT_TLS_SERVER_NAME" // the name Vault's certificate is checked against
	EnvSkipVerify    = "VAULT_SKIP_VERIFY"     // refused: rotor always checks Vault's certificate
)

// Default retry and time limits.
const (
	DefaultTimeout        = verify.DefaultTimeout // one check, its retries included
	DefaultAttemptTimeout = 10 * time.Second      // one request
)

// maxAnswer bounds the metadata answer rotor reads (a secret keeps ten
// versions by default; a few hundred bytes each).
const maxAnswer = 4 << 20

// Options configure a Checker. Address and Token are required.
type Options struct {
	Address       string // VAULT_ADDR
	Token         string // VAULT_TOKEN; never printed
	Namespace     string // VAULT_NAMESPACE: sent as X-Vault-Namespace when set
	CACert        string // VAULT_CACERT
	CAPath        string // VAULT_CAPATH
	ClientCert    string // VAULT_CLIENT_CERT
	ClientKey     string // VAULT_CLIENT_KEY
	TLSServerName string // VAULT_TLS_SERVER_NAME

	// Transport sends the requests; nil means a clone of
	// http.DefaultTransport. The CA and client certificate options are
	// set on its TLSClientConfig.
	Transport *http.Transport
	// Retry is how 429 and 5xx answers and network failures are retried;
	// tests set its Sleep.
	Retry httpretry.Policy
	// Timeout bounds one check, its retries included; AttemptTimeout one
	// request. Zero: DefaultTimeout and DefaultAttemptTimeout.
	Timeout, AttemptTimeout time.Duration
	// Now says whether a deletion_time has passed when Vault's answer has
	// no Date header (Vault's own clock decides otherwise); nil: a
	// deletion_time then counts as passed.
	Now func() time.Time
}

// OptionsFromEnv reads Vault's variables through getenv (os.Getenv or a
// test's map). It refuses VAULT_SKIP_VERIFY set to true.
func OptionsFromEnv(getenv func(string) string) (Options, error) {
	o := Options{
		Address:       strings.TrimSpace(getenv(EnvAddress)),
		Token:         strings.TrimSpace(getenv(EnvToken)),
		Namespace:     strings.TrimSpace(getenv(EnvNamespace)),
		CACert:        getenv(EnvCACert),
		CAPath:        getenv(EnvCAPath),
		ClientCert:    getenv(EnvClientCert),
		ClientKey:     getenv(EnvClientKey),
		TLSServerName: getenv(EnvTLSServerName),
	}
	if v := strings.TrimSpace(getenv(EnvSkipVerify)); v != "" {
		if skip, err := strconv.ParseBool(v); err != nil || skip {
			return o, verify.Errorf(verify.ReasonConfig, nil,
				"%s is set: rotor always checks Vault's certificate; unset it, and set %s to the PEM file of the CA that signed Vault's certificate",
				EnvSkipVerify, EnvCACert)
		}
	}
	return o, nil
}

// Checker reads Vault KV version 2 metadata. It is safe for concurrent
// use: one client serves every check.
type Checker struct {
	client    *vault.Client
	site      string // scheme://host of the address, for messages
	namespace string
	token     string // only to take it out of Vault's words, should it be there
	now       func() time.Time
}

var _ verify.Checker = (*Checker)(nil)

// New builds the client. A missing or unusable setting is a
// *verify.StoreError of ReasonConfig naming the variable.
func New(opts Options) (*Checker, error) {
	if opts.Address == "" {
		return nil, verify.Errorf(verify.ReasonConfig, nil, "%s is not set: set it to the address of Vault, e.g. https://vault.example.com:8200", EnvAddress)
	}
	if opts.Token == "" {
		return nil, verify.Errorf(verify.ReasonConfig, nil, "%s is not set: set it to a token whose policy may read the metadata of the secrets rotor verifies", EnvToken)
	}
	u, err := url.Parse(opts.Address)
	switch {
	case err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return nil, configError(setting.Invalid(EnvAddress, opts.Address, errors.New("not an http(s) URL with a host: set it as https://HOST:PORT")))
	case u.Scheme == "http" && !setting.IsLoopbackHost(u.Hostname()):
		return nil, configError(setting.Invalid(EnvAddress, opts.Address, errors.New("plain http to a host other than this machine would carry the token in the clear: use https://")))
	}

	tr := opts.Transport
	if tr == nil {
		tr = http.DefaultTransport.(*http.Transport).Clone()
		// Checks run many at a time against one Vault: keep their
		// connections, so that each is not a new TLS handshake.
		tr.MaxIdleConnsPerHost = 100
	}
	if tr.TLSClientConfig == nil {
		tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	// Vault's ConfigureTLS loads the CA and client certificate into the
	// transport's TLSClientConfig; it needs the *http.Transport itself,
	// so it runs before the transport is wrapped.
	cfg := &vault.Config{Address: opts.Address, HttpClient: &http.Client{Transport: tr}}
	if err := cfg.ConfigureTLS(&vault.TLSConfig{
		CACert: opts.CACert, CAPath: opts.CAPath,
		ClientCert: opts.ClientCert, ClientKey: opts.ClientKey,
		TLSServerName: opts.TLSServerName,
	}); err != nil {
		return nil, verify.Errorf(verify.ReasonConfig, err,
			"Vault's TLS settings (%s, %s, %s, %s) cannot be used: %s; check the files they name",
			EnvCACert, EnvCAPath, EnvClientCert, EnvClientKey, textsafe.OneLine(err.Error()))
	}
	attempt := cmp.Or(opts.AttemptTimeout, DefaultAttemptTimeout)
	cfg.HttpClient = verify.HTTPClient(&httpretry.Transport{
		Base:           verify.StopOnCertificateFailure(tr),
		Policy:         opts.Retry,
		AttemptTimeout: attempt,
	}, cmp.Or(opts.Timeout, DefaultTimeout))
	cfg.MaxRetries = 0
	cfg.CheckRetry = func(context.Context, *http.Response, error) (bool, error) { return false, nil }
	cfg.DisableRedirects = true

	client, err := vault.NewClient(cfg)
	if err != nil {
		// NewClient parses Vault's variables of the process itself; its
		// words name the variable, never a value.
		return nil, verify.Errorf(verify.ReasonConfig, err, "Vault's client cannot be set up: %s", textsafe.OneLine(err.Error()))
	}
	// What NewClient took from the process environment is replaced by
	// what the options say.
	client.SetToken(opts.Token)
	client.SetHeaders(http.Header{vault.RequestHeaderName: []string{"true"}})
	if ns := strings.Trim(opts.Namespace, "/"); ns != "" {
		client.SetNamespace(ns)
	}
	return &Checker{
		client:    client,
		site:      u.Scheme + "://" + u.Host,
		namespace: strings.Trim(opts.Namespace, "/"),
		token:     opts.Token,
		now:       opts.Now,
	}, nil
}

func configError(err *setting.Error) *verify.StoreError {
	return &verify.StoreError{Reason: verify.ReasonConfig, Detail: err.Error(), Err: err}
}

// Check reads the metadata of src's secret.
func (c *Checker) Check(ctx context.Context, src *rotation.Source) (verify.Observation, error) {
	if src == nil || src.VaultKV == nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "not a vault_kv source: %s", src.String())
	}
	mount, path, err := clean(src.VaultKV)
	if err != nil {
		return verify.Observation{}, err
	}
	where := mount + "/metadata/" + path // the API path and the policy path

	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	ctx = verify.WithStop(ctx, stop)
	ctx, rec := httpretry.WithRecord(ctx)

	resp, err := c.client.Logical().ReadRawWithContext(ctx, where)
	if resp != nil {
		defer resp.Body.Close()
	}
	switch {
	case errors.Is(err, verify.ErrRedirect) || (resp != nil && resp.StatusCode >= 300 && resp.StatusCode < 400):
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, err,
			"Vault at %s answered the read of %s with a redirect%s, which rotor does not follow (it would carry the token elsewhere): set %s to the active node, or let the standby forward requests",
			c.site, where, verify.RedirectTarget(err), EnvAddress)
	case resp == nil:
		return verify.Observation{}, c.transportError(ctx, where, err, rec)
	}
	body, rerr := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	if rerr != nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonUnreachable, rerr, "Vault at %s: the answer to the read of %s broke off: %s; run rotor verify again", c.site, where, textsafe.OneLine(setting.RedactError(rerr).Error()))
	}
	if resp.StatusCode != http.StatusOK {
		return verify.Observation{}, c.statusError(resp.StatusCode, where, body, rec)
	}
	return c.observe(where, resp.Header, body)
}

// clean checks the mount and path: segments only, so that the request is
// the metadata read it says it is (path.Join in Vault's client would turn
// "../data/x" into a read of a value).
func clean(src *rotation.VaultKVSource) (mount, path string, err error) {
	mount, path = strings.Trim(src.Mount, "/"), strings.Trim(src.Path, "/")
	for _, f := range []struct{ name, value string }{{"mount", mount}, {"path", path}} {
		if f.value == "" {
			return "", "", verify.Errorf(verify.ReasonConfig, nil, "source.vault_kv.%s is empty: name the secret's %s in the register", f.name, f.name)
		}
		for seg := range strings.SplitSeq(f.value, "/") {
			if seg == "" || seg == "." || seg == ".." || strings.ContainsFunc(seg, textsafe.Unsafe) {
				return "", "", verify.Errorf(verify.ReasonConfig, nil,
					"source.vault_kv.%s %q is not a Vault path (it has an empty, \".\" or \"..\" segment, or a control character): write it as Vault's kv commands take it",
					f.name, textsafe.Controls(f.value))
			}
		}
	}
	return mount, path, nil
}

// metadata is the body of a KV version 2 metadata read.
type metadata struct {
	Data *struct {
		CurrentVersion *int                   `json:"current_version"`
		Versions       map[string]versionMeta `json:"versions"`
	} `json:"data"`
}

type versionMeta struct {
	CreatedTime  string `json:"created_time"`
	DeletionTime string `json:"deletion_time"`
	Destroyed    bool   `json:"destroyed"`
}

// observe reads the current version's created_time (not updated_time,
// which changes with the metadata too) and the versions Vault keeps.
func (c *Checker) observe(where string, h http.Header, body []byte) (verify.Observation, error) {
	invalid := func(what string, err error) error {
		return verify.Errorf(verify.ReasonInvalid, err, "Vault at %s answered the read of %s with %s: is %s a Vault server, and the mount KV version 2?", c.site, where, what, EnvAddress)
	}
	var m metadata
	if err := json.Unmarshal(body, &m); err != nil {
		return verify.Observation{}, invalid("a body that is not Vault's metadata", err)
	}
	if m.Data == nil || m.Data.CurrentVersion == nil {
		return verify.Observation{}, invalid("no data.current_version", nil)
	}
	current := *m.Data.CurrentVersion
	if current == 0 && len(m.Data.Versions) == 0 {
		return verify.Observation{}, verify.Errorf(verify.ReasonNotFound, nil,
			"%s has metadata but no version in Vault at %s%s: write the secret, or fix source.vault_kv in the register", where, c.site, c.inNamespace())
	}

	type entry struct {
		n int
		versionMeta
		created time.Time
	}
	entries := make([]entry, 0, len(m.Data.Versions))
	for k, v := range m.Data.Versions {
		n, err := strconv.Atoi(k)
		if err != nil || n <= 0 {
			return verify.Observation{}, invalid(fmt.Sprintf("a version numbered %q", textsafe.Controls(k)), err)
		}
		created, err := time.Parse(time.RFC3339Nano, v.CreatedTime)
		if err != nil {
			return verify.Observation{}, invalid(fmt.Sprintf("version %d's created_time %q, which is no RFC 3339 time", n, textsafe.Controls(v.CreatedTime)), err)
		}
		entries = append(entries, entry{n: n, versionMeta: v, created: created})
	}
	slices.SortFunc(entries, func(a, b entry) int { return a.n - b.n })

	i := slices.IndexFunc(entries, func(e entry) bool { return e.n == current })
	if i < 0 {
		return verify.Observation{}, invalid(fmt.Sprintf("current_version %d, which is not among its versions", current), nil)
	}
	cur := entries[i]
	if cur.Destroyed {
		return verify.Observation{}, verify.Errorf(verify.ReasonDeleted, nil,
			"the current version %d of %s is destroyed: write a new version (vault kv put), then record the rotation", current, where)
	}
	var warnings []string
	if cur.DeletionTime != "" {
		deleted, err := time.Parse(time.RFC3339Nano, cur.DeletionTime)
		if err != nil {
			return verify.Observation{}, invalid(fmt.Sprintf("version %d's deletion_time %q, which is no RFC 3339 time", current, textsafe.Controls(cur.DeletionTime)), err)
		}
		if now, ok := c.reference(h); !ok || !deleted.After(now) {
			return verify.Observation{}, verify.Errorf(verify.ReasonDeleted, nil,
				"the current version %d of %s was deleted at %s: undelete it (vault kv undelete -versions=%d) or write a new version",
				current, where, deleted.UTC().Format(time.RFC3339Nano), current)
		}
		warnings = append(warnings, fmt.Sprintf("the current version %d of %s is due to be deleted at %s (delete_version_after)", current, where, deleted.UTC().Format(time.RFC3339Nano)))
	}
	for _, e := range entries[i+1:] {
		warnings = append(warnings, fmt.Sprintf("version %d of %s is newer than the current version %d", e.n, where, current))
	}

	versions := make([]verify.Version, len(entries))
	for j, e := range entries {
		versions[j] = verify.Version{ID: strconv.Itoa(e.n), Created: e.created, Current: e.n == current}
	}
	return verify.Observation{
		Changed:  cur.created,
		Evidence: fmt.Sprintf("version %d created %s", current, cur.created.UTC().Format(time.RFC3339Nano)),
		Warnings: warnings,
		Versions: versions,
	}, nil
}

// reference is the instant a deletion_time is compared with: Vault's own
// clock (the answer's Date), else Options.Now.
func (c *Checker) reference(h http.Header) (time.Time, bool) {
	if t, err := http.ParseTime(h.Get("Date")); err == nil {
		return t, true
	}
	if c.now != nil {
		return c.now(), true
	}
	return time.Time{}, false
}

func (c *Checker) inNamespace() string {
	if c.namespace == "" {
		return ""
	}
	return " (namespace " + c.namespace + ")"
}

// statusError classifies an answer other than 200.
func (c *Checker) statusError(status int, where string, body []byte, rec *httpretry.Record) error {
	said := c.vaultSays(body)
	attempts := ""
	if rec.Attempts > 1 {
		attempts = " after " + textsafe.Plural(rec.Attempts, "attempt", "attempts")
	}
	switch {
	case status == http.StatusNotFound:
		return verify.Errorf(verify.ReasonNotFound, nil,
			"Vault at %s has no secret at %s%s, or the mount %q is not KV version 2: check source.vault_kv's mount and path (vault kv metadata get -mount=%s %s)",
			c.site, where, c.inNamespace(), mountOf(where), mountOf(where), pathOf(where))
	case status == http.StatusForbidden, status == http.StatusUnauthorized:
		return verify.Errorf(verify.ReasonAccessDenied, nil,
			"access denied%s: the token's policy needs capability \"read\" on path %q%s (path %q { capabilities = [\"read\"] }), or the token is invalid or expired",
			said, where, c.inNamespace(), where)
	case status == http.StatusTooManyRequests:
		return verify.Errorf(verify.ReasonThrottled, nil,
			"Vault at %s still answered 429 Too Many Requests%s to the read of %s%s: a rate limit quota applies; run rotor verify with fewer checks at once, or later",
			c.site, attempts, where, said)
	case status >= 500:
		return verify.Errorf(verify.ReasonUnreachable, nil,
			"Vault at %s answered %d %s%s to the read of %s%s: check that Vault is unsealed and healthy (vault status), then run rotor verify again",
			c.site, status, http.StatusText(status), attempts, where, said)
	}
	return verify.Errorf(verify.ReasonInvalid, nil, "Vault at %s answered %d %s to the read of %s%s: is %s a Vault server?",
		c.site, status, http.StatusText(status), where, said, EnvAddress)
}

// vaultSays is Vault's own words in an error answer (its "errors"), on one
// line, clipped, with the token taken out should it be there: ` ("…")`.
func (c *Checker) vaultSays(body []byte) string {
	var e struct {
		Errors []string `json:"errors"`
	}
	if json.Unmarshal(body, &e) != nil || len(e.Errors) == 0 {
		return ""
	}
	text := strings.TrimSpace(textsafe.OneLine(strings.Join(e.Errors, "; ")))
	text = strings.TrimPrefix(text, "1 error occurred: * ")
	if c.token != "" {
		text = strings.ReplaceAll(text, c.token, leak.Redacted)
	}
	text = setting.RedactURLs(textsafe.Controls(textsafe.Clip(text, 200)))
	if text == "" {
		return ""
	}
	return " (Vault says: " + text + ")"
}

// transportError classifies a request that got no answer.
func (c *Checker) transportError(ctx context.Context, where string, err error, rec *httpretry.Record) error {
	if se, ok := errors.AsType[*verify.StoreError](err); ok {
		return se
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	if reason, hint, ok := tlsFailure(err); ok {
		return verify.Errorf(reason, err, "Vault at %s: %s", c.site, hint)
	}
	attempts := ""
	if rec.Attempts > 1 {
		attempts = " (" + textsafe.Plural(rec.Attempts, "attempt", "attempts") + ")"
	}
	var dns *net.DNSError
	switch {
	case errors.As(err, &dns) && dns.IsNotFound:
		return verify.Errorf(verify.ReasonUnreachable, err, "Vault's host in %s (%s) is not found: check %s", EnvAddress, c.site, EnvAddress)
	case errors.Is(err, context.DeadlineExceeded) || verify.IsTimeout(err):
		return verify.Errorf(verify.ReasonUnreachable, err, "Vault at %s did not answer the read of %s in time%s: check %s and the network, then run rotor verify again", c.site, where, attempts, EnvAddress)
	case errors.Is(err, context.Canceled):
		return verify.Errorf(verify.ReasonUnreachable, err, "the read of %s from Vault at %s was cancelled", where, c.site)
	}
	msg := textsafe.OneLine(setting.RedactError(err).Error())
	if c.token != "" {
		msg = strings.ReplaceAll(msg, c.token, leak.Redacted)
	}
	return verify.Errorf(verify.ReasonUnreachable, err, "Vault at %s cannot be reached%s: %s; check %s and the network", c.site, attempts, textsafe.Controls(msg), EnvAddress)
}

// tlsFailure says what is wrong with a TLS handshake that failed
// verification, and what to set.
func tlsFailure(err error) (verify.Reason, string, bool) {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
	)
	switch {
	case errors.As(err, &unknown):
		return verify.ReasonTLS, "its certificate is signed by an authority this machine does not trust: set " + EnvCACert + " to the PEM file of the CA that signed it", true
	case errors.As(err, &hostname):
		return verify.ReasonTLS, "its certificate is not valid for " + textsafe.Controls(hostname.Host) + ": use the name the certificate has in " + EnvAddress + ", or set " + EnvTLSServerName, true
	case errors.As(err, &invalid):
		return verify.ReasonTLS, "its certificate fails verification (" + textsafe.Controls(invalid.Error()) + "): renew it, or check this machine's clock", true
	case errors.As(err, &record):
		return verify.ReasonTLS, "it does not speak TLS at that address: check the scheme and port of " + EnvAddress, true
	}
	var cv *tls.CertificateVerificationError
	if errors.As(err, &cv) {
		return verify.ReasonTLS, "its certificate fails verification: set " + EnvCACert + " to the CA that signed it", true
	}
	return "", "", false
}

func mountOf(where string) string { m, _, _ := strings.Cut(where, "/metadata/"); return m }
func pathOf(where string) string  { _, p, _ := strings.Cut(where, "/metadata/"); return p }
