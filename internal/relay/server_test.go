package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/relay/relaytest"
)

func TestForwardsSignedDoneEvent(t *testing.T) {
	h := start(t)
	r := h.postSigned(doneEvent(t), "d-1")
	if r.status != http.StatusOK || r.body.Outcome != outcomeForwarded {
		t.Fatalf("got %d %+v, want 200 forwarded", r.status, r.body)
	}
	if r.header.Get("X-Request-Id") == "" || r.header.Get("X-Request-Id") != r.body.RequestID {
		t.Errorf("request id header %q, body %q: want the same, non-empty", r.header.Get("X-Request-Id"), r.body.RequestID)
	}
	ds := h.github.Dispatches()
	if len(ds) != 1 {
		t.Fatalf("GitHub got %d dispatches, want 1", len(ds))
	}
	d := ds[0]
	if d.EventType != "rotor.rotation-done" {
		t.Errorf("event_type = %q", d.EventType)
	}
	want := map[string]any{
		"issue_key":     "SEC-42",
		"credential_id": "payments-db-admin",
		"done_at":       "2026-11-24T09:15:30Z",
		"delivery_id":   "d-1",
	}
	if !reflect.DeepEqual(d.ClientPayload, want) {
		t.Errorf("client_payload = %v\nwant %v", d.ClientPayload, want)
	}
	if got := d.Header.Get("Authorization"); got != "Bearer "+testToken {
		t.Errorf("Authorization = %q", got)
	}
	if got := d.Header.Get("Accept"); got != "application/vnd.github+json" {
		t.Errorf("Accept = %q", got)
	}
}

func TestDeliveryIDIsEmptyWhenAbsent(t *testing.T) {
	h := start(t)
	if r := h.postSigned(doneEvent(t), ""); r.status != http.StatusOK {
		t.Fatalf("got %d %+v", r.status, r.body)
	}
	ds := h.github.Dispatches()
	if len(ds) != 1 {
		t.Fatalf("GitHub got %d dispatches, want 1", len(ds))
	}
	if v, ok := ds[0].ClientPayload["delivery_id"]; !ok || v != "" {
		t.Errorf("delivery_id = %v (present %v), want present and empty", v, ok)
	}
}

func TestAuthentication(t *testing.T) {
	body := doneEvent(t)
	good := Sign([]byte(testSecret), body)
	tests := []struct {
		name    string
		headers map[string]string
		want    int
	}{
		{"unsigned", nil, http.StatusUnauthorized},
		{"wrong secret", map[string]string{HeaderSignature: Sign([]byte("another-secret-0123456789abcdef"), body)}, http.StatusUnauthorized},
		{"signature of another body", map[string]string{HeaderSignature: Sign([]byte(testSecret), append(body, ' '))}, http.StatusUnauthorized},
		{"bare hex", map[string]string{HeaderSignature: good[len("sha256="):]}, http.StatusUnauthorized},
		{"sha1", map[string]string{HeaderSignature: "sha1=" + good[len("sha256="):]}, http.StatusUnauthorized},
		{"truncated", map[string]string{HeaderSignature: good[:len(good)-2]}, http.StatusUnauthorized},
		{"not hex", map[string]string{HeaderSignature: "sha256=" + strings.Repeat("zz", 32)}, http.StatusUnauthorized},
		{"automation token while off", map[string]string{HeaderToken: testAutomation}, http.StatusUnauthorized},
		{"signed", map[string]string{HeaderSignature: good}, http.StatusOK},
		{"signed, upper-case hex", map[string]string{HeaderSignature: "sha256=" + strings.ToUpper(good[len("sha256="):])}, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			r := h.post(body, tt.headers)
			if r.status != tt.want {
				t.Fatalf("got %d %+v, want %d", r.status, r.body, tt.want)
			}
			wantCalls := 0
			if tt.want == http.StatusOK {
				wantCalls = 1
			}
			if n := h.github.Calls(); n != wantCalls {
				t.Errorf("GitHub got %d calls, want %d", n, wantCalls)
			}
			if strings.Contains(r.body.Reason, good[len("sha256="):]) {
				t.Errorf("answer reveals the expected signature: %q", r.body.Reason)
			}
		})
	}
}

func TestLimitsAndMalformedRequests(t *testing.T) {
	big := bytes.Repeat([]byte(" "), MaxBodyBytes+1)
	largest := padded(t, "webhook-issue-updated-in-progress.json", MaxBodyBytes)
	tests := []struct {
		name    string
		method  string
		path    string
		body    []byte
		chunked bool
		want    int
		outcome string
	}{
		{name: "oversized", method: "POST", path: PathJira, body: big, want: http.StatusRequestEntityTooLarge, outcome: outcomeTooLarge},
		{name: "oversized, chunked", method: "POST", path: PathJira, body: big, chunked: true, want: http.StatusRequestEntityTooLarge, outcome: outcomeTooLarge},
		{name: "largest body", method: "POST", path: PathJira, body: largest, want: http.StatusAccepted, outcome: outcomeDropped},
		{name: "largest body, chunked", method: "POST", path: PathJira, body: largest, chunked: true, want: http.StatusAccepted, outcome: outcomeDropped},
		{name: "not JSON", method: "POST", path: PathJira, body: []byte(`{"issue":`), want: http.StatusBadRequest, outcome: outcomeBadRequest},
		{name: "JSON array", method: "POST", path: PathJira, body: []byte(`[1,2]`), want: http.StatusBadRequest, outcome: outcomeBadRequest},
		{name: "labels of the wrong type", method: "POST", path: PathJira, body: []byte(`{"webhookEvent":"jira:issue_updated","issue":{"fields":{"labels":"rotor"}}}`), want: http.StatusBadRequest, outcome: outcomeBadRequest},
		{name: "trailing garbage", method: "POST", path: PathJira, body: append(fixture(t, "webhook-issue-updated-done.json"), []byte("}")...), want: http.StatusBadRequest, outcome: outcomeBadRequest},
		{name: "GET on the webhook", method: "GET", path: PathJira, want: http.StatusMethodNotAllowed, outcome: outcomeBadMethod},
		{name: "PUT on the webhook", method: "PUT", path: PathJira, body: []byte(`{}`), want: http.StatusMethodNotAllowed, outcome: outcomeBadMethod},
		{name: "healthz", method: "GET", path: PathHealthz, want: http.StatusOK, outcome: outcomeHealthy},
		{name: "POST on healthz", method: "POST", path: PathHealthz, want: http.StatusMethodNotAllowed, outcome: outcomeBadMethod},
		{name: "unknown path", method: "POST", path: "/webhook/other", want: http.StatusNotFound, outcome: outcomeNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			req, err := http.NewRequest(tt.method, h.relay.URL()+tt.path, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.chunked {
				req.ContentLength = -1
				req.Body = io.NopCloser(struct{ io.Reader }{bytes.NewReader(tt.body)})
			}
			if tt.body != nil {
				req.Header.Set(HeaderSignature, Sign([]byte(testSecret), tt.body))
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			if tt.want == http.StatusMethodNotAllowed && resp.Header.Get("Allow") == "" {
				t.Error("405 without an Allow header")
			}
			if n := h.github.Calls(); n != 0 {
				t.Errorf("GitHub got %d calls, want none", n)
			}
			lines := h.logLines()
			if len(lines) != 1 || lines[0]["outcome"] != tt.outcome {
				t.Errorf("log = %v, want one line with outcome %q", lines, tt.outcome)
			}
		})
	}
}

func TestIrrelevantEventsAreDropped(t *testing.T) {
	const done = "webhook-issue-updated-done.json"
	tests := []struct {
		name string
		body []byte
	}{
		{"moved into progress", fixture(t, "webhook-issue-updated-in-progress.json")},
		{"no status change", edited(t, done, func(m map[string]any) {
			m["changelog"] = map[string]any{"items": []any{map[string]any{"field": "labels", "fieldId": "labels", "from": "", "to": "rotor"}}}
		})},
		{"no changelog", edited(t, done, func(m map[string]any) { delete(m, "changelog") })},
		{"issue created", edited(t, done, func(m map[string]any) { m["webhookEvent"] = "jira:issue_created" })},
		{"comment event", edited(t, done, func(m map[string]any) {
			m["webhookEvent"] = "comment_created"
			delete(m, "issue")
		})},
		{"no rotor label", edited(t, done, func(m map[string]any) { fields(m)["labels"] = []any{"rotor-payments-db-admin"} })},
		{"no identity label", edited(t, done, func(m map[string]any) { fields(m)["labels"] = []any{"rotor", "rotor-overdue"} })},
		{"identity label with a bad id", edited(t, done, func(m map[string]any) { fields(m)["labels"] = []any{"rotor", "rotor-Payments_DB"} })},
		{"two identity labels", edited(t, done, func(m map[string]any) {
			fields(m)["labels"] = []any{"rotor", "rotor-payments-db-admin", "rotor-billing-api-key"}
		})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			r := h.postSigned(tt.body, "")
			if r.status != http.StatusAccepted || r.body.Outcome != outcomeDropped || r.body.Reason == "" {
				t.Fatalf("got %d %+v, want 202 dropped with a reason", r.status, r.body)
			}
			if n := h.github.Calls(); n != 0 {
				t.Errorf("GitHub got %d calls, want none", n)
			}
		})
	}
}

func TestUnusableValuesAreRejected(t *testing.T) {
	const done = "webhook-issue-updated-done.json"
	tests := []struct {
		name     string
		body     []byte
		delivery string
	}{
		{"lower-case issue key", edited(t, done, func(m map[string]any) { m["issue"].(map[string]any)["key"] = "sec-42" }), ""},
		{"issue key with a quote", edited(t, done, func(m map[string]any) { m["issue"].(map[string]any)["key"] = `SEC-42"` }), ""},
		{"no status", edited(t, done, func(m map[string]any) { delete(fields(m), "status") }), ""},
		{"delivery id with spaces", doneEvent(t), "a b"},
		{"delivery id too long", doneEvent(t), strings.Repeat("a", 129)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			r := h.postSigned(tt.body, tt.delivery)
			if r.status != http.StatusBadRequest {
				t.Fatalf("got %d %+v, want 400", r.status, r.body)
			}
			if n := h.github.Calls(); n != 0 {
				t.Errorf("GitHub got %d calls, want none", n)
			}
		})
	}
}

func TestDuplicateDeliveries(t *testing.T) {
	h := start(t, func(c *Config) { c.DedupeWindow = time.Hour })
	body := doneEvent(t)

	for i, want := range []string{outcomeForwarded, outcomeDuplicate, outcomeDuplicate} {
		r := h.postSigned(body, "delivery-7")
		if r.status != http.StatusOK || r.body.Outcome != want {
			t.Fatalf("delivery %d: got %d %+v, want 200 %s", i+1, r.status, r.body, want)
		}
	}
	if n := h.github.Calls(); n != 1 {
		t.Fatalf("GitHub got %d calls, want 1", n)
	}

	// Another event under another id is another delivery.
	if r := h.postSigned(doneEventNo(t, 1), "delivery-8"); r.body.Outcome != outcomeForwarded {
		t.Fatalf("other delivery: %+v", r.body)
	}
	// The same id is the same delivery, whatever the body.
	if r := h.postSigned(doneEventNo(t, 2), "delivery-7"); r.body.Outcome != outcomeDuplicate {
		t.Fatalf("the same id with another body: %+v, want duplicate", r.body)
	}
	// Past the window, the id and the body are forgotten.
	h.clock.Advance(time.Hour)
	if r := h.postSigned(body, "delivery-7"); r.body.Outcome != outcomeForwarded {
		t.Fatalf("after the window: %+v, want forwarded", r.body)
	}
	if n := h.github.Calls(); n != 3 {
		t.Errorf("GitHub got %d calls, want 3", n)
	}
}

// The delivery id is not signed: the same signed body under another id, or
// none, is the same event (Jira's events differ in their timestamp; a
// retry resends the same bytes), and is forwarded once within the window.
func TestSameBodyIsForwardedOnce(t *testing.T) {
	h := start(t)
	body := doneEvent(t)
	for i, id := range []string{"d-1", "d-2", "", "d-3", ""} {
		want := outcomeDuplicate
		if i == 0 {
			want = outcomeForwarded
		}
		if r := h.postSigned(body, id); r.status != http.StatusOK || r.body.Outcome != want {
			t.Errorf("delivery %d (id %q): got %d %+v, want 200 %s", i+1, id, r.status, r.body, want)
		}
	}
	if n := h.github.Accepted(); n != 1 {
		t.Fatalf("GitHub accepted %d dispatches of the same body, want 1", n)
	}
	// Another event is another body, even for the same ticket.
	if r := h.postSigned(doneEventNo(t, 1), ""); r.body.Outcome != outcomeForwarded {
		t.Errorf("another event: %+v, want forwarded", r.body)
	}
	// Past the window, the body is forgotten.
	h.clock.Advance(time.Hour)
	if r := h.postSigned(body, "d-4"); r.body.Outcome != outcomeForwarded {
		t.Errorf("after the window: %+v, want forwarded", r.body)
	}
	if n := h.github.Accepted(); n != 3 {
		t.Errorf("GitHub accepted %d dispatches, want 3", n)
	}
}

// A body is remembered only once GitHub has accepted its dispatch: after a
// failed forward, Jira's retry of the same bytes is forwarded.
func TestFailedForwardIsForwardedOnRetry(t *testing.T) {
	h := start(t) // three calls per forward
	h.github.Script(relaytest.Response{Status: 500}, relaytest.Response{Status: 502}, relaytest.Response{Status: 503})
	body := doneEvent(t)
	for i, want := range []struct {
		id      string
		status  int
		outcome string
	}{
		{"d-1", http.StatusBadGateway, outcomeUpstream},
		{"", http.StatusOK, outcomeForwarded},
		{"d-1", http.StatusOK, outcomeDuplicate},
	} {
		if r := h.postSigned(body, want.id); r.status != want.status || r.body.Outcome != want.outcome {
			t.Errorf("delivery %d: got %d %+v, want %d %s", i+1, r.status, r.body, want.status, want.outcome)
		}
	}
	if calls, n := h.github.Calls(), h.github.Accepted(); calls != 4 || n != 1 {
		t.Errorf("GitHub got %d calls and accepted %d, want 4 and 1", calls, n)
	}
}

// The same body being forwarded under another id is busy, like the same id.
func TestSameBodyInFlightIsBusy(t *testing.T) {
	h := start(t)
	arrived, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(held) })
	defer release() // also when the test fails early
	h.github.OnCall = func(n int) {
		if n == 1 {
			close(arrived)
			<-held
		}
	}
	body := doneEvent(t)
	first := h.goPostSigned(body, "d-1")
	<-arrived
	for _, id := range []string{"d-2", ""} {
		if r := h.postSigned(body, id); r.status != http.StatusConflict || r.body.Outcome != outcomeBusy {
			t.Errorf("the same body (id %q) while it is in flight: %d %+v, want 409 busy", id, r.status, r.body)
		}
	}
	release()
	if r := <-first; r.status != http.StatusOK {
		t.Errorf("first: %d %+v", r.status, r.body)
	}
	if n := h.github.Calls(); n != 1 {
		t.Errorf("GitHub got %d calls, want 1", n)
	}
}

func TestDeliveryInFlightIsBusy(t *testing.T) {
	h := start(t)
	arrived, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(held) })
	defer release() // also when the test fails early
	h.github.OnCall = func(n int) {
		if n == 1 {
			close(arrived)
			<-held
		}
	}
	body := doneEvent(t)
	first := h.goPostSigned(body, "same")
	<-arrived
	if r := h.postSigned(body, "same"); r.status != http.StatusConflict || r.body.Outcome != outcomeBusy {
		t.Errorf("second, while the first is in flight: %d %+v, want 409 busy", r.status, r.body)
	}
	release()
	if r := <-first; r.status != http.StatusOK {
		t.Errorf("first: %d %+v", r.status, r.body)
	}
	if r := h.postSigned(body, "same"); r.body.Outcome != outcomeDuplicate {
		t.Errorf("third: %+v, want duplicate", r.body)
	}
	if n := h.github.Calls(); n != 1 {
		t.Errorf("GitHub got %d calls, want 1", n)
	}
}

func TestGitHubFailures(t *testing.T) {
	tests := []struct {
		name      string
		script    []relaytest.Response
		want      int
		wantCalls int
		logs      string // in the error of the log line
	}{
		{name: "down then up", script: []relaytest.Response{{Status: 503}, {Status: 502}}, want: 200, wantCalls: 3},
		{name: "connection dropped then up", script: []relaytest.Response{{Hangup: true}}, want: 200, wantCalls: 2},
		{name: "rate limited then up", script: []relaytest.Response{{Status: 429, Header: map[string]string{"Retry-After": "0"}}}, want: 200, wantCalls: 2},
		{name: "down for good", script: []relaytest.Response{{Status: 500}, {Status: 500}, {Status: 500}}, want: 502, wantCalls: 3},
		{name: "422 is not retried", script: []relaytest.Response{{Status: 422}}, want: 502, wantCalls: 1},
		{name: "401 is not retried", script: []relaytest.Response{{Status: 401}}, want: 502, wantCalls: 1},
		{name: "404 is not retried", script: []relaytest.Response{{Status: 404}}, want: 502, wantCalls: 1},
		{name: "200 is not 204", script: []relaytest.Response{{Status: 200, Body: "{}"}}, want: 502, wantCalls: 1},
		{name: "secondary rate limit (403 with Retry-After) then up", script: []relaytest.Response{{Status: 403, Header: map[string]string{"Retry-After": "0"}}}, want: 200, wantCalls: 2},
		{name: "primary rate limit (403, none remaining) until later", script: []relaytest.Response{{Status: 403, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "4102444800"}}}, want: 502, wantCalls: 1, logs: "rate limited"},
		{name: "403 without a rate limit is a permission", script: []relaytest.Response{{Status: 403}}, want: 502, wantCalls: 1, logs: "Contents: read and write"},
		{name: "Retry-After beyond the deadline", script: []relaytest.Response{{Status: 429, Header: map[string]string{"Retry-After": "60"}}}, want: 502, wantCalls: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t)
			h.github.Script(tt.script...)
			r := h.postSigned(doneEvent(t), "d-1")
			if r.status != tt.want {
				t.Fatalf("got %d %+v, want %d", r.status, r.body, tt.want)
			}
			if n := h.github.Calls(); n != tt.wantCalls {
				t.Errorf("GitHub got %d calls, want %d", n, tt.wantCalls)
			}
			if tt.want == http.StatusBadGateway {
				// Not remembered: Jira's retry is forwarded.
				if r := h.postSigned(doneEvent(t), "d-1"); r.status != http.StatusOK || r.body.Outcome != outcomeForwarded {
					t.Errorf("Jira's retry: got %d %+v, want 200 forwarded", r.status, r.body)
				}
			}
			if tt.logs != "" {
				if lines := h.logLines(); len(lines) == 0 || !strings.Contains(fmt.Sprint(lines[0]["error"]), tt.logs) {
					t.Errorf("log = %v, want an error containing %q", lines, tt.logs)
				}
			}
		})
	}
}

func TestGitHubUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	h := start(t, func(c *Config) { c.GitHubAPIURL = closed })
	r := h.postSigned(doneEvent(t), "d-1")
	if r.status != http.StatusBadGateway {
		t.Fatalf("got %d %+v, want 502", r.status, r.body)
	}
	lines := h.logLines()
	if len(lines) != 1 || lines[0]["attempts"] != float64(3) {
		t.Errorf("log = %v, want one line with 3 attempts", lines)
	}
}

func TestAutomationSender(t *testing.T) {
	body := fixture(t, "automation-issue-done.json")
	inProgress := edited(t, "automation-issue-done.json", func(m map[string]any) {
		fields(m)["status"] = map[string]any{"id": 3, "name": "In Progress", "statusCategory": map[string]any{"id": 4, "key": "indeterminate"}}
	})
	tests := []struct {
		name    string
		body    []byte
		token   string
		want    int
		outcome string
	}{
		{"done", body, testAutomation, 200, outcomeForwarded},
		{"in progress", inProgress, testAutomation, 202, outcomeDropped},
		{"wrong token", body, testAutomation + "x", 401, outcomeUnauthorized},
		{"empty token", body, "", 401, outcomeUnauthorized},
		{"webhook secret as token", body, testSecret, 401, outcomeUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, func(c *Config) { c.AutomationToken = testAutomation })
			req, _ := http.NewRequest("POST", h.relay.URL()+PathJira, bytes.NewReader(tt.body))
			req.Header[HeaderToken] = []string{tt.token}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("got %d, want %d", resp.StatusCode, tt.want)
			}
			ds := h.github.Dispatches()
			if tt.want != 200 {
				if len(ds) != 0 {
					t.Errorf("GitHub got %d dispatches, want none", len(ds))
				}
				return
			}
			want := map[string]any{"issue_key": "SEC-42", "credential_id": "payments-db-admin", "done_at": "2026-11-24T09:15:30Z", "delivery_id": ""}
			if len(ds) != 1 || !reflect.DeepEqual(ds[0].ClientPayload, want) {
				t.Errorf("dispatches = %+v, want one with %v", ds, want)
			}
			if lines := h.logLines(); len(lines) != 1 || lines[0]["sender"] != string(senderAutomation) {
				t.Errorf("log = %v, want sender %s", lines, senderAutomation)
			}
		})
	}
}

func TestLogsOneLinePerRequestWithoutSecrets(t *testing.T) {
	h := start(t, func(c *Config) { c.AutomationToken = testAutomation })
	body := doneEvent(t)
	sig := Sign([]byte(testSecret), body)
	h.postSigned(body, "d-1")
	h.post(body, map[string]string{HeaderSignature: Sign([]byte("wrong-secret-0123456789abcdef"), body)})
	h.post(body, map[string]string{HeaderToken: "not-the-token-0123456789"})
	h.do("GET", PathHealthz, nil, nil)
	lines := h.logLines()
	var requests []map[string]any
	for _, l := range lines {
		if l["msg"] == "request" {
			requests = append(requests, l)
		}
	}
	if len(requests) != 4 {
		t.Fatalf("got %d request lines, want 4:\n%s", len(requests), h.logs.String())
	}
	for _, l := range requests {
		for _, k := range []string{"request_id", "status", "outcome", "duration_ms"} {
			if _, ok := l[k]; !ok {
				t.Errorf("log line without %q: %v", k, l)
			}
		}
	}
	out := h.logs.String()
	for _, secret := range []string{testSecret, testToken, testAutomation, sig, sig[len("sha256="):], "not-the-token"} {
		if strings.Contains(out, secret) {
			t.Errorf("logs contain a secret or signature %q", secret)
		}
	}
}

func TestGracefulShutdownDrainsRequestInFlight(t *testing.T) {
	h := start(t)
	arrived, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(held) })
	defer release() // also when the test fails early
	h.github.OnCall = func(int) {
		close(arrived)
		<-held
	}
	inflight := h.goPostSigned(doneEvent(t), "d-1")
	<-arrived

	closed := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		closed <- h.relay.Close(ctx)
	}()
	// Once Close has begun, the listener refuses new connections.
	addr := strings.TrimPrefix(h.relay.URL(), "http://")
	for deadline := time.Now().Add(5 * time.Second); ; {
		if time.Now().After(deadline) {
			t.Fatal("the listener still accepts connections 5s after Close began")
		}
		c, err := net.Dial("tcp", addr)
		if err != nil {
			break
		}
		c.Close()
		select {
		case err := <-closed:
			t.Fatalf("Close returned %v while a request was in flight", err)
		default:
		}
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned %v while a request was in flight", err)
	default:
	}
	release()
	if r := <-inflight; r.status != http.StatusOK || r.body.Outcome != outcomeForwarded {
		t.Errorf("in-flight request: %d %+v, want 200 forwarded", r.status, r.body)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	h.closed = true
}

func TestRunServesUntilContextEnds(t *testing.T) {
	_, gh := relaytest.Start(t, testOwner, testRepo, testToken)
	cfg := Config{Addr: "127.0.0.1:0", WebhookSecret: testSecret, GitHubToken: testToken, Repository: testOwner + "/" + testRepo, GitHubAPIURL: gh.URL}
	lines := make(chan map[string]any, 16)
	logger := slog.New(slog.NewJSONHandler(lineWriter(lines), nil))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, cfg, logger) }()

	first := <-lines
	url, _ := first["url"].(string)
	if first["msg"] != "relay listening" || url == "" {
		t.Fatalf("first log line = %v, want \"relay listening\" with a url", first)
	}
	resp, err := http.Get(url + PathHealthz)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("healthz: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run: %v", err)
	}
}

// lineWriter decodes each JSON log line onto ch.
type lineWriter chan map[string]any

func (w lineWriter) Write(p []byte) (int, error) {
	var m map[string]any
	if json.Unmarshal(p, &m) == nil {
		select {
		case w <- m:
		default:
		}
	}
	return len(p), nil
}

func TestRunRefusesBadConfig(t *testing.T) {
	err := Run(context.Background(), Config{Addr: "127.0.0.1:0"}, nil)
	if err == nil || !strings.Contains(err.Error(), EnvWebhookSecret) {
		t.Errorf("Run: %v, want an error naming %s", err, EnvWebhookSecret)
	}
}
