package github

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// DispatchEventType is the repository_dispatch event type the relay sends
// when a rotor ticket is done; the record workflow listens for it
// (on: repository_dispatch: types: [rotor.rotation-done]), and in the
// event file it is the "action".
const DispatchEventType = "rotor.rotation-done"

// DispatchPayload is the client_payload of the dispatch: exactly these
// four keys, all strings.
type DispatchPayload struct {
	IssueKey     string `json:"issue_key"`
	CredentialID string `json:"credential_id"`
	DoneAt       string `json:"done_at"`     // RFC 3339, UTC
	DeliveryID   string `json:"delivery_id"` // Jira's X-Atlassian-Webhook-Identifier, or ""
}

var (
	issueKeyPattern   = regexp.MustCompile(`^[A-Z][A-Z0-9_]+-[0-9]+$`)
	deliveryIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:-]*$`)
)

// Bounds on the values a payload may carry.
const (
	MaxIssueKeyLength   = 64
	MaxDeliveryIDLength = 128
)

// ValidIssueKey reports whether key is a Jira issue key ("SEC-42").
func ValidIssueKey(key string) bool {
	return len(key) <= MaxIssueKeyLength && issueKeyPattern.MatchString(key)
}

// ValidDeliveryID reports whether id may serve as a delivery id: empty, or
// up to 128 letters, digits and ._:- characters.
func ValidDeliveryID(id string) bool {
	return id == "" || (len(id) <= MaxDeliveryIDLength && deliveryIDPattern.MatchString(id))
}

// Validate checks every value of p; the relay sends nothing that fails it,
// and the decoder of the event file runs the same check.
func (p DispatchPayload) Validate() error {
	var errs []error
	if !ValidIssueKey(p.IssueKey) {
		errs = append(errs, fmt.Errorf("issue_key %s is not a Jira issue key (like SEC-42)", quote(p.IssueKey)))
	}
	if !rotation.ValidID(p.CredentialID) {
		errs = append(errs, fmt.Errorf("credential_id %s is not a credential id (lower-case kebab, at most %d characters)", quote(p.CredentialID), rotation.MaxIDLength))
	}
	if _, err := time.Parse(time.RFC3339, p.DoneAt); err != nil {
		errs = append(errs, fmt.Errorf("done_at %s is not an RFC 3339 time", quote(p.DoneAt)))
	}
	if !ValidDeliveryID(p.DeliveryID) {
		errs = append(errs, fmt.Errorf("delivery_id %s is not a delivery id", quote(p.DeliveryID)))
	}
	return errors.Join(errs...)
}

// quote is %q for a value from outside, cut to a loggable length.
func quote(s string) string {
	const max = 64
	if len(s) > max {
		return strconv.Quote(s[:max]) + "..."
	}
	return strconv.Quote(s)
}
