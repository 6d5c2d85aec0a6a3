package mail

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	gomail "github.com/wneessen/go-mail"
	gomailsmtp "github.com/wneessen/go-mail/smtp"

	"github.com/rotor-dev/rotor/internal/httpretry"
)

// Config says where and how to send. Zero members take the defaults
// shown.
type Config struct {
	// URL is the server: smtp://user:password@host:587 (STARTTLS
	// required) or smtps://user:password@host:465 (implicit TLS); see
	// ParseURL.
	URL string
	// Insecure lets smtp:// speak without TLS, to a relay on a trusted
	// network; such a URL carries no credentials.
	Insecure bool
	// From is the sender of a Message without one.
	From string
	// Timeout bounds the connection and each SMTP command; default 30 s.
	Timeout time.Duration
	// Attempts is how often a message is offered, the first included,
	// while the failures are temporary; default 3.
	Attempts int
	// RetryDelay is the wait before the first retry, doubled for each
	// further one; default 2 s.
	RetryDelay time.Duration
	// Sleep waits d or until ctx is done; default httpretry.Sleep.
	Sleep func(ctx context.Context, d time.Duration) error
	// TLSConfig, when set, is the base of the TLS configuration (tests
	// put a test CA in RootCAs); ServerName defaults to the URL's host
	// and MinVersion to TLS 1.2.
	TLSConfig *tls.Config
}

// Sender sends messages through one SMTP server. It is safe for
// concurrent use; every Send opens its own connection.
type Sender struct {
	ep      Endpoint
	from    string
	timeout time.Duration
	retry   httpretry.Policy // attempts and backoff, as every client of rotor retries
	tls     *tls.Config
}

// New checks cfg and returns a Sender; it does not connect. Its errors
// are configuration errors and say what to change.
func New(cfg Config) (*Sender, error) {
	ep, err := ParseURL(cfg.URL, cfg.Insecure)
	if err != nil {
		return nil, err
	}
	s := &Sender{ep: ep, from: cfg.From, timeout: cfg.Timeout}
	if cfg.From != "" {
		if _, err := parseAddress("sender", cfg.From); err != nil {
			return nil, err
		}
	}
	if s.timeout <= 0 {
		s.timeout = 30 * time.Second
	}
	// A mail server's temporary failure lasts longer than an API's: fewer
	// attempts, longer waits, doubled without jitter (one sender, no herd).
	s.retry = httpretry.Policy{
		MaxAttempts: cmp.Or(max(cfg.Attempts, 0), 3),
		BaseDelay:   cmp.Or(max(cfg.RetryDelay, 0), 2*time.Second),
		MaxDelay:    time.Hour,
		Sleep:       cfg.Sleep,
		Jitter:      func(d time.Duration) time.Duration { return d },
	}.WithDefaults()
	if cfg.TLSConfig != nil {
		s.tls = cfg.TLSConfig.Clone()
	} else {
		s.tls = &tls.Config{}
	}
	if s.tls.ServerName == "" {
		s.tls.ServerName = ep.Host
	}
	if s.tls.MinVersion == 0 {
		s.tls.MinVersion = tls.VersionTLS12
	}
	return s, nil
}

// Endpoint is the server the Sender talks to; it prints redacted.
func (s *Sender) Endpoint() Endpoint { return s.ep }

// The kinds of a send Error; test them with errors.Is.
var (
	// ErrAuth: the server refused the user name or password.
	ErrAuth = errors.New("SMTP authentication failed")
	// ErrNoSTARTTLS: smtp:// requires STARTTLS, and the server does not
	// offer it.
	ErrNoSTARTTLS = errors.New("the server does not offer STARTTLS")
	// ErrTLS: the TLS handshake failed (certificate not trusted or not
	// for this host, or no TLS on that port).
	ErrTLS = errors.New("TLS failed")
	// ErrRefused: the server refused for good (a 5xx reply), or the
	// failure cannot go away by itself.
	ErrRefused = errors.New("SMTP server refused")
	// ErrUnavailable: temporary failures (no connection, a 4xx reply)
	// lasted through every attempt.
	ErrUnavailable = errors.New("SMTP server unavailable")
	// ErrUncertain: the connection broke after the whole message was
	// sent and before the server confirmed it; it may have been
	// delivered, so it is not sent again.
	ErrUncertain = errors.New("delivery uncertain")
)

// Error is a failed Send. Its text never contains the password.
type Error struct {
	// Code is the SMTP reply code, 0 when the failure was not a reply.
	Code int
	// Temporary: trying later may succeed.
	Temporary bool
	kind      error
	cause     error // only a context error or os.ErrDeadlineExceeded: nothing with server text
	msg       string
}

func (e *Error) Error() string { return e.msg }

// Unwrap returns the kind (ErrAuth, ...) and, when the context ended the
// send, the context's error, or os.ErrDeadlineExceeded when the server
// did not answer in time. The underlying go-mail error is not
// reachable: its text may quote what the server said, and is already in
// Error, redacted.
func (e *Error) Unwrap() []error {
	if e.cause != nil {
		return []error{e.kind, e.cause}
	}
	return []error{e.kind}
}

// Send sends m, offering it again after a temporary failure (a refused or
// broken connection, a 4xx reply) up to Config.Attempts times in all, and
// not after a permanent one (a 5xx reply, refused credentials, no
// STARTTLS, a TLS failure). It returns how many attempts it made. Waits
// between attempts end with ctx; so does a connection in progress.
//
// Every attempt carries the same Message-ID. An attempt whose connection
// broke after the message was sent but before the server confirmed it
// is not repeated (ErrUncertain): the message may have arrived.
func (s *Sender) Send(ctx context.Context, m Message) (attempts int, err error) {
	p, err := prepare(m, s.from)
	if err != nil {
		return 0, err
	}
	msg := p.build()
	for attempts = 1; ; attempts++ {
		e := s.attempt(ctx, msg)
		if e == nil {
			return attempts, nil
		}
		if !e.Temporary || attempts >= s.retry.MaxAttempts || ctx.Err() != nil {
			if e.Temporary && ctx.Err() == nil {
				e.kind = ErrUnavailable
				e.msg = fmt.Sprintf("%s (gave up after %d attempts)", e.msg, attempts)
			}
			return attempts, e
		}
		if err := s.retry.Sleep(ctx, s.retry.Backoff(attempts)); err != nil {
			return attempts, s.fail(ErrUnavailable, 0, true, err, "%s; stopped waiting to retry: %v", ours(e.msg), err)
		}
	}
}

// attempt is one connection: dial, TLS, authentication, one message.
func (s *Sender) attempt(ctx context.Context, msg *gomail.Msg) *Error {
	d := &dialer{sender: s, ctx: ctx}
	defer d.close()
	c, client, e := s.connect(ctx, d)
	if e != nil {
		return e
	}
	err := c.SendWithSMTPClient(client, msg)
	// A message the server accepted is sent, whatever happens after
	// (go-mail reports a failed RSET after a delivery as a SendError,
	// client.go sendSingleMsg).
	if msg.IsDelivered() {
		_ = c.CloseWithSMTPClient(client)
		return nil
	}
	if err == nil {
		return s.fail(ErrUncertain, 0, false, nil, "%s: go-mail reported no error but did not mark the message delivered", ours(s.ep.Addr()))
	}
	return s.sendError(ctx, err)
}

// connect opens the connection of one attempt through d, as far as the
// message: hello, TLS as the URL says, and the login when it carries
// credentials (Send and Check).
func (s *Sender) connect(ctx context.Context, d *dialer) (*gomail.Client, *gomailsmtp.Client, *Error) {
	a := &auth{ep: s.ep}
	c, err := gomail.NewClient(s.ep.Host, s.options(a, d)...)
	if err != nil {
		return nil, nil, s.fail(ErrRefused, 0, false, nil, "%s: set up the SMTP client: %v", ours(s.ep.Addr()), err)
	}
	client, err := c.DialToSMTPClientWithContext(ctx)
	if err != nil {
		return nil, nil, s.dialError(ctx, a, err)
	}
	return c, client, nil
}

// options are go-mail's client options for one attempt.
func (s *Sender) options(a *auth, d *dialer) []gomail.Option {
	opts := []gomail.Option{
		gomail.WithPort(s.ep.Port),
		gomail.WithTimeout(s.timeout),
		gomail.WithTLSConfig(s.tls),
		// Our own dialer: go-mail formats the address as host:port
		// without brackets (client.go ServerAddr), which breaks IPv6, and
		// its context ends with the dial, not with the conversation.
		gomail.WithDialContextFunc(d.dial),
	}
	switch s.ep.Security {
	case STARTTLS:
		// TLSMandatory fails when STARTTLS is not offered (client.go
		// tls). Never TLSOpportunistic: it would go on in clear. Never
		// WithTLSPortPolicy or WithSSLPort(true): they fall back to port
		// 25 without TLS.
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case ImplicitTLS:
		// useSSL makes go-mail skip STARTTLS; our dialer does the TLS.
		opts = append(opts, gomail.WithSSL(), gomail.WithTLSPolicy(gomail.TLSMandatory))
	case Plain:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	}
	if s.ep.HasAuth() {
		opts = append(opts, gomail.WithSMTPAuthCustom(a))
	}
	return opts
}

// dialer opens the attempt's connection (TLS from the start for
// smtps://), closes it when ctx ends, and lets the attempt close it
// whatever go-mail did with it (on a failed EHLO or STARTTLS go-mail
// returns without closing, client.go DialToSMTPClientWithContext).
type dialer struct {
	sender *Sender
	ctx    context.Context // the caller's
	mu     sync.Mutex
	conn   net.Conn
	stop   func() bool
}

func (d *dialer) dial(ctx context.Context, network, _ string) (net.Conn, error) {
	s := d.sender
	nd := &net.Dialer{Timeout: s.timeout}
	var conn net.Conn
	var err error
	if s.ep.Security == ImplicitTLS {
		conn, err = (&tls.Dialer{NetDialer: nd, Config: s.tls}).DialContext(ctx, network, s.ep.Addr())
	} else {
		conn, err = nd.DialContext(ctx, network, s.ep.Addr())
	}
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.conn = conn
	// The dial context is go-mail's, cancelled when the dial returns;
	// the conversation follows the caller's.
	d.stop = context.AfterFunc(d.ctx, func() { conn.Close() })
	return conn, nil
}

func (d *dialer) close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stop != nil {
		d.stop()
	}
	if d.conn != nil {
		d.conn.Close()
	}
}
