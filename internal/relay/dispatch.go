package relay

import (
	"net/http"
	"time"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/httpretry"
)

// newDispatcher is the GitHub client the relay dispatches with
// (github.Client.Dispatch: strict 204, no redirects, the token only for
// the API host). Its retries are httpretry's with GitHub's rate limits:
// network errors, 429, 5xx and a rate-limit 403 are retried with
// exponential backoff from RetryBackoff, at most MaxAttempts calls, each
// bounded by AttemptTimeout, all within ForwardTimeout (the forward's
// context); other 4xx are final.
func newDispatcher(cfg Config) (*github.Client, error) {
	rt := cfg.Transport
	if rt == nil {
		rt = newTransport()
	}
	return github.New(github.Config{
		APIURL:     cfg.GitHubAPIURL,
		Repository: cfg.Repository,
		Token:      cfg.GitHubToken,
		HTTPClient: &http.Client{Transport: rt, Timeout: cfg.AttemptTimeout},
		Retry: httpretry.Policy{
			MaxAttempts: cfg.MaxAttempts,
			BaseDelay:   cfg.RetryBackoff,
			MaxDelay:    cfg.ForwardTimeout,
		},
		UserAgent: "rotor-relay",
	})
}

// newTransport is a transport whose idle pool fits a burst of concurrent
// deliveries to the one API host.
func newTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 128
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	t.ResponseHeaderTimeout = 0 // the attempt's context bounds it
	return t
}
