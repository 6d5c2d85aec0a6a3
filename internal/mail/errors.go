package mail

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"net/url"
	"os"
	"strings"
	"syscall"

	gomail "github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/rotor-dev/rotor/internal/leak"
)

// auth is the SMTP authentication of one attempt. It picks PLAIN, else
// LOGIN, from what the server offers, sends the password only over TLS
// (go-mail's PlainAuth also sends it in clear to localhost,
// smtp/auth_plain.go Start), and records that authentication began: an
// error from the dial after that is the server's answer to the
// credentials (go-mail wraps it as "SMTP AUTH failed: %w", client.go
// auth, with no sentinel to test).
type auth struct {
	ep      Endpoint
	started bool
	offered []string
	inner   gomailsmtp.Auth
}

var (
	errAuthNoTLS     = errors.New("refusing to send the password without TLS")
	errAuthNoMech    = errors.New("no common authentication mechanism")
	supportedMechs   = []string{"PLAIN", "LOGIN"}
	noSTARTTLSMarker = "does not support STARTTLS" // go-mail v0.8.1 client.go tls
)

func (a *auth) Start(si *gomailsmtp.ServerInfo) (string, []byte, error) {
	a.offered = si.Auth
	if !si.TLS {
		return "", nil, errAuthNoTLS
	}
	offers := func(mech string) bool {
		for _, m := range si.Auth {
			if strings.EqualFold(m, mech) {
				return true
			}
		}
		return false
	}
	switch {
	case offers("PLAIN"):
		a.inner = gomailsmtp.PlainAuth("", a.ep.Username, a.ep.password, si.Name, false)
	case offers("LOGIN"):
		a.inner = gomailsmtp.LoginAuth(a.ep.Username, a.ep.password, si.Name, false)
	default:
		return "", nil, errAuthNoMech
	}
	a.started = true
	return a.inner.Start(si)
}

func (a *auth) Next(fromServer []byte, more bool) ([]byte, error) {
	return a.inner.Next(fromServer, more)
}

// ours marks an argument of fail that rotor made (an address, a hint)
// and that is not redacted.
type ours string

// fail is an Error whose text is format filled with args, each redacted:
// the text that comes from outside (errors, server replies) is what may
// quote the password; the format is ours and is left alone, so that a
// short password does not garble it.
func (s *Sender) fail(kind error, code int, temporary bool, cause error, format string, args ...any) *Error {
	for i, a := range args {
		switch a.(type) {
		case int, ours:
		default:
			args[i] = s.redact(fmt.Sprint(a))
		}
	}
	return &Error{Code: code, Temporary: temporary, kind: kind, cause: cause, msg: fmt.Sprintf(format, args...)}
}

// redact replaces the password in t, and the forms it takes on the wire
// (percent-encoded, base64 alone as in LOGIN, base64 of the PLAIN
// response), with [redacted] (leak.Redacted), in case a server quotes
// what it was sent. Unlike leak.Redact it takes out a password of any
// length: t is only what the server and the network said, never rotor's
// own words (see fail). Every occurrence of every form in t is hidden,
// overlapping ones as one, and the marker is never searched: a password
// that is a piece of it does not eat it.
func (s *Sender) redact(t string) string {
	pw := s.ep.password
	if pw == "" {
		return t
	}
	user := s.ep.Username
	forms := []string{
		pw,
		url.QueryEscape(pw),
		url.PathEscape(pw),
		url.UserPassword(user, pw).String(),
	}
	for _, raw := range []string{pw, "\x00" + user + "\x00" + pw, user + "\x00" + user + "\x00" + pw} {
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(raw)), base64.RawStdEncoding.EncodeToString([]byte(raw)))
	}
	hide := make([]bool, len(t))
	found := false
	for _, f := range forms {
		for i := 0; f != ""; i++ {
			j := strings.Index(t[i:], f)
			if j < 0 {
				break
			}
			i += j
			for k := i; k < i+len(f); k++ {
				hide[k] = true
			}
			found = true
		}
	}
	if !found {
		return t
	}
	var b strings.Builder
	for i := 0; i < len(t); {
		start := i
		for i < len(t) && hide[i] == hide[start] {
			i++
		}
		if hide[start] {
			b.WriteString(leak.Redacted)
		} else {
			b.WriteString(t[start:i])
		}
	}
	return b.String()
}

// replyCode is the SMTP reply code in err, 0 if there is none.
func replyCode(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

// replyText is the SMTP reply in err ("535 5.7.8 ..."), else err's text.
func replyText(err error) string {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Error()
	}
	return err.Error()
}

// transient reports whether err is a network failure that may pass: a
// refused, reset or timed-out connection, an early end of stream, a DNS
// failure the resolver calls temporary.
func transient(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return dns.IsTemporary || dns.IsTimeout
	}
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET),
		errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed),
		errors.Is(err, gomail.ErrNoActiveConnection):
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// tlsFailure reports whether err is a failed TLS handshake.
func tlsFailure(err error) bool {
	var (
		verify   *tls.CertificateVerificationError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		alert    tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &unknown) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert)
}

// stopped is the Error of an attempt that ctx ended.
func (s *Sender) stopped(ctx context.Context, err error) *Error {
	return s.fail(ErrUnavailable, 0, false, ctx.Err(), "%s: %v (%v)", ours(s.ep.Addr()), ctx.Err(), err)
}

// dialError classifies a failure to connect, say hello, start TLS or
// authenticate.
func (s *Sender) dialError(ctx context.Context, a *auth, err error) *Error {
	addr, username := ours(s.ep.Addr()), ours(s.ep.Username)
	code := replyCode(err)
	switch {
	case ctx.Err() != nil:
		return s.stopped(ctx, err)
	case errors.Is(err, errAuthNoTLS):
		return s.fail(ErrAuth, 0, false, nil, "%s: the connection is not encrypted, so the password was not sent; use smtp:// (STARTTLS) or smtps://", addr)
	case errors.Is(err, errAuthNoMech):
		offered := "none"
		if len(a.offered) > 0 {
			offered = strings.Join(a.offered, ", ")
		}
		return s.fail(ErrAuth, 0, false, nil, "%s: the server offers no authentication rotor speaks (%s); it offers: %s. Without user:password in the URL rotor sends without authenticating", addr, ours(strings.Join(supportedMechs, ", ")), offered)
	case strings.Contains(err.Error(), noSTARTTLSMarker):
		return s.fail(ErrNoSTARTTLS, 0, false, nil, "%s: the server does not offer STARTTLS; use smtps:// or, only on a trusted network, --smtp-insecure", addr)
	case tlsFailure(err):
		hint := "check that the server's certificate is valid for " + fmt.Sprintf("%q", s.ep.Host) + " and issued by a trusted authority"
		var record tls.RecordHeaderError
		if errors.As(err, &record) && s.ep.Security == ImplicitTLS {
			hint = fmt.Sprintf("port %d does not speak TLS from the start; for STARTTLS (usually port 587) write smtp://", s.ep.Port)
		}
		return s.fail(ErrTLS, 0, false, nil, "%s: TLS failed: %v; %s", addr, err, ours(hint))
	case a.started && code >= 500:
		return s.fail(ErrAuth, code, false, nil, "%s: the server refused the credentials of user %q: %v; check the user name and password in the SMTP URL (percent-encoded)", addr, username, replyText(err))
	case a.started:
		return s.fail(ErrAuth, code, code >= 400 || transient(err), nil, "%s: authentication as %q did not complete: %v", addr, username, err)
	case code >= 500:
		return s.fail(ErrRefused, code, false, nil, "%s: the server refused the connection: %v", addr, err)
	case code >= 400:
		return s.fail(ErrUnavailable, code, true, nil, "%s: the server is unavailable: %v", addr, err)
	case transient(err):
		var timeout error // a sentinel: it carries no text of the server's
		if errors.Is(err, os.ErrDeadlineExceeded) {
			timeout = os.ErrDeadlineExceeded
		}
		return s.fail(ErrUnavailable, 0, true, timeout, "%s: cannot connect: %v", addr, err)
	}
	return s.fail(ErrRefused, code, false, nil, "%s: cannot connect: %v", addr, err)
}

// sendError classifies a failure after the connection was set up: MAIL,
// RCPT, DATA and the message itself.
func (s *Sender) sendError(ctx context.Context, err error) *Error {
	addr := ours(s.ep.Addr())
	var se *gomail.SendError
	if errors.As(err, &se) && se.Reason == gomail.ErrSMTPDataClose && se.ErrorCode() == 0 {
		// Also when ctx ended it: what matters is that the message may
		// have arrived.
		return s.fail(ErrUncertain, 0, false, context.Cause(ctx), "%s: the connection broke after the message was sent and before the server confirmed it: %v; it may have been delivered, so it was not sent again", addr, se)
	}
	if ctx.Err() != nil {
		return s.stopped(ctx, err)
	}
	if se == nil {
		return s.fail(ErrUnavailable, 0, transient(err), nil, "%s: send: %v", addr, err)
	}
	code := se.ErrorCode()
	switch {
	case code >= 500:
		return s.fail(ErrRefused, code, false, nil, "%s: the server refused the message: %v", addr, se)
	case code >= 400:
		return s.fail(ErrUnavailable, code, true, nil, "%s: the server deferred the message: %v", addr, se)
	case se.Reason == gomail.ErrGetSender, se.Reason == gomail.ErrGetRcpts, se.Reason == gomail.ErrNoUnencoded:
		return s.fail(ErrRefused, 0, false, nil, "%s: %v", addr, se)
	}
	return s.fail(ErrUnavailable, 0, true, nil, "%s: the connection failed while sending: %v", addr, se)
}
