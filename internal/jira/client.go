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
)

// Environment variables that carry the Jira endpoint and credentials.
const (
	EnvURL   = "ROTOR_JIRA_URL"
	EnvEmail = "ROTOR_JIRA_EMAIL"
	EnvToken = "ROTOR_JIRA_TOKEN"
)

// DefaultPageSize is the maxResults rotor asks for in a JQL search.
const DefaultPageSize = 100

// maxBody bounds how much of a response rotor reads.
const maxBody = 16 << 20

// Config says which Jira site to talk to and how rotor's tickets look there.
type Config struct {
	URL   string // site URL, e.g. https://example.atlassian.net ($ROTOR_JIRA_URL)
	Email string // the bot user's email ($ROTOR_JIRA_EMAIL)
	Token string // the bot user's API token ($ROTOR_JIRA_TOKEN)

	Project         string // project key, e.g. SEC (jira.project)
	IssueType       string // issue type name; rotation.DefaultIssueType when empty
	OverduePriority string // priority name set on tickets opened already overdue; empty: none
	Fields          rotation.FieldMapping

	HTTPClient *http.Client // nil: a client with a 60 s timeout; its Timeout applies to each attempt
	PageSize   int          // maxResults of a JQL search; 0: DefaultPageSize
	Retry      RetryPolicy  // zero value: the defaults described on RetryPolicy
}

// ConfigFromSettings fills the ticket side of a Config from the register's
// settings; the endpoint and credentials come from the environment.
func ConfigFromSettings(s rotation.JiraSettings, getenv func(string) string) Config {
	return Config{
		URL:             getenv(EnvURL),
		Email:           getenv(EnvEmail),
		Token:           getenv(EnvToken),
		Project:         s.Project,
		IssueType:       s.IssueType,
		OverduePriority: s.OverduePriority,
		Fields:          s.Fields,
	}
}

// Client talks to one Jira site about one project. It is safe for
// concurrent use.
type Client struct {
	base      *url.URL
	email     string
	project   string
	issueType string
	overdue   string
	fields    rotation.FieldMapping
	api       api
	pageSize  int
	retry     RetryPolicy
}

var _ rotation.Tracker = (*Client)(nil)

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	var missing []string
	if strings.TrimSpace(cfg.URL) == "" {
		missing = append(missing, EnvURL+" (the Jira site, e.g. https://example.atlassian.net)")
	}
	if strings.TrimSpace(cfg.Email) == "" {
		missing = append(missing, EnvEmail+" (the email of the Jira user rotor acts as)")
	}
	if cfg.Token == "" {
		missing = append(missing, EnvToken+" (an API token of that user, from https://id.atlassian.com/manage-profile/security/api-tokens)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("jira: not configured: set %s; in GitHub Actions store them as repository secrets (see docs/jira-setup.md)",
			strings.Join(missing, ", "))
	}
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if strings.Contains(cfg.URL, "@") {
		// Never echo it: the part before @ may be a token.
		return nil, fmt.Errorf("jira: %s carries a user or password (it contains @): give only the site, e.g. https://example.atlassian.net, and the token in %s", EnvURL, EnvToken)
	}
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("jira: %s=%q is not a site URL: use the form https://example.atlassian.net", EnvURL, cfg.URL)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawQuery, u.Fragment = "", ""
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
	a, err := newAtlassian(retryingClient(cfg.HTTPClient, c.retry), u.String(), c.email, cfg.Token)
	if err != nil {
		return nil, fmt.Errorf("jira: %s=%q: %w", EnvURL, cfg.URL, err)
	}
	c.api = a
	return c, nil
}

// retryingClient returns a client like hc (nil: one with a 60 s timeout)
// whose transport retries as p says. hc's Timeout becomes the limit of
// each attempt, so that waiting between attempts does not count.
func retryingClient(hc *http.Client, p RetryPolicy) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	return &http.Client{
		Transport: &httpretry.Transport{
			Base:             base,
			Policy:           httpretry.Policy(p),
			AttemptTimeout:   hc.Timeout,
			MaxResponseBytes: maxBody,
			Safety:           httpretry.Idempotent,
		},
		CheckRedirect: hc.CheckRedirect,
		Jar:           hc.Jar,
	}
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

// BrowseURL returns the address of a ticket for people: <site>/browse/KEY.
func (c *Client) BrowseURL(key string) string {
	return c.base.String() + "/browse/" + url.PathEscape(key)
}

// ErrNotFound matches (with errors.Is) an Error whose status is 404.
var ErrNotFound = errors.New("jira: not found")

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
	Attempts   int               // how many times the request was sent
	Err        error             // the transport error, when no answer came
	Note       string            // why rotor stopped retrying, when it did
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("jira: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Answer())
	if hint := statusHint(e.StatusCode); hint != "" {
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

func statusHint(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return "check " + EnvEmail + " and " + EnvToken + ": the token may be revoked or belong to another user"
	case http.StatusForbidden:
		return "the Jira user lacks a permission in the project: run rotor doctor"
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
		return fmt.Errorf("jira: %s: %w", op, err)
	}
	e := &Error{
		Op:       op,
		Method:   info.Method,
		Path:     strings.TrimPrefix(info.Path, c.base.EscapedPath()),
		Attempts: info.Attempts,
		Note:     info.Note,
	}
	switch {
	case res != nil && res.Code >= 200 && res.Code < 300:
		return fmt.Errorf("jira: %s: decode the answer of %s %s: %w", op, e.Method, e.Path, err)
	case res != nil && res.Code != 0:
		e.StatusCode, e.Status = res.Code, fmt.Sprintf("%d %s", res.Code, http.StatusText(res.Code))
		e.Messages, e.Fields = decodeErrorBody(res.Bytes.Bytes())
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	default:
		e.Err = err
	}
	return e
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
