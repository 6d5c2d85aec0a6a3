package relay

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

// A body must be read before its signature can be checked; the bodies
// being read share MaxBodyMemory, and past it the relay answers 503 (which
// Jira retries), so unauthenticated senders cannot hold unbounded memory.
// Bodies that fit in the free first 4 KiB need none of it.
func TestBodyMemoryIsBounded(t *testing.T) {
	h := start(t, func(c *Config) {
		c.MaxBodyMemory = 100 << 10
		// Nothing here may time out, however slow the machine.
		c.BodyReadTimeout, c.ReadTimeout, c.WriteTimeout = time.Minute, time.Minute, 2*time.Minute
	})
	big := padded(t, "webhook-issue-updated-in-progress.json", 40<<10)
	small := fixture(t, "webhook-issue-updated-in-progress.json")

	// A sender that announces a body and sends 40 KiB of it holds a 64
	// KiB buffer, 60 KiB of it on the budget, while the relay waits for
	// the rest.
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.relay.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		PathJira, 2*len(big), big)
	const held = 60 << 10
	waitFor(t, 10*time.Second, func() bool { return h.relay.budget.used.Load() == held },
		func() string {
			return fmt.Sprintf("the slow body holds %d bytes of the budget, want %d", h.relay.budget.used.Load(), held)
		})

	r := h.postSigned(big, "")
	if r.status != http.StatusServiceUnavailable || r.body.Outcome != outcomeOverloaded || r.header.Get("Retry-After") != "1" {
		t.Errorf("a body past the budget: %d %+v, Retry-After %q; want 503 overloaded, Retry-After 1", r.status, r.body, r.header.Get("Retry-After"))
	}
	if r := h.postSigned(small, ""); r.status != http.StatusAccepted {
		t.Errorf("a small body while the budget is in use: %d %+v, want 202", r.status, r.body)
	}

	// When the slow sender goes away, its share is free again.
	conn.Close()
	waitFor(t, 10*time.Second, func() bool { return h.relay.budget.used.Load() == 0 },
		func() string { return fmt.Sprintf("%d bytes of the budget still held", h.relay.budget.used.Load()) })
	if r := h.postSigned(big, ""); r.status != http.StatusAccepted {
		t.Errorf("after the slow sender left: %d %+v, want 202", r.status, r.body)
	}
}

// padded is a fixture with a padding field that makes it size bytes long.
func padded(t testing.TB, name string, size int) []byte {
	t.Helper()
	b := edited(t, name, func(m map[string]any) { m["padding"] = "" })
	return edited(t, name, func(m map[string]any) { m["padding"] = strings.Repeat("x", size-len(b)) })
}

// The bound on bodies covers reading them, not the forward that follows:
// a delivery held at GitHub does not keep another from being read.
func TestBodyBoundIsNotHeldDuringTheForward(t *testing.T) {
	// Each of the two bodies needs 60 KiB of the budget, which holds one.
	h := start(t, func(c *Config) { c.MaxBodyMemory = 100 << 10 })
	arrived, held := make(chan struct{}), make(chan struct{})
	release := sync.OnceFunc(func() { close(held) })
	defer release() // also when the test fails early
	h.github.OnCall = func(n int) {
		if n == 1 {
			close(arrived)
			<-held
		}
	}
	first := h.goPostSigned(padded(t, "webhook-issue-updated-done.json", 40<<10), "d-1")
	<-arrived
	if r := h.postSigned(padded(t, "webhook-issue-updated-in-progress.json", 40<<10), "d-2"); r.status != http.StatusAccepted {
		t.Errorf("a delivery while another is being forwarded: %d %+v, want 202", r.status, r.body)
	}
	release()
	if r := <-first; r.status != http.StatusOK {
		t.Errorf("the delivery held at GitHub: %d %+v, want 200", r.status, r.body)
	}
}

// TestBodyReadHasItsOwnDeadline: the body has BodyReadTimeout from the end
// of the headers, apart from the header deadline and the whole request's;
// a body that stops short is answered 408 (which Jira retries, unlike 400).
func TestBodyReadHasItsOwnDeadline(t *testing.T) {
	h := start(t, func(c *Config) {
		c.BodyReadTimeout = 100 * time.Millisecond
		c.ReadTimeout = 30 * time.Second
		c.WriteTimeout = 40 * time.Second
	})
	body := doneEvent(t)
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s: %s\r\n\r\n",
		PathJira, len(body), HeaderSignature, Sign([]byte(testSecret), body))
	exchange := func(t *testing.T, send func(net.Conn) error) int {
		t.Helper()
		conn, err := net.Dial("tcp", strings.TrimPrefix(h.relay.URL(), "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		if err := send(conn); err != nil {
			t.Fatal(err)
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}

	t.Run("body stops short", func(t *testing.T) {
		got := exchange(t, func(c net.Conn) error {
			_, err := io.WriteString(c, header+string(body[:10]))
			return err
		})
		if got != http.StatusRequestTimeout {
			t.Errorf("got %d, want 408", got)
		}
	})
	t.Run("slow headers, then the body at once", func(t *testing.T) {
		got := exchange(t, func(c net.Conn) error {
			// Three pauses within the headers, each longer than the body
			// deadline: headers are bound by ReadHeaderTimeout, not by
			// it. The end of the headers comes with the body.
			lines := strings.SplitAfterN(header, "\r\n", 4)
			for _, l := range lines[:3] {
				if _, err := io.WriteString(c, l); err != nil {
					return err
				}
				time.Sleep(150 * time.Millisecond)
			}
			_, err := io.WriteString(c, lines[3]+string(body))
			return err
		})
		if got != http.StatusOK {
			t.Errorf("got %d, want 200", got)
		}
	})
	if n := h.github.Calls(); n != 1 {
		t.Errorf("GitHub got %d calls, want 1", n)
	}
	var outcomes []any
	for _, l := range h.logLines() {
		outcomes = append(outcomes, l["outcome"])
	}
	if !reflect.DeepEqual(outcomes, []any{outcomeIncomplete, outcomeForwarded}) {
		t.Errorf("logged outcomes %v, want [%s %s]", outcomes, outcomeIncomplete, outcomeForwarded)
	}
}
