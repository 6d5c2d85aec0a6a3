package githubtest

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

const (
	docRepo     = "https://docs.github.com/rest/repos/repos#get-a-repository"
	docList     = "https://docs.github.com/rest/pulls/pulls#list-pull-requests"
	docCreate   = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request"
	docUpdate   = "https://docs.github.com/rest/pulls/pulls#update-a-pull-request"
	docLabels   = "https://docs.github.com/rest/issues/labels#add-labels-to-an-issue"
	docDispatch = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
)

func (s *Server) repoJSON() map[string]any {
	return map[string]any{
		"id":             812345678,
		"node_id":        "R_kgDOMGQ0Tg",
		"name":           s.repo,
		"full_name":      s.fullName(),
		"private":        s.private,
		"owner":          map[string]any{"login": s.owner, "id": 1234567, "type": "Organization"},
		"html_url":       "https://github.com/" + s.fullName(),
		"url":            "https://api.github.com/repos/" + s.fullName(),
		"default_branch": s.defaultBranch,
		"visibility":     map[bool]string{true: "private", false: "public"}[s.private],
	}
}

func (s *Server) getRepository(w http.ResponseWriter, _ *fakeapi.Request) {
	s.mu.Lock()
	v := s.repoJSON()
	if p := s.permissions; p != nil {
		v["permissions"] = map[string]bool{"admin": p.Admin, "maintain": p.Maintain, "push": p.Push, "triage": p.Triage, "pull": p.Pull}
	}
	s.mu.Unlock()
	fakeapi.WriteJSON(w, http.StatusOK, "", v)
}

// sha is the head commit of a branch: registered, or made up from its name.
func (s *Server) sha(branch string) string {
	if v, ok := s.branches[branch]; ok && v != "" {
		return v
	}
	sum := sha1.Sum([]byte(branch))
	return hex.EncodeToString(sum[:])
}

func (s *Server) branchExists(b string) bool {
	if s.branches == nil || b == s.defaultBranch {
		return true
	}
	_, ok := s.branches[b]
	return ok
}

func (s *Server) pullJSON(p *PullRequest, single bool) map[string]any {
	labels := []map[string]any{}
	for _, l := range p.Labels {
		labels = append(labels, s.labelJSON(l))
	}
	ts := p.Created.UTC().Format(time.RFC3339)
	var closedAt, mergedAt any
	if p.State == "closed" {
		closedAt = ts
	}
	if p.Merged {
		mergedAt = ts
	}
	branch := func(ref string) map[string]any {
		return map[string]any{
			"label": s.owner + ":" + ref,
			"ref":   ref,
			"sha":   s.sha(ref),
			"user":  map[string]any{"login": s.owner, "type": "Organization"},
			"repo":  s.repoJSON(),
		}
	}
	v := map[string]any{
		"url":                 "https://api.github.com/repos/" + s.fullName() + "/pulls/" + strconv.Itoa(p.Number),
		"id":                  2000000000 + p.Number,
		"node_id":             "PR_kwDOMGQ0Ts" + strconv.Itoa(p.Number),
		"html_url":            "https://github.com/" + s.fullName() + "/pull/" + strconv.Itoa(p.Number),
		"number":              p.Number,
		"state":               p.State,
		"locked":              false,
		"title":               p.Title,
		"user":                map[string]any{"login": "github-actions[bot]", "id": 41898282, "type": "Bot"},
		"body":                nullable(p.Body),
		"labels":              labels,
		"created_at":          ts,
		"updated_at":          ts,
		"closed_at":           closedAt,
		"merged_at":           mergedAt,
		"draft":               p.Draft,
		"head":                branch(p.Head),
		"base":                branch(p.Base),
		"author_association":  "NONE",
		"auto_merge":          nil,
		"requested_reviewers": []any{},
	}
	if single {
		v["merged"] = p.Merged
		v["mergeable"] = nil
		v["maintainer_can_modify"] = false
		v["commits"] = 1
		v["changed_files"] = 1
	}
	return v
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Server) labelJSON(name string) map[string]any {
	sum := sha1.Sum([]byte(name))
	return map[string]any{
		"id":          int(sum[0])<<16 | int(sum[1])<<8 | int(sum[2]),
		"node_id":     "LA_" + hex.EncodeToString(sum[:6]),
		"url":         "https://api.github.com/repos/" + s.fullName() + "/labels/" + url.PathEscape(name),
		"name":        name,
		"color":       hex.EncodeToString(sum[:3]),
		"default":     false,
		"description": nil,
	}
}

// listPulls answers GET /pulls: state (open), head (owner:branch), base,
// sort (created), direction (desc), per_page (30, at most 100), page; a
// Link header names the next and last pages.
func (s *Server) listPulls(w http.ResponseWriter, r *fakeapi.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	if state != "open" && state != "closed" && state != "all" {
		writeValidation(w, docList, fieldError{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	direction := q.Get("direction")
	if direction == "" {
		direction = "desc"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	perPage, err1 := intParam(q.Get("per_page"), s.perPage)
	page, err2 := intParam(q.Get("page"), 1)
	if err1 != nil || err2 != nil || perPage < 1 || page < 1 {
		writeValidation(w, docList, fieldError{Resource: "PullRequest", Field: "per_page", Code: "invalid"})
		return
	}
	perPage = min(perPage, s.maxPerPage)
	var headOwner, headRef string
	if h := q.Get("head"); h != "" {
		var ok bool
		if headOwner, headRef, ok = strings.Cut(h, ":"); !ok {
			headOwner, headRef = "", h
		}
	}
	var list []*PullRequest
	for _, p := range s.pulls {
		switch {
		case state != "all" && p.State != state:
		case q.Has("head") && (!strings.EqualFold(headOwner, s.owner) || p.Head != headRef):
		case q.Get("base") != "" && p.Base != q.Get("base"):
		default:
			list = append(list, p)
		}
	}
	sort.SliceStable(list, func(i, j int) bool {
		if direction == "asc" {
			return list[i].Number < list[j].Number
		}
		return list[i].Number > list[j].Number
	})
	last := max((len(list)+perPage-1)/perPage, 1)
	from, to := min((page-1)*perPage, len(list)), min(page*perPage, len(list))
	out := []map[string]any{}
	for _, p := range list[from:to] {
		out = append(out, s.pullJSON(p, false))
	}
	if last > 1 {
		link := func(n int, rel string) string {
			v := url.Values{}
			for k, vs := range q {
				v[k] = vs
			}
			v.Set("page", strconv.Itoa(n))
			v.Set("per_page", strconv.Itoa(perPage))
			return fmt.Sprintf(`<http://%s%s?%s>; rel="%s"`, r.Host, r.URL.Path, v.Encode(), rel)
		}
		var links []string
		if page > 1 {
			links = append(links, link(page-1, "prev"), link(1, "first"))
		}
		if page < last {
			links = append(links, link(page+1, "next"), link(last, "last"))
		}
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	fakeapi.WriteJSON(w, http.StatusOK, "", out)
}

func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	return strconv.Atoi(v)
}

// decode reads a JSON object body as GitHub does: 400 when it is not JSON.
func decode(w http.ResponseWriter, r *fakeapi.Request, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if err := dec.Decode(v); err != nil {
		writeMessage(w, http.StatusBadRequest, "Problems parsing JSON", "https://docs.github.com/rest")
		return false
	}
	return true
}

// createPull answers POST /pulls: 201 with the pull request; 422 when a
// field is missing, the head or base branch does not exist, or an open
// pull request already exists for the head and base.
func (s *Server) createPull(w http.ResponseWriter, r *fakeapi.Request) {
	var in struct {
		Title               *string `json:"title"`
		Head                *string `json:"head"`
		Base                *string `json:"base"`
		Body                *string `json:"body"`
		Draft               *bool   `json:"draft"`
		MaintainerCanModify *bool   `json:"maintainer_can_modify"`
	}
	if !decode(w, r, &in) {
		return
	}
	var missing []fieldError
	for name, v := range map[string]*string{"title": in.Title, "head": in.Head, "base": in.Base} {
		if v == nil || *v == "" {
			missing = append(missing, fieldError{Resource: "PullRequest", Field: name, Code: "missing_field"})
		}
	}
	if len(missing) > 0 {
		sort.Slice(missing, func(i, j int) bool { return missing[i].Field < missing[j].Field })
		writeValidation(w, docCreate, missing...)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	head := *in.Head
	if owner, ref, ok := strings.Cut(head, ":"); ok {
		if !strings.EqualFold(owner, s.owner) {
			writeValidation(w, docCreate, fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
			return
		}
		head = ref
	}
	base := *in.Base
	switch {
	case !s.branchExists(head):
		writeValidation(w, docCreate, fieldError{Resource: "PullRequest", Field: "head", Code: "invalid"})
		return
	case !s.branchExists(base):
		writeValidation(w, docCreate, fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	case head == base:
		writeValidation(w, docCreate, fieldError{Resource: "PullRequest", Code: "custom", Message: fmt.Sprintf("No commits between %s and %s", base, head)})
		return
	}
	for _, p := range s.pulls {
		if p.State == "open" && p.Head == head && p.Base == base {
			writeValidation(w, docCreate, fieldError{Resource: "PullRequest", Code: "custom", Message: "A pull request already exists for " + s.owner + ":" + head + "."})
			return
		}
	}
	pr := PullRequest{Title: *in.Title, Head: head, Base: base}
	if in.Body != nil {
		pr.Body = *in.Body
	}
	if in.Draft != nil {
		pr.Draft = *in.Draft
	}
	n := s.add(pr)
	w.Header().Set("Location", "https://api.github.com/repos/"+s.fullName()+"/pulls/"+strconv.Itoa(n))
	fakeapi.WriteJSON(w, http.StatusCreated, "", s.pullJSON(s.pull(n), true))
}

// updatePull answers PATCH /pulls/{number}: title, body, state, base.
func (s *Server) updatePull(w http.ResponseWriter, r *fakeapi.Request) {
	var in struct {
		Title *string `json:"title"`
		Body  *string `json:"body"`
		State *string `json:"state"`
		Base  *string `json:"base"`
	}
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := strconv.Atoi(r.PathValue("number"))
	p := s.pull(n)
	if err != nil || p == nil {
		writeMessage(w, http.StatusNotFound, "Not Found", docUpdate)
		return
	}
	if in.State != nil && *in.State != "open" && *in.State != "closed" {
		writeValidation(w, docUpdate, fieldError{Resource: "PullRequest", Field: "state", Code: "invalid"})
		return
	}
	if in.Base != nil && !s.branchExists(*in.Base) {
		writeValidation(w, docUpdate, fieldError{Resource: "PullRequest", Field: "base", Code: "invalid"})
		return
	}
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Body != nil {
		p.Body = *in.Body
	}
	if in.State != nil && !p.Merged {
		p.State = *in.State
	}
	if in.Base != nil {
		p.Base = *in.Base
	}
	fakeapi.WriteJSON(w, http.StatusOK, "", s.pullJSON(p, true))
}

// addLabels answers POST /issues/{number}/labels, {"labels": [...]} or a
// bare array: 200 with every label of the issue; new names are created.
func (s *Server) addLabels(w http.ResponseWriter, r *fakeapi.Request) {
	var names []string
	var obj struct {
		Labels []string `json:"labels"`
	}
	if err := json.Unmarshal(r.Body, &obj); err == nil && obj.Labels != nil {
		names = obj.Labels
	} else if err := json.Unmarshal(r.Body, &names); err != nil {
		writeMessage(w, http.StatusBadRequest, "Problems parsing JSON", docLabels)
		return
	}
	for _, n := range names {
		if n == "" || len(n) > 50 {
			writeValidation(w, docLabels, fieldError{Resource: "Label", Field: "name", Code: "invalid"})
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := strconv.Atoi(r.PathValue("number"))
	p := s.pull(n)
	if err != nil || p == nil {
		writeMessage(w, http.StatusNotFound, "Not Found", docLabels)
		return
	}
	for _, l := range names {
		if !slices.Contains(p.Labels, l) {
			p.Labels = append(p.Labels, l)
		}
	}
	out := []map[string]any{}
	for _, l := range p.Labels {
		out = append(out, s.labelJSON(l))
	}
	fakeapi.WriteJSON(w, http.StatusOK, "", out)
}

// dispatch answers POST /dispatches as GitHub does: 204 with no body; 400
// for a body that is not JSON; 422 for an event_type that is not 1-100
// characters or a client_payload that is not an object of at most 10
// properties and 65,535 characters. GitHub counts characters, not bytes.
func (s *Server) dispatch(w http.ResponseWriter, r *fakeapi.Request) {
	var in struct {
		EventType     *string         `json:"event_type"`
		ClientPayload json.RawMessage `json:"client_payload"`
	}
	if !decode(w, r, &in) {
		return
	}
	if n := eventTypeLength(in.EventType); n < 1 || n > 100 {
		writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/event_type', nil is not a string of 1 to 100 characters.", docDispatch)
		return
	}
	var payload map[string]any
	if len(in.ClientPayload) > 0 {
		if err := json.Unmarshal(in.ClientPayload, &payload); err != nil {
			writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nFor 'properties/client_payload', it is not an object.", docDispatch)
			return
		}
	}
	if len(payload) > 10 || utf8.RuneCount(in.ClientPayload) > 65535 {
		writeMessage(w, http.StatusUnprocessableEntity, "Invalid request.\n\nclient_payload: no more than 10 properties and 65535 characters are allowed.", docDispatch)
		return
	}
	s.mu.Lock()
	s.accepted++
	if !s.Discard {
		s.dispatches = append(s.dispatches, Dispatch{EventType: *in.EventType, ClientPayload: payload, RawPayload: in.ClientPayload, Header: r.Header.Clone()})
	}
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// eventTypeLength is the length of an event_type in characters; 0 when
// there is none.
func eventTypeLength(v *string) int {
	if v == nil {
		return 0
	}
	return utf8.RuneCountInString(*v)
}
