// Package relaytest provides a fake GitHub that accepts repository_dispatch
// events the way GitHub does and records them, for the relay's tests and
// its benchmark.
package relaytest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
)

// Dispatch is one repository_dispatch event the fake accepted.
type Dispatch struct {
	EventType     string
	ClientPayload map[string]any
	RawPayload    json.RawMessage
	Header        http.Header
}

// Response is a scripted answer.
type Response struct {
	Status int
	Header map[string]string // e.g. "Retry-After": "1"
	Body   string            // default: a GitHub-style {"message": ...}
	// Hangup closes the connection without an answer, as a network
	// failure would.
	Hangup bool
}

// GitHub is a fake of POST /repos/{owner}/{repo}/dispatches. It checks the
// token, the path, the method and the body as GitHub does (401, 404, 400,
// 422), answers scripted responses first and 204 afterwards, and records
// every accepted event. Anything else it is asked counts as unexpected.
type GitHub struct {
	Owner, Repo, Token string
	// Discard stops recording accepted events (Accepted still counts them);
	// the benchmark sink uses it.
	Discard bool
	// OnCall, when set, runs at the start of every dispatch call with its
	// 1-based number; tests use it to hold a call in flight.
	OnCall func(n int)

	calls    atomic.Int64
	accepted atomic.Int64

	mu         sync.Mutex
	script     []Response
	dispatches []Dispatch
	unexpected []string
}

// New returns a fake for owner/repo that accepts token.
func New(owner, repo, token string) *GitHub {
	return &GitHub{Owner: owner, Repo: repo, Token: token}
}

// Start serves a new fake on 127.0.0.1 for the test's lifetime and fails
// the test at cleanup if the fake saw an unexpected request.
func Start(t testing.TB, owner, repo, token string) (*GitHub, *httptest.Server) {
	t.Helper()
	g := New(owner, repo, token)
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		srv.Close()
		for _, u := range g.Unexpected() {
			t.Errorf("fake GitHub: unexpected request: %s", u)
		}
	})
	return g, srv
}

// Script queues answers for the next dispatch calls, in order.
func (g *GitHub) Script(rs ...Response) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.script = append(g.script, rs...)
}

// Calls is how many dispatch calls arrived, accepted or not.
func (g *GitHub) Calls() int { return int(g.calls.Load()) }

// Accepted is how many dispatches were answered 204.
func (g *GitHub) Accepted() int { return int(g.accepted.Load()) }

// Dispatches returns the recorded events.
func (g *GitHub) Dispatches() []Dispatch {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]Dispatch(nil), g.dispatches...)
}

// Unexpected lists requests that GitHub's dispatch endpoint would not serve.
func (g *GitHub) Unexpected() []string {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]string(nil), g.unexpected...)
}

func (g *GitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := "/repos/" + g.Owner + "/" + g.Repo + "/dispatches"
	if r.URL.Path != path || r.Method != http.MethodPost {
		g.note("%s %s", r.Method, r.URL.Path)
		writeMessage(w, http.StatusNotFound, "Not Found")
		return
	}
	n := int(g.calls.Add(1))
	if g.OnCall != nil {
		g.OnCall(n)
	}
	switch r.Header.Get("Authorization") {
	case "Bearer " + g.Token, "token " + g.Token:
	case "":
		writeMessage(w, http.StatusUnauthorized, "Requires authentication")
		return
	default:
		writeMessage(w, http.StatusUnauthorized, "Bad credentials")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		writeMessage(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if rs, ok := g.next(); ok {
		if rs.Hangup {
			if hj, ok := w.(http.Hijacker); ok {
				if conn, _, err := hj.Hijack(); err == nil {
					conn.Close()
					return
				}
			}
			panic(http.ErrAbortHandler)
		}
		for k, v := range rs.Header {
			w.Header().Set(k, v)
		}
		if rs.Body == "" {
			writeMessage(w, rs.Status, http.StatusText(rs.Status))
		} else {
			w.WriteHeader(rs.Status)
			_, _ = io.WriteString(w, rs.Body)
		}
		return
	}
	var req struct {
		EventType     *string         `json:"event_type"`
		ClientPayload json.RawMessage `json:"client_payload"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&req); err != nil {
		writeMessage(w, http.StatusBadRequest, "Problems parsing JSON")
		return
	}
	if req.EventType == nil || len(*req.EventType) < 1 || len(*req.EventType) > 100 {
		writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/event_type', nil is not a string of 1 to 100 characters.")
		return
	}
	var payload map[string]any
	if len(req.ClientPayload) > 0 {
		if err := json.Unmarshal(req.ClientPayload, &payload); err != nil {
			writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/client_payload', it is not an object.")
			return
		}
	}
	if len(payload) > 10 || len(req.ClientPayload) > 65535 {
		writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nclient_payload: no more than 10 properties and 65535 characters are allowed.")
		return
	}
	g.accepted.Add(1)
	if !g.Discard {
		g.mu.Lock()
		g.dispatches = append(g.dispatches, Dispatch{EventType: *req.EventType, ClientPayload: payload, RawPayload: req.ClientPayload, Header: r.Header.Clone()})
		g.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (g *GitHub) next() (Response, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.script) == 0 {
		return Response{}, false
	}
	r := g.script[0]
	g.script = g.script[1:]
	return r, true
}

func (g *GitHub) note(format string, args ...any) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.unexpected = append(g.unexpected, fmt.Sprintf(format, args...))
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{
		"message":           msg,
		"documentation_url": "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event",
	})
}
