package relay

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// sender is who sent a request, known from how it authenticated.
type sender string

const (
	senderWebhook    sender = "jira-webhook"    // admin webhook, HMAC-signed
	senderAutomation sender = "jira-automation" // Automation "Send web request", static token
)

// jiraEvent is the part of a Jira webhook or Automation body the relay
// reads; everything else is ignored. Ids may be strings or numbers.
type jiraEvent struct {
	Timestamp    epochMillis    `json:"timestamp"`
	WebhookEvent string         `json:"webhookEvent"`
	Issue        *jiraIssue     `json:"issue"`
	Changelog    *jiraChangelog `json:"changelog"`
}

type jiraIssue struct {
	ID     flexString `json:"id"`
	Key    string     `json:"key"`
	Fields jiraFields `json:"fields"`
}

type jiraFields struct {
	Labels                   []string    `json:"labels"`
	Status                   *jiraStatus `json:"status"`
	StatusCategoryChangeDate string      `json:"statuscategorychangedate"`
	ResolutionDate           string      `json:"resolutiondate"`
}

type jiraStatus struct {
	ID             flexString `json:"id"`
	Name           string     `json:"name"`
	StatusCategory struct {
		Key string `json:"key"`
	} `json:"statusCategory"`
}

type jiraChangelog struct {
	Items []jiraChange `json:"items"`
}

type jiraChange struct {
	Field    string     `json:"field"`
	FieldID  string     `json:"fieldId"`
	To       flexString `json:"to"`
	ToString string     `json:"toString"`
}

// flexString accepts a JSON string, number or null.
type flexString string

func (s *flexString) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var v string
		if err := json.Unmarshal(b, &v); err != nil {
			return err
		}
		*s = flexString(v)
	case bytes.Equal(b, []byte("null")):
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or a number, got %.20s", b)
		}
		*s = flexString(n)
	}
	return nil
}

// epochMillis is Jira's "timestamp": milliseconds since the epoch, as a
// number (or, leniently, a string of digits). Zero when absent.
type epochMillis int64

func (m *epochMillis) UnmarshalJSON(b []byte) error {
	var s flexString
	if err := s.UnmarshalJSON(b); err != nil {
		return err
	}
	m.set(s)
	return nil
}

// set reads s as milliseconds; a value that is not an integer (a fraction,
// an exponent: not a time Jira writes) leaves m alone.
func (m *epochMillis) set(s flexString) {
	if s == "" {
		return
	}
	if v, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		*m = epochMillis(v)
	}
}

// badRequestError is a body that is authentic but unusable: answered 400.
type badRequestError struct{ msg string }

func (e *badRequestError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &badRequestError{msg: fmt.Sprintf(format, args...)}
}

// decodeEvent parses a request body. A body that is not a JSON object of
// the expected shape is a bad request.
func decodeEvent(body []byte) (*jiraEvent, error) {
	ev, err := parseEvent(body)
	if err != nil {
		var se *syntaxError
		if errors.As(err, &se) {
			return nil, badRequest("body is not valid JSON: %v", err)
		}
		return nil, badRequest("body is not a Jira issue event: %v", err)
	}
	return ev, nil
}

// decide turns an authentic event into the payload to forward. A non-empty
// drop reason means the event is not a completed rotation (answered 202);
// an error means the event claims to be one but carries unusable values
// (answered 400). now dates an event that carries no time at all.
func decide(ev *jiraEvent, from sender, deliveryID string, now time.Time) (p github.DispatchPayload, drop string, err error) {
	if from == senderWebhook {
		if ev.WebhookEvent != "jira:issue_updated" {
			return github.DispatchPayload{}, fmt.Sprintf("event %s is not an issue update", quote(ev.WebhookEvent)), nil
		}
		if !changesStatus(ev.Changelog) {
			return github.DispatchPayload{}, "the update did not change the status", nil
		}
	} else if ev.Changelog != nil && !changesStatus(ev.Changelog) {
		return github.DispatchPayload{}, "the update did not change the status", nil
	}
	if ev.Issue == nil {
		return github.DispatchPayload{}, "", badRequest(`body has no "issue" object`)
	}
	f := &ev.Issue.Fields
	if f.Status == nil {
		return github.DispatchPayload{}, "", badRequest(`issue has no "fields.status": send the issue with its fields`)
	}
	if cat := f.Status.StatusCategory.Key; cat != rotation.CategoryDone {
		return github.DispatchPayload{}, fmt.Sprintf("status %s is in category %s, not %q", quote(f.Status.Name), quote(cat), rotation.CategoryDone), nil
	}
	if !hasLabel(f.Labels, rotation.LabelRotor) {
		return github.DispatchPayload{}, fmt.Sprintf("the issue does not carry the %q label", rotation.LabelRotor), nil
	}
	id, other := identity(f.Labels)
	switch {
	case id == "":
		return github.DispatchPayload{}, fmt.Sprintf("the issue carries no %s<id> label", rotation.LabelPrefix), nil
	case other != "":
		return github.DispatchPayload{}, fmt.Sprintf("the issue names two credentials, %s and %s; it must name one", quote(id), quote(other)), nil
	}
	p = github.DispatchPayload{
		IssueKey:     ev.Issue.Key,
		CredentialID: id,
		DoneAt:       doneAt(ev, now).Format(time.RFC3339),
		DeliveryID:   deliveryID,
	}
	if err := p.Validate(); err != nil {
		return github.DispatchPayload{}, "", badRequest("%v", err)
	}
	return p, "", nil
}

func changesStatus(c *jiraChangelog) bool {
	if c == nil {
		return false
	}
	for _, it := range c.Items {
		if it.Field == "status" || it.FieldID == "status" {
			return true
		}
	}
	return false
}

func hasLabel(labels []string, want string) bool {
	for _, l := range labels {
		if l == want {
			return true
		}
	}
	return false
}

// identity returns the credential id that the rotor-<id> labels name, and
// another, different id when they name more than one.
func identity(labels []string) (id, other string) {
	for _, l := range labels {
		got, ok := rotation.CredentialIDFromLabels([]string{l})
		switch {
		case !ok || got == id:
		case id == "":
			id = got
		default:
			return id, got
		}
	}
	return id, ""
}

// Jira writes times as 2026-11-24T09:15:30.412+0000; RFC 3339 is accepted
// too. Go's parser takes the fraction without the layout naming it.
var jiraTimeLayouts = []string{"2006-01-02T15:04:05Z0700", time.RFC3339}

// doneAt is when the issue reached done: the status category change time,
// else the event's timestamp, else the resolution date, else now.
func doneAt(ev *jiraEvent, now time.Time) time.Time {
	f := &ev.Issue.Fields
	if t, ok := parseJiraTime(f.StatusCategoryChangeDate); ok {
		return t
	}
	if ev.Timestamp > 0 {
		if t := time.UnixMilli(int64(ev.Timestamp)).UTC(); plausible(t) {
			return t
		}
	}
	if t, ok := parseJiraTime(f.ResolutionDate); ok {
		return t
	}
	return now.UTC().Truncate(time.Second)
}

func parseJiraTime(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	for _, layout := range jiraTimeLayouts {
		if t, err := time.Parse(layout, s); err == nil && plausible(t) {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

// plausible keeps times that RFC 3339 can write (four-digit years) and
// that could be a rotation.
func plausible(t time.Time) bool {
	y := t.UTC().Year()
	return y >= 2000 && y <= 9999
}

// quote is %q for a value from outside, cut to a loggable length.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
