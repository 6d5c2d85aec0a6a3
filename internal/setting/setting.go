// Package setting is how rotor speaks of a setting (an environment
// variable or a flag) that is set but wrong: by its name, with what is
// wrong and what to do, and never with its value.
//
// A setting may hold a password, a token or a key, or one pasted into the
// wrong variable, and net/url's errors quote their whole input (`parse
// "smtp://user:pass...": ...`) or pieces of it (an escape, a "port"). So
// the most a message shows of a value is the scheme and host of a URL,
// and only when they parse as a known scheme and a plain host name or IP
// address.
package setting

import (
	"errors"
	"net"
	"net/url"
	"strings"

	"github.com/rotor-dev/rotor/internal/leak"
)

// Error is a setting that is set but wrong. It holds no part of the value
// beyond Site.
type Error struct {
	// Name is the environment variable or flag, e.g. ROTOR_SMTP_URL or --addr.
	Name string
	// Site is scheme://host[:port] of the value, or "" when none is shown.
	Site string
	// Problem says what is wrong and what to do.
	Problem string
	err     error
}

// Error is "NAME (scheme://host): problem", or "NAME: problem" when no
// part of the value is shown.
func (e *Error) Error() string {
	if e.Site != "" {
		return e.Name + " (" + e.Site + "): " + e.Problem
	}
	return e.Name + ": " + e.Problem
}

// Unwrap returns the problem as it was given, so that errors.Is sees the
// sentinel an adapter wraps (mail.ErrURL). Its text may be unsafe: print
// the Error, never what Unwrap returns.
func (e *Error) Unwrap() error { return e.err }

// Invalid returns the error of the setting name whose value is wrong as
// problem says, e.g. "plain http: use https://". It is the one way rotor
// reports a malformed setting.
//
// problem must not quote the value. Should it anyway, the text is
// replaced: a *url.Error (which quotes its whole input) by a fixed
// sentence, and the value, what follows its scheme, its user information
// or its password, wherever they appear, by [redacted] (leak.Redacted).
func Invalid(name, value string, problem error) *Error {
	text := problem.Error()
	var ue *url.Error
	if errors.As(problem, &ue) {
		text = "not a URL (its text is not shown, in case it is a secret)"
	}
	for _, s := range secretParts(value) {
		text = strings.ReplaceAll(text, s, leak.Redacted)
	}
	return &Error{Name: name, Site: Site(value), Problem: text, err: problem}
}

// secretParts are the texts of value a message must never show: the
// value itself, what follows its scheme, and the user information and
// password of a URL, each when long enough not to be a common word. A
// plain host name (with a port or not) is no secret, and may well be
// part of a hint, so it is left alone.
func secretParts(value string) []string {
	var parts []string
	add := func(s string) {
		host, _, err := net.SplitHostPort(s)
		if err != nil {
			host = s
		}
		if len(s) >= 4 && !plainHostName(host) {
			parts = append(parts, s)
		}
	}
	add(value)
	add(strings.TrimSpace(value))
	if _, rest, ok := strings.Cut(value, "://"); ok {
		add(rest)
		// The user information ends at the last "@", as a password may
		// hold "/", "?" or "#"; without an "@", what follows the first
		// ":" may be a password whose host was forgotten.
		user := rest
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			user = rest[:at]
			add(user)
		}
		if _, pass, ok := strings.Cut(user, ":"); ok {
			add(pass)
		}
	}
	return parts
}

// schemes are the schemes Site shows: those of rotor's settings, and
// those a setting is often mistaken for.
var schemes = map[string]bool{
	"http": true, "https": true, "smtp": true, "smtps": true,
	"ftp": true, "ftps": true, "ws": true, "wss": true, "ssh": true, "git": true, "file": true,
}

// Site returns "scheme://host[:port]" of value when value parses as an
// absolute URL of a known scheme whose host is a lowercase host name (with
// a dot, or localhost) or an IP address; otherwise "". The user
// information, path, query and fragment are never part of it: any of them
// may hold a token. A host that is not a plain name is not shown either:
// it may be a key pasted where the host belongs.
func Site(value string) string {
	u, err := url.Parse(strings.TrimSpace(value))
	if err != nil || u.Opaque != "" || !schemes[u.Scheme] || u.Host == "" {
		return ""
	}
	host := u.Hostname()
	if net.ParseIP(host) == nil && !plainHostName(host) {
		return ""
	}
	return u.Scheme + "://" + u.Host
}

// plainHostName reports whether host is a DNS name as a person types one:
// lowercase letters, digits and hyphens in labels of 1 to 63 characters,
// with at least one dot, or localhost.
func plainHostName(host string) bool {
	if host == "localhost" {
		return true
	}
	if len(host) > 253 || !strings.Contains(host, ".") {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}
