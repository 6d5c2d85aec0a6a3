// Package jiratest is a fake Jira Cloud for tests: an httptest server that
// answers the REST API v3 endpoints rotor uses the way Jira does (shapes,
// status codes, error bodies, the JQL subset rotor sends, paging by
// nextPageToken, fields filtering), refuses everything else, injects
// faults, and counts every call.
//
// The fake's route names are the path templates of Atlassian's OpenAPI
// description ("POST /rest/api/3/issue/{issueIdOrKey}/comment"), so tests
// can check its answers against the published schemas.
package jiratest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// Defaults of a new fake.
const (
	Email         = "rotor-bot@example.com"
	Token         = "test-api-token"
	AccountID     = "5b10ac8d82e05b22cc7d4ef5"
	ProjectKey    = "SEC"
	IssueTypeName = "Secret Rotation Task"

	FieldCredentialName = "customfield_10050" // text
	FieldNextDueDate    = "customfield_10051" // date
	FieldContactPerson  = "customfield_10052" // text
)

// Status category keys.
const (
	CategoryNew           = "new"
	CategoryIndeterminate = "indeterminate"
	CategoryDone          = "done"
)

// Status is a workflow status.
type Status struct {
	ID       string
	Name     string
	Category string // CategoryNew, CategoryIndeterminate or CategoryDone
}

// IssueType is an issue type of a project with the statuses of its workflow.
type IssueType struct {
	ID       string
	Name     string
	Statuses []Status
}

// Project is a Jira project.
type Project struct {
	ID         string
	Key        string
	Name       string
	IssueTypes []IssueType
}

// Field is a Jira field; Type is its schema type: "string", "date", ...
type Field struct {
	ID     string
	Name   string
	Custom bool
	Type   string
	// Kind is a custom field's type key after
	// "com.atlassian.jira.plugin.system.customfieldtypes:", e.g. textarea
	// (a paragraph); empty: datepicker for a date, textfield otherwise.
	Kind string
}

// Comment is a comment on an issue.
type Comment struct {
	ID      string
	Body    any // ADF, as decoded JSON
	Created time.Time
}

// Issue is the fake's record of an issue.
type Issue struct {
	ID         string
	Key        string
	Project    string
	IssueType  string
	Summary    string
	Desc       any // ADF, as decoded JSON; nil when none
	DueDate    string
	Labels     []string
	AssigneeID string
	Priority   string
	Status     string         // status name in the issue type's workflow
	Custom     map[string]any // custom field id → value
	Comments   []Comment

	Created                  time.Time
	Updated                  time.Time
	ResolutionDate           time.Time // zero unless in a done status
	StatusCategoryChangeDate time.Time
}

func (is Issue) clone() Issue {
	is.Labels = append([]string(nil), is.Labels...)
	is.Comments = append([]Comment(nil), is.Comments...)
	if is.Custom != nil {
		c := make(map[string]any, len(is.Custom))
		for k, v := range is.Custom {
			c[k] = v
		}
		is.Custom = c
	}
	return is
}

// Fault is an answer the fake gives instead of serving a request.
type Fault struct {
	Method     string        // "" matches any method
	PathPrefix string        // matches paths starting with it
	Status     int           // e.g. 429, 503, 500, 302
	RetryAfter time.Duration // sent as Retry-After in whole seconds when > 0
	Times      int           // how many requests it answers; 0 means 1
	Skip       int           // how many matching requests it lets through first
	AfterApply bool          // serve the request first, then answer the fault (a lost answer)

	// Header is set on the answer, e.g. a Location for a redirect.
	Header map[string]string
	// Body, when set, is the answer's body as it is (JSON or not), in
	// place of Jira's error collection: an answer of the wrong shape.
	Body string
	// Hangup closes the connection without an answer.
	Hangup bool
}

// Exchange is one request the fake received and what it answered.
type Exchange struct {
	Method       string
	Path         string
	Route        string // "METHOD /path/{template}", empty when unexpected
	Query        url.Values
	RequestBody  []byte
	Status       int
	ResponseBody []byte
	Authorized   bool
	Faulted      bool
}

// Server is a fake Jira Cloud site.
type Server struct {
	URL string // base URL of the site, e.g. http://127.0.0.1:41234

	t   testing.TB
	srv *httptest.Server

	mu          sync.Mutex
	email       string
	token       string
	pageSize    int
	now         func() time.Time
	projects    map[string]*Project
	fields      []Field
	priorities  []string
	denied      map[string]bool
	issues      map[string]*Issue
	nextNum     map[string]int
	nextID      int
	nextComment int
	faults      []Fault
	calls       map[string]int
	total       int
	writes      int
	unexpected  []string
	exchanges   []Exchange
}

// New starts a fake with one project SEC, the issue type "Secret Rotation
// Task" (To Do → In Progress → Done), the three custom fields, and the
// credentials Email and Token. It stops when the test ends, and fails the
// test if any request reached no route.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		t:        t,
		email:    Email,
		token:    Token,
		now:      func() time.Time { return time.Date(2026, 11, 20, 10, 15, 30, 0, time.UTC) },
		projects: map[string]*Project{},
		fields: []Field{
			{ID: "summary", Name: "Summary", Type: "string"},
			{ID: "description", Name: "Description", Type: "string"},
			{ID: "duedate", Name: "Due date", Type: "date"},
			{ID: "labels", Name: "Labels", Type: "array"},
			{ID: "assignee", Name: "Assignee", Type: "user"},
			{ID: "priority", Name: "Priority", Type: "priority"},
			{ID: "status", Name: "Status", Type: "status"},
			{ID: "resolutiondate", Name: "Resolved", Type: "datetime"},
			{ID: "statuscategorychangedate", Name: "Status Category Changed", Type: "datetime"},
			{ID: "created", Name: "Created", Type: "datetime"},
			{ID: "updated", Name: "Updated", Type: "datetime"},
			{ID: "issuetype", Name: "Issue Type", Type: "issuetype"},
			{ID: "project", Name: "Project", Type: "project"},
			{ID: FieldCredentialName, Name: "Credential Name", Custom: true, Type: "string"},
			{ID: FieldNextDueDate, Name: "Next Due Date", Custom: true, Type: "date"},
			{ID: FieldContactPerson, Name: "Contact Person", Custom: true, Type: "string"},
		},
		priorities: []string{"Highest", "High", "Medium", "Low", "Lowest"},
		denied:     map[string]bool{},
		issues:     map[string]*Issue{},
		nextNum:    map[string]int{},
		nextID:     10000,
		calls:      map[string]int{},
	}
	s.setProject(DefaultProject())
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL
	t.Cleanup(func() {
		s.srv.Close()
		if u := s.Unexpected(); len(u) > 0 {
			t.Errorf("jiratest: requests the fake Jira has no route for:\n  %s", strings.Join(u, "\n  "))
		}
	})
	return s
}

// DefaultWorkflow is To Do → In Progress → Done.
func DefaultWorkflow() []Status {
	return []Status{
		{ID: "10000", Name: "To Do", Category: CategoryNew},
		{ID: "3", Name: "In Progress", Category: CategoryIndeterminate},
		{ID: "10001", Name: "Done", Category: CategoryDone},
	}
}

// DefaultProject is SEC with the rotation issue type and a plain Task.
func DefaultProject() Project {
	return Project{
		ID: "10000", Key: ProjectKey, Name: "Security",
		IssueTypes: []IssueType{
			{ID: "10100", Name: IssueTypeName, Statuses: DefaultWorkflow()},
			{ID: "10002", Name: "Task", Statuses: DefaultWorkflow()},
		},
	}
}

// Client returns an HTTP client for the fake.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// SetPageSize caps how many issues one search page holds (0: maxResults).
func (s *Server) SetPageSize(n int) { s.mu.Lock(); s.pageSize = n; s.mu.Unlock() }

// SetNow sets the clock that stamps created, updated and done times.
func (s *Server) SetNow(now func() time.Time) { s.mu.Lock(); s.now = now; s.mu.Unlock() }

// SetCredentials changes the email and API token the fake accepts.
func (s *Server) SetCredentials(email, token string) {
	s.mu.Lock()
	s.email, s.token = email, token
	s.mu.Unlock()
}

// SetProject adds or replaces a project.
func (s *Server) SetProject(p Project) { s.mu.Lock(); s.setProject(p); s.mu.Unlock() }

func (s *Server) setProject(p Project) {
	p.IssueTypes = append([]IssueType(nil), p.IssueTypes...)
	s.projects[p.Key] = &p
}

// RemoveProject deletes a project (its issues stay, unreachable by JQL).
func (s *Server) RemoveProject(key string) { s.mu.Lock(); delete(s.projects, key); s.mu.Unlock() }

// SetFields replaces the site's fields.
func (s *Server) SetFields(fields []Field) {
	s.mu.Lock()
	s.fields = append([]Field(nil), fields...)
	s.mu.Unlock()
}

// Fields returns the site's fields.
func (s *Server) Fields() []Field {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Field(nil), s.fields...)
}

// Deny withdraws project permissions (e.g. "CREATE_ISSUES") from the user.
func (s *Server) Deny(permissions ...string) {
	s.mu.Lock()
	for _, p := range permissions {
		s.denied[p] = true
	}
	s.mu.Unlock()
}

// AddIssue stores an issue as if created earlier and returns its key.
// Empty members default: project SEC, the rotation issue type, status
// "To Do", a key SEC-n, times from the clock.
func (s *Server) AddIssue(is Issue) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if is.Project == "" {
		is.Project = ProjectKey
	}
	if is.IssueType == "" {
		is.IssueType = IssueTypeName
	}
	if is.Status == "" {
		is.Status = "To Do"
	}
	now := s.now()
	if is.Created.IsZero() {
		is.Created = now
	}
	if is.Updated.IsZero() {
		is.Updated = is.Created
	}
	if is.StatusCategoryChangeDate.IsZero() {
		is.StatusCategoryChangeDate = is.Created
	}
	if st, ok := s.status(&is); ok && st.Category == CategoryDone && is.ResolutionDate.IsZero() {
		is.ResolutionDate = is.StatusCategoryChangeDate
	}
	s.store(&is)
	return is.Key
}

func (s *Server) store(is *Issue) {
	s.nextID++
	if is.ID == "" {
		is.ID = fmt.Sprint(s.nextID)
	}
	if is.Key == "" {
		s.nextNum[is.Project]++
		is.Key = fmt.Sprintf("%s-%d", is.Project, s.nextNum[is.Project])
	} else if n := keyNumber(is.Key); n > s.nextNum[is.Project] {
		s.nextNum[is.Project] = n
	}
	c := is.clone()
	s.issues[is.Key] = &c
}

// status returns the workflow status of an issue.
func (s *Server) status(is *Issue) (Status, bool) {
	it, ok := s.issueType(is.Project, is.IssueType)
	if !ok {
		return Status{}, false
	}
	for _, st := range it.Statuses {
		if strings.EqualFold(st.Name, is.Status) {
			return st, true
		}
	}
	return Status{}, false
}

func (s *Server) issueType(project, name string) (IssueType, bool) {
	p, ok := s.projects[project]
	if !ok {
		return IssueType{}, false
	}
	for _, it := range p.IssueTypes {
		if strings.EqualFold(it.Name, name) || it.ID == name {
			return it, true
		}
	}
	return IssueType{}, false
}

// Issues returns every issue, in key order.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, is := range s.sortedIssues(false) {
		out = append(out, is.clone())
	}
	return out
}

// Issue returns one issue by key.
func (s *Server) Issue(key string) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[key]
	if !ok {
		return Issue{}, false
	}
	return is.clone(), true
}

// MoveTo moves an issue to the named status, as a transition would.
func (s *Server) MoveTo(key, status string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	is, ok := s.issues[key]
	if !ok {
		return fmt.Errorf("jiratest: no issue %s", key)
	}
	it, _ := s.issueType(is.Project, is.IssueType)
	for _, st := range it.Statuses {
		if strings.EqualFold(st.Name, status) {
			s.move(is, st)
			return nil
		}
	}
	return fmt.Errorf("jiratest: issue type %q has no status %q", is.IssueType, status)
}

func (s *Server) move(is *Issue, to Status) {
	from, _ := s.status(is)
	now := s.now()
	is.Status = to.Name
	is.Updated = now
	if from.Category != to.Category {
		is.StatusCategoryChangeDate = now
	}
	if to.Category == CategoryDone {
		if from.Category != CategoryDone {
			is.ResolutionDate = now
		}
	} else {
		is.ResolutionDate = time.Time{}
	}
}

// FailNext makes the next request whose method matches (empty: any) and
// whose path starts with pathPrefix answer status, with Retry-After when
// retryAfter > 0.
func (s *Server) FailNext(method, pathPrefix string, status int, retryAfter time.Duration) {
	s.Inject(Fault{Method: method, PathPrefix: pathPrefix, Status: status, RetryAfter: retryAfter})
}

// Inject queues a fault; faults answer in the order they were queued.
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

// Calls returns how many requests each route received, keyed
// "METHOD /rest/api/3/path/{template}"; faulted and refused requests count.
func (s *Server) Calls() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.calls))
	for k, v := range s.calls {
		out[k] = v
	}
	return out
}

// CallsTo returns how many requests route ("POST /rest/api/3/issue") got.
func (s *Server) CallsTo(route string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[route]
}

// Total returns how many requests the fake received.
func (s *Server) Total() int { s.mu.Lock(); defer s.mu.Unlock(); return s.total }

// Writes returns how many requests that change Jira (create, edit,
// comment, transition) the fake received, faulted or not.
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

// ResetCounts forgets calls, exchanges and unexpected requests; issues
// and faults stay.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	s.calls = map[string]int{}
	s.total, s.writes = 0, 0
	s.unexpected = nil
	s.exchanges = nil
	s.mu.Unlock()
}

// route is one endpoint of the fake.
type route struct {
	method  string
	pattern string
	write   bool
	public  bool // answers without authentication
	handle  func(s *Server, w http.ResponseWriter, r *request)
}

// request is what a handler gets: the HTTP request, its body and the
// values of the path template.
type request struct {
	*http.Request
	body   []byte
	params map[string]string
}

var routes = []route{
	{method: "GET", pattern: "/rest/api/3/serverInfo", public: true, handle: (*Server).serverInfo},
	{method: "GET", pattern: "/rest/api/3/myself", handle: (*Server).myself},
	{method: "GET", pattern: "/rest/api/3/mypermissions", handle: (*Server).myPermissions},
	{method: "GET", pattern: "/rest/api/3/field", handle: (*Server).listFields},
	{method: "GET", pattern: "/rest/api/3/project/{projectIdOrKey}", handle: (*Server).getProject},
	{method: "GET", pattern: "/rest/api/3/project/{projectIdOrKey}/statuses", handle: (*Server).projectStatuses},
	{method: "GET", pattern: "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", handle: (*Server).createMetaIssueTypes},
	{method: "GET", pattern: "/rest/api/3/search", handle: (*Server).removedSearch},
	{method: "POST", pattern: "/rest/api/3/search", handle: (*Server).removedSearch},
	{method: "GET", pattern: "/rest/api/3/search/jql", handle: (*Server).searchJQL},
	{method: "POST", pattern: "/rest/api/3/search/jql", handle: (*Server).searchJQL},
	{method: "POST", pattern: "/rest/api/3/issue", write: true, handle: (*Server).createIssue},
	{method: "GET", pattern: "/rest/api/3/issue/{issueIdOrKey}", handle: (*Server).getIssue},
	{method: "PUT", pattern: "/rest/api/3/issue/{issueIdOrKey}", write: true, handle: (*Server).editIssue},
	{method: "POST", pattern: "/rest/api/3/issue/{issueIdOrKey}/comment", write: true, handle: (*Server).addComment},
	{method: "GET", pattern: "/rest/api/3/issue/{issueIdOrKey}/comment", handle: (*Server).getComments},
	{method: "GET", pattern: "/rest/api/3/issue/{issueIdOrKey}/transitions", handle: (*Server).getTransitions},
	{method: "POST", pattern: "/rest/api/3/issue/{issueIdOrKey}/transitions", write: true, handle: (*Server).doTransition},
}

// Routes lists the endpoints the fake serves as "METHOD /path/{template}".
func Routes() []string {
	out := make([]string, len(routes))
	for i, r := range routes {
		out[i] = r.method + " " + r.pattern
	}
	return out
}

func match(pattern, path string) (map[string]string, bool) {
	ps := strings.Split(strings.Trim(pattern, "/"), "/")
	xs := strings.Split(strings.Trim(path, "/"), "/")
	if len(ps) != len(xs) {
		return nil, false
	}
	params := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if xs[i] == "" {
				return nil, false
			}
			params[p[1:len(p)-1]] = xs[i]
			continue
		}
		if p != xs[i] {
			return nil, false
		}
	}
	return params, true
}

func findRoute(method, path string) (*route, map[string]string) {
	for i := range routes {
		r := &routes[i]
		if r.method != method {
			continue
		}
		if params, ok := match(r.pattern, path); ok {
			return r, params
		}
	}
	return nil, nil
}

// recorder captures an answer for Exchanges.
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

func (s *Server) serve(w http.ResponseWriter, hr *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(hr.Body, 10<<20))
	rec := &recorder{ResponseWriter: w}
	ex := Exchange{Method: hr.Method, Path: hr.URL.Path, Query: hr.URL.Query(), RequestBody: body}
	defer func() {
		ex.Status, ex.ResponseBody = rec.status, rec.body.Bytes()
		s.mu.Lock()
		s.exchanges = append(s.exchanges, ex)
		s.mu.Unlock()
	}()

	rt, params := findRoute(hr.Method, hr.URL.Path)
	s.mu.Lock()
	s.total++
	if rt == nil {
		s.unexpected = append(s.unexpected, hr.Method+" "+hr.URL.RequestURI())
		s.mu.Unlock()
		writeError(rec, http.StatusNotFound, []string{fmt.Sprintf(
			"jiratest: the fake Jira serves no %s %s; it serves: %s", hr.Method, hr.URL.Path, strings.Join(Routes(), ", "))}, nil)
		return
	}
	ex.Route = rt.method + " " + rt.pattern
	s.calls[ex.Route]++
	if rt.write {
		s.writes++
	}
	email, token := s.email, s.token
	s.mu.Unlock()

	user, pass, ok := hr.BasicAuth()
	ex.Authorized = ok && user == email && pass == token
	if !ex.Authorized && !rt.public {
		rec.Header().Set("WWW-Authenticate", `Basic realm="protected-by-api-token"`)
		writeError(rec, http.StatusUnauthorized, []string{"Client must be authenticated to access this resource."}, nil)
		return
	}

	req := &request{Request: hr, body: body, params: params}
	if f, ok := s.takeFault(hr.Method, hr.URL.Path); ok {
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
		}
		for k, v := range f.Header {
			rec.Header().Set(k, v)
		}
		if f.Body != "" {
			rec.Header().Set("Content-Type", "application/json;charset=UTF-8")
			rec.WriteHeader(f.Status)
			_, _ = io.WriteString(rec, f.Body)
			return
		}
		if f.RetryAfter > 0 {
			rec.Header().Set("Retry-After", fmt.Sprint(int((f.RetryAfter+time.Second-1)/time.Second)))
		}
		msg := http.StatusText(f.Status)
		if f.Status == http.StatusTooManyRequests {
			msg = "Rate limit exceeded."
		}
		writeError(rec, f.Status, []string{msg}, nil)
		return
	}
	rt.handle(s, rec, req)
}

func (s *Server) takeFault(method, path string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == method) && strings.HasPrefix(path, f.PathPrefix) {
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
	}
	return Fault{}, false
}

// writeError answers Jira's ErrorCollection shape.
func writeError(w http.ResponseWriter, status int, messages []string, errs map[string]string) {
	if messages == nil {
		messages = []string{}
	}
	if errs == nil {
		errs = map[string]string{}
	}
	writeJSON(w, status, map[string]any{"errorMessages": messages, "errors": errs})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func keyNumber(key string) int {
	i := strings.LastIndexByte(key, '-')
	n := 0
	if i < 0 {
		return 0
	}
	for _, r := range key[i+1:] {
		if r < '0' || r > '9' {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}

// sortedIssues returns the stored issues in key order; the caller holds mu.
func (s *Server) sortedIssues(desc bool) []*Issue {
	out := make([]*Issue, 0, len(s.issues))
	for _, is := range s.issues {
		out = append(out, is)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		less := a.Project < b.Project || a.Project == b.Project && keyNumber(a.Key) < keyNumber(b.Key)
		if desc {
			return !less
		}
		return less
	})
	return out
}
