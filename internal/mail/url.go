package mail

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/setting"
)

// Security is how a connection to the SMTP server is protected.
type Security int

const (
	// STARTTLS: connect in clear, then upgrade with STARTTLS before
	// anything else is said; a server that does not offer it is refused
	// (smtp://, port 587 by default).
	STARTTLS Security = iota
	// ImplicitTLS: TLS from the first byte (smtps://, port 465 by default).
	ImplicitTLS
	// Plain: no TLS at all (smtp:// with Insecure). Carries no password.
	Plain
)

// String names s as the URL scheme and mode that select it.
func (s Security) String() string {
	switch s {
	case STARTTLS:
		return "STARTTLS"
	case ImplicitTLS:
		return "implicit TLS"
	case Plain:
		return "no TLS"
	}
	return "Security(" + strconv.Itoa(int(s)) + ")"
}

// Default ports of the two schemes.
const (
	DefaultSubmissionPort = 587 // smtp:// (STARTTLS)
	DefaultSMTPSPort      = 465 // smtps:// (implicit TLS)
)

// Endpoint is a parsed SMTP URL: where to connect, how, and as whom.
//
// The password is kept out of every rendering: String, GoString and
// every fmt verb show the redacted form smtp://[redacted]@host:587.
type Endpoint struct {
	Security Security
	Host     string // a name or an IP address, without brackets
	Port     int
	Username string // percent-decoded; empty: no authentication
	password string // percent-decoded
}

// HasAuth reports whether the endpoint carries credentials.
func (e Endpoint) HasAuth() bool { return e.Username != "" }

// Addr is host:port, with brackets around an IPv6 address.
func (e Endpoint) Addr() string { return net.JoinHostPort(e.Host, strconv.Itoa(e.Port)) }

// String is the URL as setting.RedactURL shows it: the user name and
// password replaced by [redacted]. It is built without the password.
func (e Endpoint) String() string {
	scheme := "smtp"
	if e.Security == ImplicitTLS {
		scheme = "smtps"
	}
	u := url.URL{Scheme: scheme, Host: e.Addr()}
	if e.HasAuth() {
		u.User = url.User(e.Username)
	}
	return setting.RedactURL(u.String())
}

// GoString is String, so that %#v does not print the password.
func (e Endpoint) GoString() string { return "mail.Endpoint(" + strconv.Quote(e.String()) + ")" }

// Format prints String for every verb, so that no verb (%d, %x, %+v)
// reaches the password field.
func (e Endpoint) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		_, _ = f.Write([]byte(e.GoString()))
		return
	}
	_, _ = f.Write([]byte(e.String()))
}

// ErrURL is wrapped by every error of ParseURL.
var ErrURL = errors.New("invalid SMTP URL")

// ParseURL reads an SMTP URL:
//
//	smtp://user:pass@host:587   STARTTLS, required (port 587 by default)
//	smtps://user:pass@host:465  implicit TLS (port 465 by default)
//	smtp://host:25              no TLS: only with insecure, and without
//	                            user or password
//
// The user name and password are percent-decoded ("p%40ss" is "p@ss").
// insecure turns smtp:// from "STARTTLS required" into "no TLS"; it does
// not change smtps://. A URL that asks for something rotor will not do is
// refused here, before any connection, with a message that says how to
// fix it. No error holds any part of raw: the caller names the setting
// and shows what it may of the value (setting.Invalid).
func ParseURL(raw string, insecure bool) (Endpoint, error) {
	fail := func(format string, args ...any) (Endpoint, error) {
		return Endpoint{}, fmt.Errorf("%w: %s", ErrURL, fmt.Sprintf(format, args...))
	}
	if strings.TrimSpace(raw) == "" {
		return fail("empty; set it to smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465 (implicit TLS)")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error quotes the whole input and its inner errors quote
		// pieces of it (an escape, a "port"), which may be pieces of the
		// password: none of that text is passed on.
		const encode = "percent-encode reserved characters in the user name and password (%q as %%40, %q as %%2F, %q as %%3F, %q as %%23, %q as %%25)"
		if _, rest, ok := strings.Cut(raw, "://"); ok && !strings.Contains(rest, "@") {
			// smtp://user:password, the host forgotten: the password
			// reads as a port.
			return fail("not a URL; is the host missing? write smtp://user:password@host:587 or smtps://user:password@host:465, and "+encode, "@", "/", "?", "#", "%")
		}
		return fail("not a URL; "+encode, "@", "/", "?", "#", "%")
	}
	var e Endpoint
	scheme := strings.ToLower(u.Scheme)
	if scheme != "smtp" && scheme != "smtps" && !strings.Contains(raw, "://") {
		// "host:587" parses with the scheme "host".
		scheme = ""
	}
	switch scheme {
	case "smtp":
		e.Security, e.Port = STARTTLS, DefaultSubmissionPort
		if insecure {
			e.Security = Plain
		}
	case "smtps":
		e.Security, e.Port = ImplicitTLS, DefaultSMTPSPort
	case "":
		return fail("no scheme; write smtp://host:587 (STARTTLS) or smtps://host:465 (implicit TLS)")
	default:
		// Not quoted: text before "://" may be a key pasted whole.
		return fail("the scheme is not supported; use smtp:// (STARTTLS) or smtps:// (implicit TLS)")
	}
	if u.Opaque != "" {
		return fail("write the host after two slashes: %s://host:port", scheme)
	}
	e.Host = u.Hostname()
	if e.Host == "" {
		return fail("no host; write %s://host:port", scheme)
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			// Not quoted: what the parser took for a port may be a piece
			// of a password that holds a "/" (smtp://u:99999/x@host).
			return fail("the port is not a number from 1 to 65535; if the password contains %q, percent-encode it as %%2F", "/")
		}
		e.Port = n
	} else if strings.HasSuffix(u.Host, ":") {
		return fail("an empty port after the host; write %s://host:port", scheme)
	}
	if u.Path != "" && u.Path != "/" {
		// Not quoted, for the same reason as the port.
		return fail("unexpected path; the URL names only a server (if the password contains %q, percent-encode it as %%2F)", "/")
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return fail("unexpected query or fragment; if the password contains %q or %q, percent-encode it (%%3F, %%23)", "?", "#")
	}
	if u.User != nil {
		e.Username = u.User.Username()
		e.password, _ = u.User.Password()
		switch {
		case e.Username == "":
			return fail("a password without a user name")
		case e.password == "":
			// The name is not quoted: a key pasted as the user is a
			// secret too.
			return fail("a user name without a password; write %s://user:password@host:port", scheme)
		}
	}
	if e.Security == Plain && e.HasAuth() {
		return fail("without TLS the password would cross the network in clear, so insecure mode takes no credentials; use TLS (smtp:// with STARTTLS or smtps://), or remove user:password for a relay on a trusted network")
	}
	return e, nil
}
