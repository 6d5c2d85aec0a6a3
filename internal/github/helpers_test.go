package github_test

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/httpretry"
)

const ms = time.Millisecond

// newClient returns a client of fake with millisecond backoffs, no jitter
// and a recording sleeper.
func newClient(t *testing.T, fake *githubtest.Server, opts ...func(*github.Config)) (*github.Client, *fakeapi.Sleeper) {
	t.Helper()
	sl := &fakeapi.Sleeper{}
	cfg := github.Config{
		APIURL:     fake.URL,
		Repository: fake.Repository(),
		Token:      githubtest.Token,
		HTTPClient: fake.Client(),
		Retry: httpretry.Policy{
			BaseDelay: ms,
			MaxDelay:  8 * ms,
			Sleep:     sl.Sleep,
			Jitter:    func(d time.Duration) time.Duration { return d },
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := github.New(cfg)
	if err != nil {
		t.Fatalf("github.New: %v", err)
	}
	return c, sl
}

// bodies returns the decoded request bodies the fake got on route.
func bodies(t *testing.T, fake *githubtest.Server, route string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, ex := range fake.Exchanges() {
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

// failingTransport fails the first n requests with err, then delegates.
type failingTransport struct {
	mu   sync.Mutex
	n    int
	err  error
	base http.RoundTripper
}

func (f *failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	f.mu.Lock()
	fail := f.n > 0
	if fail {
		f.n--
	}
	f.mu.Unlock()
	if fail {
		if r.Body != nil {
			r.Body.Close()
		}
		return nil, f.err
	}
	return f.base.RoundTrip(r)
}
