package fakeapi

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"testing"
)

// JSONBodies returns the decoded request bodies of the exchanges to route,
// in order; a body that is not a JSON object fails the test.
func JSONBodies(t testing.TB, exchanges []Exchange, route string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ex := range exchanges {
		if ex.Route != route {
			continue
		}
		var v map[string]any
		if err := json.Unmarshal(ex.RequestBody, &v); err != nil {
			t.Fatalf("%s body %q: %v", route, ex.RequestBody, err)
		}
		out = append(out, v)
	}
	return out
}

// FailingTransport fails the first N requests with Err, as a network
// would (the request never reaches the server), then sends the rest
// through Base.
type FailingTransport struct {
	N    int
	Err  error
	Base http.RoundTripper

	mu sync.Mutex
}

// RoundTrip implements http.RoundTripper.
func (f *FailingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.N > 0
	if fail {
		f.N--
	}
	f.mu.Unlock()
	if fail {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, f.Err
	}
	return f.Base.RoundTrip(r)
}

// ClosedAddr is host:port of a port on 127.0.0.1 that nothing listens on:
// a connection to it is refused.
func ClosedAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// SilentAddr is host:port of a server on 127.0.0.1 that takes every
// connection and never says a word, until the end of t: what a client's
// timeout is for.
func SilentAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		l.Close()
		<-done
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return l.Addr().String()
}
