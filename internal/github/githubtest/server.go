// Package githubtest is a fake GitHub REST API on httptest for rotor's
// tests: the repository, pull requests (list with pagination, create,
// update), their labels, and repository_dispatch, answering with the
// shapes and status codes GitHub gives (shared/reference/github.md; the
// fidelity test holds the answers to testdata/rest, written from it).
// It checks the token on every request, counts calls per route, records
// every exchange, injects faults (status codes, rate limits, lost answers,
// dropped connections), and fails the test at cleanup when a request
// reached no route or a queued fault never fired. The routing, counting
// and faults are internal/fakeapi's, shared with jiratest.
package githubtest

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
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
	var out []string
	for _, r := range (*Server)(nil).routes() {
		out = append(out, r.Name())
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

// Fault is an answer the fake gives instead of serving a request; its
// Route is one of the Route constants. A Body of "" answers GitHub's
// {"message": ..., "documentation_url": ...}.
type Fault = fakeapi.Fault

// TooManyRequests is a 429 with Retry-After.
func TooManyRequests(route string, retryAfter time.Duration) Fault {
	return Fault{Route: route, Status: http.StatusTooManyRequests, Header: map[string]string{"Retry-After": fakeapi.Seconds(retryAfter)}}
}

// SecondaryRateLimit is GitHub's secondary rate limit: 403 with
// Retry-After and its message.
func SecondaryRateLimit(route string, retryAfter time.Duration) Fault {
	return Fault{Route: route, Status: http.StatusForbidden, Header: map[string]string{"Retry-After": fakeapi.Seconds(retryAfter)},
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

// Exchange is one request the fake received and what it answered.
type Exchange = fakeapi.Exchange

// Server is a fake GitHub serving one repository. Its fakeapi.Server
// counts calls per route (faulted and refused requests count), records
// exchanges and queues faults; Writes counts the requests that change
// GitHub (create, update, labels, dispatch). Discard also stops recording
// accepted dispatches (Accepted still counts them).
type Server struct {
	*fakeapi.Server

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
	accepted      int
	dispatches    []Dispatch
}

// NewHandler returns a fake of owner/repo that accepts token, not
// listening: serve it with Start, or with httptest or an http.Server.
func NewHandler(owner, repo, token string) *Server {
	s := &Server{
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
	}
	s.Server = fakeapi.New(fakeapi.API{
		Name:      "githubtest",
		Routes:    s.routes(),
		Authorize: s.authorized,
		Refuse:    refuse,
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			writeMessage(w, http.StatusNotFound, "Not Found", "https://docs.github.com/rest")
		},
		Error: func(w http.ResponseWriter, status int) {
			writeMessage(w, status, http.StatusText(status), "https://docs.github.com/rest")
		},
		Headers: s.headers,
	})
	return s
}

// New starts a fake of Owner/Repo accepting Token, with the default branch
// main and any head branch, for the test's lifetime; at cleanup it fails
// the test if a request reached no route or a queued fault never fired.
func New(t testing.TB) *Server {
	t.Helper()
	s := NewHandler(Owner, Repo, Token)
	s.Start(t)
	return s
}

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

// Accepted returns how many dispatches were answered 204.
func (s *Server) Accepted() int { s.mu.Lock(); defer s.mu.Unlock(); return s.accepted }

// Dispatches returns the accepted repository_dispatch events.
func (s *Server) Dispatches() []Dispatch {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Dispatch(nil), s.dispatches...)
}

// routes are the endpoints the fake serves; every one is in the
// repository of its path.
func (s *Server) routes() []fakeapi.Route {
	return []fakeapi.Route{
		{Method: "GET", Pattern: "/repos/{owner}/{repo}", Handle: s.inRepository(s.getRepository)},
		{Method: "GET", Pattern: "/repos/{owner}/{repo}/pulls", Handle: s.inRepository(s.listPulls)},
		{Method: "POST", Pattern: "/repos/{owner}/{repo}/pulls", Write: true, Handle: s.inRepository(s.createPull)},
		{Method: "PATCH", Pattern: "/repos/{owner}/{repo}/pulls/{number}", Write: true, Handle: s.inRepository(s.updatePull)},
		{Method: "POST", Pattern: "/repos/{owner}/{repo}/issues/{number}/labels", Write: true, Handle: s.inRepository(s.addLabels)},
		{Method: "POST", Pattern: "/repos/{owner}/{repo}/dispatches", Write: true, Handle: s.inRepository(s.dispatch)},
	}
}

// inRepository answers 404, as GitHub does rather than 403, for a
// repository the token cannot see, and h otherwise.
func (s *Server) inRepository(h func(http.ResponseWriter, *fakeapi.Request)) func(http.ResponseWriter, *fakeapi.Request) {
	return func(w http.ResponseWriter, r *fakeapi.Request) {
		s.mu.Lock()
		known := strings.EqualFold(r.PathValue("owner"), s.owner) && strings.EqualFold(r.PathValue("repo"), s.repo)
		s.mu.Unlock()
		if !known {
			writeMessage(w, http.StatusNotFound, "Not Found", docRepo)
			return
		}
		h(w, r)
	}
}

// authorized checks the token as GitHub does: "Bearer" or "token".
func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	token := s.token
	s.mu.Unlock()
	a := r.Header.Get("Authorization")
	return a == "Bearer "+token || a == "token "+token
}

func refuse(w http.ResponseWriter, r *http.Request) {
	msg := "Bad credentials"
	if r.Header.Get("Authorization") == "" {
		msg = "Requires authentication"
	}
	writeMessage(w, http.StatusUnauthorized, msg, "https://docs.github.com/rest")
}

// headers are those of every authorized answer.
func (s *Server) headers(h http.Header) {
	s.mu.Lock()
	expiration, scopes := s.expiration, s.scopes
	s.mu.Unlock()
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	if expiration != "" {
		h.Set("GitHub-Authentication-Token-Expiration", expiration)
	}
	if scopes != nil {
		h.Set("X-OAuth-Scopes", *scopes)
	}
}

// writeMessage answers GitHub's error shape.
func writeMessage(w http.ResponseWriter, status int, msg, doc string) {
	fakeapi.WriteJSON(w, status, "", map[string]any{"message": msg, "documentation_url": doc})
}

// fieldError is one entry of a 422's "errors".
type fieldError struct {
	Resource string `json:"resource"`
	Field    string `json:"field,omitempty"`
	Code     string `json:"code"`
	Message  string `json:"message,omitempty"`
}

func writeValidation(w http.ResponseWriter, doc string, errs ...fieldError) {
	fakeapi.WriteJSON(w, http.StatusUnprocessableEntity, "", map[string]any{"message": "Validation Failed", "errors": errs, "documentation_url": doc})
}

func (s *Server) fullName() string { return s.owner + "/" + s.repo }
