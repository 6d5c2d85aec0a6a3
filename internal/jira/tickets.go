package jira

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/ctreminiom/go-atlassian/v2/pkg/infra/models"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// ticketFields are the fields rotor reads; a JQL search returns only the
// fields it is asked for.
var ticketFields = []string{
	"summary", "labels", "duedate", "assignee", "priority", "status",
	"resolutiondate", "statuscategorychangedate",
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

// maxPages bounds a search whose tokens never end.
const maxPages = 10000

// search runs one JQL search, following nextPageToken until a page comes
// without one or says isLast. A token Jira already gave in this search
// means the pages loop: that is an error, not the end, because a search cut
// short would hide open tickets and make rotor open second ones.
func (c *Client) search(ctx context.Context, op, jql string) ([]rotation.Ticket, error) {
	var out []rotation.Ticket
	token := ""
	seen := map[string]bool{}
	for n := 0; ; n++ {
		if n == maxPages {
			return nil, fmt.Errorf("jira: %s: more than %d pages of results", op, maxPages)
		}
		var (
			page    searchAnswer
			tickets []rotation.Ticket
		)
		err := c.call(ctx, op, false, func(ctx context.Context) (r *models.ResponseScheme, err error) {
			if _, r, err = c.api.SearchJQL(ctx, jql, c.readFields, c.pageSize, token); err != nil {
				return r, err
			}
			if err = expect(r, http.StatusOK, &page); err != nil {
				return r, err
			}
			if page.Issues == nil {
				return r, unexpected("no issues")
			}
			for i, raw := range *page.Issues {
				t, err := c.readTicket(raw)
				if err != nil {
					return r, fmt.Errorf("issue %d of the page: %w", i+1, err)
				}
				tickets = append(tickets, t)
			}
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		out = append(out, tickets...)
		next := ""
		if page.NextPageToken != nil {
			next = *page.NextPageToken
		}
		if page.IsLast != nil && *page.IsLast || next == "" {
			return out, nil
		}
		if seen[next] {
			return nil, fmt.Errorf("jira: %s: page %d repeats the nextPageToken of an earlier page; Jira's paging loops, so the search is incomplete", op, n+1)
		}
		seen[next] = true
		token = next
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
	t, _, err := c.getTicket(ctx, key, false)
	return t, err
}

// LocatedTicket returns one ticket by key, as Ticket does, with the key of
// the project it is in and the name of its issue type, read from the same
// answer. Jira answers a key the issue had before it moved with the issue
// as it is now, in its new project. An answer without both is an error
// matching ErrUnexpectedAnswer.
func (c *Client) LocatedTicket(ctx context.Context, key string) (t rotation.Ticket, project, issueType string, err error) {
	t, p, err := c.getTicket(ctx, key, true)
	return t, p.project, p.issueType, err
}

// getTicket reads one ticket, and where it is when located.
func (c *Client) getTicket(ctx context.Context, key string, located bool) (rotation.Ticket, place, error) {
	if key == "" {
		return rotation.Ticket{}, place{}, errors.New("jira: read ticket: no key given")
	}
	var (
		t rotation.Ticket
		p place
	)
	fields := c.readFields
	if located {
		fields = append(append([]string(nil), fields...), placeFields...)
	}
	err := c.call(ctx, "read ticket "+key, false, func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.GetIssue(ctx, key, fields); err != nil {
			return r, err
		}
		if err = expect(r, http.StatusOK, nil); err != nil {
			return r, err
		}
		if t, err = c.readTicket(r.Bytes.Bytes()); err != nil || !located {
			return r, err
		}
		p, err = readPlace(r.Bytes.Bytes())
		if err != nil {
			err = fmt.Errorf("%s: %w", t.Key, err)
		}
		return r, err
	})
	if err != nil {
		return rotation.Ticket{}, place{}, err
	}
	return t, p, nil
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
		if hasSpace(l) {
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

// hasSpace reports whether s holds any white space, which a Jira label
// may not.
func hasSpace(s string) bool { return strings.IndexFunc(s, unicode.IsSpace) >= 0 }

// customFields adds the mapped custom fields that have a value.
func (c *Client) customFields(cf *models.CustomFields, v rotation.CustomValues) error {
	var errs []error
	if id := c.fields.CredentialName; id != "" && v.CredentialName != "" {
		errs = append(errs, cf.Text(id, v.CredentialName))
	}
	if id := c.fields.ContactPerson; id != "" && v.ContactPerson != "" {
		errs = append(errs, cf.Text(id, v.ContactPerson))
	}
	if id := c.fields.NextDueDate; id != "" && !v.NextDueDate.IsZero() {
		errs = append(errs, cf.Date(id, v.NextDueDate.Time()))
	}
	return errors.Join(errs...)
}

// rawField sets field id to value as it is, for what go-atlassian's model
// cannot express (an explicit null, an ADF document with no content): the
// library merges these maps into the request body.
func rawField(cf *models.CustomFields, id string, value any) {
	cf.Fields = append(cf.Fields, map[string]any{"fields": map[string]any{id: value}})
}

func date(d rotation.Date) *models.DateScheme {
	v := models.DateScheme(d.Time())
	return &v
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
	fields := &models.IssueFieldsScheme{
		Project:   &models.ProjectScheme{Key: c.project},
		IssueType: &models.IssueTypeScheme{Name: c.issueType},
		Summary:   t.Summary,
		Labels:    lbls,
	}
	if !t.DueDate.IsZero() {
		fields.DueDate = date(t.DueDate)
	}
	if t.AssigneeID != "" {
		fields.Assignee = &models.UserScheme{AccountID: t.AssigneeID}
	}
	if c.overdue != "" && slices.Contains(lbls, rotation.LabelOverdue) {
		fields.Priority = &models.PriorityScheme{Name: c.overdue}
	}
	raw := &models.CustomFields{}
	// The model's description drops an empty content list, which ADF requires.
	rawField(raw, "description", describe(t.Description))
	if err := c.customFields(raw, t.Fields); err != nil {
		return "", fmt.Errorf("jira: %s: %w", op, err)
	}
	issue := &models.IssueScheme{Fields: fields}

	p := c.retry
	for attempt := 1; ; attempt++ {
		var created createdAnswer
		err := c.call(ctx, op, true, func(ctx context.Context) (r *models.ResponseScheme, err error) {
			if _, r, err = c.api.CreateIssue(ctx, issue, raw); err != nil {
				return r, err
			}
			if err = expect(r, http.StatusCreated, &created); err == nil && (created.Key == nil || *created.Key == "") {
				err = unexpected("no issue key")
			}
			return r, err
		})
		if err == nil {
			return *created.Key, nil
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

// Update edits an open ticket: only the members u sets are sent. Labels
// are added, never replaced.
func (c *Client) Update(ctx context.Context, key string, u rotation.TicketUpdate) error {
	op := "update ticket " + key
	if u.IsEmpty() {
		return nil
	}
	// The model carries the values; raw carries the nulls that clear a
	// field, and the custom fields.
	fields := &models.IssueFieldsScheme{}
	raw := &models.CustomFields{}
	inModel := false
	if u.Summary != nil {
		if strings.TrimSpace(*u.Summary) == "" {
			return fmt.Errorf("jira: %s: the summary is empty", op)
		}
		fields.Summary, inModel = *u.Summary, true
	}
	if u.DueDate != nil {
		if u.DueDate.IsZero() {
			rawField(raw, "duedate", nil)
		} else {
			fields.DueDate, inModel = date(*u.DueDate), true
		}
	}
	if u.AssigneeID != nil {
		if *u.AssigneeID == "" {
			rawField(raw, "assignee", nil)
		} else {
			fields.Assignee, inModel = &models.UserScheme{AccountID: *u.AssigneeID}, true
		}
	}
	if u.Priority != "" {
		fields.Priority, inModel = &models.PriorityScheme{Name: u.Priority}, true
	}
	issue := &models.IssueScheme{}
	if inModel {
		issue.Fields = fields
	}
	if u.Fields != nil {
		if err := c.customFields(raw, *u.Fields); err != nil {
			return fmt.Errorf("jira: %s: %w", op, err)
		}
	}
	var ops *models.UpdateOperations
	if len(u.AddLabels) > 0 || len(u.RemoveLabels) > 0 {
		labelOps := make([]map[string]any, 0, len(u.AddLabels)+len(u.RemoveLabels))
		for _, set := range []struct {
			verb   string
			labels []string
		}{{"add", u.AddLabels}, {"remove", u.RemoveLabels}} {
			for _, l := range set.labels {
				if hasSpace(l) || l == "" {
					return fmt.Errorf("jira: %s: label %q is empty or contains a space, which Jira refuses", op, l)
				}
				labelOps = append(labelOps, map[string]any{set.verb: l})
			}
		}
		ops = &models.UpdateOperations{}
		if err := ops.AddMultiRawOperation("labels", labelOps); err != nil {
			return fmt.Errorf("jira: %s: %w", op, err)
		}
	}
	if issue.Fields == nil && len(raw.Fields) == 0 && ops == nil {
		return nil // only unmapped or empty custom fields were given
	}
	return c.call(ctx, op, false, func(ctx context.Context) (*models.ResponseScheme, error) {
		r, err := c.api.EditIssue(ctx, key, issue, raw, ops)
		if err == nil {
			err = expect(r, http.StatusNoContent, nil)
		}
		return r, err
	})
}

// Comment adds a comment; blank lines split paragraphs.
//
// A comment is retried freely on 429 and 503. After a failure that may
// have been applied (no answer, a 500 or 502), rotor first reads the
// comments and stops if the newest one holds this text, rather than
// posting it a second time.
func (c *Client) Comment(ctx context.Context, key, text string) error {
	op := "comment on ticket " + key
	doc := plainText(text)
	if len(doc.Content) == 0 {
		return fmt.Errorf("jira: %s: the comment is empty", op)
	}
	body := doc.node()
	want := nodeText(body)
	post := func() error {
		return c.call(ctx, op, true, func(ctx context.Context) (*models.ResponseScheme, error) {
			r, err := c.api.AddComment(ctx, key, body)
			if err == nil {
				var posted commentAnswer
				if err = expect(r, http.StatusCreated, &posted); err == nil && (posted.ID == nil || *posted.ID == "") {
					err = unexpected("no comment id")
				}
			}
			return r, err
		})
	}
	p := c.retry
	err := post()
	for attempt := 1; err != nil && isAmbiguous(err) && ctx.Err() == nil && attempt < p.MaxAttempts; attempt++ {
		if serr := p.Sleep(ctx, p.backoff(attempt)); serr != nil {
			return err
		}
		texts, lerr := c.Comments(ctx, key)
		if lerr != nil {
			return fmt.Errorf("%w; then: %w", err, lerr)
		}
		if n := len(texts); n > 0 && texts[n-1] == want {
			return nil // the failed attempt landed
		}
		err = post()
	}
	return err
}

// maxComments bounds the comments Comments reads: a ticket with more is
// not one rotor keeps.
const maxComments = 5000

// Comments returns the plain text of every comment on the ticket, oldest
// first, one string per comment (paragraphs joined by blank lines).
func (c *Client) Comments(ctx context.Context, key string) ([]string, error) {
	op := "read the comments of ticket " + key
	const page = 100
	var out []string
	for start := 0; ; {
		var pg commentPageAnswer
		err := c.call(ctx, op, false, func(ctx context.Context) (r *models.ResponseScheme, err error) {
			if _, r, err = c.api.Comments(ctx, key, start, page); err != nil {
				return r, err
			}
			if err = expect(r, http.StatusOK, &pg); err != nil {
				return r, err
			}
			if pg.Comments == nil || pg.Total == nil {
				return r, unexpected("no comments or no total")
			}
			for _, cm := range *pg.Comments {
				if cm == nil || cm.ID == nil || cm.Body == nil {
					return r, unexpected("a comment without an id or a body")
				}
			}
			return r, nil
		})
		if err != nil {
			return nil, err
		}
		for _, cm := range *pg.Comments {
			out = append(out, nodeText(cm.Body))
		}
		n := len(*pg.Comments)
		start += n
		switch {
		case n == 0 || start >= *pg.Total:
			return out, nil
		case start >= maxComments:
			return nil, fmt.Errorf("jira: %s: more than %d comments", op, maxComments)
		}
	}
}

// nodeText is the plain text of an ADF node: text nodes in order,
// paragraphs and other blocks separated by blank lines.
func nodeText(n *models.CommentNodeScheme) string {
	if n == nil {
		return ""
	}
	if n.Type == "text" {
		return n.Text
	}
	var b strings.Builder
	for _, child := range n.Content {
		t := nodeText(child)
		if child != nil && child.Type != "text" && child.Type != "hardBreak" && b.Len() > 0 && t != "" {
			b.WriteString("\n\n")
		}
		if child != nil && child.Type == "hardBreak" {
			b.WriteString("\n")
		}
		b.WriteString(t)
	}
	return b.String()
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
	// The model's IsAvailable cannot tell false from absent, which rotor
	// reads as available: decode the raw answer.
	var res transitionsAnswer
	err := c.call(ctx, "list transitions of "+key, false, func(ctx context.Context) (*models.ResponseScheme, error) {
		_, r, err := c.api.Transitions(ctx, key)
		if err != nil {
			return r, err
		}
		if err = expect(r, http.StatusOK, &res); err != nil {
			return r, err
		}
		if res.Transitions == nil {
			return r, unexpected("no transitions")
		}
		for _, t := range *res.Transitions {
			if t.ID == nil || *t.ID == "" {
				return r, unexpected("a transition without an id")
			}
			if err := t.To.check(); err != nil {
				return r, fmt.Errorf("transition %s: %w", *t.ID, err)
			}
		}
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Transition, 0, len(*res.Transitions))
	for _, t := range *res.Transitions {
		out = append(out, Transition{
			ID: *t.ID, Name: t.Name, ToStatus: *t.To.Name, ToCategory: *t.To.StatusCategory.Key,
			IsAvailable: t.IsAvailable == nil || *t.IsAvailable, HasScreen: t.HasScreen,
		})
	}
	return out, nil
}

// Transition moves ticket key along the workflow step with id.
func (c *Client) Transition(ctx context.Context, key, id string) error {
	return c.call(ctx, "move ticket "+key, false, func(ctx context.Context) (*models.ResponseScheme, error) {
		r, err := c.api.Transition(ctx, key, id)
		if err == nil {
			err = expect(r, http.StatusNoContent, nil)
		}
		return r, err
	})
}

// Close moves ticket key to a status of the done category, through the
// first available transition that leads there. A ticket already done is
// left alone, and so is a failed transition that left the ticket done (a
// retry after a lost answer finds the transition gone).
func (c *Client) Close(ctx context.Context, key string) error {
	trs, err := c.Transitions(ctx, key)
	if err != nil {
		return err
	}
	var names []string
	for _, t := range trs {
		if t.ToCategory == rotation.CategoryDone && t.IsAvailable {
			err := c.Transition(ctx, key, t.ID)
			if err != nil && c.isDone(ctx, key) {
				return nil
			}
			return err
		}
		names = append(names, fmt.Sprintf("%s → %s (%s)", t.Name, t.ToStatus, t.ToCategory))
	}
	if c.isDone(ctx, key) {
		return nil
	}
	return fmt.Errorf("jira: close ticket %s: no transition leads to a done status; available: %s", key, strings.Join(names, ", "))
}

// isDone reports whether ticket key is known to be in the done category.
func (c *Client) isDone(ctx context.Context, key string) bool {
	t, err := c.Ticket(ctx, key)
	return err == nil && t.StatusCategory == rotation.CategoryDone
}

// Authenticate checks that Jira accepts the credentials (GET
// /rest/api/3/myself), so that a command that will need Jira later can
// fail before its other work. rotor doctor says more about a failure.
func (c *Client) Authenticate(ctx context.Context) error {
	var me myselfAnswer
	return c.call(ctx, "check the credentials", true, func(ctx context.Context) (r *models.ResponseScheme, err error) {
		if _, r, err = c.api.Myself(ctx); err == nil {
			if err = expect(r, http.StatusOK, &me); err == nil && (me.AccountID == nil || *me.AccountID == "") {
				err = unexpected("no accountId")
			}
		}
		return r, err
	})
}
