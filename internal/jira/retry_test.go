package jira_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

const ms = time.Millisecond

func TestRetries(t *testing.T) {
	type call func(ctx context.Context, c *jira.Client, key string) error
	search := func(ctx context.Context, c *jira.Client, _ string) error { _, err := c.OpenTickets(ctx); return err }
	get := func(ctx context.Context, c *jira.Client, key string) error { _, err := c.Ticket(ctx, key); return err }
	create := func(ctx context.Context, c *jira.Client, _ string) error {
		_, err := c.Create(ctx, newTicket())
		return err
	}
	update := func(ctx context.Context, c *jira.Client, key string) error {
		return c.Update(ctx, key, rotation.TicketUpdate{Priority: "High"})
	}

	tests := []struct {
		name      string
		faults    []jiratest.Fault
		call      call
		route     string
		wantCalls int
		wantWaits []time.Duration
		wantErr   string // substring; empty: success
		wantCode  int
	}{
		{
			name:      "429 with Retry-After survived",
			faults:    []jiratest.Fault{{Method: "POST", PathPrefix: "/rest/api/3/search/jql", Status: 429, RetryAfter: 7 * time.Second, Times: 2}},
			call:      search,
			route:     routeSearch,
			wantCalls: 3,
			wantWaits: []time.Duration{7 * time.Second, 7 * time.Second},
		},
		{
			name:      "Retry-After is capped",
			faults:    []jiratest.Fault{{PathPrefix: "/rest/api/3/issue/", Status: 429, RetryAfter: 120 * time.Second}},
			call:      get,
			route:     routeGet,
			wantCalls: 2,
			wantWaits: []time.Duration{30 * time.Second},
		},
		{
			name:      "503 then OK on create",
			faults:    []jiratest.Fault{{Method: "POST", PathPrefix: "/rest/api/3/issue", Status: 503, RetryAfter: 2 * time.Second}},
			call:      create,
			route:     routeCreate,
			wantCalls: 2,
			wantWaits: []time.Duration{2 * time.Second},
		},
		{
			name:      "503 without Retry-After backs off",
			faults:    []jiratest.Fault{{Method: "PUT", Status: 503, Times: 2}},
			call:      update,
			route:     routeEdit,
			wantCalls: 3,
			wantWaits: []time.Duration{1 * ms, 2 * ms},
		},
		{
			name:      "500 retried with exponential backoff",
			faults:    []jiratest.Fault{{Method: "GET", Status: 500, Times: 3}},
			call:      get,
			route:     routeGet,
			wantCalls: 4,
			wantWaits: []time.Duration{1 * ms, 2 * ms, 4 * ms},
		},
		{
			name:      "gives up after the last attempt",
			faults:    []jiratest.Fault{{Method: "POST", Status: 500, Times: 5}},
			call:      search,
			route:     routeSearch,
			wantCalls: 5,
			wantWaits: []time.Duration{1 * ms, 2 * ms, 4 * ms, 8 * ms},
			wantErr:   "jira: list open SEC tickets: 500 Internal Server Error: Internal Server Error (gave up after 5 attempts)",
			wantCode:  500,
		},
		{
			name:      "400 is final",
			faults:    []jiratest.Fault{{Method: "PUT", Status: 400}},
			call:      update,
			route:     routeEdit,
			wantCalls: 1,
			wantErr:   "jira: update ticket SEC-1: 400 Bad Request: Bad Request",
			wantCode:  400,
		},
		{
			name:      "404 is final",
			faults:    []jiratest.Fault{{Method: "GET", Status: 404}},
			call:      get,
			route:     routeGet,
			wantCalls: 1,
			wantErr:   "404 Not Found",
			wantCode:  404,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			key := fake.AddIssue(jiratest.Issue{Summary: "Rotate db", Labels: []string{"rotor", "rotor-db"}})
			for _, f := range tt.faults {
				fake.Inject(f)
			}
			c, sl := newClient(t, fake)
			err := tt.call(context.Background(), c, key)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if jira.StatusCode(err) != tt.wantCode {
				t.Errorf("StatusCode(err) = %d, want %d", jira.StatusCode(err), tt.wantCode)
			}
			if n := fake.CallsTo(tt.route); n != tt.wantCalls || fake.Total() != tt.wantCalls {
				t.Errorf("calls = %v, want %d to %s", fake.Calls(), tt.wantCalls, tt.route)
			}
			if w := sl.Waits(); !reflect.DeepEqual(w, tt.wantWaits) {
				t.Errorf("waits = %v, want %v", w, tt.wantWaits)
			}
			var first []byte
			for i, ex := range fake.Exchanges() {
				if i == 0 {
					first = ex.RequestBody
				} else if !bytes.Equal(ex.RequestBody, first) {
					t.Errorf("attempt %d sent %q, the first sent %q", i+1, ex.RequestBody, first)
				}
			}
		})
	}
}

// hangingTransport holds the first n requests until their context ends,
// then delegates.
type hangingTransport struct {
	mu   sync.Mutex
	n    int
	base http.RoundTripper
}

func (h *hangingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	hang := h.n > 0
	if hang {
		h.n--
	}
	h.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return h.base.RoundTrip(r)
}

func TestClientTimeoutLimitsEachAttempt(t *testing.T) {
	fake := jiratest.New(t)
	tr := &hangingTransport{n: 2, base: fake.Client().Transport}
	c, sl := newClient(t, fake, func(c *jira.Config) {
		c.HTTPClient = &http.Client{Transport: tr, Timeout: 20 * ms}
	})
	if _, err := c.OpenTickets(context.Background()); err != nil {
		t.Fatalf("OpenTickets: %v", err)
	}
	if got := sl.Waits(); !reflect.DeepEqual(got, []time.Duration{1 * ms, 2 * ms}) {
		t.Errorf("waits = %v", got)
	}
	if fake.Total() != 1 {
		t.Errorf("fake calls = %d, want 1", fake.Total())
	}
}

func TestBadRequestShowsJirasMessage(t *testing.T) {
	fake := jiratest.New(t)
	c, sl := newClient(t, fake, func(c *jira.Config) {
		c.Fields = rotation.FieldMapping{CredentialName: "customfield_99999"}
	})
	_, err := c.Create(context.Background(), newTicket())
	want := `jira: create SEC ticket for payments-db-admin: 400 Bad Request: customfield_99999: "Field 'customfield_99999' cannot be set. It is not on the appropriate screen, or unknown."`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v\nwant %s", err, want)
	}
	var je *jira.Error
	if !errors.As(err, &je) || je.Fields["customfield_99999"] == "" || je.Attempts != 1 {
		t.Errorf("error = %#v", je)
	}
	if fake.Total() != 1 || len(sl.Waits()) != 0 || len(fake.Issues()) != 0 {
		t.Errorf("a 400 was retried or applied: calls %v, waits %v", fake.Calls(), sl.Waits())
	}
}

func TestNetworkErrorsAreRetried(t *testing.T) {
	fake := jiratest.New(t)
	tr := &fakeapi.FailingTransport{N: 2, Err: syscall.ECONNRESET, Base: fake.Client().Transport}
	c, sl := newClient(t, fake, func(c *jira.Config) { c.HTTPClient = &http.Client{Transport: tr} })
	if _, err := c.OpenTickets(context.Background()); err != nil {
		t.Fatalf("OpenTickets: %v", err)
	}
	if got := sl.Waits(); !reflect.DeepEqual(got, []time.Duration{1 * ms, 2 * ms}) {
		t.Errorf("waits = %v", got)
	}
	if fake.Total() != 1 {
		t.Errorf("fake calls = %d, want 1", fake.Total())
	}
}

func TestCreateIsNotDuplicatedByRetries(t *testing.T) {
	tests := []struct {
		name        string
		fault       jiratest.Fault
		transport   int // network failures before the fake is reached
		wantCreates int
		wantSearch  int
	}{
		{"500 after Jira created it", jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/issue", Status: 500, AfterApply: true}, 0, 1, 1},
		{"500 before Jira created it", jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/issue", Status: 500}, 0, 2, 1},
		// The create's answer is lost, then the answer of the search that
		// looks for what it opened: the search is asked again.
		{"answer lost twice", jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/", Status: 504, AfterApply: true, Times: 2}, 0, 1, 2},
		{"connection reset before sending", jiratest.Fault{}, 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			if tt.fault.Status != 0 {
				fake.Inject(tt.fault)
			}
			tr := &fakeapi.FailingTransport{N: tt.transport, Err: syscall.ECONNRESET, Base: fake.Client().Transport}
			c, _ := newClient(t, fake, func(c *jira.Config) { c.HTTPClient = &http.Client{Transport: tr} })
			key, err := c.Create(context.Background(), newTicket())
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			if n := len(fake.Issues()); n != 1 {
				t.Fatalf("%d issues in Jira, want 1", n)
			}
			if key != fake.Issues()[0].Key {
				t.Errorf("key = %s, want %s", key, fake.Issues()[0].Key)
			}
			if n := fake.CallsTo(routeCreate); n != tt.wantCreates {
				t.Errorf("%d create calls, want %d", n, tt.wantCreates)
			}
			if n := fake.CallsTo(routeSearch); n != tt.wantSearch {
				t.Errorf("%d searches, want %d", n, tt.wantSearch)
			}
			for _, b := range bodies(t, fake, routeSearch) {
				if b["jql"] != `project = "SEC" AND labels = "rotor-payments-db-admin" AND statusCategory != Done ORDER BY key ASC` {
					t.Errorf("jql = %q", b["jql"])
				}
			}
		})
	}
}

func TestContextDeadlineIsRespected(t *testing.T) {
	t.Run("a Retry-After past the deadline is not waited for", func(t *testing.T) {
		fake := jiratest.New(t)
		fake.FailNext("POST", "/rest/api/3/search/jql", 429, 30*time.Second)
		c, sl := newClient(t, fake)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err := c.OpenTickets(ctx)
		if err == nil || !strings.Contains(err.Error(), "429 Too Many Requests") || !strings.Contains(err.Error(), "deadline") {
			t.Fatalf("err = %v", err)
		}
		if len(sl.Waits()) != 0 || fake.Total() != 1 {
			t.Errorf("waits %v, calls %d: want no wait and one call", sl.Waits(), fake.Total())
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		fake := jiratest.New(t)
		fake.Inject(jiratest.Fault{Status: 503})
		c, sl := newClient(t, fake)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sl.Hook = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		_, err := c.OpenTickets(ctx)
		if !errors.Is(err, context.Canceled) && !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("err = %v, want cancellation", err)
		}
		if fake.Total() != 1 || len(sl.Waits()) != 1 {
			t.Errorf("calls %d, waits %v", fake.Total(), sl.Waits())
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		fake := jiratest.New(t)
		c, _ := newClient(t, fake)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Create(ctx, newTicket())
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if fake.Total() != 0 {
			t.Errorf("calls = %d", fake.Total())
		}
	})
}
