package setting

import (
	"net"
	"net/url"
	"strings"

	"github.com/rotor-dev/rotor/internal/leak"
)

// Every text rotor prints that may name a URL (an error of net/http, a
// proxy's answer, a setting) shows it through RedactURL or RedactURLs:
// without the user information (a token is often passed as
// user:token@host), the query and the fragment, each replaced by
// leak.Redacted, the marker of every secret rotor keeps out of its
// output. Text that is meant to be a URL and is none is not shown at all.

// RedactURL returns raw, a URL or a setting meant to be one, fit for an
// error message or a log: its scheme, host and path, with its user
// information, query and fragment replaced by [redacted]
// ("https://[redacted]@host/path?[redacted]"). A text that is not an
// absolute URL with a host (a token in the wrong variable, a host that
// does not parse, no scheme) is [redacted] as a whole.
//
// The user information ends at the last "@", as a password may hold "/",
// "?" or "#", which a parser takes for the end of the host: a path with
// an "@" in it loses a little more. Should the text parse with that "@"
// in its query or fragment, each reading would show what the other takes
// for a secret, so none of it is shown.
func RedactURL(raw string) string {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || !validScheme(scheme) {
		return leak.Redacted
	}
	at := strings.LastIndexByte(rest, '@')
	site := rest[at+1:]
	tail := ""
	if i := strings.IndexAny(site, "?#"); i >= 0 {
		site, tail = site[:i], site[i:i+1]+leak.Redacted
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 && i < at {
		if _, err := url.Parse(raw); err == nil {
			return leak.Redacted
		}
	}
	if u, err := url.Parse(scheme + "://" + site); err != nil || u.Host == "" {
		return leak.Redacted
	}
	user := ""
	if at >= 0 {
		user = leak.Redacted + "@"
	}
	return scheme + "://" + user + site + tail
}

// validScheme reports whether s is a URL scheme: a letter, then letters,
// digits, "+", "-" or ".".
func validScheme(s string) bool {
	if s == "" || !isLetter(s[0]) {
		return false
	}
	for i := 1; i < len(s); i++ {
		if !isSchemeByte(s[i]) {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

func isSchemeByte(c byte) bool {
	return isLetter(c) || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
}

// RedactURLs returns text with every URL in it (scheme://...) redacted as
// RedactURL does: the free text of a log line or of an error that may
// name URLs, a proxy's among them. A URL ends at white space, at an
// unescaped quote or at an angle bracket, so that it may sit inside %q or
// JSON.
func RedactURLs(text string) string {
	i := strings.Index(text, "://")
	if i < 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	for i >= 0 {
		start := i
		for start > 0 && isSchemeByte(text[start-1]) {
			start--
		}
		end := i + 3
		for end < len(text) && !endsURL(text, end) {
			end++
		}
		b.WriteString(text[:start])
		b.WriteString(RedactURL(text[start:end]))
		text = text[end:]
		i = strings.Index(text, "://")
	}
	b.WriteString(text)
	return b.String()
}

// endsURL reports whether text[i] ends a URL that runs up to it.
func endsURL(text string, i int) bool {
	switch c := text[i]; c {
	case ' ', '\t', '\r', '\n', '<', '>':
		return true
	case '"', '\'', '`':
		return text[i-1] != '\\' // an escaped quote is a part of it
	default:
		return c < ' ' || c == 0x7f
	}
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
