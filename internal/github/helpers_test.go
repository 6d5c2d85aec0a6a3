package github_test

import (
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
	return fakeapi.JSONBodies(t, fake.Exchanges(), route)
}
