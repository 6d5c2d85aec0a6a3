package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/relay/relaytest"
)

const (
	testSecret     = "3f9a1c7e5b2d8046af13c9e7d5b1f082"
	testAutomation = "b7e2c94a1f0d6853ce27a9f4b1d06e3c"
	testToken      = "github_pat_11TESTTOKENabcdefghij"
	testOwner      = "acme"
	testRepo       = "credential-register"
)

// fakeClock is a settable clock for the dedupe window.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// lockedBuffer collects log output from concurrent handlers.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// harness is a real relay on 127.0.0.1:0 in front of a fake GitHub.
type harness struct {
	t      *testing.T
	relay  *Server
	github *relaytest.GitHub
	clock  *fakeClock
	logs   *lockedBuffer
	closed bool
}

// start runs a relay with test settings; edit adjusts the config first.
func start(t *testing.T, edit ...func(*Config)) *harness {
	t.Helper()
	return startServer(t, nil, edit...)
}

// startServer is start with a hook that may adjust the server (its
// http.Server, say) before it opens.
func startServer(t *testing.T, beforeOpen func(*Server), edit ...func(*Config)) *harness {
	t.Helper()
	gh, ghSrv := relaytest.Start(t, testOwner, testRepo, testToken)
	clock := &fakeClock{now: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	cfg := Config{
		Addr:           "127.0.0.1:0",
		WebhookSecret:  testSecret,
		GitHubToken:    testToken,
		Repository:     testOwner + "/" + testRepo,
		GitHubAPIURL:   ghSrv.URL,
		ForwardTimeout: 2 * time.Second,
		AttemptTimeout: time.Second,
		MaxAttempts:    3,
		RetryBackoff:   time.Millisecond,
		Now:            clock.Now,
	}
	for _, e := range edit {
		e(&cfg)
	}
	logs := &lockedBuffer{}
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(cfg, logger)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if beforeOpen != nil {
		beforeOpen(s)
	}
	if err := s.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	h := &harness{t: t, relay: s, github: gh, clock: clock, logs: logs}
	t.Cleanup(func() { h.close() })
	return h
}

// close drains the relay; afterwards every log line has been written.
func (h *harness) close() {
	if h.closed {
		return
	}
	h.closed = true
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.relay.Close(ctx); err != nil {
		h.t.Errorf("Close: %v", err)
	}
	if n := h.relay.budget.used.Load(); n != 0 {
		h.t.Errorf("the bodies read hold %d bytes of the budget after the drain, want 0", n)
	}
}

// logLines closes the relay and returns its log lines, decoded.
func (h *harness) logLines() []map[string]any {
	h.t.Helper()
	h.close()
	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		if l == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			h.t.Fatalf("log line is not JSON: %q", l)
		}
		lines = append(lines, m)
	}
	return lines
}

type reply struct {
	status int
	body   answer
	header http.Header
}

// post sends body to the Jira endpoint with the given headers.
func (h *harness) post(body []byte, headers map[string]string) reply {
	h.t.Helper()
	return h.do(http.MethodPost, PathJira, body, headers)
}

// postSigned signs body with the test secret.
func (h *harness) postSigned(body []byte, deliveryID string) reply {
	h.t.Helper()
	hdr := map[string]string{HeaderSignature: Sign([]byte(testSecret), body)}
	if deliveryID != "" {
		hdr[HeaderDeliveryID] = deliveryID
	}
	return h.post(body, hdr)
}

func (h *harness) do(method, path string, body []byte, headers map[string]string) reply {
	h.t.Helper()
	r, err := h.try(method, path, body, headers)
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

// try is do without failing the test, for requests sent from goroutines.
func (h *harness) try(method, path string, body []byte, headers map[string]string) (reply, error) {
	req, err := http.NewRequest(method, h.relay.URL()+path, bytes.NewReader(body))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return reply{}, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var a answer
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			return reply{}, fmt.Errorf("%s %s: answer is not JSON: %q", method, path, raw)
		}
	}
	return reply{status: resp.StatusCode, body: a, header: resp.Header}, nil
}

// goPostSigned posts a signed body from a goroutine; the reply (or the
// error, as a zero reply with status 0) arrives on the channel.
func (h *harness) goPostSigned(body []byte, deliveryID string) <-chan reply {
	ch := make(chan reply, 1)
	hdr := map[string]string{HeaderSignature: Sign([]byte(testSecret), body), HeaderDeliveryID: deliveryID}
	go func() {
		r, err := h.try(http.MethodPost, PathJira, body, hdr)
		if err != nil {
			r.body.Reason = err.Error()
		}
		ch <- r
	}()
	return ch
}

// fixture reads a testdata file.
func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// edited returns the fixture with edit applied to its decoded form.
func edited(t testing.TB, name string, edit func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(fixture(t, name), &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fields returns issue.fields of a decoded event.
func fields(m map[string]any) map[string]any {
	return m["issue"].(map[string]any)["fields"].(map[string]any)
}

func doneEvent(t testing.TB) []byte { return fixture(t, "webhook-issue-updated-done.json") }

// sampleStamp is the timestamp of the done sample.
const sampleStamp = `"timestamp": 1795173330000,`

// doneEventNo is the done sample as the n-th distinct Jira event.
func doneEventNo(t testing.TB, n int) []byte {
	t.Helper()
	body := doneEvent(t)
	if !bytes.Contains(body, []byte(sampleStamp)) {
		t.Fatalf("the done sample has no %s", sampleStamp)
	}
	return nthEvent(body, n)
}

// nthEvent is sample (which has sampleStamp) as the n-th distinct Jira
// event: Jira's events differ in their timestamp, so the bytes differ too.
func nthEvent(sample []byte, n int) []byte {
	return bytes.Replace(sample, []byte(sampleStamp), fmt.Appendf(nil, `"timestamp": %d,`, 1795173330000+int64(n)), 1)
}
