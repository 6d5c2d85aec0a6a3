package jira

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rotor-dev/rotor/internal/httpretry"
)

// RetryPolicy says how rotor retries a request Jira could not serve: the
// shared policy of package httpretry, whose zero members take its
// defaults (5 attempts, backoff from 500 ms to 10 s, Retry-After up to
// 30 s).
//
//   - 429 and 503: wait Retry-After (seconds or an HTTP date), at most
//     MaxRetryAfter; without the header, back off as below.
//   - other 5xx and network errors: back off BaseDelay·2^(n-1), at most
//     MaxDelay, with jitter; a write that must not happen twice (creating
//     a ticket, posting a comment) is not sent again after these before
//     rotor has looked whether it landed, see Client.Create and
//     Client.Comment.
//   - any other answer is final.
//
// A retry never waits past the context's deadline: when the next wait would
// end after it, rotor stops and reports the last answer.
//
// The policy runs in the http.RoundTripper (httpretry.Transport) of the
// client rotor gives go-atlassian, so every request is retried the same
// way. GitHubRateLimits has no effect on Jira: it is always off.
type RetryPolicy httpretry.Policy

func (p RetryPolicy) withDefaults() RetryPolicy {
	p.GitHubRateLimits = false
	return RetryPolicy(httpretry.Policy(p).WithDefaults())
}

// backoff is the wait before retry number attempt (1-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	return httpretry.Policy(p).Backoff(attempt)
}

// isAmbiguous reports whether a failed write may nevertheless have been
// applied by Jira: no answer came, or a 5xx other than 503.
func isAmbiguous(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	return e.StatusCode == 0 && e.Err != nil || e.StatusCode >= 500 && e.StatusCode != http.StatusServiceUnavailable
}

// withCall returns ctx for one library call, carrying what the caller
// allows and a fresh record of what happened to its requests. safeOnly
// limits retries to answers that prove the request was not applied (429,
// 503): used for writes that must not happen twice. Every other request
// is retried after any transient failure, whatever its method (a JQL
// search is a POST).
func withCall(ctx context.Context, safeOnly bool) (context.Context, *httpretry.Record) {
	safety := httpretry.Idempotent
	if safeOnly {
		safety = httpretry.NotIdempotent
	}
	return httpretry.WithRecord(httpretry.WithSafety(ctx, safety))
}
