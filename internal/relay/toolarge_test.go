package relay

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestOversizedBodyIsAnsweredNotReset: a client that sends its whole body
// before it reads the answer (Python's urllib, for one) reads the 413, not
// a connection reset, when the body is up to a few MiB over the limit.
func TestOversizedBodyIsAnsweredNotReset(t *testing.T) {
	body := bytes.Repeat([]byte(" "), MaxBodyBytes+3<<20)
	sig := Sign([]byte(testSecret), body)
	announced := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n%s: %s\r\n\r\n",
		PathJira, len(body), HeaderSignature, sig)
	var chunked bytes.Buffer
	fmt.Fprintf(&chunked, "POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n%s: %s\r\n\r\n",
		PathJira, HeaderSignature, sig)
	for rest := body; len(rest) > 0; {
		n := min(len(rest), 64<<10)
		fmt.Fprintf(&chunked, "%x\r\n%s\r\n", n, rest[:n])
		rest = rest[n:]
	}
	chunked.WriteString("0\r\n\r\n")

	tests := []struct {
		name    string
		request []byte
	}{
		{"Content-Length over the limit", append([]byte(announced), body...)},
		{"chunked body over the limit", chunked.Bytes()},
	}
	h := start(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A reset shows up in some runs only: try a few times.
			for try := 1; try <= 3; try++ {
				status, err := sendThenRead(h.relay.URL(), tt.request)
				if err != nil {
					t.Fatalf("try %d: %v", try, err)
				}
				if status != http.StatusRequestEntityTooLarge {
					t.Fatalf("try %d: status %d, want 413", try, status)
				}
			}
		})
	}
	if n := h.github.Calls(); n != 0 {
		t.Errorf("GitHub got %d calls, want none", n)
	}
}

// sendThenRead writes the whole request before it reads the status line,
// as a simple client does, and returns the status.
func sendThenRead(base string, request []byte) (int, error) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := conn.Write(request); err != nil {
		return 0, fmt.Errorf("sending the request: %w (the relay closed the connection before the body was in)", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0, fmt.Errorf("reading the answer: %w", err)
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// What the relay reads of an oversized body to let the answer through is
// bounded in bytes and in time: a sender that goes on and on, fast or
// slowly, is cut off.
func TestOversizedBodyDiscardIsBounded(t *testing.T) {
	h := start(t)
	header := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: relay\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", PathJira, 1<<30)
	tests := []struct {
		name  string
		chunk int
		pause time.Duration
	}{
		{"fast", 64 << 10, 0},
		{"slow", 1 << 10, 20 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn, err := net.Dial("tcp", strings.TrimPrefix(h.relay.URL(), "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			began := time.Now()
			_ = conn.SetWriteDeadline(began.Add(10 * time.Second))
			if _, err := io.WriteString(conn, header); err != nil {
				t.Fatal(err)
			}
			chunk := bytes.Repeat([]byte(" "), tt.chunk)
			sent := 0
			for {
				n, err := conn.Write(chunk)
				sent += n
				if err != nil {
					break
				}
				time.Sleep(tt.pause)
			}
			if took := time.Since(began); took >= 10*time.Second {
				t.Fatalf("the relay still read the body after %v (%d MiB)", took, sent>>20)
			}
			// Loopback buffers hold a few MiB more than the relay read.
			if sent >= 64<<20 {
				t.Errorf("the relay took %d MiB of an oversized body before it closed the connection", sent>>20)
			}
		})
	}
}

// A client that waits for 100 Continue before it sends an oversized body is
// answered 413 at once, without being asked for the body.
func TestOversizedBodyWithExpectContinueIsNotRead(t *testing.T) {
	h := start(t)
	conn, err := net.Dial("tcp", strings.TrimPrefix(h.relay.URL(), "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: relay\r\nContent-Length: %d\r\nExpect: 100-continue\r\n\r\n", PathJira, 2*MaxBodyBytes)
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("first answer %d, want 413", resp.StatusCode)
	}
}
