package fakeapi_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// recordingT is a testing.TB that keeps what the fake reports.
type recordingT struct {
	testing.TB
	errors []string
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingT) Helper() {}

func newAPI() fakeapi.API {
	return fakeapi.API{
		Name: "kittest",
		Routes: []fakeapi.Route{
			{Method: "GET", Pattern: "/things/{id}", Handle: func(w http.ResponseWriter, r *fakeapi.Request) {
				fakeapi.WriteJSON(w, http.StatusOK, "", map[string]string{"id": r.PathValue("id")})
			}},
			{Method: "POST", Pattern: "/things", Write: true, Handle: func(w http.ResponseWriter, r *fakeapi.Request) {
				fakeapi.WriteJSON(w, http.StatusCreated, "", map[string]string{"got": string(r.Body)})
			}},
			{Method: "GET", Pattern: "/open", Public: true, Handle: func(w http.ResponseWriter, _ *fakeapi.Request) {
				w.WriteHeader(http.StatusNoContent)
			}},
		},
		Authorize: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer good" },
		Refuse: func(w http.ResponseWriter, _ *http.Request) {
			fakeapi.WriteJSON(w, http.StatusUnauthorized, "", map[string]string{"message": "Bad credentials"})
		},
		NotFound: func(w http.ResponseWriter, _ *http.Request) {
			fakeapi.WriteJSON(w, http.StatusNotFound, "", map[string]string{"message": "Not Found"})
		},
		Error: func(w http.ResponseWriter, status int) {
			fakeapi.WriteJSON(w, status, "", map[string]string{"message": http.StatusText(status)})
		},
	}
}

func do(t *testing.T, s *fakeapi.Server, method, path, body string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer good")
	client := s.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return 0, err.Error(), nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b)), resp.Header
}

func TestRoutesCountsAndExchanges(t *testing.T) {
	s := fakeapi.New(newAPI())
	s.Start(t)

	if code, body, _ := do(t, s, "GET", "/things/42", ""); code != 200 || body != `{"id":"42"}` {
		t.Errorf("GET /things/42 = %d %s", code, body)
	}
	if code, body, _ := do(t, s, "POST", "/things", "hello"); code != 201 || body != `{"got":"hello"}` {
		t.Errorf("POST /things = %d %s", code, body)
	}
	if got := s.CallsTo("GET /things/{id}"); got != 1 {
		t.Errorf("calls to GET /things/{id} = %d, want 1", got)
	}
	if s.Writes() != 1 || s.Total() != 2 {
		t.Errorf("writes %d total %d, want 1 and 2", s.Writes(), s.Total())
	}
	ex := s.Exchanges()
	if len(ex) != 2 || ex[1].Route != "POST /things" || string(ex[1].RequestBody) != "hello" || ex[1].Status != 201 || !ex[1].Authorized {
		t.Errorf("exchanges = %+v", ex)
	}
}

func TestUnauthorizedIsRefusedButCounted(t *testing.T) {
	s := fakeapi.New(newAPI())
	s.Start(t)
	resp, err := s.Client().Get(s.URL + "/things/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || s.CallsTo("GET /things/{id}") != 1 {
		t.Errorf("status %d calls %d, want 401 and 1", resp.StatusCode, s.CallsTo("GET /things/{id}"))
	}
	resp, err = s.Client().Get(s.URL + "/open")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("public route answered %d without credentials, want 204", resp.StatusCode)
	}
}

func TestUnexpectedRequestsFailTheTest(t *testing.T) {
	for _, tc := range []struct{ method, path string }{
		{"GET", "/nothing"},
		{"DELETE", "/things/1"},   // a known path with another method: not a 405 from ServeMux
		{"GET", "/things//1"},     // not clean: not a redirect from ServeMux
		{"GET", "/things/1/more"}, // a template matches whole segments only
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			rt := &recordingT{TB: t}
			s := fakeapi.New(newAPI())
			s.Start(t)
			code, _, _ := do(t, s, tc.method, tc.path, "")
			if code != http.StatusNotFound {
				t.Errorf("answered %d, want the API's 404", code)
			}
			s.Verify(rt)
			if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], tc.method+" "+tc.path) {
				t.Errorf("Verify reported %q, want the unexpected request", rt.errors)
			}
			s.ResetCounts() // the real cleanup must not fail this test
		})
	}
}

func TestFaultThatNeverFiredFailsTheTest(t *testing.T) {
	rt := &recordingT{TB: t}
	s := fakeapi.New(newAPI())
	s.Start(t)
	s.Inject(fakeapi.Fault{Route: "POST /things", Status: 503})
	s.Inject(fakeapi.Fault{Method: "GET", PathPrefix: "/things/", Status: 429, RetryAfter: 1500 * time.Millisecond})
	if code, _, h := do(t, s, "GET", "/things/7", ""); code != 429 || h.Get("Retry-After") != "2" {
		t.Errorf("GET answered %d Retry-After %q, want 429 and 2", code, h.Get("Retry-After"))
	}
	s.Verify(rt)
	if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], "503 for POST /things") {
		t.Errorf("Verify reported %q, want the fault that never fired", rt.errors)
	}
	s.ClearFaults()
}

func TestFaultSkipTimesAfterApplyAndBody(t *testing.T) {
	s := fakeapi.New(newAPI())
	s.Start(t)
	s.Inject(fakeapi.Fault{Route: "POST /things", Status: 502, Skip: 1, Times: 2, AfterApply: true})
	s.Inject(fakeapi.Fault{Route: "GET /things/{id}", Status: 200, Body: `not json`})

	var codes []int
	for range 4 {
		code, _, _ := do(t, s, "POST", "/things", "x")
		codes = append(codes, code)
	}
	if fmt.Sprint(codes) != "[201 502 502 201]" {
		t.Errorf("answers = %v, want one through, two faulted, then through", codes)
	}
	if code, body, _ := do(t, s, "GET", "/things/1", ""); code != 200 || body != "not json" {
		t.Errorf("a fault's body = %d %q", code, body)
	}
	faulted := 0
	for _, ex := range s.Exchanges() {
		if ex.Faulted {
			faulted++
		}
	}
	if faulted != 3 || s.PendingFaults() != 0 {
		t.Errorf("faulted %d pending %d, want 3 and 0", faulted, s.PendingFaults())
	}
}

func TestFaultHangup(t *testing.T) {
	s := fakeapi.New(newAPI())
	s.Start(t)
	s.Inject(fakeapi.Fault{Route: "GET /things/{id}", Hangup: true})
	if code, msg, _ := do(t, s, "GET", "/things/1", ""); code != 0 || !strings.Contains(msg, "EOF") {
		t.Errorf("a hang-up answered %d %q, want a dropped connection", code, msg)
	}
}

func TestSleeper(t *testing.T) {
	var sl fakeapi.Sleeper
	ctx, cancel := context.WithCancel(context.Background())
	if err := sl.Sleep(ctx, time.Second); err != nil {
		t.Fatal(err)
	}
	sl.Hook = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
	if err := sl.Sleep(ctx, 2*time.Second); err != context.Canceled {
		t.Errorf("a hook that cancels: err = %v", err)
	}
	if fmt.Sprint(sl.Waits()) != "[1s 2s]" || sl.Total() != 3*time.Second {
		t.Errorf("waits %v total %v", sl.Waits(), sl.Total())
	}
}

func TestFaultBodyCarriesTheAPIsContentType(t *testing.T) {
	for _, tc := range []struct{ contentType, want string }{
		{"", "application/json; charset=utf-8"},
		{"application/json;charset=UTF-8", "application/json;charset=UTF-8"},
	} {
		api := newAPI()
		api.ContentType = tc.contentType
		s := fakeapi.New(api)
		s.Start(t)
		s.Inject(fakeapi.Fault{Route: "GET /things/{id}", Status: 200, Body: `{}`})
		if _, _, h := do(t, s, "GET", "/things/1", ""); h.Get("Content-Type") != tc.want {
			t.Errorf("ContentType %q: a fault's body answered Content-Type %q, want %q", tc.contentType, h.Get("Content-Type"), tc.want)
		}
	}
}

func TestFaultsThatNeverFiredAreNamedWithWhatIsLeft(t *testing.T) {
	rt := &recordingT{TB: t}
	s := fakeapi.New(newAPI())
	s.Start(t)
	s.Inject(fakeapi.Fault{Route: "GET /things/{id}", Status: 500, Times: 3})
	s.Inject(fakeapi.Fault{Route: "POST /things", Hangup: true, AfterApply: true})
	s.Inject(fakeapi.Fault{Method: "GET", Status: 429, Skip: 2})
	do(t, s, "GET", "/things/1", "")
	s.Verify(rt)
	want := []string{"500 for GET /things/{id} (2 answers left)", "hang-up after applying for POST /things", "429 for GET * (after letting 2 through)"}
	for _, w := range want {
		if len(rt.errors) != 1 || !strings.Contains(rt.errors[0], w) {
			t.Errorf("Verify reported %q, want %q in it", rt.errors, w)
		}
	}
	s.ClearFaults()
}
