package verify

import (
	"fmt"
	"net/http"
	"time"

	"github.com/rotor-dev/rotor/internal/setting"
)

// DefaultTimeout bounds one request to a store.
const DefaultTimeout = 30 * time.Second

// HTTPClient returns the client every store adapter sends its requests
// with: each request bounded by timeout (DefaultTimeout when zero), no
// redirect followed (a store's API does not redirect its metadata calls, and
// following one would carry a token or a signature to another host), and
// plain http:// refused except to a loopback host (a local Vault or a test
// fake), so a token never crosses a network in the clear. base is the
// transport under it; nil means a clone of http.DefaultTransport.
func HTTPClient(base http.RoundTripper, timeout time.Duration) *http.Client {
	if base == nil {
		base = http.DefaultTransport.(*http.Transport).Clone()
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &http.Client{
		Transport:     guardTransport{base: base},
		Timeout:       timeout,
		CheckRedirect: refuseRedirect,
	}
}

// ErrRedirect is the error of a store request answered by a redirect.
var ErrRedirect = fmt.Errorf("the store answered with a redirect, which rotor does not follow")

func refuseRedirect(req *http.Request, _ []*http.Request) error {
	return fmt.Errorf("%w (to %s://%s)", ErrRedirect, req.URL.Scheme, req.URL.Host)
}

// guardTransport refuses plain http:// to any host but a loopback one.
type guardTransport struct{ base http.RoundTripper }

func (t guardTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme != "https" && !setting.IsLoopbackHost(req.URL.Hostname()) {
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, Errorf(ReasonConfig, nil,
			"%s://%s is not https: rotor sends store requests in the clear only to a loopback host; use an https:// endpoint",
			req.URL.Scheme, req.URL.Host)
	}
	return t.base.RoundTrip(req)
}
