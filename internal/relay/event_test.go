package relay

import (
	"strings"
	"testing"
	"time"
)

var receivedAt = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

func TestDecideDoneAt(t *testing.T) {
	const done = "webhook-issue-updated-done.json"
	tests := []struct {
		name string
		body []byte
		want string
	}{
		{"status category change date", fixture(t, done), "2026-11-24T09:15:30Z"},
		{"RFC 3339 change date", edited(t, done, func(m map[string]any) {
			fields(m)["statuscategorychangedate"] = "2026-11-24T10:15:30+01:00"
		}), "2026-11-24T09:15:30Z"},
		{"timestamp", edited(t, done, func(m map[string]any) {
			delete(fields(m), "statuscategorychangedate")
		}), "2026-11-20T11:15:30Z"},
		{"timestamp as a string", edited(t, done, func(m map[string]any) {
			delete(fields(m), "statuscategorychangedate")
			m["timestamp"] = "1795173330000"
		}), "2026-11-20T11:15:30Z"},
		{"resolution date", edited(t, done, func(m map[string]any) {
			fields(m)["statuscategorychangedate"] = "garbage"
			delete(m, "timestamp")
		}), "2026-11-24T09:15:30Z"},
		{"nothing: the time it arrived", edited(t, done, func(m map[string]any) {
			delete(fields(m), "statuscategorychangedate")
			delete(fields(m), "resolutiondate")
			m["timestamp"] = 1e20
		}), "2026-11-24T12:00:00Z"},
		{"implausible years are skipped", edited(t, done, func(m map[string]any) {
			fields(m)["statuscategorychangedate"] = "0001-01-01T00:00:00.000+0000"
			m["timestamp"] = -5
		}), "2026-11-24T09:15:30Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := decodeEvent(tt.body)
			if err != nil {
				t.Fatal(err)
			}
			p, drop, err := decide(ev, senderWebhook, "", receivedAt)
			if err != nil || drop != "" {
				t.Fatalf("decide: drop %q, err %v", drop, err)
			}
			if p.DoneAt != tt.want {
				t.Errorf("done_at = %q, want %q", p.DoneAt, tt.want)
			}
		})
	}
}

func TestDecideAutomationWithoutChangelog(t *testing.T) {
	ev, err := decodeEvent(fixture(t, "automation-issue-done.json"))
	if err != nil {
		t.Fatal(err)
	}
	if _, drop, _ := decide(ev, senderWebhook, "", receivedAt); !strings.Contains(drop, "not an issue update") {
		t.Errorf("as a webhook: drop %q, want it dropped as not an issue update", drop)
	}
	p, drop, err := decide(ev, senderAutomation, "", receivedAt)
	if err != nil || drop != "" {
		t.Fatalf("as automation: drop %q, err %v", drop, err)
	}
	if p.IssueKey != "SEC-42" || p.CredentialID != "payments-db-admin" {
		t.Errorf("payload = %+v", p)
	}
}

func TestDecideIdentityLabels(t *testing.T) {
	tests := []struct {
		name   string
		labels []any
		id     string // forwarded with this id, or dropped when empty
		reason string // in the drop reason
	}{
		{"one", []any{"rotor", "rotor-a"}, "a", ""},
		{"the same one twice", []any{"rotor", "rotor-a", "rotor-a"}, "a", ""},
		{"none", []any{"rotor", "rotor-overdue"}, "", "no rotor-<id> label"},
		{"two", []any{"rotor", "rotor-a", "rotor-b"}, "", `"a" and "b"`},
		{"two, the second repeated", []any{"rotor", "rotor-a", "rotor-b", "rotor-b"}, "", `"a" and "b"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, err := decodeEvent(edited(t, "webhook-issue-updated-done.json", func(m map[string]any) { fields(m)["labels"] = tt.labels }))
			if err != nil {
				t.Fatal(err)
			}
			p, drop, err := decide(ev, senderWebhook, "", receivedAt)
			if err != nil {
				t.Fatal(err)
			}
			if p.CredentialID != tt.id || !strings.Contains(drop, tt.reason) {
				t.Errorf("credential %q, drop %q; want credential %q, a drop reason with %q", p.CredentialID, drop, tt.id, tt.reason)
			}
		})
	}
}
