package githubtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call sends a request to the fake and decodes the answer.
func call(t *testing.T, s *Server, method, path, body, token string) (int, http.Header, any) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var v any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s %s: bad JSON %q", method, path, raw)
		}
	}
	return resp.StatusCode, resp.Header, v
}

func message(v any) string {
	m, _ := v.(map[string]any)
	s, _ := m["message"].(string)
	return s
}

func TestAuthIsRequired(t *testing.T) {
	s := New(t)
	for token, want := range map[string]string{"": "Requires authentication", "wrong": "Bad credentials"} {
		code, _, v := call(t, s, "GET", "/repos/acme/credential-register", "", token)
		if code != 401 || message(v) != want {
			t.Errorf("token %q: %d %v", token, code, v)
		}
	}
	if n := s.CallsTo(RouteRepository); n != 2 {
		t.Errorf("calls = %d", n)
	}
}

func TestUnexpectedRequestsAreRefusedAndRecorded(t *testing.T) {
	s := New(t)
	code, _, _ := call(t, s, "DELETE", "/repos/acme/credential-register/pulls/1", "", Token)
	if code != 404 {
		t.Errorf("code %d", code)
	}
	if u := s.Unexpected(); len(u) != 1 || u[0] != "DELETE /repos/acme/credential-register/pulls/1" {
		t.Errorf("Unexpected() = %v", u)
	}
	s.ResetCounts() // this test expected it; otherwise the fake fails the test at cleanup
	if code, _, v := call(t, s, "GET", "/repos/acme/other", "", Token); code != 404 || message(v) != "Not Found" {
		t.Errorf("another repository: %d %v", code, v)
	}
	if len(s.Unexpected()) != 0 {
		t.Errorf("another repository counted as unexpected: %v", s.Unexpected())
	}
}

func TestCreatePullAnswers(t *testing.T) {
	s := New(t)
	s.AddBranch("feature", "abc123")
	const body = `{"title":"T","head":"feature","base":"main","body":"B"}`
	code, h, v := call(t, s, "POST", "/repos/acme/credential-register/pulls", body, Token)
	pr, _ := v.(map[string]any)
	if code != 201 || pr["number"] != float64(1) || pr["state"] != "open" || pr["merged_at"] != nil || pr["html_url"] != "https://github.com/acme/credential-register/pull/1" {
		t.Fatalf("create: %d %v", code, v)
	}
	if head := pr["head"].(map[string]any); head["ref"] != "feature" || head["sha"] != "abc123" || head["label"] != "acme:feature" {
		t.Errorf("head = %v", head)
	}
	if h.Get("Location") == "" {
		t.Error("no Location")
	}
	tests := []struct {
		name, body string
		want       string // of errors[0], as resource/field/code/message
	}{
		{"already exists", body, "PullRequest//custom/A pull request already exists for acme:feature."},
		{"unknown head", `{"title":"T","head":"nope","base":"main"}`, "PullRequest/head/invalid/"},
		{"unknown base", `{"title":"T","head":"feature","base":"nope"}`, "PullRequest/base/invalid/"},
		{"missing title", `{"head":"feature","base":"main"}`, "PullRequest/title/missing_field/"},
	}
	for _, tt := range tests {
		code, _, v := call(t, s, "POST", "/repos/acme/credential-register/pulls", tt.body, Token)
		m, _ := v.(map[string]any)
		errs, _ := m["errors"].([]any)
		if code != 422 || m["message"] != "Validation Failed" || len(errs) == 0 {
			t.Errorf("%s: %d %v", tt.name, code, v)
			continue
		}
		e := errs[0].(map[string]any)
		str := func(k string) string { s, _ := e[k].(string); return s }
		if got := str("resource") + "/" + str("field") + "/" + str("code") + "/" + str("message"); got != tt.want {
			t.Errorf("%s: error %q, want %q", tt.name, got, tt.want)
		}
	}
	if code, _, _ := call(t, s, "POST", "/repos/acme/credential-register/pulls", `{`, Token); code != 400 {
		t.Errorf("bad JSON: %d", code)
	}
}

func TestListPaginates(t *testing.T) {
	s := New(t)
	for range 5 {
		s.AddPullRequest(PullRequest{Title: "x", Head: "b", Base: "main"})
	}
	code, h, v := call(t, s, "GET", "/repos/acme/credential-register/pulls?per_page=2&page=2&state=all&head=acme:b", "", Token)
	list, _ := v.([]any)
	if code != 200 || len(list) != 2 || list[0].(map[string]any)["number"] != float64(3) {
		t.Fatalf("%d %v", code, v)
	}
	link := h.Get("Link")
	for _, want := range []string{`page=3`, `rel="next"`, `rel="last"`, `rel="prev"`, `rel="first"`} {
		if !strings.Contains(link, want) {
			t.Errorf("Link %q lacks %s", link, want)
		}
	}
	if _, _, v := call(t, s, "GET", "/repos/acme/credential-register/pulls?head=other:b", "", Token); len(v.([]any)) != 0 {
		t.Errorf("another owner's head: %v", v)
	}
	if code, _, _ := call(t, s, "GET", "/repos/acme/credential-register/pulls?state=weird", "", Token); code != 422 {
		t.Errorf("bad state: %d", code)
	}
}

func TestLabelsAndUpdate(t *testing.T) {
	s := New(t)
	s.AddPullRequest(PullRequest{Title: "x", Head: "b", Base: "main"})
	code, _, v := call(t, s, "POST", "/repos/acme/credential-register/issues/1/labels", `{"labels":["rotor","rotor-a"]}`, Token)
	if l, _ := v.([]any); code != 200 || len(l) != 2 || l[0].(map[string]any)["name"] != "rotor" {
		t.Errorf("labels: %d %v", code, v)
	}
	if code, _, v := call(t, s, "POST", "/repos/acme/credential-register/issues/1/labels", `["rotor"]`, Token); code != 200 || len(v.([]any)) != 2 {
		t.Errorf("labels again: %d %v", code, v)
	}
	if code, _, _ := call(t, s, "POST", "/repos/acme/credential-register/issues/9/labels", `["rotor"]`, Token); code != 404 {
		t.Errorf("labels on #9: %d", code)
	}
	code, _, v = call(t, s, "PATCH", "/repos/acme/credential-register/pulls/1", `{"title":"new","state":"closed"}`, Token)
	if pr, _ := v.(map[string]any); code != 200 || pr["title"] != "new" || pr["state"] != "closed" || pr["merged"] != false {
		t.Errorf("patch: %d %v", code, v)
	}
}

func TestDispatchAndFaults(t *testing.T) {
	s := New(t)
	s.Inject(TooManyRequests(RouteDispatch, 2*time.Second))
	s.Inject(Fault{Route: RouteDispatch, Status: 500, AfterApply: true})
	const body = `{"event_type":"rotor.rotation-done","client_payload":{"issue_key":"SEC-1"}}`
	code, h, _ := call(t, s, "POST", "/repos/acme/credential-register/dispatches", body, Token)
	if code != 429 || h.Get("Retry-After") != "2" {
		t.Errorf("first: %d %v", code, h)
	}
	if code, _, _ := call(t, s, "POST", "/repos/acme/credential-register/dispatches", body, Token); code != 500 || s.Accepted() != 1 {
		t.Errorf("second: %d, accepted %d", code, s.Accepted())
	}
	if code, _, _ := call(t, s, "POST", "/repos/acme/credential-register/dispatches", body, Token); code != 204 || s.Accepted() != 2 {
		t.Errorf("third: %d, accepted %d", code, s.Accepted())
	}
	if code, _, _ := call(t, s, "POST", "/repos/acme/credential-register/dispatches", `{"client_payload":{}}`, Token); code != 422 {
		t.Errorf("no event type: %d", code)
	}
	if s.CallsTo(RouteDispatch) != 4 || s.PendingFaults() != 0 || len(s.Dispatches()) != 2 {
		t.Errorf("calls %v, pending %d, dispatches %d", s.Calls(), s.PendingFaults(), len(s.Dispatches()))
	}
}
