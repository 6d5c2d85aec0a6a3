package jira

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says how rotor retries a request Jira could not serve. Zero
// members take the defaults shown.
//
//   - 429 and 503: wait Retry-After (seconds or an HTTP date), at most
//     MaxRetryAfter; without the header, back off as below.
//   - other 5xx and network errors: back off BaseDelay·2^(n-1), at most
//     MaxDelay, with jitter.
//   - any other answer is final.
//
// A retry never waits past the context's deadline: when the next wait would
// end after it, rotor stops and reports the last answer.
//
// The policy runs in the http.RoundTripper of the client rotor gives
// go-atlassian, so every request is retried the same way.
type RetryPolicy struct {
	MaxAttempts   int           // sends per request, first included; default 5
	BaseDelay     time.Duration // first backoff; default 500 ms
	MaxDelay      time.Duration // longest backoff; default 10 s
	MaxRetryAfter time.Duration // longest wait a Retry-After can ask; default 30 s

	// Sleep waits d or until ctx is done; default a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads a backoff; default a random value in [d/2, d].
	Jitter func(d time.Duration) time.Duration
	// Now is the clock the deadline is compared with; default time.Now.
	Now func() time.Time
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	if p.MaxAttempts <= 0 {
		p.MaxAttempts = 5
	}
	if p.BaseDelay <= 0 {
		p.BaseDelay = 500 * time.Millisecond
	}
	if p.MaxDelay <= 0 {
		p.MaxDelay = 10 * time.Second
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	if p.Sleep == nil {
		p.Sleep = sleep
	}
	if p.Jitter == nil {
		p.Jitter = halfJitter
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func halfJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// backoff is the wait before retry number attempt (1-based).
func (p RetryPolicy) backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	return p.Jitter(d)
}

// delay decides whether an answer (status, header) or a transport error is
// worth another attempt, and how long to wait first. safeOnly allows only
// the answers that prove the request was not applied.
func (p RetryPolicy) delay(attempt, status int, h http.Header, err error, safeOnly bool) (time.Duration, bool) {
	switch {
	case err != nil:
		return p.backoff(attempt), !safeOnly
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		if d, ok := p.retryAfter(h); ok {
			return d, true
		}
		return p.backoff(attempt), true
	case status >= 500:
		return p.backoff(attempt), !safeOnly
	}
	return 0, false
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date.
func (p RetryPolicy) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(p.Now())
		if d < 0 {
			d = 0
		}
	} else {
		return 0, false
	}
	if d > p.MaxRetryAfter {
		d = p.MaxRetryAfter
	}
	return d, true
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

// callInfo travels in a request's context between the adapter and the
// retry transport: what the caller allows, and what happened to the
// request.
type callInfo struct {
	// safeOnly limits retries to answers that prove the request was not
	// applied (429, 503): used for writes that must not happen twice.
	safeOnly bool

	method   string // of the last request sent
	path     string // escaped URL path of the last request sent
	attempts int    // how many times it was sent
	note     string // why the transport stopped retrying, when it did
}

type callKey struct{}

// withCall returns ctx carrying a fresh callInfo for one library call.
func withCall(ctx context.Context, safeOnly bool) (context.Context, *callInfo) {
	info := &callInfo{safeOnly: safeOnly}
	return context.WithValue(ctx, callKey{}, info), info
}

// retryTransport sends a request through base and retries it as the
// policy allows. Each attempt gets its own timeout (the one the caller's
// http.Client had for a whole request), and an answer is read to at most
// maxBody bytes.
type retryTransport struct {
	base    http.RoundTripper
	policy  RetryPolicy
	timeout time.Duration // per attempt; 0: none
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	info, _ := ctx.Value(callKey{}).(*callInfo)
	if info == nil {
		info = &callInfo{}
	}
	info.method, info.path, info.attempts, info.note = req.Method, req.URL.EscapedPath(), 0, ""
	// A body that cannot be produced again allows one attempt only.
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	p := t.policy
	for attempt := 1; ; attempt++ {
		r := req
		if attempt > 1 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, fmt.Errorf("resend the request body: %w", err)
				}
				r.Body = body
			}
		}
		info.attempts = attempt
		resp, err := t.send(r)
		if ctx.Err() != nil || !rewindable {
			return resp, err
		}
		status, header := 0, http.Header(nil)
		if err == nil {
			status, header = resp.StatusCode, resp.Header
		}
		delay, retry := p.delay(attempt, status, header, err, info.safeOnly)
		if !retry {
			return resp, err
		}
		if resp != nil {
			// Keep the answer readable whatever happens to ctx while waiting.
			resp.Body = buffered(resp.Body)
		}
		if attempt >= p.MaxAttempts {
			info.note = fmt.Sprintf("gave up after %d attempts", attempt)
			return resp, err
		}
		if dl, ok := ctx.Deadline(); ok && !p.Now().Add(delay).Before(dl) {
			info.note = fmt.Sprintf("gave up after %d attempts: waiting %s more would pass the deadline", attempt, delay)
			return resp, err
		}
		if serr := p.Sleep(ctx, delay); serr != nil {
			info.note = fmt.Sprintf("gave up after %d attempts: %v", attempt, serr)
			return resp, err
		}
	}
}

// send makes one attempt.
func (t *retryTransport) send(r *http.Request) (*http.Response, error) {
	cancel := context.CancelFunc(func() {})
	if t.timeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(r.Context(), t.timeout)
		r = r.WithContext(ctx)
	}
	resp, err := t.base.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	resp.Body = &limitedBody{r: io.LimitReader(resp.Body, maxBody), c: resp.Body, cancel: cancel}
	return resp, nil
}

// limitedBody reads at most maxBody bytes of an answer and ends the
// attempt's timeout when closed.
type limitedBody struct {
	r      io.Reader
	c      io.Closer
	cancel context.CancelFunc
}

func (b *limitedBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *limitedBody) Close() error {
	err := b.c.Close()
	b.cancel()
	return err
}

// buffered reads body into memory and closes it. A read error ends the
// data early: the answer's status is what matters then.
func buffered(body io.ReadCloser) io.ReadCloser {
	data, _ := io.ReadAll(body)
	body.Close()
	return io.NopCloser(bytes.NewReader(data))
}
