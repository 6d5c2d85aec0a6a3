// Package githubtest is a fake GitHub REST API on httptest for rotor's
// tests: the repository, pull requests (list with pagination, create,
// update), their labels, and repository_dispatch, answering with the
// shapes and status codes GitHub gives (shared/reference/github.md; the
// fidelity test holds the answers to testdata/rest, written from it).
// It checks the token on every request, counts calls per route, records
// every exchange, injects faults (status codes, rate limits, lost answers,
// dropped connections), and fails the test at cleanup when a request
// reached no route.
package githubtest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The repository and token of a fake from New.
const (
	Owner = "acme"
	Repo  = "credential-register"
	Token = "ghs_githubtestTOKEN0123456789abcdefXYZ"
)

// Routes, as Calls and CallsTo key them.
const (
	RouteRepository = "GET /repos/{owner}/{repo}"
	RouteListPulls  = "GET /repos/{owner}/{repo}/pulls"
	RouteCreatePull = "POST /repos/{owner}/{repo}/pulls"
	RouteUpdatePull = "PATCH /repos/{owner}/{repo}/pulls/{number}"
	RouteAddLabels  = "POST /repos/{owner}/{repo}/issues/{number}/labels"
	RouteDispatch   = "POST /repos/{owner}/{repo}/dispatches"
)

// Routes lists every route the fake serves.
func Routes() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.method + " " + r.pattern
	}
	return out
}

// PullRequest is a pull request the fake holds.
type PullRequest struct {
	Number  int
	Title   string
	Body    string
	Head    string // branch name in the repository
	Base    string
	State   string // "open" or "closed"
	Merged  bool
	Draft   bool
	Labels  []string
	Created time.Time
}

// Dispatch is one repository_dispatch event the fake accepted.
type Dispatch struct {
	EventType     string
	ClientPayload map[string]any
	RawPayload    json.RawMessage
	Header        http.Header
}

// Permissions are the token user's permissions the repository answer
// carries.
type Permissions struct {
	Admin, Maintain, Push, Triage, Pull bool
}

// Fault is an answer the fake gives instead of serving a request.
type Fault struct {
	Route  string            // e.g. RouteCreatePull; "" matches every route
	Status int               // e.g. 500, 502, 429
	Header map[string]string // e.g. "Retry-After": "3"
	Body   string            // "" answers GitHub's {"message": ..., "documentation_url": ...}
	Times  int               // how many requests it answers; 0 means 1
	// AfterApply serves the request first, then answers the fault: the
	// change lands and its answer is lost.
	AfterApply bool
	// Hangup closes the connection without an answer.
	Hangup bool
}

// TooManyRequests is a 429 with Retry-After.
func TooManyRequests(route string, retryAfter time.Duration) Fault {
	return Fault{Route: route, Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": seconds(retryAfter)}}
}

// SecondaryRateLimit is GitHub's secondary rate limit: 403 with
// Retry-After and its message.
func SecondaryRateLimit(route string, retryAfter time.Duration) Fault {
	return Fault{Route: route, Status: http.StatusForbidden, Header: map[string]string{"Retry-After": seconds(retryAfter)},
		Body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`}
}

// PrimaryRateLimit is GitHub's primary rate limit: 403 with
// X-RateLimit-Remaining: 0 and the reset time.
func PrimaryRateLimit(route string, reset time.Time) Fault {
	return Fault{Route: route, Status: http.StatusForbidden, Header: map[string]string{
		"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "0", "X-RateLimit-Used": "5000",
		"X-RateLimit-Reset": strconv.FormatInt(reset.Unix(), 10), "X-RateLimit-Resource": "core",
	}, Body: `{"message":"API rate limit exceeded for installation ID 55512345.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit"}`}
}

// ResourceNotAccessible is GitHub's answer to a GITHUB_TOKEN or an App
// token that lacks the permission route needs: 403 "Resource not
// accessible by integration".
func ResourceNotAccessible(route string) Fault {
	return Fault{Route: route, Status: http.StatusForbidden,
		Body: `{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}`}
}

func seconds(d time.Duration) string { return strconv.Itoa(int((d + time.Second - 1) / time.Second)) }

// Exchange is one request the fake received and what it answered.
type Exchange struct {
	Method       string
	Path         string
	Route        string // empty when unexpected
	Query        url.Values
	Header       http.Header
	RequestBody  []byte
	Status       int
	ResponseBody []byte
	Authorized   bool
	Faulted      bool
}

// Server is a fake GitHub serving one repository.
type Server struct {
	// URL is the API root of a started fake, "http://127.0.0.1:PORT".
	URL string
	// Discard stops recording exchanges and accepted dispatches (Accepted
	// still counts them): for benchmarks.
	Discard bool
	// OnRequest, when set, runs at the start of every routed request with
	// its route and that route's 1-based call number; tests use it to hold
	// a call in flight. Set it before the first request.
	OnRequest func(route string, n int)

	srv *httptest.Server

	mu            sync.Mutex
	owner, repo   string
	token         string
	private       bool
	defaultBranch string
	permissions   *Permissions
	expiration    string
	scopes        *string
	branches      map[string]string // name → sha; nil: every head exists
	pulls         []*PullRequest
	nextNumber    int
	perPage       int
	maxPerPage    int
	now           func() time.Time
	faults        []Fault
	calls         map[string]int
	total         int
	accepted      int
	dispatches    []Dispatch
	unexpected    []string
	exchanges     []Exchange
}

// NewHandler returns a fake of owner/repo that accepts token, not
// listening: serve it with httptest or an http.Server.
func NewHandler(owner, repo, token string) *Server {
	return &Server{
		owner:         owner,
		repo:          repo,
		token:         token,
		private:       true,
		defaultBranch: "main",
		permissions:   &Permissions{Push: true, Triage: true, Pull: true},
		nextNumber:    1,
		perPage:       30,
		maxPerPage:    100,
		now:           func() time.Time { return time.Date(2026, 11, 24, 9, 30, 0, 0, time.UTC) },
		calls:         map[string]int{},
	}
}

// New starts a fake of Owner/Repo accepting Token, with the default branch
// main and any head branch, for the test's lifetime; at cleanup it fails
// the test if a request reached no route.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewHandler(Owner, Repo, Token)
	s.Start(t)
	return s
}

// Start serves s on 127.0.0.1 until the test ends and sets URL; at
// cleanup it fails the test if a request reached no route.
func (s *Server) Start(t testing.TB) {
	t.Helper()
	s.srv = httptest.NewServer(s)
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		if u := s.Unexpected(); len(u) > 0 {
			t.Errorf("githubtest: requests the fake GitHub has no route for:\n  %s\nit serves: %s", strings.Join(u, "\n  "), strings.Join(Routes(), ", "))
		}
	})
}

// Client returns a client for a started fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Repository returns "owner/name".
func (s *Server) Repository() string { s.mu.Lock(); defer s.mu.Unlock(); return s.owner + "/" + s.repo }

// SetDefaultBranch sets the repository's default branch (main).
func (s *Server) SetDefaultBranch(b string) { s.mu.Lock(); s.defaultBranch = b; s.mu.Unlock() }

// SetPrivate sets whether the repository is private (it is).
func (s *Server) SetPrivate(p bool) { s.mu.Lock(); s.private = p; s.mu.Unlock() }

// SetPermissions sets the permissions the repository answer carries; nil
// leaves them out. The default is push, triage and pull.
func (s *Server) SetPermissions(p *Permissions) { s.mu.Lock(); s.permissions = p; s.mu.Unlock() }

// SetTokenExpiration makes every answer carry
// GitHub-Authentication-Token-Expiration: v ("2026-12-31 10:00:00 UTC").
func (s *Server) SetTokenExpiration(v string) { s.mu.Lock(); s.expiration = v; s.mu.Unlock() }

// SetScopes makes every answer carry X-OAuth-Scopes, as for a classic
// personal access token ("repo, workflow").
func (s *Server) SetScopes(v string) { s.mu.Lock(); s.scopes = &v; s.mu.Unlock() }

// SetPerPage sets the default page size of lists (GitHub's is 30).
func (s *Server) SetPerPage(n int) { s.mu.Lock(); s.perPage = n; s.mu.Unlock() }

// SetMaxPerPage sets the largest page size a list answers, whatever
// per_page asks (GitHub's is 100): a test of pagination lowers it.
func (s *Server) SetMaxPerPage(n int) { s.mu.Lock(); s.maxPerPage = n; s.mu.Unlock() }

// SetNow sets the clock that dates new pull requests.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// AddBranch registers a branch of the repository. Once one is registered,
// only registered branches (and the default branch) exist: a pull request
// from another head is refused with 422 as GitHub refuses it.
func (s *Server) AddBranch(name, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.branches == nil {
		s.branches = map[string]string{}
	}
	s.branches[name] = sha
}

// AddPullRequest stores a pull request (its Number, when 0, is the next
// one; State defaults to "open") and returns its number.
func (s *Server) AddPullRequest(pr PullRequest) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.add(pr)
}

func (s *Server) add(pr PullRequest) int {
	if pr.Number == 0 {
		pr.Number = s.nextNumber
	}
	s.nextNumber = max(s.nextNumber, pr.Number+1)
	if pr.State == "" {
		pr.State = "open"
	}
	if pr.Merged {
		pr.State = "closed"
	}
	if pr.Created.IsZero() {
		pr.Created = s.now()
	}
	pr.Labels = append([]string(nil), pr.Labels...)
	s.pulls = append(s.pulls, &pr)
	return pr.Number
}

// PullRequests returns copies of the stored pull requests, by number.
func (s *Server) PullRequests() []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PullRequest, 0, len(s.pulls))
	for _, p := range s.pulls {
		c := *p
		c.Labels = append([]string(nil), p.Labels...)
		out = append(out, c)
	}
	return out
}

// Merge marks pull request number merged (and closed).
func (s *Server) Merge(number int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.pull(number); p != nil {
		p.Merged, p.State = true, "closed"
	}
}

func (s *Server) pull(number int) *PullRequest {
	for _, p := range s.pulls {
		if p.Number == number {
			return p
		}
	}
	return nil
}

// Inject queues a fault; faults answer in the order queued.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, f)
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
// refused (401) requests count.
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

// Writes returns how many requests that change GitHub (create, update,
// labels, dispatch) the fake received, faulted or not.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for route, c := range s.calls {
		if !strings.HasPrefix(route, "GET ") {
			n += c
		}
	}
	return n
}

// Total returns how many requests the fake received.
func (s *Server) Total() int { s.mu.Lock(); defer s.mu.Unlock(); return s.total }

// Accepted returns how many dispatches were answered 204.
func (s *Server) Accepted() int { s.mu.Lock(); defer s.mu.Unlock(); return s.accepted }

// Dispatches returns the accepted repository_dispatch events.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.dispatches...)
}

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

// ResetCounts forgets calls, exchanges and unexpected requests; pull
// requests, dispatches and faults stay.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.total = 0
	s.unexpected = nil
	s.exchanges = nil
	s.mu.Unlock()
}

// route is one endpoint of the fake.
type route struct {
	method, pattern string
	handle          func(s *Server, w http.ResponseWriter, r *request)
}

var routes = []route{
	{"GET", "/repos/{owner}/{repo}", (*Server).getRepository},
	{"GET", "/repos/{owner}/{repo}/pulls", (*Server).listPulls},
	{"POST", "/repos/{owner}/{repo}/pulls", (*Server).createPull},
	{"PATCH", "/repos/{owner}/{repo}/pulls/{number}", (*Server).updatePull},
	{"POST", "/repos/{owner}/{repo}/issues/{number}/labels", (*Server).addLabels},
	{"POST", "/repos/{owner}/{repo}/dispatches", (*Server).dispatch},
}

// request is a routed request with its body read.
type request struct {
	*http.Request
	body   []byte
	params map[string]string
}

func match(pattern, path string) (map[string]string, bool) {
	ps, xs := strings.Split(strings.Trim(pattern, "/"), "/"), strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") {
			if xs[i] == "" {
				return nil, false
			}
			params[strings.Trim(p, "{}")] = xs[i]
		} else if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

func findRoute(method, path string) (*route, map[string]string) {
	for i := range routes {
		if routes[i].method != method {
			continue
		}
		if params, ok := match(routes[i].pattern, path); ok {
			return &routes[i], params
		}
	}
	return nil, nil
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

// ServeHTTP answers one request as GitHub would.
func (s *Server) ServeHTTP(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(hr.Body, 10<<20))
	rec := &recorder{ResponseWriter: w}
	ex := Exchange{Method: hr.Method, Path: hr.URL.Path, RequestBody: body}
	if !s.Discard {
		ex.Query, ex.Header = hr.URL.Query(), hr.Header.Clone()
	}
	defer func() {
		ex.Status, ex.ResponseBody = rec.status, rec.body.Bytes()
		s.mu.Lock()
		if !s.Discard {
			s.exchanges = append(s.exchanges, ex)
		}
		s.mu.Unlock()
	}()

	rt, params := findRoute(hr.Method, hr.URL.Path)
	s.mu.Lock()
	s.total++
	if rt == nil {
		s.unexpected = append(s.unexpected, hr.Method+" "+hr.URL.RequestURI())
		s.mu.Unlock()
		writeMessage(rec, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		return
	}
	ex.Route = rt.method + " " + rt.pattern
	s.calls[ex.Route]++
	n := s.calls[ex.Route]
	token, expiration, scopes := s.token, s.expiration, s.scopes
	s.mu.Unlock()
	if s.OnRequest != nil {
		s.OnRequest(ex.Route, n)
	}

	switch hr.Header.Get("Authorization") {
	case "Bearer " + token, "token " + token:
		ex.Authorized = true
	case "":
		writeMessage(rec, http.StatusUnauthorized, "Requires authentication", "https://docs.github.com/rest")
		return
	default:
		writeMessage(rec, http.StatusUnauthorized, "Bad credentials", "https://docs.github.com/rest")
		return
	}
	rec.Header().Set("X-GitHub-Media-Type", "github.v3; format=json")
	if expiration != "" {
		rec.Header().Set("GitHub-Authentication-Token-Expiration", expiration)
	}
	if scopes != nil {
		rec.Header().Set("X-OAuth-Scopes", *scopes)
	}

	req := &request{Request: hr, body: body, params: params}
	if f, ok := s.takeFault(ex.Route); ok {
		ex.Faulted = true
		if f.AfterApply {
			rt.handle(s, httptest.NewRecorder(), req)
		}
		if f.Hangup {
			if hj, ok := w.(http.Hijacker); ok {
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
		if f.Body == "" {
			writeMessage(rec, f.Status, http.StatusText(f.Status), "https://docs.github.com/rest")
		} else {
			rec.Header().Set("Content-Type", "application/json; charset=utf-8")
			rec.WriteHeader(f.Status)
			_, _ = io.WriteString(rec, f.Body)
		}
		return
	}
	s.mu.Lock()
	known := strings.EqualFold(params["owner"], s.owner) && strings.EqualFold(params["repo"], s.repo)
	s.mu.Unlock()
	if !known {
		// GitHub answers 404, not 403, for a repository the token cannot see.
		writeMessage(rec, http.StatusNotFound, "Not Found", "https://docs.github.com/rest/repos/repos#get-a-repository")
		return
	}
	rt.handle(s, rec, req)
}

func (s *Server) takeFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if f.Route == "" || f.Route == route {
			s.faults[i].Times--
			if s.faults[i].Times <= 0 {
				s.faults = append(s.faults[:i], s.faults[i+1:]...)
			}
			return f, true
		}
	}
	return Fault{}, false
}

// writeMessage answers GitHub's error shape.
func writeMessage(w http.ResponseWriter, status int, msg, doc string) {
	writeJSON(w, status, map[string]any{"message": msg, "documentation_url": doc})
}

// fieldError is one entry of a 422's "errors".
type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func writeValidation(w http.ResponseWriter, doc string, errs ...fieldError) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": errs, "documentation_url": doc})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (s *Server) fullName() string { return s.owner + "/" + s.repo }
