package relay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The dispatcher speaks to one GitHub endpoint with plain net/http rather
// than go-github: a single POST whose every status code matters (only 204
// is success; 429, 5xx and a rate-limit 403 are retried, other 4xx are
// not), Retry-After is read directly, and no client-wide rate-limit state
// can turn one repository's 403 into refusals for later, unrelated
// deliveries.

// dispatcher sends repository_dispatch events, retrying what may succeed
// on a second try.
type dispatcher struct {
	client         *http.Client
	url            string // .../repos/{owner}/{repo}/dispatches
	repo           string // owner/name
	header         http.Header
	maxAttempts    int
	backoff        time.Duration
	attemptTimeout time.Duration
}

func newDispatcher(cfg Config) (*dispatcher, error) {
	base, err := apiBase(cfg.GitHubAPIURL)
	if err != nil {
		return nil, err
	}
	owner, repo, err := splitRepository(cfg.Repository)
	if err != nil {
		return nil, err
	}
	rt := cfg.Transport
	if rt == nil {
		rt = newTransport()
	}
	u := base.JoinPath("repos", owner, repo, "dispatches")
	return &dispatcher{
		client: &http.Client{
			Transport: rt,
			// The dispatch endpoint does not redirect; following one could
			// carry the token to another host.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		url:  u.String(),
		repo: owner + "/" + repo,
		header: http.Header{
			"Accept":               {"application/vnd.github+json"},
			"Authorization":        {"Bearer " + cfg.GitHubToken},
			"Content-Type":         {"application/json"},
			"User-Agent":           {"rotor-relay"},
			"X-Github-Api-Version": {"2022-11-28"},
		},
		maxAttempts:    cfg.MaxAttempts,
		backoff:        cfg.RetryBackoff,
		attemptTimeout: cfg.AttemptTimeout,
	}, nil
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

// dispatchBody is the request body of POST /repos/{owner}/{repo}/dispatches.
type dispatchBody struct {
	EventType     string  `json:"event_type"`
	ClientPayload Payload `json:"client_payload"`
}

// upstreamError is a failed call to GitHub.
type upstreamError struct {
	status     int // 0 when no answer came
	retryable  bool
	retryAfter time.Duration
	msg        string
}

func (e *upstreamError) Error() string {
	if e.status == 0 {
		return e.msg
	}
	return fmt.Sprintf("GitHub answered %d: %s", e.status, e.msg)
}

// dispatch sends p, retrying network errors, rate limits and 5xx with exponential
// backoff while attempts and ctx's deadline allow. It returns how many
// calls it made.
func (d *dispatcher) dispatch(ctx context.Context, p Payload) (attempts int, err error) {
	body, err := json.Marshal(dispatchBody{EventType: EventType, ClientPayload: p})
	if err != nil {
		return 0, err
	}
	for attempt := 1; ; attempt++ {
		err := d.once(ctx, body)
		if err == nil {
			return attempt, nil
		}
		var ue *upstreamError
		if !errors.As(err, &ue) || !ue.retryable || attempt >= d.maxAttempts {
			return attempt, err
		}
		wait := d.delay(attempt, ue.retryAfter)
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < wait {
			return attempt, fmt.Errorf("%w (no time left for another try)", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return attempt, fmt.Errorf("%w (gave up: %v)", err, context.Cause(ctx))
		case <-t.C:
		}
	}
}

// delay is the pause after attempt: backoff·2^(attempt-1), jittered to
// between half and all of it, or GitHub's Retry-After when longer.
func (d *dispatcher) delay(attempt int, retryAfter time.Duration) time.Duration {
	b := d.backoff << (attempt - 1)
	if b > 0 {
		b = b/2 + rand.N(b/2+1)
	}
	return max(b, retryAfter)
}

// once makes one call.
func (d *dispatcher) once(ctx context.Context, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, d.attemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header = d.header.Clone()

	resp, err := d.client.Do(req)
	if err != nil {
		return &upstreamError{retryable: true, msg: "GitHub unreachable: " + networkReason(err)}
	}
	defer func() {
		// Drain a little so the connection goes back to the pool.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
	}()
	if resp.StatusCode == http.StatusNoContent {
		return nil
	}
	e := &upstreamError{status: resp.StatusCode, msg: githubMessage(resp)}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		e.retryable = true
		e.retryAfter = retryAfter(resp.Header.Get("Retry-After"))
	case resp.StatusCode == http.StatusForbidden && rateLimited(resp.Header):
		// GitHub answers most rate limits with 403, not 429: a secondary
		// limit with Retry-After, the primary one with
		// X-RateLimit-Remaining: 0 and the reset time.
		e.retryable = true
		e.retryAfter = max(retryAfter(resp.Header.Get("Retry-After")), untilReset(resp.Header.Get("X-RateLimit-Reset"), time.Now()))
		e.msg += ": rate limited"
	case resp.StatusCode == http.StatusUnauthorized:
		e.msg += ": check GITHUB_TOKEN (expired or revoked?)"
	case resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound:
		e.msg += ": the token needs Contents: read and write on " + d.repo
	}
	return e
}

// githubMessage reads the "message" of a GitHub error body.
func githubMessage(resp *http.Response) string {
	var v struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if json.Unmarshal(b, &v) == nil && v.Message != "" {
		return quote(v.Message)
	}
	return http.StatusText(resp.StatusCode)
}

// networkReason describes a transport error without the URL's details.
func networkReason(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return err.Error()
}

// rateLimited reports whether a 403 from GitHub is a rate limit rather than
// a missing permission.
func rateLimited(h http.Header) bool {
	return h.Get("Retry-After") != "" || h.Get("X-RateLimit-Remaining") == "0"
}

// untilReset is the wait until X-RateLimit-Reset (epoch seconds), at most
// an hour; zero when absent or past.
func untilReset(v string, now time.Time) time.Duration {
	s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0
	}
	return min(max(time.Unix(s, 0).Sub(now), 0), time.Hour)
}

// retryAfter reads a Retry-After header in seconds (HTTP dates are rare on
// GitHub and treated as absent).
func retryAfter(v string) time.Duration {
	s, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || s < 0 {
		return 0
	}
	return time.Duration(min(s, 3600)) * time.Second
}
