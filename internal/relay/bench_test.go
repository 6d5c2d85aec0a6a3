package relay

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/relay/relaytest"
)

// benchServer is a relay handler (not listening) that logs JSON to nowhere
// and forwards to a fake GitHub.
func benchServer(b *testing.B) (*Server, *relaytest.GitHub) {
	b.Helper()
	gh := relaytest.New(testOwner, testRepo, testToken)
	gh.Discard = true
	srv := httptest.NewServer(gh)
	b.Cleanup(srv.Close)
	s, err := New(Config{
		Addr:          "127.0.0.1:0",
		WebhookSecret: testSecret,
		GitHubToken:   testToken,
		Repository:    testOwner + "/" + testRepo,
		GitHubAPIURL:  srv.URL,
	}, slog.New(slog.NewJSONHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	return s, gh
}

type discardWriter struct {
	h      http.Header
	status int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }

func serveBench(b *testing.B, body []byte, unique bool, want int) {
	s, gh := benchServer(b)
	sig := Sign([]byte(testSecret), body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	n := 0
	for b.Loop() {
		n++
		ev := body
		if unique {
			// The relay forwards an event once: each is its own, with its
			// own signature (which costs about 2 µs of the figure).
			ev = nthEvent(body, n)
			sig = Sign([]byte(testSecret), ev)
		}
		req := httptest.NewRequest(http.MethodPost, PathJira, bytes.NewReader(ev))
		req.Header.Set(HeaderSignature, sig)
		if unique {
			req.Header.Set(HeaderDeliveryID, "bench-"+strconv.Itoa(n))
		}
		w := &discardWriter{h: http.Header{}}
		s.ServeHTTP(w, req)
		if w.status != want {
			b.Fatalf("status %d, want %d", w.status, want)
		}
	}
	if unique && gh.Accepted() != n {
		b.Fatalf("GitHub accepted %d of %d events", gh.Accepted(), n)
	}
}

// BenchmarkServeDropped is the hot path under a flood of irrelevant
// events: authenticate, decode, filter, answer 202, log.
func BenchmarkServeDropped(b *testing.B) {
	serveBench(b, fixture(b, "webhook-issue-updated-in-progress.json"), false, http.StatusAccepted)
}

// BenchmarkServeForwarded includes the call to a local fake GitHub; every
// event is a distinct one.
func BenchmarkServeForwarded(b *testing.B) {
	serveBench(b, fixture(b, "webhook-issue-updated-done.json"), true, http.StatusOK)
}

func BenchmarkDecide(b *testing.B) {
	body := fixture(b, "webhook-issue-updated-done.json")
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	now := time.Now()
	for b.Loop() {
		ev, err := decodeEvent(body)
		if err != nil {
			b.Fatal(err)
		}
		if _, drop, err := decide(ev, senderWebhook, "d", now); err != nil || drop != "" {
			b.Fatal(drop, err)
		}
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	body := fixture(b, "webhook-issue-updated-done.json")
	sig := Sign([]byte(testSecret), body)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := verifySignature([]byte(testSecret), body, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseEvent measures what the one-pass decoder (parseEvent)
// saves over encoding/json on a real Jira event: the figure its doc
// states.
func BenchmarkParseEvent(b *testing.B) {
	body, err := os.ReadFile(filepath.Join("testdata", "webhook-issue-updated-in-progress.json"))
	if err != nil {
		b.Fatal(err)
	}
	b.Run("parseEvent", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parseEvent(body); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			var ev jiraEvent
			if err := json.Unmarshal(body, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}
