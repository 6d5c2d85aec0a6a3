// Package relaytest adapts githubtest, the fake GitHub, to the relay's
// tests and its benchmark sink: a fake that serves repository_dispatch
// (and the rest of githubtest's routes), with answers scripted for the
// dispatch calls.
package relaytest

import (
	"net/http/httptest"
	"testing"

	"github.com/rotor-dev/rotor/internal/github/githubtest"
)

// Dispatch is one repository_dispatch event the fake accepted.
type Dispatch = githubtest.Dispatch

// Response is a scripted answer to a dispatch call.
type Response struct {
	Status int
	Header map[string]string // e.g. "Retry-After": "1"
	Body   string            // default: a GitHub-style {"message": ...}
	// Hangup closes the connection without an answer, as a network
	// failure would.
	Hangup bool
}

// GitHub is githubtest's fake, with the relay's view of it: Calls and
// Script are about the dispatch endpoint.
type GitHub struct {
	*githubtest.Server
	// OnCall, when set, runs at the start of every dispatch call with its
	// 1-based number; tests use it to hold a call in flight.
	OnCall func(n int)
}

// New returns a fake for owner/repo that accepts token, not listening.
func New(owner, repo, token string) *GitHub {
	g := &GitHub{Server: githubtest.NewHandler(owner, repo, token)}
	g.OnRequest = func(route string, n int) {
		if route == githubtest.RouteDispatch && g.OnCall != nil {
			g.OnCall(n)
		}
	}
	return g
}

// Start serves a new fake on 127.0.0.1 for the test's lifetime and fails
// the test at cleanup if the fake saw an unexpected request or a scripted
// answer was never given.
func Start(t testing.TB, owner, repo, token string) (*GitHub, *httptest.Server) {
	t.Helper()
	g := New(owner, repo, token)
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		srv.Close()
		g.Verify(t)
	})
	return g, srv
}

// Script queues answers for the next dispatch calls, in order.
func (g *GitHub) Script(rs ...Response) {
	for _, r := range rs {
		g.Inject(githubtest.Fault{Route: githubtest.RouteDispatch, Status: r.Status, Header: r.Header, Body: r.Body, Hangup: r.Hangup})
	}
}

// Calls is how many dispatch calls arrived, accepted or not.
func (g *GitHub) Calls() int { return g.CallsTo(githubtest.RouteDispatch) }
