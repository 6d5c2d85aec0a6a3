package github

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"

	"github.com/rotor-dev/rotor/internal/httpretry"
)

// The dispatch is one plain POST rather than go-github's
// Repositories.Dispatch: only 204 is success (go-github takes any 2xx),
// and go-github's client-wide memory of a rate limit would turn one
// repository's 403 into refusals of later, unrelated deliveries without
// asking GitHub.

// dispatchBody is the request body of POST /repos/{owner}/{repo}/dispatches.
type dispatchBody struct {
	EventType     string          `json:"event_type"`
	ClientPayload DispatchPayload `json:"client_payload"`
}

// DispatchURL is the address Dispatch posts to.
func (c *Client) DispatchURL() string {
	return c.base.JoinPath("repos", c.owner, c.name, "dispatches").String()
}

// Dispatch sends a repository_dispatch event of type DispatchEventType
// with p as its client_payload, and returns how many times it was sent.
// Network errors, 429, 5xx and GitHub's rate limits are retried as the
// client's policy and ctx's deadline allow: the record step treats a
// repeated event as the same one, so a duplicate is harmless. Only 204
// is success.
func (c *Client) Dispatch(ctx context.Context, p DispatchPayload) (attempts int, err error) {
	if err := p.Validate(); err != nil {
		return 0, fmt.Errorf("github: send %s to %s: %w", DispatchEventType, c.FullName(), err)
	}
	body, err := json.Marshal(dispatchBody{EventType: DispatchEventType, ClientPayload: p})
	if err != nil {
		return 0, err
	}
	ctx, rec := httpretry.WithRecord(httpretry.WithSafety(ctx, httpretry.Idempotent))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.DispatchURL(), bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err == nil && resp.StatusCode == http.StatusNoContent {
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
		return rec.Attempts, nil
	}
	e := &Error{Op: "send " + DispatchEventType + " to " + c.FullName(), Method: rec.Method, Path: rec.Path, Attempts: rec.Attempts, Note: rec.Note}
	if err != nil {
		var re *RedirectError
		switch {
		case ctx.Err() != nil:
			e.Err = fmt.Errorf("GitHub unreachable: %w", context.Cause(ctx))
		case errors.As(err, &re):
			e.Err = re
			e.Hint = hint(re.StatusCode, "", c.FullName())
		default:
			e.Err = errors.New("GitHub unreachable: " + networkReason(err))
		}
		return rec.Attempts, e
	}
	defer func() {
		// Drain a little so the connection goes back to the pool.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
	}()
	e.StatusCode = resp.StatusCode
	e.Message = githubMessage(resp.Body)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return rec.Attempts, fmt.Errorf("%w: %w, not 204 No Content", e, ErrUnexpectedAnswer)
	case resp.StatusCode == http.StatusUnauthorized:
		e.Hint = "check the token (expired or revoked?)"
	case rateLimited(resp):
		e.Hint = "rate limited"
	case resp.StatusCode == http.StatusForbidden, resp.StatusCode == http.StatusNotFound:
		e.Hint = "the token needs Contents: read and write on " + c.FullName()
	default:
		e.Hint = hint(resp.StatusCode, e.Message, c.FullName())
	}
	return rec.Attempts, e
}

// rateLimited reports whether an answer is one of GitHub's rate limits.
func rateLimited(resp *http.Response) bool {
	return resp.StatusCode == http.StatusTooManyRequests ||
		resp.StatusCode == http.StatusForbidden && (resp.Header.Get("Retry-After") != "" || resp.Header.Get("X-RateLimit-Remaining") == "0")
}

// githubMessage reads the "message" of a GitHub error body.
func githubMessage(body io.Reader) string {
	var v struct {
		Message string `json:"message"`
	}
	b, _ := io.ReadAll(io.LimitReader(body, 4<<10))
	if json.Unmarshal(b, &v) == nil {
		return v.Message
	}
	return ""
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
