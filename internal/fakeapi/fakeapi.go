// Package fakeapi is what rotor's fake HTTP APIs (jiratest, githubtest)
// have in common: routing by the path templates of the real API (Go's
// ServeMux patterns), a log of every exchange, call counts per route, a
// queue of faults (status codes, Retry-After, bodies of the wrong shape,
// lost answers, dropped connections), and a fake sleeper for retry tests.
//
// It holds a fake to cli/cli's httpmock rule: at the end of a test, a
// request that reached no route fails the test, and so does a fault the
// test queued that never fired, since a fault that never fired means the
// test did not test what it says.
package fakeapi

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// maxBody bounds the request body a fake reads.
const maxBody = 10 << 20

// jsonType is the Content-Type of JSON answers unless an API says otherwise.
const jsonType = "application/json; charset=utf-8"

// Route is one endpoint of a fake.
type Route struct {
	Method  string // "GET", "POST", ...
	Pattern string // the API's path template: "/repos/{owner}/{repo}/pulls/{number}"
	Write   bool   // the request changes the service (counted by Writes)
	Public  bool   // answers without authentication
	Handle  func(w http.ResponseWriter, r *Request)
}

// Name is the route as Calls keys it: "GET /repos/{owner}/{repo}".
func (r Route) Name() string { return r.Method + " " + r.Pattern }

// Request is a routed request with its body read; PathValue gives the
// values of the path template.
type Request struct {
	*http.Request
	Body  []byte
	Route string
}

// Fault is an answer a fake gives instead of serving a request. Its
// match fields are all optional: an empty Fault matches every routed
// request.
type Fault struct {
	Route      string // the route's Name; "" matches every route
	Method     string // "" matches every method
	PathPrefix string // matches paths starting with it

	Status     int               // e.g. 429, 503, 500, 302
	RetryAfter time.Duration     // sent as Retry-After in whole seconds when > 0
	Header     map[string]string // set on the answer, e.g. a Location
	// Body, when set, is the answer's body as it is (JSON or not), in
	// place of the API's error shape: an answer of the wrong shape.
	Body string

	Times      int  // how many requests it answers; 0 means 1
	Skip       int  // how many matching requests it lets through first
	AfterApply bool // serve the request first, then answer the fault (a lost answer)
	Hangup     bool // close the connection without an answer
}

func (f Fault) matches(route, method, path string) bool {
	return (f.Route == "" || f.Route == route) && (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix)
}

// String names the fault in a test failure: its answer, what it matches,
// and what is left of it.
func (f Fault) String() string {
	what := f.Route
	if what == "" {
		what = strings.TrimSpace(f.Method + " " + f.PathPrefix + "*")
	}
	answer := strconv.Itoa(f.Status)
	if f.Hangup {
		answer = "hang-up"
	}
	if f.AfterApply {
		answer += " after applying"
	}
	s := answer + " for " + what
	if f.Times > 1 {
		s += fmt.Sprintf(" (%d answers left)", f.Times)
	}
	if f.Skip > 0 {
		s += fmt.Sprintf(" (after letting %d through)", f.Skip)
	}
	return s
}

// Exchange is one request a fake received and what it answered.
type Exchange struct {
	Method       string
	Path         string
	Route        string // empty when no route served it
	Query        url.Values
	Header       http.Header
	RequestBody  []byte
	Status       int
	ResponseBody []byte
	Authorized   bool
	Faulted      bool
}

// API is what makes a fake the fake of one service.
type API struct {
	// Name names the fake in test failures: "jiratest".
	Name string
	// Routes are the endpoints the fake serves.
	Routes []Route
	// Authorize checks the credentials of a request; a request to a route
	// that is not Public and is refused is answered by Refuse.
	Authorize func(r *http.Request) bool
	// Refuse answers a request whose credentials Authorize refused.
	Refuse func(w http.ResponseWriter, r *http.Request)
	// NotFound answers a request that no route serves.
	NotFound func(w http.ResponseWriter, r *http.Request)
	// Error answers a fault's status in the service's error shape.
	Error func(w http.ResponseWriter, status int)
	// Headers, when set, adds the headers every authorized answer carries.
	Headers func(h http.Header)
	// ContentType is the Content-Type of a fault's Body, as the service
	// writes it; "" is "application/json; charset=utf-8".
	ContentType string
}

// Server serves an API and keeps the record of what it received.
type Server struct {
	// URL is the root of a started fake, "http://127.0.0.1:PORT".
	URL string
	// Discard stops recording exchanges (calls are still counted): for
	// benchmarks.
	Discard bool
	// OnRequest, when set, runs at the start of every routed request with
	// its route and that route's 1-based call number; tests use it to hold
	// a call in flight. Set it before the first request.
	OnRequest func(route string, n int)

	api API
	mux *http.ServeMux
	srv *httptest.Server

	mu         sync.Mutex
	calls      map[string]int
	total      int
	writes     int
	unexpected []string
	exchanges  []Exchange
	faults     []Fault
}

// New returns a server of api, not listening: serve it with Start, or with
// httptest or an http.Server as a handler.
func New(api API) *Server {
	s := &Server{api: api, mux: http.NewServeMux(), calls: map[string]int{}}
	for i := range api.Routes {
		rt := &api.Routes[i]
		s.mux.HandleFunc(rt.Name(), func(_ http.ResponseWriter, r *http.Request) {
			s.serveRoute(rt, r.Context().Value(callKey{}).(*call), r)
		})
	}
	// Everything else is unexpected: the catch-all keeps ServeMux from
	// answering 405 on the fake's behalf.
	s.mux.HandleFunc("/", func(_ http.ResponseWriter, r *http.Request) {
		s.notFound(r.Context().Value(callKey{}).(*call), r)
	})
	return s
}

// Start serves s on 127.0.0.1 until the test ends and sets URL. At
// cleanup it fails the test if a request reached no route or a queued
// fault never fired.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		s.Verify(t)
	})
}

// Verify fails the test if a request reached no route or a queued fault
// never fired. Start calls it at cleanup.
func (s *Server) Verify(t testing.TB) {
	t.Helper()
	if u := s.Unexpected(); len(u) > 0 {
		t.Errorf("%s: requests the fake has no route for:\n  %s\nit serves: %s", s.api.Name, strings.Join(u, "\n  "), strings.Join(s.RouteNames(), ", "))
	}
	if f := s.Pending(); len(f) > 0 {
		names := make([]string, len(f))
		for i, x := range f {
			names[i] = x.String()
		}
		t.Errorf("%s: faults queued by the test that never fired (the test does not test what it says, or must ClearFaults):\n  %s", s.api.Name, strings.Join(names, "\n  "))
	}
}

// Client returns a client for a started fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops a started fake.
func (s *Server) Close() { s.srv.Close() }

// RouteNames lists the routes the fake serves, as Calls keys them.
func (s *Server) RouteNames() []string {
	out := make([]string, len(s.api.Routes))
	for i, r := range s.api.Routes {
		out[i] = r.Name()
	}
	return out
}

// Inject queues a fault; faults answer in the order queued.
func (s *Server) Inject(f Fault) {
	if f.Times <= 0 {
		f.Times = 1
	}
	s.mu.Lock()
	s.faults = append(s.faults, f)
	s.mu.Unlock()
}

// ClearFaults drops every queued fault.
func (s *Server) ClearFaults() { s.mu.Lock(); s.faults = nil; s.mu.Unlock() }

// Pending returns the queued faults that have answers left.
func (s *Server) Pending() []Fault {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Fault(nil), s.faults...)
}

// PendingFaults returns how many fault answers are still queued.
func (s *Server) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.Times
	}
	return n
}

// Calls returns how many requests each route received; faulted and
// refused requests count.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CallsTo returns how many requests route received.
func (s *Server) CallsTo(route string) int { s.mu.Lock(); defer s.mu.Unlock(); return s.calls[route] }

// Total returns how many requests the fake received.
func (s *Server) Total() int { s.mu.Lock(); defer s.mu.Unlock(); return s.total }

// Writes returns how many requests to Write routes the fake received,
// faulted or not.
func (s *Server) Writes() int { s.mu.Lock(); defer s.mu.Unlock(); return s.writes }

// Unexpected returns the requests that reached no route.
func (s *Server) Unexpected() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.unexpected...)
}

// Exchanges returns every request received and its answer, in order.
func (s *Server) Exchanges() []Exchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Exchange(nil), s.exchanges...)
}

// ResetCounts forgets calls, exchanges and unexpected requests; faults
// stay.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.total, s.writes = 0, 0
	s.unexpected = nil
	s.exchanges = nil
	s.mu.Unlock()
}

// call is one request on its way through the fake.
type call struct {
	w    http.ResponseWriter // the connection's writer, for a hang-up
	rec  *recorder
	ex   *Exchange
	body []byte
}

type callKey struct{}

// ServeHTTP answers one request as the service would.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, maxBody))
	c := &call{w: w, rec: &recorder{ResponseWriter: w}, ex: &Exchange{Method: r.Method, Path: r.URL.Path, RequestBody: body}, body: body}
	if !s.Discard {
		c.ex.Query, c.ex.Header = r.URL.Query(), r.Header.Clone()
	}
	defer func() {
		c.ex.Status, c.ex.ResponseBody = c.rec.status, c.rec.body.Bytes()
		if !s.Discard {
			s.mu.Lock()
			s.exchanges = append(s.exchanges, *c.ex)
			s.mu.Unlock()
		}
	}()
	r = r.WithContext(context.WithValue(r.Context(), callKey{}, c))
	if path.Clean(r.URL.Path) != r.URL.Path {
		// ServeMux would redirect to the clean path; the services answer 404.
		s.notFound(c, r)
		return
	}
	s.mux.ServeHTTP(c.rec, r)
}

func (s *Server) notFound(c *call, r *http.Request) {
	s.mu.Lock()
	s.total++
	s.unexpected = append(s.unexpected, r.Method+" "+r.URL.RequestURI())
	s.mu.Unlock()
	s.api.NotFound(c.rec, r)
}

func (s *Server) serveRoute(rt *Route, c *call, r *http.Request) {
	rec := c.rec
	c.ex.Route = rt.Name()
	s.mu.Lock()
	s.total++
	s.calls[c.ex.Route]++
	n := s.calls[c.ex.Route]
	if rt.Write {
		s.writes++
	}
	s.mu.Unlock()
	if s.OnRequest != nil {
		s.OnRequest(c.ex.Route, n)
	}

	c.ex.Authorized = s.api.Authorize(r)
	if !c.ex.Authorized && !rt.Public {
		s.api.Refuse(rec, r)
		return
	}
	if s.api.Headers != nil {
		s.api.Headers(rec.Header())
	}

	req := &Request{Request: r, Body: c.body, Route: c.ex.Route}
	f, ok := s.takeFault(c.ex.Route, r.Method, r.URL.Path)
	if !ok {
		rt.Handle(rec, req)
		return
	}
	c.ex.Faulted = true
	if f.AfterApply {
		rt.Handle(httptest.NewRecorder(), req)
	}
	if f.Hangup {
		if hj, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	for k, v := range f.Header {
		rec.Header().Set(k, v)
	}
	if f.RetryAfter > 0 {
		rec.Header().Set("Retry-After", Seconds(f.RetryAfter))
	}
	if f.Body != "" {
		rec.Header().Set("Content-Type", cmp.Or(s.api.ContentType, jsonType))
		rec.WriteHeader(f.Status)
		_, _ = io.WriteString(rec, f.Body)
		return
	}
	s.api.Error(rec, f.Status)
}

func (s *Server) takeFault(route, method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if !f.matches(route, method, path) {
			continue
		}
		if f.Skip > 0 {
			s.faults[i].Skip--
			continue
		}
		s.faults[i].Times--
		if s.faults[i].Times <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f, true
	}
	return Fault{}, false
}

// Seconds renders d as a Retry-After value: whole seconds, rounded up.
func Seconds(d time.Duration) string {
	return strconv.Itoa(int((d + time.Second - 1) / time.Second))
}

// WriteJSON answers v as JSON with status and contentType ("" for
// "application/json; charset=utf-8").
func WriteJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", cmp.Or(contentType, jsonType))
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// recorder keeps a copy of the answer for the exchange log.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
