// Package mailtest runs a real SMTP server (github.com/emersion/go-smtp)
// in-process on 127.0.0.1:0, for tests of whatever sends mail through
// internal/mail: STARTTLS, implicit TLS or none, with a certificate made
// for the test, AUTH PLAIN, and scripted failures per connection. It
// records every message it accepts.
package mailtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// TLSMode is how the server offers TLS.
type TLSMode int

const (
	StartTLS TLSMode = iota // STARTTLS offered on a clear connection
	Implicit                // TLS from the first byte
	NoTLS                   // no TLS: STARTTLS not offered
)

// Stage is the step of an SMTP session at which a Failure answers.
type Stage string

const (
	Connect Stage = "CONNECT" // the connection is closed before the greeting
	Hello   Stage = "EHLO"
	Mail    Stage = "MAIL"
	Rcpt    Stage = "RCPT"
	Data    Stage = "DATA" // after the whole message was received
	// Drop closes the connection after the whole message was received,
	// without a reply: the client cannot know whether it was accepted.
	// The message is recorded as delivered.
	Drop Stage = "DROP"
)

// Failure is the answer of one connection at one stage: a reply Code
// (421, 451, 550, ...) with a message; Connect needs no code.
type Failure struct {
	Stage   Stage
	Code    int
	Message string
}

// Options configure Start. Zero values: STARTTLS, no authentication,
// every connection succeeds.
type Options struct {
	TLS TLSMode
	// Username and Password, when set, are the only credentials AUTH
	// PLAIN accepts, and MAIL requires authentication.
	Username, Password string
	// AuthFailure, when set, is the reply to wrong credentials (default
	// 535 5.7.8 Authentication failed).
	AuthFailure *smtp.SMTPError
	// Script answers connection i (0-based) with Script[i]; a zero
	// Failure, or a connection past the end, succeeds.
	Script []Failure
}

// Received is one accepted message.
type Received struct {
	From string
	To   []string
	Data []byte
}

// Server is a running test server.
type Server struct {
	opts Options
	srv  *smtp.Server
	addr *net.TCPAddr
	ca   *x509.CertPool

	mu       sync.Mutex
	conns    int
	byRemote map[string]int
	messages []Received
	authed   int
	log      bytes.Buffer
}

// Start starts a server and stops it at the end of t.
func Start(t testing.TB, opts Options) *Server {
	t.Helper()
	s := &Server{opts: opts, byRemote: map[string]int{}}
	cert, pool, err := selfSigned()
	if err != nil {
		t.Fatal(err)
	}
	s.ca = pool
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = l.Addr().(*net.TCPAddr)
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.ReadTimeout = 10 * time.Second
	s.srv.WriteTimeout = 10 * time.Second
	s.srv.ErrorLog = log.New(lockedWriter{s}, "", 0)
	tlsConf := &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	var ln net.Listener = &listener{Listener: l, s: s}
	switch opts.TLS {
	case StartTLS:
		s.srv.TLSConfig = tlsConf
	case Implicit:
		s.srv.TLSConfig = tlsConf
		ln = tls.NewListener(ln, tlsConf)
	case NoTLS:
		s.srv.AllowInsecureAuth = true
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = s.srv.Serve(ln)
	}()
	t.Cleanup(func() {
		s.srv.Close()
		<-done
	})
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return s.addr.String() }

// URL is the server's SMTP URL with the given credentials (none when
// user is empty): smtps:// for Implicit, else smtp://.
func (s *Server) URL(user, password string) string {
	u := url.URL{Scheme: "smtp", Host: s.Addr()}
	if s.opts.TLS == Implicit {
		u.Scheme = "smtps"
	}
	if user != "" {
		u.User = url.UserPassword(user, password)
	}
	return u.String()
}

// ClientTLS is a client TLS configuration that trusts the server's
// certificate (issued for 127.0.0.1 and localhost).
func (s *Server) ClientTLS() *tls.Config {
	return &tls.Config{RootCAs: s.ca, MinVersion: tls.VersionTLS12}
}

// Messages are the accepted messages, oldest first.
func (s *Server) Messages() []Received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Received(nil), s.messages...)
}

// Connections is how many connections the server accepted.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conns
}

// Authenticated is how many sessions authenticated successfully.
func (s *Server) Authenticated() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.authed
}

// Log is what the server logged (errors of connections).
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

type lockedWriter struct{ s *Server }

func (w lockedWriter) Write(p []byte) (int, error) {
	w.s.mu.Lock()
	defer w.s.mu.Unlock()
	return w.s.log.Write(p)
}

// listener numbers connections and carries out Connect failures.
type listener struct {
	net.Listener
	s *Server
}

func (l *listener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		l.s.mu.Lock()
		i := l.s.conns
		l.s.conns++
		l.s.byRemote[c.RemoteAddr().String()] = i
		l.s.mu.Unlock()
		if l.s.failure(i, Connect) != nil {
			c.Close()
			continue
		}
		return c, nil
	}
}

// failure is the scripted failure of connection i at stage, or nil.
func (s *Server) failure(i int, stage Stage) *smtp.SMTPError {
	if i < 0 || i >= len(s.opts.Script) || s.opts.Script[i].Stage != stage {
		return nil
	}
	f := s.opts.Script[i]
	code := f.Code
	if code == 0 {
		code = 451
	}
	msg := f.Message
	if msg == "" {
		msg = "scripted failure"
	}
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0}, Message: msg}
}

type backend struct{ s *Server }

func (b backend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	b.s.mu.Lock()
	i, ok := b.s.byRemote[c.Conn().RemoteAddr().String()]
	b.s.mu.Unlock()
	if !ok {
		i = -1
	}
	if f := b.s.failure(i, Hello); f != nil {
		return nil, f
	}
	return &session{s: b.s, conn: i, c: c}, nil
}

type session struct {
	s      *Server
	c      *smtp.Conn
	conn   int
	authed bool
	from   string
	to     []string
}

func (ss *session) AuthMechanisms() []string {
	if ss.s.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

func (ss *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || ss.s.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		if (identity != "" && identity != username) || username != ss.s.opts.Username || password != ss.s.opts.Password {
			if f := ss.s.opts.AuthFailure; f != nil {
				return f
			}
			return smtp.ErrAuthFailed
		}
		ss.authed = true
		ss.s.mu.Lock()
		ss.s.authed++
		ss.s.mu.Unlock()
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.s.opts.Username != "" && !ss.authed {
		return smtp.ErrAuthRequired
	}
	if f := ss.s.failure(ss.conn, Mail); f != nil {
		return f
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if f := ss.s.failure(ss.conn, Rcpt); f != nil {
		return f
	}
	ss.to = append(ss.to, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if f := ss.s.failure(ss.conn, Data); f != nil {
		return f
	}
	ss.s.mu.Lock()
	ss.s.messages = append(ss.s.messages, Received{From: ss.from, To: append([]string(nil), ss.to...), Data: b})
	ss.s.mu.Unlock()
	if i := ss.conn; i >= 0 && i < len(ss.s.opts.Script) && ss.s.opts.Script[i].Stage == Drop {
		ss.c.Conn().Close()
	}
	return nil
}

func (ss *session) Reset() { ss.from, ss.to = "", nil }

func (ss *session) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1 and localhost, valid for
// an hour, and a pool that trusts it.
func selfSigned() (tls.Certificate, *x509.CertPool, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 64))
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "mailtest"},
		NotBefore:             now.Add(-time.Minute),
		NotAfter:              now.Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return tls.Certificate{}, nil, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return tls.Certificate{}, nil, err
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool, nil
}

// Port is the server's port.
func (s *Server) Port() int { return s.addr.Port }
