package setting

import (
	"net"
	"net/url"
	"strings"
)

// notAURL stands for text RedactURL cannot tell is free of secrets.
const notAURL = "(not a URL: not shown)"

// RedactURL returns raw fit for an error message or a log: the scheme,
// host and path of an absolute URL, without user information (a token is
// often passed as user:token@host), query or fragment. Text that does not
// parse as an absolute URL with a host (a token in the wrong variable, a
// password with a character the parser refuses) is not shown at all.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		// Take the host after the last "@", as the password may hold "/",
		// "?" or "#" that a parser would take for the end of the user
		// information, and try again.
		scheme, rest, ok := strings.Cut(raw, "://")
		if !ok {
			return notAURL
		}
		if at := strings.LastIndex(rest, "@"); at >= 0 {
			rest = rest[at+1:]
		}
		if i := strings.IndexAny(rest, "?#"); i >= 0 {
			rest = rest[:i]
		}
		if u, err = url.Parse(scheme + "://" + rest); err != nil {
			return notAURL
		}
	}
	if u.Scheme == "" || u.Host == "" || u.Opaque != "" {
		return notAURL
	}
	clean := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}
	return clean.String()
}

// RedactError returns err with the URL of a *url.Error redacted: net/http
// puts the whole request URL, query and user information included, into
// the errors of http.Client.Do. Other errors, wrapped ones included, are
// returned as they are: redact before wrapping.
func RedactError(err error) error {
	ue, ok := err.(*url.Error)
	if !ok {
		return err
	}
	return &url.Error{Op: ue.Op, URL: RedactURL(ue.URL), Err: ue.Err}
}

// IsLoopbackHost reports whether host (a host name or IP address without
// port or brackets) is this machine: localhost or a loopback address. Only
// there may an adapter talk plain http (tests, a local proxy).
func IsLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
