package reconcile

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Result is the outcome of one action.
type Result struct {
	Action Action
	// Key is the ticket acted on: the new key after a create.
	Key string
	// Err is why the action failed; nil when it succeeded.
	Err error
}

// String says what happened in one line, for progress output:
// "created SEC-14 for db-admin", "FAILED to update SEC-7 (ldap-bind): ...".
func (r Result) String() string {
	what := string(r.Action.Kind) + " "
	if r.Key != "" {
		what += r.Key + " (" + r.Action.CredentialID + ")"
	} else {
		what += "a ticket for " + r.Action.CredentialID
	}
	if r.Err != nil {
		return "FAILED to " + what + ": " + textsafe.OneLine(r.Err.Error())
	}
	past := map[Kind]string{KindCreate: "created", KindUpdate: "updated", KindEscalate: "escalated", KindOrphan: "orphaned"}[r.Action.Kind]
	if r.Action.Kind == KindCreate {
		return past + " " + r.Key + " for " + r.Action.CredentialID
	}
	return past + " " + r.Key + " (" + r.Action.CredentialID + ")"
}

// OK reports whether the action succeeded.
func (r Result) OK() bool { return r.Err == nil }

// MarshalJSON renders the result with stable snake_case keys and the error
// as text.
func (r Result) MarshalJSON() ([]byte, error) {
	v := struct {
		Kind         Kind   `json:"kind"`
		CredentialID string `json:"credential_id"`
		TicketKey    string `json:"ticket_key,omitempty"`
		OK           bool   `json:"ok"`
		Error        string `json:"error,omitempty"`
	}{Kind: r.Action.Kind, CredentialID: r.Action.CredentialID, TicketKey: r.Key, OK: r.Err == nil}
	if r.Err != nil {
		v.Error = r.Err.Error()
	}
	return json.Marshal(v)
}

// Results are the outcomes of a plan's actions, in plan order.
type Results []Result

// Failed returns the results of the actions that failed.
func (rs Results) Failed() []Result {
	var out []Result
	for _, r := range rs {
		if r.Err != nil {
			out = append(out, r)
		}
	}
	return out
}

// Apply runs every action of p against tr, in plan order, and returns one
// result per action. A failed action does not stop the ones after it; once
// ctx is done, the actions not yet started fail with ctx's error. progress,
// when not nil, is called after each action.
func Apply(ctx context.Context, tr rotation.Tracker, p *Plan, progress func(Result)) Results {
	out := make(Results, 0, len(p.Actions))
	for _, a := range p.Actions {
		r := Result{Action: a, Key: a.TicketKey}
		if err := ctx.Err(); err != nil {
			r.Err = fmt.Errorf("not started: %w", err)
		} else {
			r.Key, r.Err = apply(ctx, tr, &a)
		}
		out = append(out, r)
		if progress != nil {
			progress(r)
		}
	}
	return out
}

// apply runs one action and returns the key of the ticket it acted on.
func apply(ctx context.Context, tr rotation.Tracker, a *Action) (string, error) {
	switch a.Kind {
	case KindCreate:
		if a.NewTicket == nil {
			return "", fmt.Errorf("create for %s: the action has no ticket", a.CredentialID)
		}
		return tr.Create(ctx, *a.NewTicket)
	case KindUpdate:
		if a.Update == nil || a.Update.IsEmpty() {
			return a.TicketKey, nil
		}
		return a.TicketKey, tr.Update(ctx, a.TicketKey, *a.Update)
	case KindEscalate, KindOrphan:
		// The comment first, the marker label last: a ticket is marked
		// only once its comment is there (see the package documentation).
		if a.Comment != "" {
			if err := commentOnce(ctx, tr, a); err != nil {
				return a.TicketKey, err
			}
		}
		if a.Update != nil && !a.Update.IsEmpty() {
			if err := tr.Update(ctx, a.TicketKey, *a.Update); err != nil {
				return a.TicketKey, fmt.Errorf("the comment is there, but marking the ticket failed (the next run marks it, without commenting again): %w", err)
			}
		}
		return a.TicketKey, nil
	}
	return a.TicketKey, fmt.Errorf("unknown action %q", a.Kind)
}

// commentOnce posts a's comment unless the ticket already holds a comment
// with its marker: an earlier attempt whose answer was lost, or whose
// marking failed, posted it.
func commentOnce(ctx context.Context, tr rotation.Tracker, a *Action) error {
	if a.Marker != "" {
		texts, err := tr.Comments(ctx, a.TicketKey)
		if err != nil {
			return fmt.Errorf("read the comments before commenting: %w", err)
		}
		for _, text := range texts {
			if hasParagraph(text, a.Marker) {
				return nil
			}
		}
	}
	return tr.Comment(ctx, a.TicketKey, a.Comment)
}

// hasParagraph reports whether text (paragraphs split by blank lines) has
// a paragraph that is p: a person quoting the marker in a sentence does
// not count.
func hasParagraph(text, p string) bool {
	for _, para := range strings.Split(text, "\n\n") {
		if strings.TrimSpace(para) == p {
			return true
		}
	}
	return false
}
