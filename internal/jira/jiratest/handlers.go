package jiratest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// jiraTime is how Jira writes date-times.
const jiraTime = "2006-01-02T15:04:05.000-0700"

func formatTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.Format(jiraTime)
}

func (s *Server) self(path string) string { return s.URL + path }

var categories = map[string]struct {
	id          int
	name, color string
}{
	CategoryNew:           {2, "To Do", "blue-gray"},
	CategoryIndeterminate: {4, "In Progress", "yellow"},
	CategoryDone:          {3, "Done", "green"},
}

func (s *Server) statusJSON(st Status) map[string]any {
	c := categories[st.Category]
	return map[string]any{
		"self":        s.self("/rest/api/3/status/" + st.ID),
		"id":          st.ID,
		"name":        st.Name,
		"description": "",
		"iconUrl":     s.self("/images/icons/statuses/generic.png"),
		"statusCategory": map[string]any{
			"self":      s.self(fmt.Sprintf("/rest/api/3/statuscategory/%d", c.id)),
			"id":        c.id,
			"key":       st.Category,
			"colorName": c.color,
			"name":      c.name,
		},
	}
}

func (s *Server) issueTypeJSON(it IssueType) map[string]any {
	return map[string]any{
		"self":           s.self("/rest/api/3/issuetype/" + it.ID),
		"id":             it.ID,
		"name":           it.Name,
		"description":    "",
		"iconUrl":        s.self("/images/icons/issuetypes/task.svg"),
		"subtask":        false,
		"hierarchyLevel": 0,
	}
}

func (s *Server) userJSON(accountID string) map[string]any {
	name := "User " + accountID
	if accountID == AccountID {
		name = "rotor bot"
	}
	return map[string]any{
		"self":        s.self("/rest/api/3/user?accountId=" + accountID),
		"accountId":   accountID,
		"accountType": "atlassian",
		"displayName": name,
		"active":      true,
		"timeZone":    "Etc/UTC",
	}
}

// fieldsJSON renders the fields of an issue; the caller holds mu.
func (s *Server) fieldsJSON(is *Issue) map[string]any {
	st, _ := s.status(is)
	it, _ := s.issueType(is.Project, is.IssueType)
	p := s.projects[is.Project]
	f := map[string]any{
		"summary":                  is.Summary,
		"description":              is.Desc,
		"duedate":                  nil,
		"labels":                   append([]string{}, is.Labels...),
		"assignee":                 nil,
		"priority":                 nil,
		"status":                   s.statusJSON(st),
		"resolution":               nil,
		"resolutiondate":           formatTime(is.ResolutionDate),
		"statuscategorychangedate": formatTime(is.StatusCategoryChangeDate),
		"created":                  formatTime(is.Created),
		"updated":                  formatTime(is.Updated),
		"issuetype":                s.issueTypeJSON(it),
	}
	if p != nil {
		f["project"] = map[string]any{"self": s.self("/rest/api/3/project/" + p.ID), "id": p.ID, "key": p.Key, "name": p.Name}
	}
	if is.DueDate != "" {
		f["duedate"] = is.DueDate
	}
	if is.AssigneeID != "" {
		f["assignee"] = s.userJSON(is.AssigneeID)
	}
	if is.Priority != "" {
		f["priority"] = map[string]any{"self": s.self("/rest/api/3/priority/" + s.priorityID(is.Priority)), "id": s.priorityID(is.Priority), "name": is.Priority}
	}
	if !is.ResolutionDate.IsZero() {
		f["resolution"] = map[string]any{"id": "10000", "name": "Done"}
	}
	for _, fd := range s.fields {
		if fd.Custom {
			f[fd.ID] = is.Custom[fd.ID]
		}
	}
	return f
}

func (s *Server) priorityID(name string) string {
	for i, p := range s.priorities {
		if strings.EqualFold(p, name) {
			return strconv.Itoa(i + 1)
		}
	}
	return "0"
}

// issueJSON renders an issue with only the requested fields, as Jira:
// no fields requested means the id alone (search) or every field (get).
func (s *Server) issueJSON(is *Issue, fields []string, defaultAll bool) map[string]any {
	if len(fields) == 0 && !defaultAll {
		return map[string]any{"id": is.ID}
	}
	all := s.fieldsJSON(is)
	want := map[string]bool{}
	everything := len(fields) == 0
	for _, f := range fields {
		switch f {
		case "*all", "*navigable":
			everything = true
		default:
			want[f] = true
		}
	}
	out := map[string]any{}
	for k, v := range all {
		if (everything || want[k]) && !want["-"+k] {
			out[k] = v
		}
	}
	return map[string]any{
		"expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
		"id":     is.ID,
		"self":   s.self("/rest/api/3/issue/" + is.ID),
		"key":    is.Key,
		"fields": out,
	}
}

func splitFields(values []string) []string {
	var out []string
	for _, v := range values {
		for _, f := range strings.Split(v, ",") {
			if f = strings.TrimSpace(f); f != "" {
				out = append(out, f)
			}
		}
	}
	return out
}

// --- configuration endpoints (what rotor doctor reads) ---

func (s *Server) serverInfo(w http.ResponseWriter, _ *fakeapi.Request) {
	s.mu.Lock()
	now := s.now()
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"baseUrl":        s.URL,
		"displayUrl":     s.URL,
		"version":        "1001.0.0-SNAPSHOT",
		"versionNumbers": []int{1001, 0, 0},
		"deploymentType": "Cloud",
		"buildNumber":    100287,
		"buildDate":      "2026-11-01T00:00:00.000+0000",
		"serverTime":     now.Format(jiraTime),
		"scmInfo":        "fake",
		"serverTitle":    "Jira",
		"serverTimeZone": "Etc/UTC",
	})
}

func (s *Server) myself(w http.ResponseWriter, _ *fakeapi.Request) {
	s.mu.Lock()
	email := s.email
	s.mu.Unlock()
	u := s.userJSON(AccountID)
	u["emailAddress"] = email
	u["locale"] = "en_US"
	writeJSON(w, http.StatusOK, u)
}

var permissionNames = map[string]string{
	"BROWSE_PROJECTS":   "Browse Projects",
	"CREATE_ISSUES":     "Create Issues",
	"EDIT_ISSUES":       "Edit Issues",
	"ADD_COMMENTS":      "Add Comments",
	"ASSIGN_ISSUES":     "Assign Issues",
	"TRANSITION_ISSUES": "Transition Issues",
}

func (s *Server) myPermissions(w http.ResponseWriter, r *fakeapi.Request) {
	keys := splitFields(r.URL.Query()["permissions"])
	if len(keys) == 0 {
		writeError(w, http.StatusBadRequest, []string{"The permissions query parameter is required."}, nil)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if pk := r.URL.Query().Get("projectKey"); pk != "" && s.projects[pk] == nil {
		writeError(w, http.StatusNotFound, []string{fmt.Sprintf("No project could be found with key '%s'.", pk)}, nil)
		return
	}
	perms := map[string]any{}
	for i, k := range keys {
		name, ok := permissionNames[k]
		if !ok {
			writeError(w, http.StatusBadRequest, []string{fmt.Sprintf("Invalid permission key: %s", k)}, nil)
			return
		}
		perms[k] = map[string]any{"id": strconv.Itoa(i + 10), "key": k, "name": name, "type": "PROJECT",
			"description": "Ability to " + strings.ToLower(name) + ".", "havePermission": !s.denied[k]}
	}
	writeJSON(w, http.StatusOK, map[string]any{"permissions": perms})
}

func (s *Server) listFields(w http.ResponseWriter, _ *fakeapi.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]map[string]any, 0, len(s.fields))
	for _, f := range s.fields {
		schema := map[string]any{"type": f.Type}
		if f.Custom {
			id, _ := strconv.Atoi(strings.TrimPrefix(f.ID, "customfield_"))
			schema["customId"] = id
			kind := f.Kind
			switch {
			case kind != "":
			case f.Type == "date":
				kind = "datepicker"
			default:
				kind = "textfield"
			}
			schema["custom"] = "com.atlassian.jira.plugin.system.customfieldtypes:" + kind
		} else {
			schema["system"] = f.ID
		}
		clause := f.ID
		if f.Custom {
			clause = "cf[" + strings.TrimPrefix(f.ID, "customfield_") + "]"
		}
		out = append(out, map[string]any{
			"id": f.ID, "key": f.ID, "name": f.Name, "custom": f.Custom, "orderable": true,
			"navigable": true, "searchable": true, "clauseNames": []string{clause}, "schema": schema,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

// project returns the project named by id or key; the caller holds mu.
func (s *Server) project(idOrKey string) *Project {
	if p, ok := s.projects[idOrKey]; ok {
		return p
	}
	for _, p := range s.projects {
		if p.ID == idOrKey {
			return p
		}
	}
	return nil
}

func projectNotFound(w http.ResponseWriter, key string) {
	writeError(w, http.StatusNotFound, []string{fmt.Sprintf("No project could be found with key '%s'.", key)}, nil)
}

func (s *Server) getProject(w http.ResponseWriter, r *fakeapi.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		projectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	types := make([]map[string]any, 0, len(p.IssueTypes))
	for _, it := range p.IssueTypes {
		types = append(types, s.issueTypeJSON(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"expand": "description,lead,issueTypes,url,projectKeys,permissions,insight",
		"self":   s.self("/rest/api/3/project/" + p.ID), "id": p.ID, "key": p.Key, "name": p.Name,
		"description": "", "issueTypes": types, "assigneeType": "UNASSIGNED",
		"projectTypeKey": "software", "simplified": false, "style": "classic", "isPrivate": false,
	})
}

func (s *Server) projectStatuses(w http.ResponseWriter, r *fakeapi.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		projectNotFound(w, r.PathValue("projectIdOrKey"))
		return
	}
	out := make([]map[string]any, 0, len(p.IssueTypes))
	for _, it := range p.IssueTypes {
		sts := make([]map[string]any, 0, len(it.Statuses))
		for _, st := range it.Statuses {
			sts = append(sts, s.statusJSON(st))
		}
		out = append(out, map[string]any{
			"self": s.self("/rest/api/3/issueType/" + it.ID), "id": it.ID, "name": it.Name,
			"subtask": false, "statuses": sts,
		})
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) createMetaIssueTypes(w http.ResponseWriter, r *fakeapi.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.project(r.PathValue("projectIdOrKey"))
	if p == nil {
		writeError(w, http.StatusBadRequest, []string{fmt.Sprintf("No project could be found with key '%s'.", r.PathValue("projectIdOrKey"))}, nil)
		return
	}
	types := make([]map[string]any, 0, len(p.IssueTypes))
	for _, it := range p.IssueTypes {
		types = append(types, s.issueTypeJSON(it))
	}
	writeJSON(w, http.StatusOK, map[string]any{"issueTypes": types, "maxResults": 50, "startAt": 0, "total": len(types)})
}

// --- search ---

func (s *Server) removedSearch(w http.ResponseWriter, _ *fakeapi.Request) {
	writeError(w, http.StatusGone, []string{"The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"}, nil)
}

type searchParams struct {
	JQL           string   `json:"jql"`
	Fields        []string `json:"fields"`
	MaxResults    *int     `json:"maxResults"`
	NextPageToken string   `json:"nextPageToken"`
}

func (s *Server) searchJQL(w http.ResponseWriter, r *fakeapi.Request) {
	var p searchParams
	if r.Method == http.MethodPost {
		dec := json.NewDecoder(strings.NewReader(string(r.Body)))
		if err := dec.Decode(&p); err != nil {
			writeError(w, http.StatusBadRequest, []string{"Invalid request payload. Refer to the REST API documentation and try again."}, nil)
			return
		}
		p.Fields = splitFields(p.Fields)
	} else {
		q := r.URL.Query()
		p.JQL = q.Get("jql")
		p.Fields = splitFields(q["fields"])
		p.NextPageToken = q.Get("nextPageToken")
		if v := q.Get("maxResults"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				writeError(w, http.StatusBadRequest, []string{"maxResults must be a number."}, nil)
				return
			}
			p.MaxResults = &n
		}
	}
	if strings.TrimSpace(p.JQL) == "" {
		writeError(w, http.StatusBadRequest, []string{"Unbounded JQL queries are not allowed here. Please add a search restriction to your query."}, nil)
		return
	}
	q, err := parseJQL(p.JQL)
	if err != nil {
		writeError(w, http.StatusBadRequest, []string{err.Error()}, nil)
		return
	}
	max := 50
	if p.MaxResults != nil {
		max = *p.MaxResults
	}
	if max < 0 {
		writeError(w, http.StatusBadRequest, []string{"maxResults must not be negative."}, nil)
		return
	}
	if max > 5000 {
		max = 5000
	}
	start := 0
	if p.NextPageToken != "" {
		start, err = decodeToken(p.NextPageToken)
		if err != nil {
			writeError(w, http.StatusBadRequest, []string{"The provided next page token is invalid or expired."}, nil)
			return
		}
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.project(q.project) == nil {
		writeError(w, http.StatusBadRequest, []string{fmt.Sprintf("The value '%s' does not exist for the field 'project'.", q.project)}, nil)
		return
	}
	for _, c := range q.clauses {
		if c.field == "statuscategory" && categoryKey(c.value) == "" {
			writeError(w, http.StatusBadRequest, []string{fmt.Sprintf("The value '%s' does not exist for the field 'statusCategory'.", c.value)}, nil)
			return
		}
	}
	var hits []*Issue
	for _, is := range s.sortedIssues(q.orderDesc) {
		if s.matches(is, q) {
			hits = append(hits, is)
		}
	}
	size := max
	if s.pageSize > 0 && s.pageSize < size {
		size = s.pageSize
	}
	if start > len(hits) {
		start = len(hits)
	}
	end := start + size
	if end > len(hits) {
		end = len(hits)
	}
	issues := make([]map[string]any, 0, end-start)
	for _, is := range hits[start:end] {
		issues = append(issues, s.issueJSON(is, p.Fields, false))
	}
	res := map[string]any{"issues": issues, "isLast": end >= len(hits)}
	if end < len(hits) {
		res["nextPageToken"] = encodeToken(end)
	}
	writeJSON(w, http.StatusOK, res)
}

func categoryKey(v string) string {
	switch strings.ToLower(v) {
	case "done", "3":
		return CategoryDone
	case "to do", "new", "2":
		return CategoryNew
	case "in progress", "indeterminate", "4":
		return CategoryIndeterminate
	}
	return ""
}

// matches evaluates q on is; the caller holds mu.
func (s *Server) matches(is *Issue, q *query) bool {
	p := s.project(q.project)
	if p == nil || is.Project != p.Key {
		return false
	}
	for _, c := range q.clauses {
		var ok bool
		switch c.field {
		case "labels":
			for _, l := range is.Labels {
				if strings.EqualFold(l, c.value) {
					ok = true
				}
			}
			if c.neg && len(is.Labels) == 0 {
				return false // JQL: != never matches an empty field
			}
		case "statuscategory":
			st, _ := s.status(is)
			ok = st.Category == categoryKey(c.value)
		}
		if ok == c.neg {
			return false
		}
	}
	return true
}

const tokenPrefix = "jiratest-page:"

func encodeToken(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte(tokenPrefix + strconv.Itoa(offset)))
}

func decodeToken(tok string) (int, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || !strings.HasPrefix(string(b), tokenPrefix) {
		return 0, fmt.Errorf("bad token")
	}
	return strconv.Atoi(strings.TrimPrefix(string(b), tokenPrefix))
}

// --- issues ---

func issueNotFound(w http.ResponseWriter) {
	writeError(w, http.StatusNotFound, []string{"Issue does not exist or you do not have permission to see it."}, nil)
}

// issue returns the issue named by id or key; the caller holds mu.
func (s *Server) issue(idOrKey string) *Issue {
	if is, ok := s.issues[idOrKey]; ok {
		return is
	}
	for _, is := range s.issues {
		if is.ID == idOrKey {
			return is
		}
	}
	return nil
}

func (s *Server) getIssue(w http.ResponseWriter, r *fakeapi.Request) {
	is, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, s.issueJSON(is, splitFields(r.URL.Query()["fields"]), true))
}

func (s *Server) createIssue(w http.ResponseWriter, r *fakeapi.Request) {
	body, ok := decodeObject(w, r.Body)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var is Issue
	if errs := s.apply(&is, body, true); len(errs) > 0 {
		writeError(w, http.StatusBadRequest, nil, errs)
		return
	}
	st := s.initialStatus(&is)
	now := s.now()
	is.Status = st.Name
	is.Created, is.Updated, is.StatusCategoryChangeDate = now, now, now
	s.store(&is)
	writeJSON(w, http.StatusCreated, map[string]any{"id": is.ID, "key": is.Key, "self": s.self("/rest/api/3/issue/" + is.ID)})
}

func (s *Server) initialStatus(is *Issue) Status {
	it, _ := s.issueType(is.Project, is.IssueType)
	if len(it.Statuses) == 0 {
		return Status{ID: "10000", Name: "To Do", Category: CategoryNew}
	}
	return it.Statuses[0]
}

func (s *Server) editIssue(w http.ResponseWriter, r *fakeapi.Request) {
	body, ok := decodeObject(w, r.Body)
	if !ok {
		return
	}
	stored, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	is := stored.clone()
	if errs := s.apply(&is, body, false); len(errs) > 0 {
		writeError(w, http.StatusBadRequest, nil, errs)
		return
	}
	is.Updated = s.now()
	*stored = is
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) addComment(w http.ResponseWriter, r *fakeapi.Request) {
	body, ok := decodeObject(w, r.Body)
	if !ok {
		return
	}
	is, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	adf, present := body["body"]
	if !present {
		writeError(w, http.StatusBadRequest, nil, map[string]string{"comment": "Comment body can not be empty!"})
		return
	}
	if err := checkADF(adf); err != nil {
		writeError(w, http.StatusBadRequest, nil, map[string]string{"comment": adfMessage + " (jiratest: " + err.Error() + ")"})
		return
	}
	s.nextComment++
	now := s.now()
	c := Comment{ID: strconv.Itoa(10000 + s.nextComment), Body: adf, Created: now}
	is.Comments = append(is.Comments, c)
	writeJSON(w, http.StatusCreated, map[string]any{
		"self":         s.self("/rest/api/3/issue/" + is.ID + "/comment/" + c.ID),
		"id":           c.ID,
		"author":       s.userJSON(AccountID),
		"updateAuthor": s.userJSON(AccountID),
		"body":         adf,
		"created":      now.Format(jiraTime),
		"updated":      now.Format(jiraTime),
		"jsdPublic":    true,
	})
}

// getComments answers GET .../comment as Jira does: a PageOfComments
// (startAt, maxResults, total, comments), oldest first, at most 100 a page
// (maxResults above that is lowered, as Jira lowers it).
func (s *Server) getComments(w http.ResponseWriter, r *fakeapi.Request) {
	q := r.URL.Query()
	startAt, err1 := atoiDefault(q.Get("startAt"), 0)
	maxResults, err2 := atoiDefault(q.Get("maxResults"), 5000)
	if err1 != nil || err2 != nil || startAt < 0 || maxResults < 0 {
		writeError(w, http.StatusBadRequest, []string{"startAt and maxResults must be non-negative integers"}, nil)
		return
	}
	maxResults = min(maxResults, 100)
	is, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	page := []map[string]any{}
	for i := startAt; i < len(is.Comments) && len(page) < maxResults; i++ {
		c := is.Comments[i]
		page = append(page, map[string]any{
			"self":         s.self("/rest/api/3/issue/" + is.ID + "/comment/" + c.ID),
			"id":           c.ID,
			"author":       s.userJSON(AccountID),
			"updateAuthor": s.userJSON(AccountID),
			"body":         c.Body,
			"created":      c.Created.Format(jiraTime),
			"updated":      c.Created.Format(jiraTime),
			"jsdPublic":    true,
		})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"startAt": startAt, "maxResults": maxResults, "total": len(is.Comments), "comments": page,
	})
}

func atoiDefault(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	return strconv.Atoi(s)
}

// transitions of an issue: one to each other status of its workflow,
// numbered 11, 21, 31... in workflow order.
func (s *Server) transitions(is *Issue) []map[string]any {
	it, _ := s.issueType(is.Project, is.IssueType)
	var out []map[string]any
	for i, st := range it.Statuses {
		if strings.EqualFold(st.Name, is.Status) {
			continue
		}
		out = append(out, map[string]any{
			"id": strconv.Itoa(i*10 + 11), "name": st.Name, "to": s.statusJSON(st),
			"hasScreen": false, "isGlobal": true, "isInitial": false, "isAvailable": true, "isConditional": false, "isLooped": false,
		})
	}
	if out == nil {
		out = []map[string]any{}
	}
	return out
}

func (s *Server) getTransitions(w http.ResponseWriter, r *fakeapi.Request) {
	is, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"expand": "transitions", "transitions": s.transitions(is)})
}

func (s *Server) doTransition(w http.ResponseWriter, r *fakeapi.Request) {
	body, ok := decodeObject(w, r.Body)
	if !ok {
		return
	}
	is, ok := s.lockIssue(w, r)
	if !ok {
		return
	}
	defer s.mu.Unlock()
	tr, _ := body["transition"].(map[string]any)
	id, _ := tr["id"].(string)
	if id == "" {
		writeError(w, http.StatusBadRequest, []string{"Missing 'transition' identifier"}, nil)
		return
	}
	it, _ := s.issueType(is.Project, is.IssueType)
	for i, st := range it.Statuses {
		if strconv.Itoa(i*10+11) == id && !strings.EqualFold(st.Name, is.Status) {
			s.move(is, st)
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	writeError(w, http.StatusBadRequest, []string{fmt.Sprintf("Transition id '%s' is not valid for this issue.", id)}, nil)
}

func decodeObject(w http.ResponseWriter, body []byte) (map[string]any, bool) {
	var v map[string]any
	if err := json.Unmarshal(body, &v); err != nil || v == nil {
		msg := "Can not deserialize instance of the request body out of the given JSON."
		if err != nil {
			msg = fmt.Sprintf("Unexpected character in the request body: %v", err)
		}
		writeError(w, http.StatusBadRequest, []string{msg}, nil)
		return nil, false
	}
	return v, true
}

// lockIssue takes the lock and returns the issue the path names. When
// there is no such issue it answers 404, releases the lock and returns
// false; otherwise the caller holds the lock and must release it.
func (s *Server) lockIssue(w http.ResponseWriter, r *fakeapi.Request) (*Issue, bool) {
	s.mu.Lock()
	is := s.issue(r.PathValue("issueIdOrKey"))
	if is == nil {
		s.mu.Unlock()
		issueNotFound(w)
		return nil, false
	}
	return is, true
}
