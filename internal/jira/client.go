// Package jira is rotor's Jira Cloud adapter: it implements
// rotation.Tracker over the Jira REST API v3 and checks a Jira
// configuration for `rotor doctor`.
//
// Requests go through go-atlassian's Jira v3 client, behind the small api
// interface of this package. The http.Client it is given retries transient
// failures through httpretry, rotor's one retry transport (429 and 503
// honouring Retry-After, other 5xx and network errors with exponential
// backoff and jitter) within the caller's context deadline; Jira's error
// bodies become errors that say what Jira answered.
//
// The network edges:
//
//   - the site must be https, or http on a loopback host (tests); New
//     refuses anything else, and no error repeats a user, password, query
//     or fragment of the URL (text that is no URL is not shown at all);
//   - no redirect is followed: a 3xx is an error naming the host its
//     Location points to, and no request leaves for another host, so the
//     email and API token reach the site only;
//   - an answer whose shape is not what the endpoint returns (a missing
//     issues list, a ticket without labels or status, a member of the
//     wrong type, a 200 where Jira answers 201 or 204) is an error wrapping
//     ErrUnexpectedAnswer, never an empty result (answers.go);
//   - the URL net/http puts in its errors is shown with its user, query
//     and fragment redacted (setting.RedactError).
package jira

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"

	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
)

// DefaultPageSize is the maxResults rotor asks for in a JQL search.
const DefaultPageSize = 100

// maxBody bounds how much of a response rotor reads.
const maxBody = 16 << 20

// Config says which Jira site to talk to and how rotor's tickets look there.
type Config struct {
	URL   string // site URL, e.g. https://example.atlassian.net
	Email string // the bot user's email
	Token string // the bot user's API token
	// Names are what messages call URL, Email and Token: the settings the
	// caller read them from.
	Names Names

	Project         string // project key, e.g. SEC (jira.project)
	IssueType       string // issue type name; rotation.DefaultIssueType when empty
	OverduePriority string // priority name set on tickets opened already overdue; empty: none
	Fields          rotation.FieldMapping

	HTTPClient *http.Client // nil: a client with a 60 s timeout; its Timeout applies to each attempt; its CheckRedirect is not used (no redirect is followed)
	PageSize   int          // maxResults of a JQL search; 0: DefaultPageSize
	Retry      RetryPolicy  // zero value: the defaults described on RetryPolicy
}

// Names are the names of the settings that hold the site, the email and
// the token, as every message of the client and of Doctor says them (rotor
// passes its environment variables). An empty name is the Config field's.
type Names struct {
	URL, Email, Token string
}

// orFields fills the empty names with the Config fields' names.
func (n Names) orFields() Names {
	if n.URL == "" {
		n.URL = "URL"
	}
	if n.Email == "" {
		n.Email = "Email"
	}
	if n.Token == "" {
		n.Token = "Token"
	}
	return n
}

// Client talks to one Jira site about one project. It is safe for
// concurrent use.
type Client struct {
	base      *url.URL
	names     Names
	email     string
	project   string
	issueType string
	overdue   string
	fields    rotation.FieldMapping
	api       api
	pageSize  int
	retry     RetryPolicy
	// readFields are the fields a ticket is read with: ticketFields and
	// the mapped custom fields.
	readFields []string
}

var _ rotation.Tracker = (*Client)(nil)

// New checks cfg and returns a client. It makes no request. The error
// lists every problem of the endpoint and credentials, one per line: what
// is missing, and each value that is set but wrong, named by its
// setting (cfg.Names) and never shown beyond a URL's scheme and host
// (setting.Invalid).
func New(cfg Config) (*Client, error) {
	cfg.Names = cfg.Names.orFields()
	u, err := checkEndpoint(cfg)
	if err != nil {
		return nil, err
	}
	if cfg.Project == "" {
		return nil, errors.New("jira: no project: set jira.project in credential_rotation/rotor.yaml to the key of the Jira project (e.g. SEC)")
	}
	for name, id := range map[string]string{
		"credential_name": cfg.Fields.CredentialName,
		"next_due_date":   cfg.Fields.NextDueDate,
		"contact_person":  cfg.Fields.ContactPerson,
	} {
		if id != "" && !validFieldID(id) {
			return nil, fmt.Errorf("jira: jira.fields.%s is %q, not a field id: use the form customfield_10050 (see docs/jira-setup.md)", name, id)
		}
	}
	c := &Client{
		base:      u,
		names:     cfg.Names,
		email:     strings.TrimSpace(cfg.Email),
		project:   cfg.Project,
		issueType: cfg.IssueType,
		overdue:   cfg.OverduePriority,
		fields:    cfg.Fields,
		pageSize:  cfg.PageSize,
		retry:     cfg.Retry.withDefaults(),
	}
	if c.issueType == "" {
		c.issueType = rotation.DefaultIssueType
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	c.readFields = append(append([]string(nil), ticketFields...), mappedIDs(c.fields)...)
	a, err := newAtlassian(retryingClient(cfg.HTTPClient, u, c.retry), u.String(), c.email, cfg.Token)
	if err != nil {
		return nil, setting.Invalid(cfg.Names.URL, cfg.URL, fmt.Errorf("not usable by the Jira client: %w", err))
	}
	c.api = a
	return c, nil
}

// checkEndpoint checks the site, email and token of cfg and returns the
// site's URL, or every problem joined, each named as cfg.Names says.
func checkEndpoint(cfg Config) (*url.URL, error) {
	n := cfg.Names
	var missing []string
	if strings.TrimSpace(cfg.URL) == "" {
		missing = append(missing, n.URL+" (the Jira site, e.g. https://example.atlassian.net)")
	}
	if strings.TrimSpace(cfg.Email) == "" {
		missing = append(missing, n.Email+" (the email of the Jira user rotor acts as)")
	}
	if cfg.Token == "" {
		missing = append(missing, n.Token+" (an API token of that user, from https://id.atlassian.com/manage-profile/security/api-tokens)")
	}
	var errs []error
	if len(missing) > 0 {
		errs = append(errs, fmt.Errorf("jira: not configured: set %s; in GitHub Actions store them as repository secrets (see docs/jira-setup.md)",
			strings.Join(missing, ", ")))
	}
	var u *url.URL
	if raw := strings.TrimSpace(cfg.URL); raw != "" {
		var err error
		if u, err = parseSite(raw, n); err != nil {
			errs = append(errs, setting.Invalid(n.URL, cfg.URL, err))
		}
	}
	if email := strings.TrimSpace(cfg.Email); email != "" && (!strings.Contains(email, "@") || hasSpace(email)) {
		errs = append(errs, setting.Invalid(n.Email, cfg.Email, errors.New("not an email address: give the email of the Jira user rotor acts as, and its API token in "+n.Token)))
	}
	if cfg.Token != "" && hasSpace(cfg.Token) {
		errs = append(errs, setting.Invalid(n.Token, cfg.Token, errors.New("contains white space: give the API token alone (a trailing newline from a file is the usual cause)")))
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return u, nil
}

// parseSite checks the site URL: https, or http on a loopback host
// (tests); no user or password. Its errors hold no part of raw: the rest
// may hold a secret, and text that is no URL at all may be a token set in
// the wrong variable. New names the setting and shows the scheme and
// host when they parse; n names the token's setting.
func parseSite(raw string, n Names) (*url.URL, error) {
	const form = "use the form https://example.atlassian.net"
	if strings.Contains(raw, "@") {
		// Never echo it: the part before @ may be a token.
		return nil, fmt.Errorf("carries a user or password (it contains @): give only the site, e.g. https://example.atlassian.net, and the token in %s", n.Token)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, fmt.Errorf("not a site URL (its text is not shown, in case it is a secret): %s", form)
	}
	switch {
	case u.Scheme == "http" && !setting.IsLoopbackHost(u.Hostname()):
		return nil, errors.New("plain http, which would send the email and API token unencrypted: use https://")
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("not an https URL: %s", form)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.Contains(raw, "#"):
		return nil, fmt.Errorf("carries a query or a fragment (not shown): give only the site, e.g. https://example.atlassian.net, and the token in %s", n.Token)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// retryingClient returns a client like hc (nil: one with a 60 s timeout)
// whose transport retries as p says. hc's Timeout becomes the limit of
// each attempt, so that waiting between attempts does not count.
//
// The client follows no redirect: its answer comes back as it is, and
// call turns it into an error naming where it pointed. Following one
// would send the email and API token to wherever the Location says
// (net/http keeps Authorization for another port of the same host), and
// read whatever answers there as Jira's word. hc's CheckRedirect is not
// used, and a request for any other scheme and host than the site's is
// refused before it leaves.
func retryingClient(hc *http.Client, site *url.URL, p RetryPolicy) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: &siteOnly{scheme: site.Scheme, host: site.Host, base: &httpretry.Transport{
			Base:             base,
			Policy:           httpretry.Policy(p),
			AttemptTimeout:   hc.Timeout,
			MaxResponseBytes: maxBody,
			Safety:           httpretry.Idempotent,
		}},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Jar:           hc.Jar,
	}
}

// siteOnly refuses every request that is not for the site, so the
// credentials go nowhere else.
type siteOnly struct {
	scheme, host string
	base         http.RoundTripper
}

func (t *siteOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != t.scheme || !strings.EqualFold(req.URL.Host, t.host) {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("refusing to send the Jira credentials to %s: only %s is the site", req.URL.Host, t.host)
	}
	return t.base.RoundTrip(req)
}

// mappedIDs returns the ids of the mapped custom fields.
func mappedIDs(f rotation.FieldMapping) []string {
	var ids []string
	for _, id := range []string{f.CredentialName, f.NextDueDate, f.ContactPerson} {
		if id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

func validFieldID(id string) bool {
	const p = "customfield_"
	if !strings.HasPrefix(id, p) || len(id) == len(p) {
		return false
	}
	for _, r := range id[len(p):] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Project returns the key of the project the client works in.
func (c *Client) Project() string { return c.project }

// IssueType returns the name of the issue type of rotor's tickets.
func (c *Client) IssueType() string { return c.issueType }

// BrowseURL returns the address of a ticket for people: <site>/browse/KEY.
func (c *Client) BrowseURL(key string) string {
	return c.base.String() + "/browse/" + url.PathEscape(key)
}

// ErrNotFound matches (with errors.Is) an Error whose status is 404.
var ErrNotFound = errors.New("jira: not found")

// ErrUnexpectedAnswer is wrapped by every error about an answer whose
// shape is not what the endpoint returns.
var ErrUnexpectedAnswer = errors.New("the answer is not what the endpoint returns")

// Error is a request Jira answered with a status rotor did not expect, or
// that failed after every retry.
type Error struct {
	Op         string // what rotor was doing: "create SEC ticket"
	Method     string
	Path       string
	StatusCode int               // 0 when no answer came
	Status     string            // "400 Bad Request"
	Messages   []string          // Jira's errorMessages
	Fields     map[string]string // Jira's errors, by field
	Redirect   string            // for a redirect (3xx): the host its Location names, if any
	Attempts   int               // how many times the request was sent
	Err        error             // the transport error, when no answer came
	Note       string            // why rotor stopped retrying, when it did

	names Names // of the client's settings, for the hint
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jira: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Answer())
	if hint := statusHint(e.StatusCode, e.names.orFields()); hint != "" {
		b.WriteString(" (")
		b.WriteString(hint)
		b.WriteString(")")
	}
	if e.Note != "" {
		b.WriteString(" (")
		b.WriteString(e.Note)
		b.WriteString(")")
	}
	return b.String()
}

// Answer is what Jira answered: the status and its messages, or the
// transport error when no answer came.
func (e *Error) Answer() string {
	if e.StatusCode == 0 {
		if e.Err != nil {
			return e.Err.Error()
		}
		return "no answer"
	}
	if e.StatusCode >= 300 && e.StatusCode < 400 {
		to := "a redirect without a usable Location"
		if e.Redirect != "" {
			to = "a redirect to " + e.Redirect
		}
		return e.Status + ": " + to
	}
	details := append([]string(nil), e.Messages...)
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		details = append(details, fmt.Sprintf("%s: %q", k, e.Fields[k]))
	}
	if len(details) == 0 {
		return e.Status
	}
	return e.Status + ": " + strings.Join(details, "; ")
}

// statusHint says what to do about an answer of status code; n names the
// settings it points to.
func statusHint(code int, n Names) string {
	switch code {
	case http.StatusUnauthorized:
		return "check " + n.Email + " and " + n.Token + ": the token may be revoked or belong to another user"
	case http.StatusForbidden:
		return "the Jira user lacks a permission in the project: run rotor doctor"
	}
	if code >= 300 && code < 400 {
		return "rotor follows no redirect, so that the email and API token never reach another address: set " + n.URL + " to the address Jira answers on itself, e.g. https://example.atlassian.net"
	}
	return ""
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for a 404.
func (e *Error) Is(target error) bool {
	return target == ErrNotFound && e.StatusCode == http.StatusNotFound
}

// StatusCode returns the HTTP status of a Jira error, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// call runs one go-atlassian call f as op, with a fresh record of its
// attempts in f's context, and turns a failure into an *Error built from
// the exchange. safeOnly limits retries to answers that prove the request
// was not applied.
func (c *Client) call(ctx context.Context, op string, safeOnly bool, f func(ctx context.Context) (*models.ResponseScheme, error)) error {
	ctx, info := withCall(ctx, safeOnly)
	res, err := f(ctx)
	if err == nil {
		return nil
	}
	if info.Attempts == 0 { // refused before anything was sent
		return fmt.Errorf("jira: %s: %w", op, setting.RedactError(err))
	}
	e := &Error{
		Op:       op,
		Method:   info.Method,
		Path:     strings.TrimPrefix(info.Path, c.base.EscapedPath()),
		Attempts: info.Attempts,
		Note:     info.Note,
		names:    c.names,
	}
	switch {
	case res != nil && res.Code >= 200 && res.Code < 300:
		// Every failure of a successful exchange is about its answer:
		// go-atlassian's decoding, or rotor's checks (answers.go).
		return fmt.Errorf("jira: %s: %s %s answered %d, but %w: %w", op, e.Method, e.Path, res.Code, ErrUnexpectedAnswer, err)
	case res != nil && res.Code >= 300 && res.Code < 400:
		e.StatusCode, e.Status = res.Code, fmt.Sprintf("%d %s", res.Code, http.StatusText(res.Code))
		e.Redirect = redirectHost(res.Response)
	case res != nil && res.Code != 0:
		e.StatusCode, e.Status = res.Code, fmt.Sprintf("%d %s", res.Code, http.StatusText(res.Code))
		e.Messages, e.Fields = decodeErrorBody(res.Bytes.Bytes())
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	default:
		e.Err = setting.RedactError(err)
	}
	return e
}

// redirectHost is the host the Location of a redirect names, resolved
// against the request: only the host, since the rest of a Location may
// carry a token. "" when there is none.
func redirectHost(resp *http.Response) string {
	if resp == nil {
		return ""
	}
	loc, err := resp.Location()
	if err != nil || loc.Host == "" {
		return ""
	}
	return loc.Host
}

// decodeErrorBody reads Jira's {"errorMessages":[...],"errors":{...}}.
func decodeErrorBody(body []byte) ([]string, map[string]string) {
	var v struct {
		ErrorMessages []string          `json:"errorMessages"`
		Errors        map[string]string `json:"errors"`
		Message       string            `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		text := strings.TrimSpace(string(body))
		if text == "" || strings.HasPrefix(text, "<") || len(text) > 300 {
			return nil, nil // an HTML error page says nothing useful
		}
		return []string{text}, nil
	}
	if v.Message != "" && len(v.ErrorMessages) == 0 {
		v.ErrorMessages = []string{v.Message}
	}
	if len(v.Errors) == 0 {
		v.Errors = nil
	}
	return v.ErrorMessages, v.Errors
}
