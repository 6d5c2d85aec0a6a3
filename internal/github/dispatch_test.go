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

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
)

var donePayload = github.DispatchPayload{IssueKey: "SEC-42", CredentialID: "payments-db-admin", DoneAt: "2026-11-26T09:30:00Z", DeliveryID: "d-1"}

func TestDispatch(t *testing.T) {
	tests := []struct {
		name      string
		faults    []githubtest.Fault
		payload   github.DispatchPayload
		wantCalls int
		wantErr   string
		is        error
	}{
		{name: "204", payload: donePayload, wantCalls: 1},
		{name: "502 then 204", payload: donePayload, faults: []githubtest.Fault{{Route: githubtest.RouteDispatch, Status: 502}}, wantCalls: 2},
		{name: "200 is not 204", payload: donePayload, faults: []githubtest.Fault{{Route: githubtest.RouteDispatch, Status: 200, Body: "{}"}}, wantCalls: 1, wantErr: "not 204", is: github.ErrUnexpectedAnswer},
		{name: "403 is a permission", payload: donePayload, faults: []githubtest.Fault{{Route: githubtest.RouteDispatch, Status: 403}}, wantCalls: 1, wantErr: "Contents: read and write on acme/credential-register"},
		{name: "422 is final", payload: donePayload, faults: []githubtest.Fault{{Route: githubtest.RouteDispatch, Status: 422}}, wantCalls: 1, wantErr: "422"},
		{name: "an invalid payload is not sent", payload: github.DispatchPayload{IssueKey: "nope"}, wantCalls: 0, wantErr: "issue_key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := githubtest.New(t)
			for _, f := range tt.faults {
				fake.Inject(f)
			}
			c, _ := newClient(t, fake)
			attempts, err := c.Dispatch(context.Background(), tt.payload)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			case tt.is != nil && !errors.Is(err, tt.is):
				t.Errorf("errors.Is(%v, %v) = false", err, tt.is)
			}
			if attempts != tt.wantCalls || fake.CallsTo(githubtest.RouteDispatch) != tt.wantCalls {
				t.Errorf("attempts %d, calls %d, want %d", attempts, fake.CallsTo(githubtest.RouteDispatch), tt.wantCalls)
			}
			if tt.wantErr != "" {
				return
			}
			ds := fake.Dispatches()
			want := map[string]any{"issue_key": "SEC-42", "credential_id": "payments-db-admin", "done_at": "2026-11-26T09:30:00Z", "delivery_id": "d-1"}
			if len(ds) != 1 || ds[0].EventType != github.DispatchEventType || !reflect.DeepEqual(ds[0].ClientPayload, want) {
				t.Errorf("dispatches = %+v", ds)
			}
		})
	}
}

func TestDispatchURL(t *testing.T) {
	c, err := github.New(github.Config{APIURL: "https://ghe.example.com/api/v3", Repository: "acme/reg", Token: "t"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.DispatchURL(), "https://ghe.example.com/api/v3/repos/acme/reg/dispatches"; got != want {
		t.Errorf("DispatchURL = %q, want %q", got, want)
	}
}

func TestDispatchFollowsNoRedirect(t *testing.T) {
	var reached atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer other.Close()
	fake := githubtest.New(t)
	fake.Inject(githubtest.Fault{Route: githubtest.RouteDispatch, Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": other.URL + "/dispatches"}})
	c, _ := newClient(t, fake)
	attempts, err := c.Dispatch(context.Background(), donePayload)
	var re *github.RedirectError
	if !errors.As(err, &re) || attempts != 1 {
		t.Fatalf("attempts %d, err %v: want one attempt and a RedirectError", attempts, err)
	}
	if reached.Load() != 0 {
		t.Errorf("the other host got %d requests", reached.Load())
	}
}
