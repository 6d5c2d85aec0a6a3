package github_test

// The network edges of the adapter, against a plain httptest server that
// answers each endpoint rotor uses with a scripted answer: redirects,
// answers of the wrong shape, and what the errors show.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const edgeToken = "ghs_edgetoken0000000000000000000000000"

// scripted answers each route ("GET /repos/acme/reg") with a good answer,
// or with the one a test set; it counts the requests per route.
type scripted struct {
	mu      sync.Mutex
	answers map[string]scriptedAnswer
	calls   map[string]int
}

type scriptedAnswer struct {
	status int
	header map[string]string
	body   string
}

const goodPull = `{"number":7,"html_url":"https://github.com/acme/reg/pull/7","state":"open","title":"t","head":{"ref":"b","label":"acme:b"},"base":{"ref":"main"}}`

func newScripted() *scripted {
	return &scripted{calls: map[string]int{}, answers: map[string]scriptedAnswer{
		"GET /repos/acme/reg":                  {200, nil, `{"full_name":"acme/reg","default_branch":"main","private":true,"permissions":{"push":true,"pull":true}}`},
		"GET /repos/acme/reg/pulls":            {200, nil, `[` + goodPull + `]`},
		"POST /repos/acme/reg/pulls":           {201, nil, goodPull},
		"PATCH /repos/acme/reg/pulls/7":        {200, nil, goodPull},
		"POST /repos/acme/reg/issues/7/labels": {200, nil, `[{"id":1,"name":"rotor"}]`},
		"POST /repos/acme/reg/dispatches":      {204, nil, ``},
	}}
}

func (s *scripted) set(route string, a scriptedAnswer) {
	s.mu.Lock()
	s.answers[route] = a
	s.mu.Unlock()
}

func (s *scripted) callsTo(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	route := r.Method + " " + r.URL.Path
	s.mu.Lock()
	s.calls[route]++
	a, ok := s.answers[route]
	s.mu.Unlock()
	if !ok || r.Header.Get("Authorization") != "Bearer "+edgeToken {
		http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
		return
	}
	for k, v := range a.header {
		w.Header().Set(k, v)
	}
	if a.body != "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	w.WriteHeader(a.status)
	_, _ = w.Write([]byte(a.body))
}

func scriptedClient(t *testing.T, s *scripted) (*github.Client, *fakeapi.Sleeper) {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	sl := &fakeapi.Sleeper{}
	c, err := github.New(github.Config{APIURL: srv.URL, Repository: "acme/reg", Token: edgeToken, HTTPClient: srv.Client(),
		Retry: httpretry.Policy{BaseDelay: ms, MaxDelay: 8 * ms, Sleep: sl.Sleep, Jitter: func(d time.Duration) time.Duration { return d }}})
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

// ghCall is one call rotor makes and the route whose answer a test sets.
type ghCall struct {
	name, route string
	run         func(ctx context.Context, c *github.Client) error
}

var ghCalls = []ghCall{
	{"repository", "GET /repos/acme/reg", func(ctx context.Context, c *github.Client) error {
		_, err := c.DefaultBranch(ctx)
		return err
	}},
	{"list pull requests", "GET /repos/acme/reg/pulls", func(ctx context.Context, c *github.Client) error {
		prs, err := c.PullRequests(ctx, "b")
		if err == nil && len(prs) == 0 {
			return errors.New("no error, and no pull requests")
		}
		return err
	}},
	{"access check", "GET /repos/acme/reg/pulls", func(ctx context.Context, c *github.Client) error {
		acc, err := c.CheckPullRequestAccess(ctx)
		if err == nil && acc.List != github.Yes {
			return fmt.Errorf("no error, and List = %v", acc.List)
		}
		return err
	}},
	{"open a pull request", "POST /repos/acme/reg/pulls", func(ctx context.Context, c *github.Client) error {
		_, err := c.CreatePullRequest(ctx, rotation.NewPullRequest{Head: "b", Base: "main", Title: "t"})
		return err
	}},
	{"update a pull request", "PATCH /repos/acme/reg/pulls/7", func(ctx context.Context, c *github.Client) error {
		_, err := c.UpdatePullRequest(ctx, 7, "t", "b")
		return err
	}},
	{"add labels", "POST /repos/acme/reg/issues/7/labels", func(ctx context.Context, c *github.Client) error {
		_, err := c.CreatePullRequest(ctx, rotation.NewPullRequest{Head: "b", Base: "main", Title: "t", Labels: []string{"rotor"}})
		return err
	}},
	{"dispatch", "POST /repos/acme/reg/dispatches", func(ctx context.Context, c *github.Client) error {
		_, err := c.Dispatch(ctx, donePayload)
		return err
	}},
}

// TestEveryRedirectIsRefused: on every call, whatever the redirect, the
// error names the Location's host (without its secrets) and the other
// listener gets no request at all, so never the token.
func TestEveryRedirectIsRefused(t *testing.T) {
	for _, gc := range ghCalls {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(gc.name+"/"+http.StatusText(status), func(t *testing.T) {
				var reached, withAuth atomic.Int32
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					reached.Add(1)
					if r.Header.Get("Authorization") != "" {
						withAuth.Add(1)
					}
					w.WriteHeader(http.StatusNoContent)
				}))
				defer other.Close()
				host := strings.TrimPrefix(other.URL, "http://")
				s := newScripted()
				s.set(gc.route, scriptedAnswer{status: status, header: map[string]string{"Location": "http://u:LOCSECRET@" + host + "/x?token=LOCSECRET"}})
				c, sl := scriptedClient(t, s)
				err := gc.run(context.Background(), c)
				var re *github.RedirectError
				if !errors.As(err, &re) || re.StatusCode != status || re.Host != host {
					t.Fatalf("err = %v, want a RedirectError %d naming %s", err, status, host)
				}
				if !strings.Contains(err.Error(), host) || strings.Contains(err.Error(), "LOCSECRET") {
					t.Errorf("error %q: want the host, without the Location's secrets", err)
				}
				if n, a := reached.Load(), withAuth.Load(); n != 0 || a != 0 {
					t.Errorf("the other listener got %d requests, %d with Authorization", n, a)
				}
				if n := s.callsTo(gc.route); n != 1 || len(sl.Waits()) != 0 {
					t.Errorf("%d requests to %s, waits %v: a redirect is final", n, gc.route, sl.Waits())
				}
			})
		}
	}
}

// TestEveryShapeErrorIsAnError: an answer that is not what the endpoint
// returns wraps ErrUnexpectedAnswer, never an empty result.
func TestEveryShapeErrorIsAnError(t *testing.T) {
	byName := map[string]ghCall{}
	for _, gc := range ghCalls {
		byName[gc.name] = gc
	}
	tests := []struct {
		call   string
		status int
		body   string
	}{
		{"repository", 200, `{}`},
		{"repository", 200, `null`},
		{"repository", 200, `[]`},
		{"repository", 200, `{"full_name":"acme/reg"}`},
		{"repository", 200, `{"full_name":5,"default_branch":"main"}`},
		{"repository", 200, `{"full_name":"acme/reg","default_branch":["main"]}`},
		{"repository", 200, `{"full_name":"acme/reg","default_branch":"main","permissions":"all"}`},
		{"repository", 201, `{"full_name":"acme/reg","default_branch":"main"}`},
		{"repository", 202, `{"full_name":"acme/reg","default_branch":"main"}`},
		{"list pull requests", 200, `{}`},
		{"list pull requests", 200, `null`},
		{"list pull requests", 200, `[null]`},
		{"list pull requests", 200, `{"pulls":[` + goodPull + `]}`},
		{"list pull requests", 200, `[{"number":"7","html_url":"https://github.com/acme/reg/pull/7","state":"open","head":{"ref":"b"},"base":{"ref":"main"}}]`},
		{"list pull requests", 200, `[{"number":7,"html_url":"https://github.com/acme/reg/pull/7","head":{"ref":"b"},"base":{"ref":"main"}}]`},
		{"list pull requests", 200, `[{"number":7,"html_url":"javascript:alert(1)","state":"open","head":{"ref":"b"},"base":{"ref":"main"}}]`},
		{"list pull requests", 200, `[{"number":7,"html_url":"https://github.com/acme/reg/pull/7","state":"open","head":"b","base":{"ref":"main"}}]`},
		{"list pull requests", 200, `[{"number":7,"html_url":"https://github.com/acme/reg/pull/7","state":"open","head":{"ref":"b"}}]`},
		{"list pull requests", 201, `[` + goodPull + `]`},
		{"access check", 200, `{}`},
		{"access check", 200, `null`},
		{"access check", 200, `[null]`},
		{"open a pull request", 201, `{}`},
		{"open a pull request", 201, `null`},
		{"open a pull request", 201, `[]`},
		{"open a pull request", 201, `{"number":7,"state":"open","head":{"ref":"b"},"base":{"ref":"main"}}`},
		{"open a pull request", 201, `{"number":7,"html_url":"https://github.com/acme/reg/pull/7","state":"open","head":{"ref":"other"},"base":{"ref":"main"}}`},
		{"open a pull request", 200, goodPull},
		{"open a pull request", 202, goodPull},
		{"update a pull request", 200, `{}`},
		{"update a pull request", 200, `{"number":8,"html_url":"https://github.com/acme/reg/pull/8","state":"open","head":{"ref":"b"},"base":{"ref":"main"}}`},
		{"update a pull request", 200, `{"number":7,"html_url":"https://github.com/acme/reg/pull/7","state":7,"head":{"ref":"b"},"base":{"ref":"main"}}`},
		{"update a pull request", 201, goodPull},
		{"add labels", 200, `{}`},
		{"add labels", 200, `null`},
		{"add labels", 200, `[{"id":1}]`},
		{"add labels", 200, `[{"id":1,"name":5}]`},
		{"add labels", 200, `[{"id":1,"name":"other"}]`},
		{"add labels", 201, `[{"id":1,"name":"rotor"}]`},
		{"dispatch", 200, `{}`},
		{"dispatch", 201, ``},
	}
	for _, tt := range tests {
		gc := byName[tt.call]
		t.Run(fmt.Sprintf("%s/%d %s", tt.call, tt.status, tt.body), func(t *testing.T) {
			s := newScripted()
			s.set(gc.route, scriptedAnswer{status: tt.status, body: tt.body})
			c, sl := scriptedClient(t, s)
			err := gc.run(context.Background(), c)
			if !errors.Is(err, github.ErrUnexpectedAnswer) {
				t.Fatalf("err = %v, want ErrUnexpectedAnswer", err)
			}
			if n := s.callsTo(gc.route); n != 1 || len(sl.Waits()) != 0 {
				t.Errorf("%d requests to %s, waits %v: a shape error is final", n, gc.route, sl.Waits())
			}
		})
	}
}

// TestTokenGoesToTheAPIHostOnly: a pull request whose answer names
// another host for its next page (Link) is not followed there.
func TestTokenGoesToTheAPIHostOnly(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[]`))
	}))
	defer other.Close()
	s := newScripted()
	s.set("GET /repos/acme/reg/pulls", scriptedAnswer{status: 200, body: `[` + goodPull + `]`,
		header: map[string]string{"Link": `<` + other.URL + `/repos/acme/reg/pulls?page=2>; rel="next"`}})
	c, _ := scriptedClient(t, s)
	_, err := c.PullRequests(context.Background(), "b")
	if n := reached.Load(); n != 0 {
		t.Fatalf("the other host got %d requests (err %v)", n, err)
	}
	if err == nil && s.callsTo("GET /repos/acme/reg/pulls") < 2 {
		t.Errorf("no error, and the next page was never asked for")
	}
}

// TestParseAPIURLNeverEchoesSecrets: no part of ROTOR_GITHUB_API_URL that
// may hold a token shows in the error, and text that is no URL at all
// shows not at all.
func TestParseAPIURLNeverEchoesSecrets(t *testing.T) {
	for _, u := range []string{
		"ftp://x-access-token:SECRET@host",
		"https://x-access-token:SECRET@ghe.example.com/api/v3/",
		"https://ghe.example.com/api/v3/?access_token=SECRET",
		"https://ghe.example.com/api/v3/#SECRET",
		"https://ghe.example.com/api/v3/?",
		"ftp://ghe.example.com/?token=SECRET",
		"ftp://ghe.example.com/SECRET",
		"http://ghe.example.com/SECRET/?token=SECRET",
		"http://ghe.example.com/SECRET/",
		"SECRET",
		"x-access-token:SECRET",
		"https://exa mple.com/SECRET",
		"https://%zzSECRET",
	} {
		_, err := github.ParseAPIURL(u)
		if err == nil {
			t.Errorf("%q accepted", u)
			continue
		}
		if strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%q: the error shows the secret: %v", u, err)
		}
		if _, err := github.New(github.Config{APIURL: u, Repository: "acme/reg", Token: "t"}); err == nil || strings.Contains(err.Error(), "SECRET") {
			t.Errorf("%q: New: %v", u, err)
		}
	}
}

// TestTransportErrorsShowNoQuery: net/http's error repeats the request
// URL, query included; rotor's does not.
func TestTransportErrorsShowNoQuery(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := github.New(github.Config{APIURL: url, Repository: "acme/reg", Token: edgeToken,
		Retry: httpretry.Policy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	for _, run := range []func() error{
		func() error { _, err := c.PullRequests(context.Background(), "b"); return err },
		func() error { _, err := c.Dispatch(context.Background(), donePayload); return err },
	} {
		err := run()
		if err == nil {
			t.Fatal("no error")
		}
		if strings.Contains(err.Error(), "?") || strings.Contains(err.Error(), "head=") {
			t.Errorf("error %q shows the request's query", err)
		}
	}
}
