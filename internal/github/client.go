package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
)

// maxBody bounds how much of an answer rotor reads.
const maxBody = 16 << 20

// DefaultTimeout bounds each attempt of a request when Config.HTTPClient
// is nil.
const DefaultTimeout = 30 * time.Second

// Config says which repository to work on and how.
type Config struct {
	// APIURL is the REST API root; "" means DefaultAPIURL. GitHub
	// Enterprise Server: https://HOST/api/v3/. It must be https, or http
	// on a loopback host.
	APIURL string
	// Repository is the register's repository, "owner/name".
	Repository string
	// Token authenticates every request: GITHUB_TOKEN, a GitHub App
	// installation token or a personal access token.
	Token string
	// HTTPClient sends the requests: its Transport (nil:
	// http.DefaultTransport) makes each attempt, its Timeout (nil client:
	// DefaultTimeout) bounds each attempt. Its CheckRedirect and Jar are
	// not used: rotor follows no redirect.
	HTTPClient *http.Client
	// Retry is the retry policy; zero members take httpretry's defaults,
	// except MaxRetryAfter (default 1 min, GitHub's usual secondary-limit
	// wait). GitHub's rate-limit rules are always on.
	Retry httpretry.Policy
	// UserAgent names rotor to GitHub; "" means "rotor".
	UserAgent string
}

// Client works on one repository. It is safe for concurrent use.
type Client struct {
	base  *url.URL
	owner string
	name  string
	token string
	http  *http.Client
	api   api
}

var _ rotation.CodeHost = (*Client)(nil)

// New checks cfg and returns a client. It makes no request.
func New(cfg Config) (*Client, error) {
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	base, err := ParseAPIURL(strings.TrimSpace(cfg.APIURL))
	if err != nil {
		return nil, fmt.Errorf("github: API URL: %w", err)
	}
	owner, name, err := SplitRepository(strings.TrimSpace(cfg.Repository))
	if err != nil {
		return nil, fmt.Errorf("github: repository: %w", err)
	}
	if cfg.Token == "" {
		return nil, errors.New("github: no token: " + NoTokenHint(owner+"/"+name))
	}
	if err := CheckToken(cfg.Token); err != nil {
		return nil, fmt.Errorf("github: token: %w", err)
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "rotor"
	}
	hc := newHTTPClient(base, cfg.Token, ua, cfg.HTTPClient, cfg.Retry)
	gc := gogithub.NewClient(hc)
	gc.BaseURL = base
	gc.UserAgent = ua
	return &Client{base: base, owner: owner, name: name, token: cfg.Token, http: hc, api: goGitHub{gc}}, nil
}

// NoTokenHint says which token to give for repository ("owner/name").
func NoTokenHint(repository string) string {
	return "in a workflow pass ${{ secrets.GITHUB_TOKEN }} or a GitHub App token; elsewhere a fine-grained token with Contents and Pull requests: read and write on " + repository
}

// FullName returns "owner/name" of the client's repository.
func (c *Client) FullName() string { return c.owner + "/" + c.name }

// newHTTPClient is the one http.Client of the adapter: the token goes
// only to the API host, no redirect is followed, and transient failures
// are retried with GitHub's rate-limit rules.
func newHTTPClient(base *url.URL, token, userAgent string, hc *http.Client, p httpretry.Policy) *http.Client {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	inner := hc.Transport
	if inner == nil {
		inner = http.DefaultTransport
	}
	p.GitHubRateLimits = true
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = time.Minute
	}
	return &http.Client{
		Transport: &authTransport{
			scheme: base.Scheme,
			host:   base.Host,
			token:  token,
			ua:     userAgent,
			base: &httpretry.Transport{
				Base:             inner,
				Policy:           p,
				AttemptTimeout:   hc.Timeout,
				MaxResponseBytes: maxBody,
			},
		},
		CheckRedirect: refuseRedirect,
	}
}

// refuseRedirect is the CheckRedirect of the client: no GitHub endpoint
// rotor calls redirects, except for a renamed or transferred repository,
// and following one could carry the token to another host.
func refuseRedirect(req *http.Request, _ []*http.Request) error {
	status := 0
	if req.Response != nil {
		status = req.Response.StatusCode
	}
	return &RedirectError{StatusCode: status, Host: req.URL.Host}
}

// authTransport attaches the token and GitHub's headers to requests for
// the API host, and refuses every other request.
type authTransport struct {
	scheme, host string
	token, ua    string
	base         http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != t.scheme || req.URL.Host != t.host {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("refusing to send the token to %s: only %s is the API host", req.URL.Host, t.host)
	}
	r := req.Clone(req.Context())
	r.Header.Set("Authorization", "Bearer "+t.token)
	if r.Header.Get("Accept") == "" {
		r.Header.Set("Accept", "application/vnd.github+json")
	}
	r.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	r.Header.Set("User-Agent", t.ua)
	return t.base.RoundTrip(r)
}

// call runs one go-github call f as op, with a fresh record of its
// attempts, and turns a failure into an *Error. A success must answer
// want, the status the endpoint answers (go-github takes any 2xx). Every
// request the adapter makes may be repeated (see CreatePullRequest for
// the one POST that creates).
func (c *Client) call(ctx context.Context, op string, want int, f func(ctx context.Context) (*gogithub.Response, error)) (*gogithub.Response, *httpretry.Record, error) {
	ctx, rec := httpretry.WithRecord(httpretry.WithSafety(ctx, httpretry.Idempotent))
	resp, err := f(ctx)
	if err == nil {
		if resp == nil || resp.Response == nil || resp.StatusCode != want {
			status := 0
			if resp != nil && resp.Response != nil {
				status = resp.StatusCode
			}
			return resp, rec, fmt.Errorf("github: %s: %w: %s %s answered %d, not %d", op, ErrUnexpectedAnswer, rec.Method, rec.Path, status, want)
		}
		return resp, rec, nil
	}
	return resp, rec, c.fail(ctx, op, rec, resp, err)
}

func (c *Client) fail(ctx context.Context, op string, rec *httpretry.Record, resp *gogithub.Response, err error) error {
	if rec.Attempts == 0 {
		// Refused before anything was sent: go-github remembers a rate
		// limit until its reset, or the request could not be built.
		if ctx.Err() != nil {
			return fmt.Errorf("github: %s: %w", op, ctx.Err())
		}
		return fmt.Errorf("github: %s: %w", op, setting.RedactError(err))
	}
	e := &Error{Op: op, Method: rec.Method, Path: rec.Path, Attempts: rec.Attempts, Note: rec.Note}
	status := 0
	if resp != nil && resp.Response != nil {
		status = resp.StatusCode
	}
	var re *RedirectError
	switch {
	case status >= 200 && status < 300:
		return fmt.Errorf("github: %s: %w: %s %s answered %d, but %v", op, ErrUnexpectedAnswer, rec.Method, rec.Path, status, err)
	case status != 0:
		e.StatusCode = status
		e.Message, e.Details = describe(err)
		e.Hint = hint(status, e.Message, c.FullName())
	case ctx.Err() != nil:
		e.Err = ctx.Err()
	case errors.As(err, &re):
		e.Err = re
		e.Hint = hint(re.StatusCode, "", c.FullName())
	default:
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		e.Err = err
	}
	return e
}

// describe reads GitHub's message and error details from a go-github
// error.
func describe(err error) (string, []string) {
	var (
		er *gogithub.ErrorResponse
		rl *gogithub.RateLimitError
		ab *gogithub.AbuseRateLimitError
	)
	switch {
	case errors.As(err, &er):
		var details []string
		for _, d := range er.Errors {
			switch {
			case d.Message != "":
				details = append(details, d.Message)
			default:
				details = append(details, strings.Trim(fmt.Sprintf("%s %s %s", d.Resource, d.Field, d.Code), " "))
			}
		}
		return er.Message, details
	case errors.As(err, &rl):
		return rl.Message, nil
	case errors.As(err, &ab):
		return ab.Message, nil
	}
	return "", nil
}

// api is what the adapter uses of go-github.
type api interface {
	GetRepository(ctx context.Context, owner, name string) (*gogithub.Repository, *gogithub.Response, error)
	ListPullRequests(ctx context.Context, owner, name string, opts *gogithub.PullRequestListOptions) ([]*gogithub.PullRequest, *gogithub.Response, error)
	CreatePullRequest(ctx context.Context, owner, name string, pr *gogithub.NewPullRequest) (*gogithub.PullRequest, *gogithub.Response, error)
	EditPullRequest(ctx context.Context, owner, name string, number int, pr *gogithub.PullRequest) (*gogithub.PullRequest, *gogithub.Response, error)
	AddLabels(ctx context.Context, owner, name string, number int, labels []string) ([]*gogithub.Label, *gogithub.Response, error)
}

type goGitHub struct{ c *gogithub.Client }

func (g goGitHub) GetRepository(ctx context.Context, owner, name string) (*gogithub.Repository, *gogithub.Response, error) {
	return g.c.Repositories.Get(ctx, owner, name)
}

func (g goGitHub) ListPullRequests(ctx context.Context, owner, name string, opts *gogithub.PullRequestListOptions) ([]*gogithub.PullRequest, *gogithub.Response, error) {
	return g.c.PullRequests.List(ctx, owner, name, opts)
}

func (g goGitHub) CreatePullRequest(ctx context.Context, owner, name string, pr *gogithub.NewPullRequest) (*gogithub.PullRequest, *gogithub.Response, error) {
	return g.c.PullRequests.Create(ctx, owner, name, pr)
}

func (g goGitHub) EditPullRequest(ctx context.Context, owner, name string, number int, pr *gogithub.PullRequest) (*gogithub.PullRequest, *gogithub.Response, error) {
	return g.c.PullRequests.Edit(ctx, owner, name, number, pr)
}

func (g goGitHub) AddLabels(ctx context.Context, owner, name string, number int, labels []string) ([]*gogithub.Label, *gogithub.Response, error) {
	return g.c.Issues.AddLabelsToIssue(ctx, owner, name, number, labels)
}
