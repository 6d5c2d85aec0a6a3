// Package mail is rotor's mail adapter: it sends one message, plain text
// with an optional HTML alternative (multipart/alternative, UTF-8,
// quoted-printable, RFC 2047 headers), to a list of recipients over SMTP
// with github.com/wneessen/go-mail, and writes the same message as an
// .eml file for a dry run. Check does all of a Send but the message, for
// `rotor doctor`.
//
// Transport security is chosen by the URL (ParseURL): smtp:// requires
// STARTTLS, smtps:// is implicit TLS, and smtp:// goes without TLS only
// when the caller says Insecure, and then carries no password. A server
// certificate is always verified. The password goes only over TLS, with
// AUTH PLAIN or LOGIN, whichever the server offers.
//
// Send retries temporary failures (a refused or broken connection, a 4xx
// reply) and not permanent ones (a 5xx reply, refused credentials, no
// STARTTLS, a TLS failure); the kinds are errors.Is-testable (ErrAuth,
// ErrNoSTARTTLS, ...). It never repeats an attempt whose connection broke
// between the end of the message and the server's reply (ErrUncertain),
// and every attempt carries the same Message-ID.
//
// The password never appears in an error or a String: not ours, not
// go-mail's (an error's text is redacted, and go-mail's error values are
// not reachable through Unwrap), not a server's that quotes it. go-mail
// logs nothing unless its debug log is switched on, which this package
// never does.
//
// What go-mail does that shaped this adapter (v0.8.1):
//   - client.go tls: TLSMandatory refuses a server without STARTTLS with
//     an fmt.Errorf text and no sentinel; the adapter recognises that
//     text (noSTARTTLSMarker) and a test pins it. TLSOpportunistic would
//     continue in clear, and WithTLSPortPolicy and WithSSLPort(true) fall
//     back to port 25 without TLS: none of them is used.
//   - client.go auth: a refused login comes back as "SMTP AUTH failed:
//     %w" around the server's reply, again without a sentinel; the
//     adapter's own smtp.Auth records that authentication started.
//   - smtp/auth_plain.go: PlainAuth sends the password in clear to
//     localhost; the adapter's Auth requires TLS for every host.
//   - client.go ServerAddr formats host:port without brackets (IPv6) and
//     DialToSMTPClientWithContext leaves the connection open when EHLO or
//     STARTTLS fails; the adapter dials itself and closes what it dialed.
//   - client.go sendSingleMsg marks a message delivered and then reports
//     a failed RSET as a SendError; Send looks at Msg.IsDelivered first.
//   - senderror.go: SendError.IsTemp reads the first character of the
//     last error's text; the adapter classifies by the reply code
//     (SendError.ErrorCode, textproto.Error) and the Reason instead.
//   - msg.go: a Message-ID is random and a Date is time.Now unless set,
//     and msgwriter.go draws a random boundary unless WithBoundary; the
//     adapter derives all three so that WriteEML is reproducible.
//
// Package mailtest is a real SMTP server for tests of code that sends.
package mail
