// Package jiratest is a fake Jira Cloud for tests: an httptest server that
// answers the REST API v3 endpoints rotor uses the way Jira does (shapes,
// status codes, error bodies, the JQL subset rotor sends, paging by
// nextPageToken, fields filtering), refuses everything else, injects
// faults, and counts every call. The routing, counting and faults are
// internal/fakeapi's, shared with githubtest: at the end of a test the
// fake fails it on a request it has no route for and on a queued fault
// that never fired.
//
// The fake's route names are the path templates of Atlassian's OpenAPI
// description ("POST /rest/api/3/issue/{issueIdOrKey}/comment"), so tests
// can check its answers against the published schemas.
package jiratest

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
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

// Fault is an answer the fake gives instead of serving a request; its
// Route is one of Routes().
type Fault = fakeapi.Fault

// Exchange is one request the fake received and what it answered.
type Exchange = fakeapi.Exchange

// Server is a fake Jira Cloud site. Its fakeapi.Server counts calls per
// route ("POST /rest/api/3/issue"; faulted and refused requests count),
// records exchanges and queues faults; Writes counts the requests that
// change Jira (create, edit, comment, transition).
type Server struct {
	*fakeapi.Server

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
}

// New starts a fake with one project SEC, the issue type "Secret Rotation
// Task" (To Do → In Progress → Done), the three custom fields, and the
// credentials Email and Token. It stops when the test ends, and fails the
// test if a request reached no route or a queued fault never fired.
func New(t testing.TB) *Server {
	t.Helper()
	s := &Server{
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
	}
	s.setProject(DefaultProject())
	s.Server = fakeapi.New(fakeapi.API{
		Name:        "jiratest",
		Routes:      s.routes(),
		Authorize:   s.authorized,
		Refuse:      refuse,
		NotFound:    notFound,
		Error:       writeFault,
		ContentType: jsonType,
	})
	s.Start(t)
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

// routes are the endpoints the fake serves, named by the path templates
// of Atlassian's OpenAPI description.
func (s *Server) routes() []fakeapi.Route {
	return []fakeapi.Route{
		{Method: "GET", Pattern: "/rest/api/3/serverInfo", Public: true, Handle: s.serverInfo},
		{Method: "GET", Pattern: "/rest/api/3/myself", Handle: s.myself},
		{Method: "GET", Pattern: "/rest/api/3/mypermissions", Handle: s.myPermissions},
		{Method: "GET", Pattern: "/rest/api/3/field", Handle: s.listFields},
		{Method: "GET", Pattern: "/rest/api/3/project/{projectIdOrKey}", Handle: s.getProject},
		{Method: "GET", Pattern: "/rest/api/3/project/{projectIdOrKey}/statuses", Handle: s.projectStatuses},
		{Method: "GET", Pattern: "/rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes", Handle: s.createMetaIssueTypes},
		{Method: "GET", Pattern: "/rest/api/3/search", Handle: s.removedSearch},
		{Method: "POST", Pattern: "/rest/api/3/search", Handle: s.removedSearch},
		{Method: "GET", Pattern: "/rest/api/3/search/jql", Handle: s.searchJQL},
		{Method: "POST", Pattern: "/rest/api/3/search/jql", Handle: s.searchJQL},
		{Method: "POST", Pattern: "/rest/api/3/issue", Write: true, Handle: s.createIssue},
		{Method: "GET", Pattern: "/rest/api/3/issue/{issueIdOrKey}", Handle: s.getIssue},
		{Method: "PUT", Pattern: "/rest/api/3/issue/{issueIdOrKey}", Write: true, Handle: s.editIssue},
		{Method: "POST", Pattern: "/rest/api/3/issue/{issueIdOrKey}/comment", Write: true, Handle: s.addComment},
		{Method: "GET", Pattern: "/rest/api/3/issue/{issueIdOrKey}/comment", Handle: s.getComments},
		{Method: "GET", Pattern: "/rest/api/3/issue/{issueIdOrKey}/transitions", Handle: s.getTransitions},
		{Method: "POST", Pattern: "/rest/api/3/issue/{issueIdOrKey}/transitions", Write: true, Handle: s.doTransition},
	}
}

// Routes lists the endpoints the fake serves as "METHOD /path/{template}".
func Routes() []string {
	var out []string
	for _, r := range (*Server)(nil).routes() {
		out = append(out, r.Name())
	}
	return out
}

// authorized checks Basic authentication with the site's email and API
// token.
func (s *Server) authorized(r *http.Request) bool {
	s.mu.Lock()
	email, token := s.email, s.token
	s.mu.Unlock()
	user, pass, ok := r.BasicAuth()
	return ok && user == email && pass == token
}

func refuse(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("WWW-Authenticate", `Basic realm="protected-by-api-token"`)
	writeError(w, http.StatusUnauthorized, []string{"Client must be authenticated to access this resource."}, nil)
}

func notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, []string{fmt.Sprintf(
		"jiratest: the fake Jira serves no %s %s; it serves: %s", r.Method, r.URL.Path, strings.Join(Routes(), ", "))}, nil)
}

// writeFault answers a fault's status as Jira does.
func writeFault(w http.ResponseWriter, status int) {
	msg := http.StatusText(status)
	if status == http.StatusTooManyRequests {
		msg = "Rate limit exceeded."
	}
	writeError(w, status, []string{msg}, nil)
}

// jsonType is the Content-Type of Jira's JSON answers.
const jsonType = "application/json;charset=UTF-8"

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

func writeJSON(w http.ResponseWriter, status int, v any) { fakeapi.WriteJSON(w, status, jsonType, v) }

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
