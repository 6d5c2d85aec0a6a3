// Package httpretry is the one retry policy of rotor's HTTP adapters (Jira,
// GitHub, the relay's dispatch): an http.RoundTripper that sends a request
// again when the answer, or the lack of one, says a second try may
// succeed, and that never repeats a request that may have been applied
// unless the caller says repeating it is harmless.
//
// What is retried, and after how long:
//
//   - 429 and 503: the request was not served. Wait Retry-After (seconds
//     or an HTTP date, at most MaxRetryAfter), else back off. Retried for
//     every request.
//   - With GitHubRateLimits, a 403 that is one of GitHub's rate limits
//     (X-RateLimit-Remaining: 0, a Retry-After, or a "secondary rate limit"
//     message), and a 429 with X-RateLimit-Remaining: 0: wait Retry-After,
//     else until X-RateLimit-Reset. A reset further away than
//     MaxRetryAfter is not waited for: the answer is final and the Record
//     says until when the limit holds.
//   - other 5xx and network errors: back off BaseDelay·2^(n-1), at most
//     MaxDelay, with jitter; only for requests that are safe to repeat
//     (see Safety): the first attempt may have been applied.
//   - any other answer is final.
//
// A retry never waits past the request context's deadline, nor more than
// MaxTotalWait in all; the sleep ends when the context does. A body is
// sent again through Request.GetBody; a request whose body cannot be
// produced again is sent once.
package httpretry

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Policy says how often and how long to retry. Zero members take the
// defaults shown.
type Policy struct {
	MaxAttempts   int           // sends per request, the first included; default 5
	BaseDelay     time.Duration // first backoff; default 500 ms
	MaxDelay      time.Duration // longest backoff; default 10 s
	MaxRetryAfter time.Duration // longest wait a Retry-After or a rate-limit reset may ask; default 30 s
	MaxTotalWait  time.Duration // all the waits of one request added up; default 2 min

	// GitHubRateLimits treats GitHub's rate-limit answers (a 403 or 429
	// with X-RateLimit-Remaining: 0, a 403 with Retry-After or a secondary
	// rate limit message) as "not served", like a 429.
	GitHubRateLimits bool

	// Sleep waits d or until ctx is done; default Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// Jitter spreads a backoff; default a random value in [d/2, d].
	Jitter func(d time.Duration) time.Duration
	// Now is the clock deadlines, HTTP dates and resets are compared
	// with; default time.Now.
	Now func() time.Time
}

// WithDefaults returns p with its zero members set to the defaults.
func (p Policy) WithDefaults() Policy {
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
	if p.MaxTotalWait <= 0 {
		p.MaxTotalWait = 2 * time.Minute
	}
	if p.Sleep == nil {
		p.Sleep = Sleep
	}
	if p.Jitter == nil {
		p.Jitter = HalfJitter
	}
	if p.Now == nil {
		p.Now = time.Now
	}
	return p
}

// Sleep waits d, or until ctx is done, and then returns ctx's error.
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// HalfJitter returns a random duration between d/2 and d.
func HalfJitter(d time.Duration) time.Duration {
	if d <= 1 {
		return d
	}
	half := d / 2
	return half + rand.N(d-half+1)
}

// Backoff is the wait before retry number attempt (1-based) after a
// failure that named no wait: BaseDelay·2^(attempt-1), at most MaxDelay,
// jittered. p must have its defaults (WithDefaults).
func (p Policy) Backoff(attempt int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < attempt && d < p.MaxDelay; i++ {
		d *= 2
	}
	if d > p.MaxDelay {
		d = p.MaxDelay
	}
	return p.Jitter(d)
}

// Safety says whether a request may be sent again after a failure that
// leaves open whether it was applied (a 5xx other than 503, no answer).
type Safety int

const (
	// ByMethod: GET, HEAD, OPTIONS, TRACE, PUT and DELETE may be repeated,
	// other methods may not. In a context, it defers to Transport.Safety.
	ByMethod Safety = iota
	// Idempotent: the request may be repeated whatever its method (a POST
	// that searches, or whose duplicate the server refuses).
	Idempotent
	// NotIdempotent: the request is repeated only after answers that show
	// it was not applied (429, 503, rate limits), whatever its method.
	NotIdempotent
)

type safetyKey struct{}

// WithSafety returns ctx marking the requests sent with it as s.
func WithSafety(ctx context.Context, s Safety) context.Context {
	return context.WithValue(ctx, safetyKey{}, s)
}

// Record is what the transport did with the last request sent with a
// context from WithRecord. One Record serves one call at a time; a call
// that sends several requests in turn (pages) sees the last one.
type Record struct {
	Method   string // of the last request
	Path     string // its escaped URL path
	Attempts int    // how many times it was sent
	Note     string // why the transport stopped retrying, when it did
}

type recordKey struct{}

// WithRecord returns ctx carrying a fresh Record that the transport fills.
func WithRecord(ctx context.Context) (context.Context, *Record) {
	r := &Record{}
	return context.WithValue(ctx, recordKey{}, r), r
}

// Transport is an http.RoundTripper that retries as Policy says.
type Transport struct {
	// Base sends each attempt; nil means http.DefaultTransport.
	Base http.RoundTripper
	// Policy is how often and how long to retry.
	Policy Policy
	// AttemptTimeout bounds each attempt, reading the answer's body
	// included; 0: only the request's context bounds it.
	AttemptTimeout time.Duration
	// MaxResponseBytes bounds how much of an answer's body can be read;
	// 0: no bound.
	MaxResponseBytes int64
	// Safety applies to requests whose context carries none: ByMethod
	// (the zero value), Idempotent or NotIdempotent.
	Safety Safety
}

// RoundTrip sends req, and again as the policy allows. It returns the
// last answer or error; the Record in req's context (WithRecord) says how
// many attempts were made and why the retries stopped.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	rec, _ := ctx.Value(recordKey{}).(*Record)
	if rec == nil {
		rec = &Record{}
	}
	rec.Method, rec.Path, rec.Attempts, rec.Note = req.Method, req.URL.EscapedPath(), 0, ""
	repeatable := t.repeatable(req)
	// A body that cannot be produced again allows one attempt only.
	rewindable := req.Body == nil || req.Body == http.NoBody || req.GetBody != nil
	p := t.Policy.WithDefaults()
	var waited time.Duration
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
		rec.Attempts = attempt
		resp, err := t.send(r)
		if ctx.Err() != nil || !rewindable {
			return resp, err
		}
		delay, retry, note := p.decide(attempt, resp, err, repeatable)
		if !retry {
			if note != "" {
				rec.Note = note
			}
			return resp, err
		}
		if resp != nil {
			// Keep the answer readable whatever happens to ctx while waiting.
			resp.Body = buffered(resp.Body)
		}
		switch {
		case attempt >= p.MaxAttempts:
			rec.Note = fmt.Sprintf("gave up after %d attempts", attempt)
			return resp, err
		case waited+delay > p.MaxTotalWait:
			rec.Note = fmt.Sprintf("gave up after %d attempts: waiting %s more would pass the %s retry budget", attempt, delay, p.MaxTotalWait)
			return resp, err
		}
		if dl, ok := ctx.Deadline(); ok && !p.Now().Add(delay).Before(dl) {
			rec.Note = fmt.Sprintf("gave up after %d attempts: waiting %s more would pass the deadline", attempt, delay)
			return resp, err
		}
		if serr := p.Sleep(ctx, delay); serr != nil {
			rec.Note = fmt.Sprintf("gave up after %d attempts: %v", attempt, serr)
			return resp, err
		}
		waited += delay
	}
}

// repeatable reports whether req may be sent again after an ambiguous
// failure.
func (t *Transport) repeatable(req *http.Request) bool {
	s, _ := req.Context().Value(safetyKey{}).(Safety)
	if s == ByMethod {
		s = t.Safety
	}
	switch s {
	case Idempotent:
		return true
	case NotIdempotent:
		return false
	}
	switch req.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace, http.MethodPut, http.MethodDelete:
		return true
	}
	return false
}

// decide says whether an answer or a transport error is worth another
// attempt, how long to wait first, and, for a final answer, why (when
// that is worth saying).
func (p Policy) decide(attempt int, resp *http.Response, err error, repeatable bool) (time.Duration, bool, string) {
	if err != nil {
		return p.Backoff(attempt), repeatable, ""
	}
	status, h := resp.StatusCode, resp.Header
	if p.GitHubRateLimits && (status == http.StatusForbidden || status == http.StatusTooManyRequests) {
		if d, ok := p.retryAfter(h); ok {
			return d, true, ""
		}
		if h.Get("X-RateLimit-Remaining") == "0" {
			if reset, ok := parseReset(h.Get("X-RateLimit-Reset")); ok {
				d := max(reset.Sub(p.Now()), 0)
				if d > p.MaxRetryAfter {
					return 0, false, fmt.Sprintf("rate limited until %s (X-RateLimit-Reset)", reset.UTC().Format(time.RFC3339))
				}
				return d, true, ""
			}
			return p.Backoff(attempt), true, ""
		}
		if status == http.StatusForbidden {
			if !secondaryLimit(resp) {
				return 0, false, ""
			}
			// GitHub asks for at least a minute when it names no wait.
			return min(time.Minute, p.MaxRetryAfter), true, ""
		}
	}
	switch {
	case status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable:
		if d, ok := p.retryAfter(h); ok {
			return d, true, ""
		}
		return p.Backoff(attempt), true, ""
	case status >= 500:
		return p.Backoff(attempt), repeatable, ""
	}
	return 0, false, ""
}

// retryAfter reads a Retry-After header: delay-seconds or an HTTP date,
// at most MaxRetryAfter.
func (p Policy) retryAfter(h http.Header) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0, false
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		d = time.Duration(min(n, 1<<20)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = max(t.Sub(p.Now()), 0)
	} else {
		return 0, false
	}
	return min(d, p.MaxRetryAfter), true
}

// parseReset reads X-RateLimit-Reset: seconds since the epoch.
func parseReset(v string) (time.Time, bool) {
	s, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}, false
	}
	return time.Unix(s, 0), true
}

// peekLimit is how much of a 403's body is read to tell a secondary rate
// limit from a missing permission.
const peekLimit = 4 << 10

// secondaryLimit reports whether a 403 is GitHub's secondary rate limit:
// its message says so. The body stays readable in full.
func secondaryLimit(resp *http.Response) bool {
	if resp.Body == nil {
		return false
	}
	head, err := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body = &readCloser{Reader: io.MultiReader(bytes.NewReader(head), resp.Body), Closer: resp.Body}
	if err != nil {
		return false
	}
	text := strings.ToLower(string(head))
	return strings.Contains(text, "secondary rate limit") || strings.Contains(text, "abuse detection")
}

type readCloser struct {
	io.Reader
	io.Closer
}

// send makes one attempt.
func (t *Transport) send(r *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	cancel := context.CancelFunc(func() {})
	if t.AttemptTimeout > 0 {
		var ctx context.Context
		ctx, cancel = context.WithTimeout(r.Context(), t.AttemptTimeout)
		r = r.WithContext(ctx)
	}
	resp, err := base.RoundTrip(r)
	if err != nil {
		cancel()
		return nil, err
	}
	var body io.Reader = resp.Body
	if t.MaxResponseBytes > 0 {
		body = io.LimitReader(resp.Body, t.MaxResponseBytes)
	}
	resp.Body = &attemptBody{r: body, c: resp.Body, cancel: cancel}
	return resp, nil
}

// attemptBody reads an answer (at most MaxResponseBytes) and ends the
// attempt's timeout when closed.
type attemptBody struct {
	r      io.Reader
	c      io.Closer
	cancel context.CancelFunc
}

func (b *attemptBody) Read(p []byte) (int, error) { return b.r.Read(p) }

func (b *attemptBody) Close() error {
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
