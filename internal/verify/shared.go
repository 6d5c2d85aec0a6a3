package verify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/rotor-dev/rotor/internal/setting"
)

// What the store adapters share beyond Checker and its results: how
// evidence writes an instant and a version id, and the pieces of their
// HTTP clients that are not the store's own.

// Stamp writes an instant as evidence shows it: in UTC, RFC 3339, with the
// fraction of a second the store gave (none when it gave whole seconds).
func Stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// ShortID is the first 8 characters of a version id and an ellipsis: enough
// to find the version in the store's console.
func ShortID(id string) string {
	r := []rune(id)
	if len(r) <= 8 {
		return id
	}
	return string(r[:8]) + "…"
}

// IsTimeout reports whether err is a network timeout.
func IsTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// IsCertificateFailure reports whether err is a TLS handshake that failed
// verification, or met no TLS at all: the same on every attempt.
func IsCertificateFailure(err error) bool {
	var (
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		invalid  x509.CertificateInvalidError
		record   tls.RecordHeaderError
		cv       *tls.CertificateVerificationError
	)
	return errors.As(err, &unknown) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &record) || errors.As(err, &cv)
}

// stopKey carries the cancel function of one check (WithStop).
type stopKey struct{}

// WithStop returns ctx carrying stop, the cancel function of the check's
// own context: a transport made by StopOnCertificateFailure calls it when
// a request fails TLS verification.
func WithStop(ctx context.Context, stop context.CancelCauseFunc) context.Context {
	return context.WithValue(ctx, stopKey{}, stop)
}

// StopOnCertificateFailure wraps base so that a request that fails TLS
// verification ends its check (WithStop): the certificate will not change
// between attempts, and a retrying transport stops once the context ends.
func StopOnCertificateFailure(base http.RoundTripper) http.RoundTripper {
	return stopOnCertificateFailure{base}
}

type stopOnCertificateFailure struct{ base http.RoundTripper }

func (t stopOnCertificateFailure) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if err != nil && IsCertificateFailure(err) {
		if stop, ok := req.Context().Value(stopKey{}).(context.CancelCauseFunc); ok {
			stop(err)
		}
	}
	return resp, err
}

// RedirectTarget is " to scheme://host" of the redirect HTTPClient
// refused, "" when err holds no URL; the rest of the URL is not shown.
func RedirectTarget(err error) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return ""
	}
	if site := setting.Site(ue.URL); site != "" {
		return " to " + site
	}
	return ""
}
