package github_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func TestNewRefusesBadConfig(t *testing.T) {
	good := github.Config{Repository: "acme/reg", Token: "ghs_x"}
	tests := []struct {
		name   string
		edit   func(*github.Config)
		want   string
		secret string // must not appear in the error
	}{
		{"plain http", func(c *github.Config) { c.APIURL = "http://ghe.example.com/api/v3/" }, "plain http", ""},
		{"user and password", func(c *github.Config) { c.APIURL = "https://x-access-token:ghp_SECRET123@ghe.example.com/" }, "must not carry credentials", "ghp_SECRET123"},
		{"unparsable with password", func(c *github.Config) { c.APIURL = "https://u:p%zzSECRET@h/" }, "must not carry credentials", "SECRET"},
		{"query", func(c *github.Config) { c.APIURL = "https://ghe.example.com/api/v3/?x=1" }, "must not carry", ""},
		{"not a URL", func(c *github.Config) { c.APIURL = "api.github.com" }, "not an http(s) URL", ""},
		{"no repository", func(c *github.Config) { c.Repository = "" }, "not set", ""},
		{"repository without owner", func(c *github.Config) { c.Repository = "reg" }, `use "owner/name"`, ""},
		{"no token", func(c *github.Config) { c.Token = "" }, "no token", ""},
		{"token with a newline", func(c *github.Config) { c.Token = "ghs_x\n" }, "white space", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.edit(&cfg)
			_, err := github.New(cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
			if tt.secret != "" && strings.Contains(err.Error(), tt.secret) {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
	for _, ok := range []string{"", "https://api.github.com", "https://ghe.example.com/api/v3", "http://127.0.0.1:8080/", "http://localhost/api/", "http://[::1]:9/"} {
		cfg := good
		cfg.APIURL = ok
		if _, err := github.New(cfg); err != nil {
			t.Errorf("APIURL %q: %v", ok, err)
		}
	}
}

func TestRepository(t *testing.T) {
	fake := githubtest.New(t)
	fake.SetTokenExpiration("2026-12-31 10:00:00 UTC")
	c, _ := newClient(t, fake)
	info, err := c.Repository(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := github.RepoInfo{
		FullName:        "acme/credential-register",
		DefaultBranch:   "main",
		Private:         true,
		Permissions:     &github.Permissions{Push: true, Triage: true, Pull: true},
		TokenExpiration: time.Date(2026, 12, 31, 10, 0, 0, 0, time.UTC),
	}
	if !reflect.DeepEqual(info, want) {
		t.Errorf("info = %+v\nwant %+v", info, want)
	}
	fake.SetDefaultBranch("trunk")
	fake.SetPermissions(nil)
	if b, err := c.DefaultBranch(context.Background()); err != nil || b != "trunk" {
		t.Errorf("DefaultBranch = %q, %v", b, err)
	}
	if info, _ := c.Repository(context.Background()); info.Permissions != nil {
		t.Errorf("permissions = %+v, want nil when GitHub sends none", info.Permissions)
	}
	for _, ex := range fake.Exchanges() {
		if ex.Header.Get("Authorization") != "Bearer "+githubtest.Token || ex.Header.Get("X-Github-Api-Version") != "2022-11-28" {
			t.Errorf("headers = %v", ex.Header)
		}
	}
	if n := fake.CallsTo(githubtest.RouteRepository); n != 3 {
		t.Errorf("%d repository calls, want 3", n)
	}
}

func TestErrorsSayWhatToFix(t *testing.T) {
	tests := []struct {
		name     string
		edit     func(*github.Config)
		fault    githubtest.Fault
		call     func(c *github.Client) error
		wantCode int
		want     []string
		is       error
	}{
		{name: "401", edit: func(c *github.Config) { c.Token = "ghs_wrong" },
			call: func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }, wantCode: 401,
			want: []string{`GitHub answered 401 Unauthorized: "Bad credentials"`, "invalid, expired or revoked"}},
		{name: "404 for a repository the token cannot see", edit: func(c *github.Config) { c.Repository = "acme/secret-repo" },
			call: func(c *github.Client) error { _, err := c.PullRequests(context.Background(), "b"); return err }, wantCode: 404,
			want: []string{"404 Not Found", "acme/secret-repo does not exist or the token cannot see it"}, is: github.ErrNotFound},
		{name: "403 resource not accessible", fault: githubtest.Fault{Route: githubtest.RouteCreatePull, Status: 403, Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/pulls/pulls#create-a-pull-request"}`},
			call: create("rotor/record/a"), wantCode: 403,
			want: []string{`"Resource not accessible by integration"`, "Pull requests: write", "Allow GitHub Actions to create and approve pull requests"}},
		{name: "403 Actions may not open pull requests", fault: githubtest.Fault{Route: githubtest.RouteCreatePull, Status: 403, Body: `{"message":"GitHub Actions is not permitted to create or approve pull requests."}`},
			call: create("rotor/record/a"), wantCode: 403, want: []string{"turn on \"Allow GitHub Actions"}},
		{name: "5xx after every attempt", fault: githubtest.Fault{Route: githubtest.RouteRepository, Status: 502, Times: 5},
			call: func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }, wantCode: 502,
			want: []string{"502 Bad Gateway", "try again later", "gave up after 5 attempts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			if tt.fault.Status != 0 {
				fake.Inject(tt.fault)
			}
			var edits []func(*github.Config)
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			c, _ := newClient(t, fake, edits...)
			err := tt.call(c)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("err = %v\nwant it to contain %q", err, w)
				}
			}
			if got := github.StatusCode(err); got != tt.wantCode {
				t.Errorf("StatusCode = %d, want %d", got, tt.wantCode)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("errors.Is(err, %v) = false", tt.is)
			}
		})
	}
}

func create(head string) func(c *github.Client) error {
	return func(c *github.Client) error {
		_, err := c.CreatePullRequest(context.Background(), rotation.NewPullRequest{Head: head, Base: "main", Title: "t"})
		return err
	}
}

func TestShapeErrors(t *testing.T) {
	tests := []struct {
		name  string
		fault githubtest.Fault
		call  func(c *github.Client) error
	}{
		{"repository without default_branch", githubtest.Fault{Route: githubtest.RouteRepository, Status: 200, Body: `{"full_name":"acme/credential-register"}`},
			func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }},
		{"repository of another name", githubtest.Fault{Route: githubtest.RouteRepository, Status: 200, Body: `{"full_name":"evil/other","default_branch":"main"}`},
			func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }},
		{"not JSON", githubtest.Fault{Route: githubtest.RouteRepository, Status: 200, Body: `<html>hello</html>`},
			func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }},
		{"list is an object", githubtest.Fault{Route: githubtest.RouteListPulls, Status: 200, Body: `{"pulls":[]}`},
			func(c *github.Client) error { _, err := c.PullRequests(context.Background(), "b"); return err }},
		{"list is null", githubtest.Fault{Route: githubtest.RouteListPulls, Status: 200, Body: `null`},
			func(c *github.Client) error { _, err := c.PullRequests(context.Background(), "b"); return err }},
		{"listed pull request without number", githubtest.Fault{Route: githubtest.RouteListPulls, Status: 200, Body: `[{"html_url":"https://github.com/acme/credential-register/pull/1","state":"open","head":{"ref":"b"},"base":{"ref":"main"}}]`},
			func(c *github.Client) error { _, err := c.PullRequests(context.Background(), "b"); return err }},
		{"created pull request without html_url", githubtest.Fault{Route: githubtest.RouteCreatePull, Status: 201, Body: `{"number":7,"state":"open","head":{"ref":"b"},"base":{"ref":"main"}}`},
			create("b")},
		{"created pull request is empty", githubtest.Fault{Route: githubtest.RouteCreatePull, Status: 201, Body: `{}`}, create("b")},
		{"created pull request of another head", githubtest.Fault{Route: githubtest.RouteCreatePull, Status: 201, Body: `{"number":7,"html_url":"https://github.com/a/b/pull/7","state":"open","head":{"ref":"other"},"base":{"ref":"main"}}`},
			create("b")},
		{"updated pull request with a bad state", githubtest.Fault{Route: githubtest.RouteUpdatePull, Status: 200, Body: `{"number":1,"html_url":"https://github.com/a/b/pull/1","state":"weird","head":{"ref":"b"},"base":{"ref":"main"}}`},
			func(c *github.Client) error {
				_, err := c.UpdatePullRequest(context.Background(), 1, "t", "")
				return err
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			fake.Inject(tt.fault)
			c, sl := newClient(t, fake)
			err := tt.call(c)
			if !errors.Is(err, github.ErrUnexpectedAnswer) {
				t.Fatalf("err = %v, want ErrUnexpectedAnswer", err)
			}
			if fake.Total() != 1 || len(sl.Waits()) != 0 {
				t.Errorf("calls %v, waits %v: a shape error is not retried", fake.Calls(), sl.Waits())
			}
		})
	}
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	for _, status := range []int{301, 302, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			var reached, withAuth atomic.Int32
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				if r.Header.Get("Authorization") != "" {
					withAuth.Add(1)
				}
				w.WriteHeader(200)
			}))
			defer other.Close()
			fake := githubtest.New(t)
			fake.Inject(githubtest.Fault{Route: githubtest.RouteRepository, Status: status, Header: map[string]string{"Location": other.URL + "/repositories/812345678"}})
			c, sl := newClient(t, fake)
			_, err := c.DefaultBranch(context.Background())
			var re *github.RedirectError
			if !errors.As(err, &re) || re.StatusCode != status || re.Host != strings.TrimPrefix(other.URL, "http://") {
				t.Fatalf("err = %v, want a RedirectError naming %s", err, other.URL)
			}
			if !strings.Contains(err.Error(), "renamed or transferred") {
				t.Errorf("err = %v: no hint", err)
			}
			if withAuth.Load() != 0 || reached.Load() != 0 {
				t.Errorf("the other host got %d requests, %d with Authorization", reached.Load(), withAuth.Load())
			}
			if fake.Total() != 1 || len(sl.Waits()) != 0 {
				t.Errorf("calls %d, waits %v", fake.Total(), sl.Waits())
			}
		})
	}
}

func TestRetries(t *testing.T) {
	reset := time.Now().Add(time.Hour)
	tests := []struct {
		name      string
		faults    []githubtest.Fault
		call      func(c *github.Client) error
		route     string
		wantCalls int
		wantWaits []time.Duration
		wantErr   string
	}{
		{name: "429 with Retry-After", faults: []githubtest.Fault{githubtest.TooManyRequests(githubtest.RouteListPulls, 7*time.Second)},
			call: list, route: githubtest.RouteListPulls, wantCalls: 2, wantWaits: []time.Duration{7 * time.Second}},
		{name: "secondary rate limit", faults: []githubtest.Fault{githubtest.SecondaryRateLimit(githubtest.RouteCreatePull, 3*time.Second)},
			call: create("b"), route: githubtest.RouteCreatePull, wantCalls: 2, wantWaits: []time.Duration{3 * time.Second}},
		{name: "primary rate limit an hour away", faults: []githubtest.Fault{githubtest.PrimaryRateLimit(githubtest.RouteRepository, reset)},
			call: func(c *github.Client) error { _, err := c.DefaultBranch(context.Background()); return err }, route: githubtest.RouteRepository, wantCalls: 1,
			wantErr: "rate limited until " + reset.UTC().Format(time.RFC3339)},
		{name: "5xx on GET retried", faults: []githubtest.Fault{{Route: githubtest.RouteListPulls, Status: 500}, {Route: githubtest.RouteListPulls, Status: 503}, {Route: githubtest.RouteListPulls, Status: 504}},
			call: list, route: githubtest.RouteListPulls, wantCalls: 4, wantWaits: []time.Duration{ms, 2 * ms, 4 * ms}},
		{name: "dropped connection on PATCH retried", faults: []githubtest.Fault{{Route: githubtest.RouteUpdatePull, Hangup: true}},
			call: func(c *github.Client) error {
				_, err := c.UpdatePullRequest(context.Background(), 1, "t", "b")
				return err
			}, route: githubtest.RouteUpdatePull, wantCalls: 2, wantWaits: []time.Duration{ms}},
		{name: "labels retried after 502", faults: []githubtest.Fault{{Route: githubtest.RouteAddLabels, Status: 502, AfterApply: true}},
			call: func(c *github.Client) error {
				_, err := c.CreatePullRequest(context.Background(), rotation.NewPullRequest{Head: "b", Base: "main", Title: "t", Labels: []string{"rotor"}})
				return err
			}, route: githubtest.RouteAddLabels, wantCalls: 2, wantWaits: []time.Duration{ms}},
		{name: "422 is final", faults: []githubtest.Fault{{Route: githubtest.RouteUpdatePull, Status: 422}},
			call: func(c *github.Client) error {
				_, err := c.UpdatePullRequest(context.Background(), 1, "t", "b")
				return err
			}, route: githubtest.RouteUpdatePull, wantCalls: 1, wantErr: "422"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			fake.AddPullRequest(githubtest.PullRequest{Head: "old", Base: "main", Title: "old"})
			for _, f := range tt.faults {
				fake.Inject(f)
			}
			c, sl := newClient(t, fake)
			err := tt.call(c)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if n := fake.CallsTo(tt.route); n != tt.wantCalls {
				t.Errorf("%d calls to %s, want %d (%v)", n, tt.route, tt.wantCalls, fake.Calls())
			}
			if w := sl.Waits(); !reflect.DeepEqual(w, tt.wantWaits) {
				t.Errorf("waits %v, want %v", w, tt.wantWaits)
			}
		})
	}
}

func list(c *github.Client) error { _, err := c.PullRequests(context.Background(), "b"); return err }
