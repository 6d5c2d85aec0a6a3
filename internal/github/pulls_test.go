package github_test

import (
	"context"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const branch = "rotor/record/payments-db-admin"

func TestPullRequests(t *testing.T) {
	tests := []struct {
		name      string
		perPage   int
		seed      []githubtest.PullRequest
		merge     []int
		want      []int // numbers, newest first
		wantCalls int
	}{
		{name: "none", want: nil, wantCalls: 1},
		{name: "open, closed and merged, newest first", seed: []githubtest.PullRequest{
			{Head: branch, Base: "main", State: "closed"},
			{Head: "rotor/record/other", Base: "main"},
			{Head: branch, Base: "main"},
			{Head: branch, Base: "main", State: "closed"},
		}, merge: []int{4}, want: []int{4, 3, 1}, wantCalls: 1},
		{name: "every page", perPage: 2, seed: []githubtest.PullRequest{
			{Head: branch, Base: "main", State: "closed"}, {Head: branch, Base: "main", State: "closed"},
			{Head: branch, Base: "main", State: "closed"}, {Head: branch, Base: "main", State: "closed"},
			{Head: branch, Base: "main"},
		}, want: []int{5, 4, 3, 2, 1}, wantCalls: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			for _, p := range tt.seed {
				p.Title = "Record rotation"
				fake.AddPullRequest(p)
			}
			for _, n := range tt.merge {
				fake.Merge(n)
			}
			c, _ := newClient(t, fake)
			if tt.perPage > 0 {
				// The client asks for 100 a page; the fake answers fewer.
				fake.SetMaxPerPage(tt.perPage)
			}
			prs, err := c.PullRequests(context.Background(), branch)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, pr := range prs {
				got = append(got, pr.Number)
				if pr.Head != branch || pr.Base != "main" || !strings.HasSuffix(pr.URL, "/pull/"+strconv.Itoa(pr.Number)) {
					t.Errorf("pr = %+v", pr)
				}
				if pr.Merged != (pr.Number == 4 && len(tt.merge) > 0) {
					t.Errorf("#%d merged = %v", pr.Number, pr.Merged)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("numbers %v, want %v", got, tt.want)
			}
			if n := fake.CallsTo(githubtest.RouteListPulls); n != tt.wantCalls {
				t.Errorf("%d list calls, want %d", n, tt.wantCalls)
			}
			for _, ex := range fake.Exchanges() {
				if q := ex.Query; q.Get("state") != "all" || q.Get("head") != "acme:"+branch {
					t.Errorf("query %v", q)
				}
			}
		})
	}
}

func TestCreatePullRequest(t *testing.T) {
	npr := rotation.NewPullRequest{Head: branch, Base: "main", Title: "Record the rotation of payments-db-admin", Body: "Done in SEC-42.", Labels: []string{"rotor", "rotor-payments-db-admin"}}
	tests := []struct {
		name        string
		strict      bool // register branches: unknown heads are refused
		seed        []githubtest.PullRequest
		faults      []githubtest.Fault
		transport   int // connection resets before the fake is reached
		wantErr     error
		wantErrText string
		wantPulls   int
		wantCreates int
		wantLists   int
	}{
		{name: "opened with labels", wantPulls: 1, wantCreates: 1},
		{name: "an open one exists", seed: []githubtest.PullRequest{{Head: branch, Base: "main", Title: "x"}}, wantErr: github.ErrPullRequestExists, wantPulls: 1, wantCreates: 1},
		{name: "a closed one does not count", seed: []githubtest.PullRequest{{Head: branch, Base: "main", Title: "x", State: "closed"}}, wantPulls: 2, wantCreates: 1},
		{name: "head branch not pushed", strict: true, wantErrText: "push it before opening the pull request", wantCreates: 1},
		{name: "500 after GitHub opened it", faults: []githubtest.Fault{{Route: githubtest.RouteCreatePull, Status: 500, AfterApply: true}}, wantPulls: 1, wantCreates: 2, wantLists: 1},
		{name: "answer lost twice", faults: []githubtest.Fault{{Route: githubtest.RouteCreatePull, Status: 504, AfterApply: true, Times: 2}}, wantPulls: 1, wantCreates: 3, wantLists: 1},
		{name: "connection dropped after GitHub opened it", faults: []githubtest.Fault{{Route: githubtest.RouteCreatePull, Hangup: true, AfterApply: true}}, wantPulls: 1, wantCreates: 2, wantLists: 1},
		{name: "500 before GitHub opened it", faults: []githubtest.Fault{{Route: githubtest.RouteCreatePull, Status: 500}}, wantPulls: 1, wantCreates: 2},
		{name: "connection reset before sending", transport: 1, wantPulls: 1, wantCreates: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			if tt.strict {
				fake.AddBranch("rotor/record/other", "")
			}
			for _, p := range tt.seed {
				fake.AddPullRequest(p)
			}
			for _, f := range tt.faults {
				fake.Inject(f)
			}
			c, _ := newClient(t, fake, func(cfg *github.Config) {
				cfg.HTTPClient.Transport = &fakeapi.FailingTransport{N: tt.transport, Err: syscall.ECONNRESET, Base: fake.Client().Transport}
			})
			pr, err := c.CreatePullRequest(context.Background(), npr)
			switch {
			case tt.wantErr != nil || tt.wantErrText != "":
				if err == nil || tt.wantErr != nil && !errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.wantErrText) {
					t.Fatalf("err = %v, want %v %q", err, tt.wantErr, tt.wantErrText)
				}
			case err != nil:
				t.Fatalf("CreatePullRequest: %v", err)
			default:
				stored := fake.PullRequests()
				last := stored[len(stored)-1]
				want := rotation.PullRequest{Number: last.Number, URL: "https://github.com/acme/credential-register/pull/" + strconv.Itoa(last.Number), State: "open",
					Head: branch, Base: "main", Title: npr.Title, Body: npr.Body, Labels: npr.Labels}
				if !reflect.DeepEqual(pr, want) {
					t.Errorf("pr = %+v\nwant %+v", pr, want)
				}
				if !reflect.DeepEqual(last.Labels, npr.Labels) {
					t.Errorf("labels on GitHub = %v", last.Labels)
				}
			}
			if n := len(fake.PullRequests()); n != tt.wantPulls {
				t.Errorf("%d pull requests on GitHub, want %d", n, tt.wantPulls)
			}
			if n := fake.CallsTo(githubtest.RouteCreatePull); n != tt.wantCreates {
				t.Errorf("%d create calls, want %d", n, tt.wantCreates)
			}
			if n := fake.CallsTo(githubtest.RouteListPulls); n != tt.wantLists {
				t.Errorf("%d list calls, want %d", n, tt.wantLists)
			}
			for _, b := range bodies(t, fake, githubtest.RouteCreatePull) {
				if b["head"] != branch || b["base"] != "main" || b["title"] != npr.Title || b["draft"] != false {
					t.Errorf("create body %v", b)
				}
			}
		})
	}
}

func TestLabelsFailAfterOpening(t *testing.T) {
	fake := githubtest.New(t)
	fake.Inject(githubtest.Fault{Route: githubtest.RouteAddLabels, Status: 422})
	c, _ := newClient(t, fake)
	pr, err := c.CreatePullRequest(context.Background(), rotation.NewPullRequest{Head: branch, Base: "main", Title: "t", Labels: []string{"rotor"}})
	if err == nil || !strings.Contains(err.Error(), "opened pull request #1") || pr.Number != 1 {
		t.Fatalf("pr %+v, err %v: want #1 with an error about its labels", pr, err)
	}
}

func TestUpdatePullRequest(t *testing.T) {
	fake := githubtest.New(t)
	n := fake.AddPullRequest(githubtest.PullRequest{Head: branch, Base: "main", Title: "old", Body: "old body", Labels: []string{"rotor"}})
	c, _ := newClient(t, fake)
	pr, err := c.UpdatePullRequest(context.Background(), n, "new title", "new body")
	if err != nil {
		t.Fatal(err)
	}
	if pr.Number != n || pr.Title != "new title" || pr.Body != "new body" || pr.State != "open" || !reflect.DeepEqual(pr.Labels, []string{"rotor"}) {
		t.Errorf("pr = %+v", pr)
	}
	if got := fake.PullRequests()[0]; got.Title != "new title" || got.Body != "new body" {
		t.Errorf("on GitHub: %+v", got)
	}
	_, err = c.UpdatePullRequest(context.Background(), 99, "t", "b")
	if github.StatusCode(err) != 404 {
		t.Errorf("unknown number: err = %v, want 404", err)
	}
	if _, err := c.UpdatePullRequest(context.Background(), 0, "t", "b"); err == nil {
		t.Error("number 0: no error")
	}
	if n := fake.CallsTo(githubtest.RouteUpdatePull); n != 2 {
		t.Errorf("%d update calls, want 2", n)
	}
}
