package relay

import (
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// A body must be read before its signature can be checked; the relay reads
// at most MaxBodiesInFlight at once and answers 503 (which Jira retries)
// past that, so unauthenticated senders cannot hold unbounded memory.
func TestBodiesInFlightAreBounded(t *testing.T) {
	h := start(t, func(c *Config) { c.MaxBodiesInFlight = 1 })
	body := fixture(t, "webhook-issue-updated-in-progress.json")

	// A sender that announces a body and sends only part of it holds the
	// one slot while the relay waits for the rest.
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.relay.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"webhook", PathJira, len(body))

	deadline := time.Now().Add(5 * time.Second)
	var r reply
	for r = h.postSigned(body, ""); r.status != http.StatusServiceUnavailable; r = h.postSigned(body, "") {
		if r.status != http.StatusAccepted || time.Now().After(deadline) {
			t.Fatalf("status %d (%+v) while the slot is held, want 503", r.status, r.body)
		}
	}
	if r.body.Outcome != outcomeOverloaded || r.header.Get("Retry-After") != "1" {
		t.Fatalf("503 answer %+v, Retry-After %q", r.body, r.header.Get("Retry-After"))
	}

	// When the slow sender goes away, the slot is free again.
	conn.Close()
	for r = h.postSigned(body, ""); r.status != http.StatusAccepted; r = h.postSigned(body, "") {
		if r.status != http.StatusServiceUnavailable || time.Now().After(deadline) {
			t.Fatalf("status %d (%+v) after the slot was freed, want 202", r.status, r.body)
		}
	}
}
