package relay

import (
	"io"
	"strings"
)

// Every text the relay prints (its configuration errors, its log lines,
// the answers it sends) shows URLs without what may be a credential in
// them: the user and password, the query and the fragment. A *url.Error
// names its URL, a proxy's error may name the proxy's, and the API URL is
// a setting someone may paste a token into.

const redactedText = "[redacted]"

// redactURL returns one URL, or a setting meant to be one (with or without
// a scheme), with its user and password, its query and its fragment
// replaced by [redacted]. It works on the text, so that a URL that does
// not parse is redacted too.
func redactURL(s string) string {
	head, rest := "", s
	if i := strings.Index(s, "://"); i >= 0 {
		head, rest = s[:i+3], s[i+3:]
	}
	// Anything before the last @ may be a user or password (a token may
	// stand in for either, and a password may hold "?", "#" or "/"), so
	// the @ is found first; a path or query with an @ loses a little more.
	if at := strings.LastIndexByte(rest, '@'); at >= 0 {
		rest = redactedText + rest[at:]
	}
	tail := ""
	if q := strings.IndexAny(rest, "?#"); q >= 0 {
		rest, tail = rest[:q], rest[q:q+1]+redactedText
	}
	return head + rest + tail
}

// redactURLs returns text with every URL in it (scheme://...) redacted as
// redactURL does. A URL ends at white space, at an unescaped quote or at an
// angle bracket, so that it may sit inside %q or JSON.
func redactURLs(text string) string {
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
		b.WriteString(redactURL(text[start:end]))
		text = text[end:]
		i = strings.Index(text, "://")
	}
	b.WriteString(text)
	return b.String()
}

func isSchemeByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'
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

// redactingWriter redacts the URLs in each message before it writes it:
// the http.Server's own error log goes through it.
type redactingWriter struct{ w io.Writer }

func (r redactingWriter) Write(p []byte) (int, error) {
	if _, err := io.WriteString(r.w, redactURLs(string(p))); err != nil {
		return 0, err
	}
	return len(p), nil
}
