package jira

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// What Jira answers, read from the raw body rather than go-atlassian's
// models: a model cannot tell an absent member from an empty one, and an
// answer that lacks what the endpoint always returns must be an error,
// never an empty result (a search answered {} is not "no open tickets").
// Pointers tell absent or null members from present ones.

// unexpected says how an answer differs from what the endpoint returns.
// Client.call wraps ErrUnexpectedAnswer around every error of a
// successful exchange, these included.
func unexpected(format string, args ...any) error {
	return fmt.Errorf(format, args...)
}

// expect checks that a successful exchange answered status, and decodes
// its body into v, which must point to a struct (the body must be a JSON
// object), a slice (an array) or be nil (no body is read).
func expect(r *models.ResponseScheme, status int, v any) error {
	if r == nil {
		return unexpected("no answer")
	}
	if r.Code != status {
		return unexpected("the endpoint answers %d", status)
	}
	if v == nil {
		return nil
	}
	return decodeJSON(r.Bytes.Bytes(), v)
}

// decodeJSON decodes b into v, requiring an object for a struct and an
// array for a slice: json.Unmarshal reads null into either without a word.
func decodeJSON(b []byte, v any) error {
	b = bytes.TrimSpace(b)
	want, kind := byte('{'), "object"
	if isSlice(v) {
		want, kind = '[', "array"
	}
	if len(b) == 0 || b[0] != want {
		return unexpected("the body is not a JSON %s", kind)
	}
	return json.Unmarshal(b, v)
}

func isSlice(v any) bool {
	t := reflect.TypeOf(v)
	return t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Slice
}

// searchAnswer is a page of POST /rest/api/3/search/jql.
type searchAnswer struct {
	Issues        *[]json.RawMessage `json:"issues"`
	NextPageToken *string            `json:"nextPageToken"`
	IsLast        *bool              `json:"isLast"`
}

// issueAnswer is an issue of a search page or of GET /rest/api/3/issue.
type issueAnswer struct {
	Key    *string         `json:"key"`
	Fields json.RawMessage `json:"fields"`
}

// fieldsAnswer are the fields rotor reads (ticketFields); the custom
// fields are read by id.
type fieldsAnswer struct {
	Summary  *string   `json:"summary"`
	Labels   *[]string `json:"labels"`
	DueDate  *string   `json:"duedate"`
	Assignee *struct {
		AccountID *string `json:"accountId"`
	} `json:"assignee"`
	Priority *struct {
		Name *string `json:"name"`
	} `json:"priority"`
	Status                   *statusAnswer `json:"status"`
	ResolutionDate           *string       `json:"resolutiondate"`
	StatusCategoryChangeDate *string       `json:"statuscategorychangedate"`
}

type statusAnswer struct {
	Name           *string `json:"name"`
	StatusCategory *struct {
		Key *string `json:"key"`
	} `json:"statusCategory"`
}

// check returns why s is not a status with a name and a category key.
func (s *statusAnswer) check() error {
	switch {
	case s == nil:
		return unexpected("no status")
	case s.Name == nil:
		return unexpected("a status without a name")
	case s.StatusCategory == nil || s.StatusCategory.Key == nil || *s.StatusCategory.Key == "":
		return unexpected("status %q has no statusCategory.key", *s.Name)
	}
	return nil
}

// readTicket reads one issue of an answer as rotor asked for it.
func (c *Client) readTicket(raw []byte) (rotation.Ticket, error) {
	var is issueAnswer
	if err := decodeJSON(raw, &is); err != nil {
		return rotation.Ticket{}, err
	}
	if is.Key == nil || *is.Key == "" {
		return rotation.Ticket{}, unexpected("an issue without a key")
	}
	t := rotation.Ticket{Key: *is.Key}
	fail := func(err error) (rotation.Ticket, error) {
		return rotation.Ticket{}, fmt.Errorf("%s: %w", t.Key, err)
	}
	if len(is.Fields) == 0 {
		return fail(unexpected("no fields"))
	}
	var f fieldsAnswer
	if err := decodeJSON(is.Fields, &f); err != nil {
		return fail(err)
	}
	switch {
	case f.Summary == nil:
		return fail(unexpected("no summary"))
	case f.Labels == nil:
		return fail(unexpected("no labels"))
	}
	if err := f.Status.check(); err != nil {
		return fail(err)
	}
	t.Summary, t.Labels = *f.Summary, *f.Labels
	t.CredentialID, _ = rotation.CredentialIDFromLabels(t.Labels)
	t.StatusName, t.StatusCategory = *f.Status.Name, *f.Status.StatusCategory.Key
	if f.DueDate != nil {
		d, err := rotation.ParseDate(*f.DueDate)
		if err != nil {
			return fail(unexpected("duedate %q is not a date", *f.DueDate))
		}
		t.DueDate = d
	}
	if f.Assignee != nil {
		if f.Assignee.AccountID == nil || *f.Assignee.AccountID == "" {
			return fail(unexpected("an assignee without an accountId"))
		}
		t.AssigneeID = *f.Assignee.AccountID
	}
	if f.Priority != nil {
		if f.Priority.Name == nil {
			return fail(unexpected("a priority without a name"))
		}
		t.Priority = *f.Priority.Name
	}
	var times [2]time.Time
	for i, s := range []*string{f.ResolutionDate, f.StatusCategoryChangeDate} {
		if s == nil {
			continue
		}
		at, err := ParseTime(*s)
		if err != nil {
			return fail(err)
		}
		times[i] = at
	}
	if t.StatusCategory == rotation.CategoryDone {
		for _, at := range times {
			if !at.IsZero() {
				t.DoneAt = at
				break
			}
		}
	}
	var err error
	if t.Fields, err = c.readCustom(is.Fields); err != nil {
		return fail(err)
	}
	return t, nil
}

// placeFields are the fields that say where an issue is: its project and
// its issue type.
var placeFields = []string{"project", "issuetype"}

// place is where an issue is: the key of its project and the name of its
// issue type.
type place struct{ project, issueType string }

// readPlace reads the project's key and the issue type's name of an issue
// asked for with placeFields; Jira always answers both.
func readPlace(raw []byte) (place, error) {
	var is struct {
		Fields *struct {
			Project *struct {
				Key *string `json:"key"`
			} `json:"project"`
			IssueType *struct {
				Name *string `json:"name"`
			} `json:"issuetype"`
		} `json:"fields"`
	}
	if err := decodeJSON(raw, &is); err != nil {
		return place{}, err
	}
	switch {
	case is.Fields == nil:
		return place{}, unexpected("no fields")
	case is.Fields.Project == nil || is.Fields.Project.Key == nil || *is.Fields.Project.Key == "":
		return place{}, unexpected("no project key")
	case is.Fields.IssueType == nil || is.Fields.IssueType.Name == nil || *is.Fields.IssueType.Name == "":
		return place{}, unexpected("no issue type name")
	}
	return place{project: *is.Fields.Project.Key, issueType: *is.Fields.IssueType.Name}, nil
}

// readCustom reads the mapped custom fields of an issue's fields: text,
// as rotor writes them (a date field as YYYY-MM-DD). A field the answer
// lacks or holds null is unset; Jira leaves out a field that is not in
// the issue's field configuration. A value that is not text (a paragraph
// field answers rich text in API v3), or a date field's text that is no
// date, is a mapping problem of that field, not an answer of the wrong
// shape: it reads as unset, so that sync writes the field and Jira's
// answer to the write names it (rotor doctor checks the mapping too).
func (c *Client) readCustom(fields json.RawMessage) (rotation.CustomValues, error) {
	var v rotation.CustomValues
	if len(mappedIDs(c.fields)) == 0 {
		return v, nil
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(fields, &all); err != nil {
		return v, err
	}
	text := func(id string) string {
		var s string
		if raw, ok := all[id]; id == "" || !ok || json.Unmarshal(raw, &s) != nil {
			return ""
		}
		return s
	}
	v.CredentialName = text(c.fields.CredentialName)
	v.ContactPerson = text(c.fields.ContactPerson)
	if d, err := rotation.ParseDate(text(c.fields.NextDueDate)); err == nil {
		v.NextDueDate = d
	}
	return v, nil
}

// createdAnswer is the answer of POST /rest/api/3/issue.
type createdAnswer struct {
	Key *string `json:"key"`
}

// commentAnswer is the answer of POST .../comment.
type commentAnswer struct {
	ID *string `json:"id"`
}

// commentPageAnswer is a page of GET .../comment.
type commentPageAnswer struct {
	Total    *int `json:"total"`
	Comments *[]*struct {
		ID   *string                   `json:"id"`
		Body *models.CommentNodeScheme `json:"body"`
	} `json:"comments"`
}

// transitionsAnswer is the answer of GET .../transitions.
type transitionsAnswer struct {
	Transitions *[]struct {
		ID          *string       `json:"id"`
		Name        string        `json:"name"`
		HasScreen   bool          `json:"hasScreen"`
		IsAvailable *bool         `json:"isAvailable"`
		To          *statusAnswer `json:"to"`
	} `json:"transitions"`
}

// Doctor's answers.

type serverInfoAnswer struct {
	BaseURL        *string `json:"baseUrl"`
	DeploymentType string  `json:"deploymentType"`
	ServerTitle    string  `json:"serverTitle"`
}

type myselfAnswer struct {
	AccountID   *string `json:"accountId"`
	DisplayName string  `json:"displayName"`
	Active      *bool   `json:"active"`
}

type issueTypeRef struct {
	ID      *string `json:"id"`
	Name    *string `json:"name"`
	Subtask bool    `json:"subtask"`
}

// checkIssueTypes returns why a list of issue types is not one.
func checkIssueTypes(types []issueTypeRef) error {
	for _, t := range types {
		if t.ID == nil || t.Name == nil {
			return unexpected("an issue type without an id or a name")
		}
	}
	return nil
}

type projectAnswer struct {
	Key      *string `json:"key"`
	Name     string  `json:"name"`
	Archived bool    `json:"archived"`
	Deleted  bool    `json:"deleted"`
	// IssueTypes absent means "ask create metadata"; an empty list is
	// an answer.
	IssueTypes *[]issueTypeRef `json:"issueTypes"`
}

type permissionsAnswer struct {
	Permissions *map[string]struct {
		HavePermission *bool `json:"havePermission"`
	} `json:"permissions"`
}

type createMetaAnswer struct {
	IssueTypes *[]issueTypeRef `json:"issueTypes"`
}

type projectStatusesAnswer struct {
	Name     *string         `json:"name"`
	Statuses *[]statusAnswer `json:"statuses"`
}

type fieldAnswer struct {
	ID     *string `json:"id"`
	Name   string  `json:"name"`
	Schema *struct {
		Type   string `json:"type"`
		Custom string `json:"custom"` // a custom field's type key
	} `json:"schema"`
}
