package github_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/github"
)

func sampleEvent(t testing.TB) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "repository-dispatch-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadDispatchEvent(t *testing.T) {
	ev, err := github.ReadDispatchEvent(filepath.Join("testdata", "repository-dispatch-event.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := github.DispatchEvent{
		Action:     "rotor.rotation-done",
		Branch:     "main",
		Repository: "acme/secrets-register",
		Sender:     "rotor-relay[bot]",
		Payload:    github.DispatchPayload{IssueKey: "SEC-42", CredentialID: "payments-db-admin", DoneAt: "2026-11-26T09:30:00Z", DeliveryID: "5c8f3a1e-2b7d-4e0a-9f61-0d3c2b1a4e5f"},
	}
	if !reflect.DeepEqual(ev, want) {
		t.Errorf("event = %+v\nwant %+v", ev, want)
	}
	if _, err := github.ReadDispatchEvent("testdata"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("a folder: err = %v", err)
	}
	if _, err := github.ReadDispatchEvent(filepath.Join(t.TempDir(), "none.json")); err == nil {
		t.Error("a missing file: no error")
	}
}

// edit returns the sample event with f applied to its decoded form.
func edit(t testing.TB, f func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(sampleEvent(t), &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, _ := json.Marshal(m)
	return b
}

func payloadOf(m map[string]any) map[string]any { return m["client_payload"].(map[string]any) }

func TestDecodeDispatchEventRefuses(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "not a JSON object"},
		{"an array", []byte(`[]`), "not a JSON object"},
		{"null", []byte(`null`), `no "action"`},
		{"trailing data", append(sampleEvent(t), []byte(` {}`)...), "more after"},
		{"too large", []byte(`{"action":"` + strings.Repeat("x", github.MaxEventBytes) + `"}`), "larger than"},
		{"another event type", edit(t, func(m map[string]any) { m["action"] = "opened" }), `action is "opened"`},
		{"no action", edit(t, func(m map[string]any) { delete(m, "action") }), `no "action"`},
		{"no payload", edit(t, func(m map[string]any) { delete(m, "client_payload") }), "no payload"},
		{"payload is a string", edit(t, func(m map[string]any) { m["client_payload"] = "x" }), "not a JSON object"},
		{"unknown payload key", edit(t, func(m map[string]any) { payloadOf(m)["extra"] = "x" }), `unknown member "extra"`},
		{"missing payload key", edit(t, func(m map[string]any) { delete(payloadOf(m), "done_at") }), "done_at is missing"},
		{"number instead of string", edit(t, func(m map[string]any) { payloadOf(m)["issue_key"] = 42 }), "issue_key is 42, not a string"},
		{"object instead of string", edit(t, func(m map[string]any) { payloadOf(m)["credential_id"] = map[string]any{} }), "credential_id is an object"},
		{"invalid value", edit(t, func(m map[string]any) { payloadOf(m)["credential_id"] = "../../etc" }), "not a credential id"},
		{"duplicate key", []byte(`{"action":"rotor.rotation-done","client_payload":{"issue_key":"SEC-1","issue_key":"SEC-2","credential_id":"a","done_at":"2026-11-26T09:30:00Z","delivery_id":""}}`), "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := github.DecodeDispatchEvent(tt.data)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

// FuzzDecodeEvent holds the strict decoder to encoding/json: whatever it
// accepts is a JSON object whose action and payload encoding/json reads
// the same, and whose payload passes Validate.
func FuzzDecodeEvent(f *testing.F) {
	f.Add(sampleEvent(f))
	f.Add([]byte(`{"action":"rotor.rotation-done","client_payload":{"issue_key":"SEC-1","credential_id":"a","done_at":"2026-11-26T09:30:00Z","delivery_id":""}}`))
	f.Add([]byte(`{"action":"rotor.rotation-done","client_payload":{"issue_key":"SEC-1","issue_key":"SEC-2"}}`))
	f.Add([]byte(`{"action":"rotor.rotation-done","client_payload":{"issue_key":"SEC-1","credential_id":"a","done_at":"2026-11-26T09:30:00Z","delivery_id":"","x":1}}`))
	f.Add([]byte(`{"action":"opened"}`))
	f.Add([]byte(`{"action":null,"client_payload":null}`))
	f.Add([]byte(`{"action":"rotor.rotation-done","client_payload":{"issue_key":"SEC-\u0031","credential_id":"a","done_at":"2026-11-26T09:30:00+01:00","delivery_id":"x"}} `))
	f.Add([]byte(`[1,2]`))
	f.Add([]byte(``))
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, err := github.DecodeDispatchEvent(data)
		if err != nil {
			return
		}
		var ref struct {
			Action        string          `json:"action"`
			ClientPayload json.RawMessage `json:"client_payload"`
		}
		if jerr := json.Unmarshal(data, &ref); jerr != nil {
			t.Fatalf("accepted what encoding/json refuses (%v): %q", jerr, data)
		}
		var p map[string]any
		if jerr := json.Unmarshal(ref.ClientPayload, &p); jerr != nil || len(p) != 4 {
			t.Fatalf("accepted a payload that is not an object of four members (%v, %v): %q", jerr, p, data)
		}
		want := github.DispatchPayload{}
		want.IssueKey, _ = p["issue_key"].(string)
		want.CredentialID, _ = p["credential_id"].(string)
		want.DoneAt, _ = p["done_at"].(string)
		want.DeliveryID, _ = p["delivery_id"].(string)
		if ref.Action != github.DispatchEventType || ev.Action != ref.Action || ev.Payload != want {
			t.Fatalf("decoded %+v, encoding/json reads %q %+v", ev, ref.Action, want)
		}
		if err := ev.Payload.Validate(); err != nil {
			t.Fatalf("accepted an invalid payload: %v", err)
		}
	})
}
