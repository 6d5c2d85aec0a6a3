package jira

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// ticketFields are the fields rotor reads; a JQL search returns only the
// fields it is asked for.
var ticketFields = []string{
	"summary", "labels", "duedate", "assignee", "priority", "status",
	"resolutiondate", "statuscategorychangedate",
}

// issue is the part of Jira's IssueBean rotor reads.
type issue struct {
	ID     string      `json:"id"`
	Key    string      `json:"key"`
	Fields issueFields `json:"fields"`
}

type issueFields struct {
	Summary  string   `json:"summary"`
	Labels   []string `json:"labels"`
	DueDate  string   `json:"duedate"`
	Assignee *struct {
		AccountID string `json:"accountId"`
	} `json:"assignee"`
	Priority *struct {
		Name string `json:"name"`
	} `json:"priority"`
	Status *struct {
		Name           string `json:"name"`
		StatusCategory struct {
			Key string `json:"key"`
		} `json:"statusCategory"`
	} `json:"status"`
	ResolutionDate           string `json:"resolutiondate"`
	StatusCategoryChangeDate string `json:"statuscategorychangedate"`
}

// jiraTimeLayout is how Jira writes date-times: 2026-11-20T10:15:30.000+0000.
const jiraTimeLayout = "2006-01-02T15:04:05.000-0700"

// ParseTime reads a Jira date-time (2026-11-20T10:15:30.000+0000), also
// accepting RFC 3339.
func ParseTime(s string) (time.Time, error) {
	for _, layout := range []string{jiraTimeLayout, "2006-01-02T15:04:05-0700", time.RFC3339Nano} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a Jira date-time", s)
}

// FormatTime writes t as Jira does.
func FormatTime(t time.Time) string { return t.Format(jiraTimeLayout) }

func (is issue) ticket() (rotation.Ticket, error) {
	f := is.Fields
	t := rotation.Ticket{
		Key:     is.Key,
		Summary: f.Summary,
		Labels:  f.Labels,
	}
	t.CredentialID, _ = rotation.CredentialIDFromLabels(f.Labels)
	if f.DueDate != "" {
		d, err := rotation.ParseDate(f.DueDate)
		if err != nil {
			return t, fmt.Errorf("ticket %s: duedate: %w", is.Key, err)
		}
		t.DueDate = d
	}
	if f.Assignee != nil {
		t.AssigneeID = f.Assignee.AccountID
	}
	if f.Priority != nil {
		t.Priority = f.Priority.Name
	}
	if f.Status != nil {
		t.StatusName = f.Status.Name
		t.StatusCategory = f.Status.StatusCategory.Key
	}
	if t.StatusCategory == rotation.CategoryDone {
		for _, s := range []string{f.ResolutionDate, f.StatusCategoryChangeDate} {
			if s == "" {
				continue
			}
			at, err := ParseTime(s)
			if err != nil {
				return t, fmt.Errorf("ticket %s: %w", is.Key, err)
			}
			t.DoneAt = at
			break
		}
	}
	return t, nil
}

// quoteJQL quotes s as a JQL string literal.
func quoteJQL(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// openJQL finds rotor's open tickets, optionally those of one credential.
func (c *Client) openJQL(label string) string {
	return "project = " + quoteJQL(c.project) + " AND labels = " + label +
		" AND statusCategory != Done ORDER BY key ASC"
}

// searchRequest is the body of POST /rest/api/3/search/jql.
type searchRequest struct {
	JQL           string   `json:"jql"`
	Fields        []string `json:"fields"`
	MaxResults    int      `json:"maxResults"`
	NextPageToken string   `json:"nextPageToken,omitempty"`
}

type searchResults struct {
	Issues        []issue `json:"issues"`
	NextPageToken string  `json:"nextPageToken"`
	IsLast        bool    `json:"isLast"`
}

// maxPages bounds a search whose tokens never end.
const maxPages = 10000

// search runs one JQL search, following nextPageToken to the last page.
func (c *Client) search(ctx context.Context, op, jql string) ([]rotation.Ticket, error) {
	var out []rotation.Ticket
	token := ""
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("jira: %s: more than %d pages of results", op, maxPages)
		}
		var res searchResults
		err := c.do(ctx, request{
			op: op, method: "POST", path: "/rest/api/3/search/jql",
			body: searchRequest{JQL: jql, Fields: ticketFields, MaxResults: c.pageSize, NextPageToken: token},
			out:  &res,
		})
		if err != nil {
			return nil, err
		}
		for _, is := range res.Issues {
			t, err := is.ticket()
			if err != nil {
				return nil, fmt.Errorf("jira: %s: %w", op, err)
			}
			out = append(out, t)
		}
		if res.IsLast || res.NextPageToken == "" || res.NextPageToken == token {
			return out, nil
		}
		token = res.NextPageToken
	}
}

// OpenTickets returns every ticket of the project that carries the rotor
// label and is not in the done category, in key order, with one paginated
// JQL search.
func (c *Client) OpenTickets(ctx context.Context) ([]rotation.Ticket, error) {
	return c.search(ctx, "list open "+c.project+" tickets", c.openJQL(rotation.LabelRotor))
}

// Ticket returns one ticket by key, whatever its status. A ticket that
// does not exist gives an error matching ErrNotFound.
func (c *Client) Ticket(ctx context.Context, key string) (rotation.Ticket, error) {
	if key == "" {
		return rotation.Ticket{}, errors.New("jira: read ticket: no key given")
	}
	var is issue
	err := c.do(ctx, request{
		op: "read ticket " + key, method: "GET", path: "/rest/api/3/issue/" + url.PathEscape(key),
		query: url.Values{"fields": {strings.Join(ticketFields, ",")}},
		out:   &is,
	})
	if err != nil {
		return rotation.Ticket{}, err
	}
	t, err := is.ticket()
	if err != nil {
		return t, fmt.Errorf("jira: read ticket %s: %w", key, err)
	}
	return t, nil
}

// labels returns rotor's label, the credential's identity label and extra,
// without duplicates, refusing labels Jira would refuse.
func labels(credentialID string, extra []string) ([]string, error) {
	all := []string{rotation.LabelRotor}
	if credentialID != "" {
		all = append(all, rotation.IdentityLabel(credentialID))
	}
	all = append(all, extra...)
	seen := map[string]bool{}
	out := make([]string, 0, len(all))
	for _, l := range all {
		if l == "" || seen[l] {
			continue
		}
		if strings.ContainsAny(l, " \t\n") {
			return nil, fmt.Errorf("label %q contains a space, which Jira refuses", l)
		}
		if len(l) > 255 {
			return nil, fmt.Errorf("label %q is longer than 255 characters", l)
		}
		seen[l] = true
		out = append(out, l)
	}
	return out, nil
}

// customFields adds the mapped custom fields that have a value.
func (c *Client) customFields(fields map[string]any, v rotation.CustomValues) {
	if id := c.fields.CredentialName; id != "" && v.CredentialName != "" {
		fields[id] = v.CredentialName
	}
	if id := c.fields.ContactPerson; id != "" && v.ContactPerson != "" {
		fields[id] = v.ContactPerson
	}
	if id := c.fields.NextDueDate; id != "" && !v.NextDueDate.IsZero() {
		fields[id] = v.NextDueDate.String()
	}
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

type createdIssue struct {
	ID  string `json:"id"`
	Key string `json:"key"`
}

// Create opens a ticket and returns its key. It always carries the rotor
// label and the credential's identity label; a ticket carrying the overdue
// label gets the configured overdue priority.
//
// A create is retried freely on 429 and 503. After a failure that may have
// been applied (no answer, a 500), rotor first searches for an open ticket
// with the credential's identity label and returns it instead of opening a
// second one.
func (c *Client) Create(ctx context.Context, t rotation.NewTicket) (string, error) {
	op := "create " + c.project + " ticket"
	if t.CredentialID != "" {
		op += " for " + t.CredentialID
	}
	if strings.TrimSpace(t.Summary) == "" {
		return "", fmt.Errorf("jira: %s: the summary is empty", op)
	}
	lbls, err := labels(t.CredentialID, t.Labels)
	if err != nil {
		return "", fmt.Errorf("jira: %s: %w", op, err)
	}
	fields := map[string]any{
		"project":     map[string]string{"key": c.project},
		"issuetype":   map[string]string{"name": c.issueType},
		"summary":     t.Summary,
		"description": describe(t.Description),
		"labels":      lbls,
	}
	if !t.DueDate.IsZero() {
		fields["duedate"] = t.DueDate.String()
	}
	if t.AssigneeID != "" {
		fields["assignee"] = map[string]string{"accountId": t.AssigneeID}
	}
	if c.overdue != "" && contains(lbls, rotation.LabelOverdue) {
		fields["priority"] = map[string]string{"name": c.overdue}
	}
	c.customFields(fields, t.Fields)
	body := map[string]any{"fields": fields}

	p := c.retry
	for attempt := 1; ; attempt++ {
		var created createdIssue
		err := c.do(ctx, request{op: op, method: "POST", path: "/rest/api/3/issue", body: body, out: &created, safeOnly: true})
		if err == nil {
			if created.Key == "" {
				return "", fmt.Errorf("jira: %s: Jira answered without an issue key", op)
			}
			return created.Key, nil
		}
		if !isAmbiguous(err) || t.CredentialID == "" || ctx.Err() != nil || attempt >= p.MaxAttempts {
			return "", err
		}
		if serr := p.Sleep(ctx, p.backoff(attempt)); serr != nil {
			return "", err
		}
		found, serr := c.search(ctx, op+": look for a ticket the failed attempt may have opened",
			c.openJQL(quoteJQL(rotation.IdentityLabel(t.CredentialID))))
		if serr != nil {
			return "", fmt.Errorf("%w; then: %w", err, serr)
		}
		if len(found) > 0 {
			return found[0].Key, nil
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Update edits an open ticket: only the members u sets are sent. Labels
// are added, never replaced.
func (c *Client) Update(ctx context.Context, key string, u rotation.TicketUpdate) error {
	op := "update ticket " + key
	if u.IsEmpty() {
		return nil
	}
	fields := map[string]any{}
	if u.Summary != nil {
		if strings.TrimSpace(*u.Summary) == "" {
			return fmt.Errorf("jira: %s: the summary is empty", op)
		}
		fields["summary"] = *u.Summary
	}
	if u.DueDate != nil {
		fields["duedate"] = nullIfEmpty(u.DueDate.String())
	}
	if u.AssigneeID != nil {
		if *u.AssigneeID == "" {
			fields["assignee"] = nil
		} else {
			fields["assignee"] = map[string]string{"accountId": *u.AssigneeID}
		}
	}
	if u.Priority != "" {
		fields["priority"] = map[string]string{"name": u.Priority}
	}
	if u.Fields != nil {
		c.customFields(fields, *u.Fields)
	}
	body := map[string]any{}
	if len(fields) > 0 {
		body["fields"] = fields
	}
	if len(u.AddLabels) > 0 {
		var ops []map[string]string
		for _, l := range u.AddLabels {
			if strings.ContainsAny(l, " \t\n") || l == "" {
				return fmt.Errorf("jira: %s: label %q is empty or contains a space, which Jira refuses", op, l)
			}
			ops = append(ops, map[string]string{"add": l})
		}
		body["update"] = map[string]any{"labels": ops}
	}
	if len(body) == 0 {
		return nil // only unmapped or empty custom fields were given
	}
	return c.do(ctx, request{op: op, method: "PUT", path: "/rest/api/3/issue/" + url.PathEscape(key), body: body})
}

// Comment adds a comment; blank lines split paragraphs.
func (c *Client) Comment(ctx context.Context, key, text string) error {
	op := "comment on ticket " + key
	doc := plainText(text)
	if len(doc.Content) == 0 {
		return fmt.Errorf("jira: %s: the comment is empty", op)
	}
	return c.do(ctx, request{
		op: op, method: "POST", path: "/rest/api/3/issue/" + url.PathEscape(key) + "/comment",
		body: map[string]any{"body": doc},
	})
}

// Transition is a workflow step a ticket can take.
type Transition struct {
	ID          string
	Name        string
	ToStatus    string
	ToCategory  string // rotation.CategoryNew, ...Indeterminate or ...Done
	IsAvailable bool
	HasScreen   bool
}

// Transitions lists the workflow steps ticket key can take now.
func (c *Client) Transitions(ctx context.Context, key string) ([]Transition, error) {
	var res struct {
		Transitions []struct {
			ID          string `json:"id"`
			Name        string `json:"name"`
			HasScreen   bool   `json:"hasScreen"`
			IsAvailable *bool  `json:"isAvailable"`
			To          struct {
				Name           string `json:"name"`
				StatusCategory struct {
					Key string `json:"key"`
				} `json:"statusCategory"`
			} `json:"to"`
		} `json:"transitions"`
	}
	err := c.do(ctx, request{
		op: "list transitions of " + key, method: "GET",
		path: "/rest/api/3/issue/" + url.PathEscape(key) + "/transitions", out: &res,
	})
	if err != nil {
		return nil, err
	}
	out := make([]Transition, 0, len(res.Transitions))
	for _, t := range res.Transitions {
		out = append(out, Transition{
			ID: t.ID, Name: t.Name, ToStatus: t.To.Name, ToCategory: t.To.StatusCategory.Key,
			IsAvailable: t.IsAvailable == nil || *t.IsAvailable, HasScreen: t.HasScreen,
		})
	}
	return out, nil
}

// Transition moves ticket key along the workflow step with id.
func (c *Client) Transition(ctx context.Context, key, id string) error {
	return c.do(ctx, request{
		op: "move ticket " + key, method: "POST",
		path: "/rest/api/3/issue/" + url.PathEscape(key) + "/transitions",
		body: map[string]any{"transition": map[string]string{"id": id}},
	})
}

// Close moves ticket key to a status of the done category, through the
// first available transition that leads there. A ticket already done is
// left alone.
func (c *Client) Close(ctx context.Context, key string) error {
	trs, err := c.Transitions(ctx, key)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range trs {
		if t.ToCategory == rotation.CategoryDone && t.IsAvailable {
			return c.Transition(ctx, key, t.ID)
		}
		names = append(names, fmt.Sprintf("%s → %s (%s)", t.Name, t.ToStatus, t.ToCategory))
	}
	if t, err := c.Ticket(ctx, key); err == nil && t.StatusCategory == rotation.CategoryDone {
		return nil
	}
	return fmt.Errorf("jira: close ticket %s: no transition leads to a done status; available: %s", key, strings.Join(names, ", "))
}
