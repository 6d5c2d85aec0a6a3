package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// ErrPullRequestExists matches (with errors.Is) GitHub's refusal to open a
// pull request because an open one already exists for the same head and
// base (422, "A pull request already exists for owner:branch.").
var ErrPullRequestExists = errors.New("github: a pull request already exists for this head and base")

// ErrNotFound matches (with errors.Is) an Error whose status is 404.
var ErrNotFound = errors.New("github: not found")

// ErrUnexpectedAnswer is wrapped by every error about an answer whose
// shape is not what the endpoint returns (not JSON, a pull request without
// a number, a 200 where 204 is the answer).
var ErrUnexpectedAnswer = errors.New("GitHub's answer is not what the endpoint returns")

// Error is a request GitHub answered with a status rotor did not expect,
// or that failed after every retry.
type Error struct {
	Op         string // what rotor was doing: "open a pull request for rotor/record/x"
	Method     string
	Path       string // escaped URL path
	StatusCode int    // 0 when no answer came
	Message    string // GitHub's "message"
	Details    []string
	Hint       string // what to fix
	Attempts   int    // how many times the request was sent
	Note       string // why rotor stopped retrying, when it did
	Err        error  // the transport error, when no answer came (a *RedirectError for a refused redirect)
}

// Error says what rotor was doing, what GitHub answered, what to fix and
// why retrying stopped.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("github: ")
	b.WriteString(e.Op)
	b.WriteString(": ")
	b.WriteString(e.Answer())
	if e.Hint != "" {
		b.WriteString(" (")
		b.WriteString(e.Hint)
		b.WriteString(")")
	}
	if e.Note != "" {
		b.WriteString(" (")
		b.WriteString(e.Note)
		b.WriteString(")")
	}
	return b.String()
}

// Answer is what GitHub answered: the status and its messages, or the
// transport error when no answer came.
func (e *Error) Answer() string {
	if e.StatusCode == 0 {
		if e.Err != nil {
			return e.Err.Error()
		}
		return "no answer"
	}
	s := fmt.Sprintf("GitHub answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	var parts []string
	if e.Message != "" {
		parts = append(parts, quote(e.Message))
	}
	parts = append(parts, e.Details...)
	if len(parts) > 0 {
		s += ": " + strings.Join(parts, "; ")
	}
	return s
}

// Unwrap returns the transport error, if any.
func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrNotFound) true for a 404 and
// errors.Is(err, ErrPullRequestExists) true for GitHub's "A pull request
// already exists".
func (e *Error) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.StatusCode == http.StatusNotFound
	case ErrPullRequestExists:
		return e.pullRequestExists()
	}
	return false
}

func (e *Error) pullRequestExists() bool {
	if e.StatusCode != http.StatusUnprocessableEntity {
		return false
	}
	for _, d := range e.Details {
		if strings.Contains(d, "A pull request already exists") {
			return true
		}
	}
	return false
}

// StatusCode returns the HTTP status of a GitHub error, or 0.
func StatusCode(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.StatusCode
	}
	return 0
}

// RedirectError is a redirect rotor refused to follow: the token must not
// travel to another address.
type RedirectError struct {
	StatusCode int    // 301, 302, 307, ...
	Host       string // the host the Location header names
}

// Error names the status and the host the redirect pointed to.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("GitHub answered %d with a redirect to %s; rotor follows no redirect, so that the token never leaves for another address", e.StatusCode, e.Host)
}

// hint says what to fix for an answer; repo is "owner/name".
func hint(status int, message string, repo string) string {
	lower := strings.ToLower(message)
	switch {
	case status == http.StatusUnauthorized:
		return "the token is invalid, expired or revoked: give rotor a current token"
	case status == http.StatusForbidden && strings.Contains(lower, "rate limit"):
		return "rate limited: wait for the limit to reset, or run less often"
	case status == http.StatusForbidden && strings.Contains(lower, "not permitted to create or approve pull requests"):
		return `turn on "Allow GitHub Actions to create and approve pull requests" in ` + repo + "'s Settings → Actions → General → Workflow permissions, or give rotor a GitHub App or personal access token"
	case status == http.StatusForbidden && strings.Contains(lower, "resource not accessible"):
		return "the token lacks Contents: write or Pull requests: write on " + repo +
			` (in a workflow: permissions: contents: write, pull-requests: write), or, for GITHUB_TOKEN, the repository setting "Allow GitHub Actions to create and approve pull requests" (Settings → Actions → General → Workflow permissions) is off`
	case status == http.StatusForbidden:
		return "the token lacks a permission on " + repo + ": run rotor doctor"
	case status == http.StatusNotFound:
		return "the repository " + repo + " does not exist or the token cannot see it (GitHub answers 404, not 403, for a private repository the token may not read)"
	case status >= 300 && status < 400:
		return "if the repository was renamed or transferred, name it by its new owner/name"
	case status >= 500:
		return "GitHub could not serve the request: try again later (https://www.githubstatus.com)"
	}
	return ""
}
