// Package jira is rotor's Jira Cloud adapter: it implements
// rotation.Tracker over the Jira REST API v3 and checks a Jira
// configuration for `rotor doctor`.
//
// Every request goes through one helper that sends Basic auth, retries
// transient failures (429 and 503 honouring Retry-After, other 5xx and
// network errors with exponential backoff and jitter) within the caller's
// context deadline, and turns Jira's error bodies into errors that say what
// Jira answered.
package jira

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

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

	HTTPClient *http.Client // nil: a client with a 60 s timeout per request
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
	token     string
	project   string
	issueType string
	overdue   string
	fields    rotation.FieldMapping
	http      *http.Client
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
		token:     cfg.Token,
		project:   cfg.Project,
		issueType: cfg.IssueType,
		overdue:   cfg.OverduePriority,
		fields:    cfg.Fields,
		http:      cfg.HTTPClient,
		pageSize:  cfg.PageSize,
		retry:     cfg.Retry.withDefaults(),
	}
	if c.issueType == "" {
		c.issueType = rotation.DefaultIssueType
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: 60 * time.Second}
	}
	if c.pageSize <= 0 {
		c.pageSize = DefaultPageSize
	}
	return c, nil
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

// request is one call to the REST API.
type request struct {
	op     string
	method string
	path   string // below the site URL, e.g. /rest/api/3/issue
	query  url.Values
	body   any // marshalled as JSON when non-nil
	out    any // decoded from a 2xx JSON answer when non-nil
	// safeOnly limits retries to answers that prove the request was not
	// applied (429, 503): used for writes that must not happen twice.
	safeOnly bool
}

// do sends r, retrying as the policy allows, and decodes the answer.
func (c *Client) do(ctx context.Context, r request) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("jira: %s: encode request: %w", r.op, err)
		}
	}
	u := *c.base
	u.Path = c.base.Path + r.path
	u.RawPath = ""
	if strings.Contains(r.path, "%") {
		u.RawPath = c.base.Path + r.path
		u.Path, _ = url.PathUnescape(u.RawPath)
	}
	u.RawQuery = r.query.Encode()
	target := u.String()

	p := c.retry
	for attempt := 1; ; attempt++ {
		status, header, body, err := c.send(ctx, r.method, target, payload)
		if err == nil && status >= 200 && status < 300 {
			if r.out == nil || len(bytes.TrimSpace(body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(body, r.out); err != nil {
				return fmt.Errorf("jira: %s: decode the answer of %s %s: %w", r.op, r.method, r.path, err)
			}
			return nil
		}
		e := &Error{Op: r.op, Method: r.method, Path: r.path, Attempts: attempt, Err: err}
		if err == nil {
			e.StatusCode, e.Status = status, fmt.Sprintf("%d %s", status, http.StatusText(status))
			e.Messages, e.Fields = decodeErrorBody(body)
		}
		if ctx.Err() != nil {
			if e.StatusCode == 0 {
				e.Err = ctx.Err()
			}
			return e
		}
		delay, retry := p.delay(attempt, status, header, err, r.safeOnly)
		if !retry {
			return e
		}
		if attempt >= p.MaxAttempts {
			e.Note = fmt.Sprintf("gave up after %d attempts", attempt)
			return e
		}
		if dl, ok := ctx.Deadline(); ok && !p.Now().Add(delay).Before(dl) {
			e.Note = fmt.Sprintf("gave up after %d attempts: waiting %s more would pass the deadline", attempt, delay)
			return e
		}
		if err := p.Sleep(ctx, delay); err != nil {
			e.Note = fmt.Sprintf("gave up after %d attempts: %v", attempt, err)
			return e
		}
	}
}

// send makes one HTTP exchange. A non-nil error means no answer came.
func (c *Client) send(ctx context.Context, method, target string, payload []byte) (int, http.Header, []byte, error) {
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, body)
	if err != nil {
		return 0, nil, nil, err
	}
	req.SetBasicAuth(c.email, c.token)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "rotor")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return 0, nil, nil, fmt.Errorf("read the answer: %w", err)
	}
	return resp.StatusCode, resp.Header, data, nil
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
