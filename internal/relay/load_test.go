package relay

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSlowSendersDoNotStarveSignedDeliveries is the load test of the body
// bound, over loopback against the relay's own server: 500 sockets send
// headers that announce a body (Content-Length: 1000) and then nothing, or
// one byte now and then, and connect again whenever the relay gives up on
// them. While they are open, signed deliveries keep being forwarded.
//
// It is bounded in sockets (500, fewer if RLIMIT_NOFILE cannot make room),
// in deliveries (paced, 4 at a time) and in time (20 s at most, about 2 s
// on 2 cores with -race), and assumes nothing about timing but that.
func TestSlowSendersDoNotStarveSignedDeliveries(t *testing.T) {
	const (
		senders     = 500
		everyNth    = 5 // every 5th sender trickles a byte every 50 ms; the others send nothing
		bodyTimeout = time.Second
		minPhase    = 3 * bodyTimeout / 2 // long enough for the senders to reconnect
		minSigned   = 20
		workers     = 4
		pace        = 20 * time.Millisecond
	)
	n := openFiles(t, 2*senders+64) // each socket is two files here: the sender's and the relay's
	slow := min(senders, (n-64)/2)
	if slow < 128 {
		t.Skipf("RLIMIT_NOFILE leaves room for %d slow senders, too few to test the bound", slow)
	}

	var active connGauge
	h := startServer(t, func(s *Server) { s.srv.ConnState = active.track }, func(c *Config) {
		c.BodyReadTimeout = bodyTimeout
	})
	h.github.Discard = true
	addr := strings.TrimPrefix(h.relay.URL(), "http://")
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n%s: sha256=%s\r\n\r\n",
		PathJira, HeaderSignature, strings.Repeat("0", 64))

	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var reconnects, dialErrors atomic.Int64
	defer func() {
		stop()
		wg.Wait()
	}()
	for i := range slow {
		wg.Go(func() {
			slowSender(ctx, addr, header, i%everyNth == 0, &reconnects, &dialErrors)
		})
	}
	// Every sender's request has reached the handler once (the relay has
	// parsed its headers): past this, the old relay answered 503.
	waitFor(t, 10*time.Second, func() bool { return active.activated() >= slow },
		func() string { return fmt.Sprintf("%d of %d slow senders reached the relay", active.activated(), slow) })

	sample := doneEventNo(t, 0)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}, Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	var (
		mu       sync.Mutex
		signed   int
		failures []string
		next     atomic.Int64
	)
	signedCtx, stopSigned := context.WithCancel(context.Background())
	var sw sync.WaitGroup
	for range workers {
		sw.Go(func() {
			for signedCtx.Err() == nil {
				i := int(next.Add(1))
				body := nthEvent(sample, i)
				req, _ := http.NewRequest(http.MethodPost, h.relay.URL()+PathJira, strings.NewReader(string(body)))
				req.Header.Set(HeaderSignature, Sign([]byte(testSecret), body))
				req.Header.Set(HeaderDeliveryID, fmt.Sprint("load-", i))
				resp, err := client.Do(req)
				status := 0
				if err == nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					status = resp.StatusCode
				}
				mu.Lock()
				signed++
				if status != http.StatusOK && len(failures) < 5 {
					failures = append(failures, fmt.Sprintf("delivery %d: status %d %v", i, status, err))
				}
				mu.Unlock()
				time.Sleep(pace)
			}
		})
	}
	start := time.Now()
	waitFor(t, 20*time.Second, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(failures) > 0 || time.Since(start) >= minPhase && signed >= minSigned && reconnects.Load() >= int64(slow/2)
	}, func() string {
		return fmt.Sprintf("%d signed deliveries, %d reconnects of %d slow senders", signed, reconnects.Load(), slow)
	})
	stopSigned()
	sw.Wait()

	mu.Lock()
	defer mu.Unlock()
	for _, f := range failures {
		t.Error(f)
	}
	if got := h.github.Accepted(); got != signed {
		t.Errorf("GitHub accepted %d dispatches of %d signed deliveries", got, signed)
	}
	t.Logf("%d slow senders (%d trickling), %d reconnects, %d dial errors; %d signed deliveries in %v, all forwarded: %v",
		slow, (slow+everyNth-1)/everyNth, reconnects.Load(), dialErrors.Load(), signed, time.Since(start).Round(time.Millisecond), len(failures) == 0)
}

// slowSender connects, sends header and then nothing (or, trickling, one
// byte every 50 ms), and connects again when the relay closes the
// connection, until ctx ends.
func slowSender(ctx context.Context, addr, header string, trickle bool, reconnects, dialErrors *atomic.Int64) {
	d := net.Dialer{Timeout: 5 * time.Second}
	for first := true; ctx.Err() == nil; first = false {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			if ctx.Err() == nil {
				dialErrors.Add(1)
				time.Sleep(10 * time.Millisecond)
			}
			continue
		}
		if !first {
			reconnects.Add(1)
		}
		unhook := context.AfterFunc(ctx, func() { c.Close() })
		if _, err := io.WriteString(c, header); err == nil {
			if trickle {
				tick := time.NewTicker(50 * time.Millisecond)
				for range tick.C {
					if _, err := c.Write([]byte{' '}); err != nil {
						break
					}
				}
				tick.Stop()
			} else {
				_, _ = io.Copy(io.Discard, c) // until the relay closes it
			}
		}
		unhook()
		c.Close()
	}
}

// connGauge follows the relay's connections through http.Server.ConnState.
type connGauge struct {
	mu    sync.Mutex
	total int // connections that have become active (a request's headers were read)
}

func (g *connGauge) track(_ net.Conn, s http.ConnState) {
	if s != http.StateActive {
		return
	}
	g.mu.Lock()
	g.total++
	g.mu.Unlock()
}

func (g *connGauge) activated() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.total
}

// waitFor polls cond every 10 ms until it holds, and fails the test with
// what() if it does not within limit.
func waitFor(t *testing.T, limit time.Duration, cond func() bool, what func() string) {
	t.Helper()
	for deadline := time.Now().Add(limit); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("after %v: %s", limit, what())
		}
	}
}
