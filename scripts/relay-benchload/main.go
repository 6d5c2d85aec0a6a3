// Command relay-benchload is the load generator of scripts/bench-relay.sh
// for what wrk cannot send: signed Jira events that are each a distinct
// event. The relay forwards an event once (it dedupes by delivery id and by
// the SHA-256 of the signed body), so a forwarding benchmark needs a new
// body, and a new signature, for every request: -distinct gives each one
// its own timestamp (the body's plus -first plus the request's number),
// signs it and names it with its own delivery id.
//
//	BENCH_SECRET=... relay-benchload -url http://127.0.0.1:PORT/webhook/jira -body FILE
//	    [-conns 32] [-duration 5s] [-distinct [-first N] [-prefix P]]
//
// It keeps -conns keep-alive connections busy for -duration, one request
// at a time each, as wrk does (and as cheaply: it writes the request's
// bytes and reads the answer's), and prints one line of key=value pairs: requests,
// seconds, rps, p50_ms, p99_ms, non2xx, errors. It refuses any URL that is
// not on a loopback address.
package main

import (
	"bufio"
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"hash"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rotor-dev/rotor/internal/setting"
)

func main() {
	target := flag.String("url", "", "the endpoint, on a loopback address (required)")
	bodyFile := flag.String("body", "", "the event to send, a JSON file with a \"timestamp\" (required)")
	conns := flag.Int("conns", 32, "connections, each with one request in flight")
	duration := flag.Duration("duration", 5*time.Second, "how long to send")
	distinct := flag.Bool("distinct", false, "make every request a distinct event: its own timestamp, signature and delivery id")
	first := flag.Int64("first", 0, "with -distinct, the first request's number: runs that must not repeat each other's events start apart")
	prefix := flag.String("prefix", "bench", "delivery id prefix for -distinct")
	flag.Parse()
	if err := run(*target, *bodyFile, os.Getenv("BENCH_SECRET"), *conns, *duration, *distinct, *first, *prefix); err != nil {
		fmt.Fprintln(os.Stderr, "relay-benchload:", err)
		os.Exit(1)
	}
}

func run(target, bodyFile, secret string, conns int, duration time.Duration, distinct bool, first int64, prefix string) error {
	u, err := url.Parse(target)
	if err != nil || u.Scheme != "http" {
		return setting.Invalid("-url", target, errors.New("want http://127.0.0.1:PORT/PATH"))
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		return setting.Invalid("-url", target, errors.New("only a loopback address is allowed"))
	}
	if secret == "" {
		return errors.New("BENCH_SECRET is not set")
	}
	if conns < 1 || conns > 1024 || duration <= 0 || duration > time.Minute || first < 0 || first > 1<<50 {
		return errors.New("want 1..1024 -conns, a -duration up to 1m and -first from 0 to 2^50")
	}
	body, err := os.ReadFile(bodyFile)
	if err != nil {
		return err
	}
	ev, err := newEvent(body)
	if err != nil {
		return fmt.Errorf("%s: %w", bodyFile, err)
	}

	type tally struct {
		latencies       []time.Duration
		non2xx, errored int
	}
	tallies := make([]tally, conns)
	began := time.Now()
	end := began.Add(duration)
	var wg sync.WaitGroup
	for c := range conns {
		wg.Go(func() {
			mac := hmac.New(sha256.New, []byte(secret))
			t := &tallies[c]
			t.latencies = make([]time.Duration, 0, 1<<14)
			var cn *conn
			var req, buf []byte
			sig, id := sign(mac, body), ""
			for n := 0; time.Now().Before(end); n++ {
				if distinct {
					seq := first + int64(n)*int64(conns) + int64(c)
					buf = ev.nth(buf[:0], seq)
					sig = sign(mac, buf)
					id = prefix + "-" + strconv.FormatInt(seq, 10)
				} else {
					buf = body
				}
				req = appendRequest(req[:0], u, sig, id, buf)
				if cn == nil {
					var err error
					if cn, err = dial(u.Host, end); err != nil {
						t.errored++
						time.Sleep(10 * time.Millisecond)
						continue
					}
				}
				t0 := time.Now()
				status, keep, err := cn.roundTrip(req)
				if err != nil {
					t.errored++
					cn.close()
					cn = nil
					continue
				}
				t.latencies = append(t.latencies, time.Since(t0))
				if status < 200 || status > 299 {
					t.non2xx++
				}
				if !keep {
					cn.close()
					cn = nil
				}
			}
			if cn != nil {
				cn.close()
			}
		})
	}
	wg.Wait()
	secs := time.Since(began).Seconds()

	var all []time.Duration
	non2xx, errored := 0, 0
	for _, t := range tallies {
		all = append(all, t.latencies...)
		non2xx += t.non2xx
		errored += t.errored
	}
	slices.Sort(all)
	pct := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))].Microseconds()) / 1000
	}
	fmt.Printf("requests=%d seconds=%.2f rps=%.0f p50_ms=%.2f p99_ms=%.2f non2xx=%d errors=%d\n",
		len(all), secs, float64(len(all))/secs, pct(0.50), pct(0.99), non2xx, errored)
	return nil
}

// conn is one keep-alive connection that sends a request and reads its
// answer, as wrk does: the bytes on the wire, none of net/http's
// bookkeeping, so that the load generator costs little of the CPU it
// shares with the fake GitHub.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(host string, end time.Time) (*conn, error) {
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return nil, err
	}
	_ = c.SetDeadline(end.Add(10 * time.Second))
	return &conn{c: c, r: bufio.NewReaderSize(c, 4<<10)}, nil
}

func (c *conn) close() { c.c.Close() }

// roundTrip writes req and reads the answer: its status, and whether the
// connection may be used again.
func (c *conn) roundTrip(req []byte) (status int, keep bool, err error) {
	if _, err := c.c.Write(req); err != nil {
		return 0, false, err
	}
	line, err := c.r.ReadSlice('\n')
	if err != nil {
		return 0, false, err
	}
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.1 ")) {
		return 0, false, fmt.Errorf("not an HTTP/1.1 status line: %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, false, fmt.Errorf("status line %q: %w", line, err)
	}
	length, keep := -1, true
	for {
		line, err := c.r.ReadSlice('\n')
		if err != nil {
			return 0, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, false, fmt.Errorf("Content-Length %q: %w", value, err)
			}
		case bytes.EqualFold(name, []byte("Connection")) && bytes.EqualFold(value, []byte("close")):
			keep = false
		}
	}
	if length < 0 {
		return 0, false, errors.New("an answer without Content-Length")
	}
	if _, err := c.r.Discard(length); err != nil {
		return 0, false, err
	}
	return status, keep, nil
}

// appendRequest appends a signed POST of body to u to dst.
func appendRequest(dst []byte, u *url.URL, sig, id string, body []byte) []byte {
	dst = fmt.Appendf(dst, "POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nX-Hub-Signature: %s\r\n", u.RequestURI(), u.Host, sig)
	if id != "" {
		dst = fmt.Appendf(dst, "X-Atlassian-Webhook-Identifier: %s\r\n", id)
	}
	dst = fmt.Appendf(dst, "Content-Length: %d\r\n\r\n", len(body))
	return append(dst, body...)
}

// event is a body split around the value of its "timestamp".
type event struct {
	head, tail []byte
	stamp      int64
}

var stampKey = []byte(`"timestamp":`)

func newEvent(body []byte) (event, error) {
	i := bytes.Index(body, stampKey)
	if i < 0 {
		return event{}, errors.New(`no "timestamp" to vary`)
	}
	j := i + len(stampKey)
	for j < len(body) && body[j] == ' ' {
		j++
	}
	k := j
	for k < len(body) && '0' <= body[k] && body[k] <= '9' {
		k++
	}
	stamp, err := strconv.ParseInt(string(body[j:k]), 10, 64)
	if err != nil || stamp > 1<<52 {
		return event{}, errors.New(`"timestamp" is not a number of milliseconds`)
	}
	return event{head: body[:j], tail: body[k:], stamp: stamp}, nil
}

// nth appends the event with its timestamp moved by n milliseconds to dst.
func (e event) nth(dst []byte, n int64) []byte {
	dst = append(dst, e.head...)
	dst = strconv.AppendInt(dst, e.stamp+n, 10)
	return append(dst, e.tail...)
}

// sign is the X-Hub-Signature of body, with mac keyed by the secret.
func sign(mac hash.Hash, body []byte) string {
	mac.Reset()
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
