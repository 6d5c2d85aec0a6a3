// Package tlsstore is rotor verify's adapter for TLS endpoints: the
// credential is the certificate a server presents, and the instant it was
// written is the leaf certificate's NotBefore.
//
// It makes one verified handshake (crypto/tls, the system's roots or the
// ones Options gives), reads the certificate chain, and closes the
// connection without sending anything after the handshake. Only public
// data is read: the certificate's subject, serial and validity.
package tlsstore

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
)

// Defaults of Options.
const (
	DefaultTimeout  = 10 * time.Second // connect and handshake
	DefaultWarnDays = 30               // a leaf expiring within this many days is a warning
)

// Options configure a Checker. Now is required.
type Options struct {
	// RootCAs are the authorities a certificate must chain to; nil: the
	// system's (on Linux, SSL_CERT_FILE and SSL_CERT_DIR replace them, as
	// Go reads them).
	RootCAs *x509.CertPool
	// Timeout bounds the connection and the handshake; zero: DefaultTimeout.
	Timeout time.Duration
	// WarnDays: a leaf certificate that expires within this many days is a
	// warning; zero: DefaultWarnDays; negative: never.
	WarnDays int
	// Now is the clock the certificate is verified and judged with.
	Now func() time.Time
}

// Checker makes one TLS handshake per check. It is safe for concurrent use.
type Checker struct {
	roots    *x509.CertPool
	timeout  time.Duration
	warnDays int
	now      func() time.Time
}

var _ verify.Checker = (*Checker)(nil)

// New returns a Checker.
func New(opts Options) (*Checker, error) {
	if opts.Now == nil {
		return nil, errors.New("tlsstore.New: Options.Now is required: certificates are verified against the clock rotor runs with")
	}
	warn := opts.WarnDays
	if warn == 0 {
		warn = DefaultWarnDays
	}
	return &Checker{
		roots:    opts.RootCAs,
		timeout:  cmp.Or(opts.Timeout, DefaultTimeout),
		warnDays: warn,
		now:      opts.Now,
	}, nil
}

// Check connects to src's endpoint, verifies its certificate for the
// server name (source.tls.server_name, else the endpoint's host) and
// reports the leaf's NotBefore.
func (c *Checker) Check(ctx context.Context, src *rotation.Source) (verify.Observation, error) {
	if src == nil || src.TLS == nil {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, nil, "not a tls source: %s", src.String())
	}
	endpoint := src.TLS.Endpoint
	host, port, err := net.SplitHostPort(endpoint)
	if n, perr := strconv.Atoi(port); err != nil || perr != nil || n < 1 || n > 65535 || host == "" ||
		strings.ContainsAny(host, "/@ ") || strings.ContainsFunc(endpoint, textsafe.Unsafe) {
		return verify.Observation{}, verify.Errorf(verify.ReasonConfig, err,
			"source.tls.endpoint %q is not host:port: write it as api.example.com:443", textsafe.Controls(endpoint))
	}
	name := cmp.Or(strings.TrimSpace(src.TLS.ServerName), host)
	now := c.now()
	cfg := &tls.Config{
		RootCAs:    c.roots,
		ServerName: name,
		MinVersion: tls.VersionTLS12,
		Time:       func() time.Time { return now },
	}

	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	d := tls.Dialer{Config: cfg}
	conn, err := d.DialContext(ctx, "tcp", endpoint)
	if err != nil {
		return verify.Observation{}, c.failure(endpoint, name, err)
	}
	tc := conn.(*tls.Conn)
	state := tc.ConnectionState()
	// Close the socket itself: not even a close_notify follows the
	// handshake.
	_ = tc.NetConn().Close()
	if len(state.PeerCertificates) == 0 {
		return verify.Observation{}, verify.Errorf(verify.ReasonTLS, nil, "%s presented no certificate", endpoint)
	}
	leaf := state.PeerCertificates[0]

	var warnings []string
	if left := leaf.NotAfter.Sub(now); c.warnDays > 0 && left < time.Duration(c.warnDays)*24*time.Hour {
		in := "within a day"
		if days := int(left / (24 * time.Hour)); days > 0 {
			in = "in " + textsafe.Days(days)
		}
		warnings = append(warnings, fmt.Sprintf("the leaf certificate of %s expires at %s, %s: renew it before then",
			endpoint, verify.Stamp(leaf.NotAfter), in))
	}
	return verify.Observation{
		Changed:  leaf.NotBefore,
		Evidence: Evidence(leaf),
		Warnings: warnings,
	}, nil
}

// Evidence is the line a person checks a certificate by: "leaf
// certificate CN=api.example.com, serial 1F2A…, valid <NotBefore> to
// <NotAfter>" (the first DNS name when the subject has no common name).
func Evidence(leaf *x509.Certificate) string { return "leaf certificate " + describe(leaf) }

// describe names a certificate by its public data: subject, serial and
// validity.
func describe(cert *x509.Certificate) string {
	return fmt.Sprintf("%s, serial %s, valid %s to %s", subject(cert), serial(cert), verify.Stamp(cert.NotBefore), verify.Stamp(cert.NotAfter))
}

func subject(cert *x509.Certificate) string {
	switch {
	case cert.Subject.CommonName != "":
		return "CN=" + textsafe.Controls(cert.Subject.CommonName)
	case len(cert.DNSNames) > 0:
		return "for " + textsafe.Controls(cert.DNSNames[0])
	}
	return textsafe.Controls(cert.Subject.String())
}

func serial(cert *x509.Certificate) string {
	if cert.SerialNumber == nil {
		return "none"
	}
	return strings.ToUpper(cert.SerialNumber.Text(16))
}

// failure classifies a connection or handshake that failed.
func (c *Checker) failure(endpoint, name string, err error) error {
	var (
		verr     *tls.CertificateVerificationError
		invalid  x509.CertificateInvalidError
		hostname x509.HostnameError
		unknown  x509.UnknownAuthorityError
		record   tls.RecordHeaderError
		alert    tls.AlertError
		dns      *net.DNSError
	)
	switch {
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		cert, now := invalid.Cert, c.now()
		which := "the leaf certificate"
		if errors.As(err, &verr) && len(verr.UnverifiedCertificates) > 0 && !cert.Equal(verr.UnverifiedCertificates[0]) {
			which = "a certificate of its chain (" + subject(cert) + ")"
		}
		if now.Before(cert.NotBefore) {
			return verify.Errorf(verify.ReasonTLS, err, "%s of %s is not valid until %s (%s): check the clock of the server and of this machine",
				which, endpoint, verify.Stamp(cert.NotBefore), describe(cert))
		}
		return verify.Errorf(verify.ReasonTLS, err, "%s of %s expired at %s (%s): renew it",
			which, endpoint, verify.Stamp(cert.NotAfter), describe(cert))
	case errors.As(err, &hostname):
		return verify.Errorf(verify.ReasonTLS, err, "the certificate of %s is not valid for %s (it names %s): set source.tls.server_name to a name it has, or fix the certificate",
			endpoint, textsafe.Controls(name), names(hostname.Certificate))
	case errors.As(err, &unknown):
		issuer := ""
		if unknown.Cert != nil {
			issuer = " (issuer " + textsafe.Controls(unknown.Cert.Issuer.String()) + ")"
		}
		return verify.Errorf(verify.ReasonTLS, err, "the certificate of %s is signed by an authority this machine does not trust%s: add the CA to the system's roots or to SSL_CERT_FILE",
			endpoint, issuer)
	case errors.As(err, &verr):
		return verify.Errorf(verify.ReasonTLS, err, "the certificate of %s fails verification: %s",
			endpoint, textsafe.Controls(textsafe.OneLine(verr.Err.Error())))
	case errors.As(err, &record):
		return verify.Errorf(verify.ReasonTLS, err, "%s does not speak TLS: check the endpoint's port", endpoint)
	case errors.As(err, &alert):
		return verify.Errorf(verify.ReasonTLS, err, "%s refused the handshake (%s): check source.tls.server_name and that the endpoint serves TLS 1.2 or later",
			endpoint, textsafe.Controls(alert.Error()))
	case errors.As(err, &dns) && dns.IsNotFound:
		return verify.Errorf(verify.ReasonNotFound, err, "the host of %s is not found: check source.tls.endpoint", endpoint)
	case errors.Is(err, syscall.ECONNREFUSED):
		return verify.Errorf(verify.ReasonUnreachable, err, "nothing accepts connections at %s (connection refused): check source.tls.endpoint and that the server runs", endpoint)
	case errors.Is(err, context.DeadlineExceeded), verify.IsTimeout(err):
		return verify.Errorf(verify.ReasonUnreachable, err, "no TLS handshake with %s within %s: check the endpoint and the network (a firewall may drop the connection)", endpoint, c.timeout)
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET):
		return verify.Errorf(verify.ReasonTLS, err, "%s closed the connection during the handshake: check source.tls.server_name and that the endpoint serves TLS", endpoint)
	}
	return verify.Errorf(verify.ReasonUnreachable, err, "no TLS connection to %s: %s", endpoint, textsafe.Controls(textsafe.OneLine(err.Error())))
}

// names lists the DNS names and IP addresses a certificate is valid for.
func names(cert *x509.Certificate) string {
	if cert == nil {
		return "no name"
	}
	var out []string
	for _, n := range cert.DNSNames {
		out = append(out, textsafe.Controls(n))
	}
	for _, ip := range cert.IPAddresses {
		out = append(out, ip.String())
	}
	if len(out) == 0 {
		return "no name"
	}
	if len(out) > 5 {
		out = append(out[:5], fmt.Sprintf("and %d more", len(out)-5))
	}
	return strings.Join(out, ", ")
}
