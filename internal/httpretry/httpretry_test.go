package httpretry_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/httpretry"
)

const ms = time.Millisecond

var now = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// answer is one scripted reply of the fake base transport: a status with
// headers and a body, or a transport error.
type answer struct {
	status int
	header map[string]string
	body   string
	err    error
}

// script is a base RoundTripper that answers in order and records the
// bodies it was sent.
type script struct {
	mu      sync.Mutex
	answers []answer
	bodies  []string
}

func (s *script) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b []byte
	if r.Body != nil {
		b, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	s.bodies = append(s.bodies, string(b))
	a := answer{status: 200, body: "ok"}
	if len(s.answers) > 0 {
		a, s.answers = s.answers[0], s.answers[1:]
	}
	if a.err != nil {
		return nil, a.err
	}
	h := http.Header{}
	for k, v := range a.header {
		h.Set(k, v)
	}
	return &http.Response{StatusCode: a.status, Header: h, Body: io.NopCloser(strings.NewReader(a.body)), Request: r}, nil
}

func newTransport(base http.RoundTripper, sl *fakeapi.Sleeper, edit ...func(*httpretry.Transport)) *httpretry.Transport {
	t := &httpretry.Transport{
		Base: base,
		Policy: httpretry.Policy{
			BaseDelay: ms,
			MaxDelay:  8 * ms,
			Sleep:     sl.Sleep,
			Jitter:    func(d time.Duration) time.Duration { return d },
			Now:       func() time.Time { return now },
		},
	}
	for _, e := range edit {
		e(t)
	}
	return t
}

func github(t *httpretry.Transport) { t.Policy.GitHubRateLimits = true }

func TestRoundTrip(t *testing.T) {
	reset := func(d time.Duration) string { return strconv.FormatInt(now.Add(d).Unix(), 10) }
	tests := []struct {
		name      string
		method    string
		safety    httpretry.Safety
		edit      func(*httpretry.Transport)
		answers   []answer
		wantSends int
		wantWaits []time.Duration
		wantCode  int // of the final answer; 0: an error
		wantNote  string
	}{
		{name: "200 is final", method: "GET", wantSends: 1, wantCode: 200},
		{name: "429 with Retry-After seconds", method: "POST", answers: []answer{{status: 429, header: map[string]string{"Retry-After": "7"}}}, wantSends: 2, wantWaits: []time.Duration{7 * time.Second}, wantCode: 200},
		{name: "Retry-After as an HTTP date", method: "GET", answers: []answer{{status: 503, header: map[string]string{"Retry-After": now.Add(4 * time.Second).Format(http.TimeFormat)}}}, wantSends: 2, wantWaits: []time.Duration{4 * time.Second}, wantCode: 200},
		{name: "Retry-After date in the past", method: "GET", answers: []answer{{status: 503, header: map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}}}, wantSends: 2, wantWaits: []time.Duration{0}, wantCode: 200},
		{name: "Retry-After is capped", method: "GET", answers: []answer{{status: 429, header: map[string]string{"Retry-After": "120"}}}, wantSends: 2, wantWaits: []time.Duration{30 * time.Second}, wantCode: 200},
		{name: "bad Retry-After backs off", method: "GET", answers: []answer{{status: 429, header: map[string]string{"Retry-After": "soon"}}}, wantSends: 2, wantWaits: []time.Duration{ms}, wantCode: 200},
		{name: "503 on POST is retried", method: "POST", answers: []answer{{status: 503}, {status: 503}}, wantSends: 3, wantWaits: []time.Duration{ms, 2 * ms}, wantCode: 200},
		{name: "500 on GET is retried", method: "GET", answers: []answer{{status: 500}, {status: 502}, {status: 504}}, wantSends: 4, wantWaits: []time.Duration{ms, 2 * ms, 4 * ms}, wantCode: 200},
		{name: "500 on PUT is retried", method: "PUT", answers: []answer{{status: 500}}, wantSends: 2, wantWaits: []time.Duration{ms}, wantCode: 200},
		{name: "500 on POST is final", method: "POST", answers: []answer{{status: 500}}, wantSends: 1, wantCode: 500},
		{name: "500 on PATCH is final", method: "PATCH", answers: []answer{{status: 502}}, wantSends: 1, wantCode: 502},
		{name: "500 on an idempotent POST is retried", method: "POST", safety: httpretry.Idempotent, answers: []answer{{status: 500}}, wantSends: 2, wantWaits: []time.Duration{ms}, wantCode: 200},
		{name: "500 on a not idempotent PUT is final", method: "PUT", safety: httpretry.NotIdempotent, answers: []answer{{status: 500}}, wantSends: 1, wantCode: 500},
		{name: "the transport's default safety", method: "POST", edit: func(t *httpretry.Transport) { t.Safety = httpretry.Idempotent }, answers: []answer{{status: 500}}, wantSends: 2, wantWaits: []time.Duration{ms}, wantCode: 200},
		{name: "network error on GET is retried", method: "GET", answers: []answer{{err: syscall.ECONNRESET}, {err: syscall.ECONNRESET}}, wantSends: 3, wantWaits: []time.Duration{ms, 2 * ms}, wantCode: 200},
		{name: "network error on POST is final", method: "POST", answers: []answer{{err: syscall.ECONNRESET}}, wantSends: 1},
		{name: "backoff is capped", method: "GET", answers: []answer{{status: 500}, {status: 500}, {status: 500}, {status: 500}}, edit: func(t *httpretry.Transport) { t.Policy.MaxAttempts = 6 }, wantSends: 5, wantWaits: []time.Duration{ms, 2 * ms, 4 * ms, 8 * ms}, wantCode: 200},
		{name: "gives up after the last attempt", method: "GET", answers: []answer{{status: 500}, {status: 500}, {status: 500}, {status: 500}, {status: 500}}, wantSends: 5, wantWaits: []time.Duration{ms, 2 * ms, 4 * ms, 8 * ms}, wantCode: 500, wantNote: "gave up after 5 attempts"},
		{name: "total wait is bounded", method: "GET", edit: func(t *httpretry.Transport) { t.Policy.MaxTotalWait = 10 * time.Second },
			answers: []answer{{status: 429, header: map[string]string{"Retry-After": "6"}}, {status: 429, header: map[string]string{"Retry-After": "6"}}}, wantSends: 2, wantWaits: []time.Duration{6 * time.Second}, wantCode: 429, wantNote: "10s retry budget"},
		{name: "400 is final", method: "GET", answers: []answer{{status: 400}}, wantSends: 1, wantCode: 400},
		{name: "403 is final", method: "GET", edit: github, answers: []answer{{status: 403, body: `{"message":"Resource not accessible by integration"}`}}, wantSends: 1, wantCode: 403},
		{name: "403 with Retry-After is final without GitHub rules", method: "GET", answers: []answer{{status: 403, header: map[string]string{"Retry-After": "1"}}}, wantSends: 1, wantCode: 403},
		{name: "GitHub secondary limit with Retry-After", method: "POST", edit: github, answers: []answer{{status: 403, header: map[string]string{"Retry-After": "3"}}}, wantSends: 2, wantWaits: []time.Duration{3 * time.Second}, wantCode: 200},
		{name: "GitHub secondary limit by its message", method: "POST", edit: github,
			answers: []answer{{status: 403, body: `{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}`}}, wantSends: 2, wantWaits: []time.Duration{30 * time.Second}, wantCode: 200},
		{name: "GitHub primary limit resets soon", method: "POST", edit: github,
			answers: []answer{{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(12 * time.Second)}}}, wantSends: 2, wantWaits: []time.Duration{12 * time.Second}, wantCode: 200},
		{name: "GitHub 429 with reset", method: "GET", edit: github,
			answers: []answer{{status: 429, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(2 * time.Second)}}}, wantSends: 2, wantWaits: []time.Duration{2 * time.Second}, wantCode: 200},
		{name: "GitHub primary limit resets too late", method: "GET", edit: github,
			answers: []answer{{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": reset(time.Hour)}}}, wantSends: 1, wantCode: 403, wantNote: "rate limited until 2026-11-24T13:00:00Z"},
		{name: "GitHub primary limit without reset backs off", method: "GET", edit: github,
			answers: []answer{{status: 403, header: map[string]string{"X-RateLimit-Remaining": "0"}}}, wantSends: 2, wantWaits: []time.Duration{ms}, wantCode: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := &script{answers: tt.answers}
			sl := &fakeapi.Sleeper{}
			var edits []func(*httpretry.Transport)
			if tt.edit != nil {
				edits = append(edits, tt.edit)
			}
			rt := newTransport(base, sl, edits...)
			ctx, rec := httpretry.WithRecord(context.Background())
			if tt.safety != httpretry.ByMethod {
				ctx = httpretry.WithSafety(ctx, tt.safety)
			}
			req, _ := http.NewRequestWithContext(ctx, tt.method, "https://api.example.com/a%2Fb/c", bytes.NewReader([]byte(`{"n":1}`)))
			resp, err := rt.RoundTrip(req)
			switch {
			case tt.wantCode == 0 && err == nil:
				t.Fatalf("status %d, want an error", resp.StatusCode)
			case tt.wantCode != 0 && err != nil:
				t.Fatalf("err = %v", err)
			case tt.wantCode != 0 && resp.StatusCode != tt.wantCode:
				t.Errorf("status %d, want %d", resp.StatusCode, tt.wantCode)
			}
			if resp != nil {
				want := "ok"
				if n := len(tt.answers); tt.wantCode != 200 && n > 0 {
					want = tt.answers[tt.wantSends-1].body
				}
				if b, _ := io.ReadAll(resp.Body); string(b) != want {
					t.Errorf("body %q, want %q", b, want)
				}
				resp.Body.Close()
			}
			if len(base.bodies) != tt.wantSends || rec.Attempts != tt.wantSends {
				t.Errorf("sent %d times (record %d), want %d", len(base.bodies), rec.Attempts, tt.wantSends)
			}
			for i, b := range base.bodies {
				if b != `{"n":1}` {
					t.Errorf("attempt %d sent %q", i+1, b)
				}
			}
			if !reflect.DeepEqual(sl.Waits(), tt.wantWaits) {
				t.Errorf("waits %v, want %v", sl.Waits(), tt.wantWaits)
			}
			if !strings.Contains(rec.Note, tt.wantNote) || (tt.wantNote == "" && rec.Note != "") {
				t.Errorf("note %q, want %q", rec.Note, tt.wantNote)
			}
			if rec.Method != tt.method || rec.Path != "/a%2Fb/c" {
				t.Errorf("record %+v", rec)
			}
		})
	}
}

// onceReader is a body without GetBody.
type onceReader struct{ io.Reader }

func TestBodyThatCannotBeResentIsSentOnce(t *testing.T) {
	base := &script{answers: []answer{{status: 503}}}
	rt := newTransport(base, &fakeapi.Sleeper{})
	req, _ := http.NewRequest("PUT", "https://api.example.com/x", onceReader{strings.NewReader("x")})
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 503 || len(base.bodies) != 1 {
		t.Fatalf("resp %v, err %v, sends %d: want one 503", resp, err, len(base.bodies))
	}
}

func TestDeadline(t *testing.T) {
	t.Run("a wait past the deadline is not made", func(t *testing.T) {
		base := &script{answers: []answer{{status: 429, header: map[string]string{"Retry-After": "20"}}}}
		sl := &fakeapi.Sleeper{}
		rt := newTransport(base, sl, func(t *httpretry.Transport) { t.Policy.Now = time.Now })
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ctx, rec := httpretry.WithRecord(ctx)
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/x", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 429 {
			t.Fatalf("resp %v err %v", resp, err)
		}
		if len(sl.Waits()) != 0 || !strings.Contains(rec.Note, "deadline") {
			t.Errorf("waits %v, note %q", sl.Waits(), rec.Note)
		}
	})
	t.Run("cancelled while waiting", func(t *testing.T) {
		base := &script{answers: []answer{{status: 503}, {status: 503}}}
		sl := &fakeapi.Sleeper{}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		sl.Hook = func(ctx context.Context, _ time.Duration) error { cancel(); return ctx.Err() }
		rt := newTransport(base, sl)
		ctx, rec := httpretry.WithRecord(ctx)
		req, _ := http.NewRequestWithContext(ctx, "GET", "https://api.example.com/x", nil)
		resp, err := rt.RoundTrip(req)
		if err != nil || resp.StatusCode != 503 || len(base.bodies) != 1 {
			t.Fatalf("resp %v err %v sends %d", resp, err, len(base.bodies))
		}
		if b, _ := io.ReadAll(resp.Body); len(b) != 0 {
			t.Errorf("body %q", b)
		}
		if !strings.Contains(rec.Note, "context canceled") {
			t.Errorf("note %q", rec.Note)
		}
	})
}

// hanging holds the first n requests until their context ends.
type hanging struct {
	mu   sync.Mutex
	n    int
	base http.RoundTripper
}

func (h *hanging) RoundTrip(r *http.Request) (*http.Response, error) {
	h.mu.Lock()
	hang := h.n > 0
	h.n--
	h.mu.Unlock()
	if hang {
		<-r.Context().Done()
		return nil, r.Context().Err()
	}
	return h.base.RoundTrip(r)
}

func TestAttemptTimeout(t *testing.T) {
	base := &script{}
	sl := &fakeapi.Sleeper{}
	rt := newTransport(&hanging{n: 2, base: base}, sl, func(t *httpretry.Transport) { t.AttemptTimeout = 10 * ms })
	req, _ := http.NewRequest("GET", "https://api.example.com/x", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("resp %v err %v", resp, err)
	}
	resp.Body.Close()
	if !reflect.DeepEqual(sl.Waits(), []time.Duration{ms, 2 * ms}) {
		t.Errorf("waits %v", sl.Waits())
	}
}

func TestMaxResponseBytes(t *testing.T) {
	base := &script{answers: []answer{{status: 200, body: "0123456789"}}}
	rt := newTransport(base, &fakeapi.Sleeper{}, func(t *httpretry.Transport) { t.MaxResponseBytes = 4 })
	req, _ := http.NewRequest("GET", "https://api.example.com/x", nil)
	resp, err := rt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); string(b) != "0123" {
		t.Errorf("body %q", b)
	}
}

func TestBackoffJitter(t *testing.T) {
	p := httpretry.Policy{BaseDelay: 100 * ms}.WithDefaults()
	for attempt, base := range map[int]time.Duration{1: 100 * ms, 2: 200 * ms, 3: 400 * ms} {
		for range 50 {
			if got := p.Backoff(attempt); got < base/2 || got > base {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", attempt, got, base/2, base)
			}
		}
	}
}

func TestSleepEndsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	if err := httpretry.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Error("Sleep did not end with its context")
	}
	if err := httpretry.Sleep(context.Background(), ms); err != nil {
		t.Errorf("err = %v", err)
	}
}
