package github_test

import (
	"testing"

	"github.com/rotor-dev/rotor/internal/github"
)

func TestPayloadValidate(t *testing.T) {
	ok := github.DispatchPayload{IssueKey: "SEC-42", CredentialID: "payments-db-admin", DoneAt: "2026-11-24T09:15:30Z", DeliveryID: "abc-1"}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid payload: %v", err)
	}
	bad := []github.DispatchPayload{
		{IssueKey: "S-1", CredentialID: "a", DoneAt: ok.DoneAt},                       // key needs two characters before the dash
		{IssueKey: "SEC-42", CredentialID: "Payments", DoneAt: ok.DoneAt},             // id not kebab
		{IssueKey: "SEC-42", CredentialID: "a", DoneAt: "2026-11-24"},                 // not RFC 3339
		{IssueKey: "SEC-42", CredentialID: "a", DoneAt: ok.DoneAt, DeliveryID: "x\n"}, // delivery id
		{IssueKey: "SEC-42\n", CredentialID: "a", DoneAt: ok.DoneAt},
	}
	for _, p := range bad {
		if err := p.Validate(); err == nil {
			t.Errorf("%+v: no error", p)
		}
	}
}
