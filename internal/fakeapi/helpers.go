package fakeapi

import (
	"encoding/json"
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
