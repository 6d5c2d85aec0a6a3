// Package awsfake is a fake AWS Secrets Manager and a fake IAM for rotor's
// tests and benchmarks, on internal/fakeapi, speaking the wire protocols
// the AWS SDK for Go speaks to the real services:
//
//   - Secrets Manager: AWS JSON 1.1, POST / with X-Amz-Target
//     secretsmanager.<Action>, dates in epoch seconds with a fraction,
//     errors as {"__type": ..., "message": ...} with AWS's status codes.
//     ListSecretVersionIds is served (pages of PageSize with NextToken;
//     versions with no staging label only with IncludeDeprecated).
//   - IAM: the query protocol, POST / with a form body
//     (Action=ListAccessKeys&UserName=...&Version=2010-05-08), an XML
//     answer paged with Marker and IsTruncated, errors as <ErrorResponse>.
//
// Both check that each request carries a SigV4 Authorization header of
// the right shape for their service (not the signature itself) and
// record the region of its credential scope. Either fake fails the test
// on any action that would read a secret value (GetSecretValue,
// BatchGetSecretValue, CreateAccessKey) or change the service, and on
// every action rotor has no reason to call. They count calls per action,
// answer after a configurable latency, throttle the next N calls on
// demand, and are safe for concurrent use.
package awsfake

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
)

// Route is the one route of both fakes, as fakeapi counts it: every
// action of these protocols is a POST to the root.
const Route = "POST /{$}"

// Credentials a test can sign with: an identifier and a key that are
// obviously not real.
const (
	AccessKeyID     = "AKIAFAKEFAKEFAKEFAKE"
	SecretAccessKey = "fake/secret/access/key/for/tests/only0000"
)

// sigV4 is the shape of a SigV4 Authorization header; group 1 is the
// credential scope's region, group 2 its service.
var sigV4 = regexp.MustCompile(`^AWS4-HMAC-SHA256 Credential=[A-Z0-9]{16,128}/\d{8}/([a-z0-9-]+)/([a-z0-9-]+)/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$`)

// signing checks the SigV4 shape of requests and keeps what both fakes
// count.
type signing struct {
	t       testing.TB
	service string // the credential scope's service: "secretsmanager", "iam"

	hs *httptest.Server // serves the fake; fakeapi.Server's Close and Client would not reach it

	mu       sync.Mutex
	latency  time.Duration
	pageSize int
	actions  map[string]int
	regions  map[string]int
}

func newSigning(t testing.TB, service string, pageSize int) *signing {
	return &signing{t: t, service: service, pageSize: pageSize, actions: map[string]int{}, regions: map[string]int{}}
}

// authorize accepts a request whose Authorization header has SigV4's
// shape for the fake's service and whose X-Amz-Date is set.
func (s *signing) authorize(r *http.Request) bool {
	m := sigV4.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil || m[2] != s.service || r.Header.Get("X-Amz-Date") == "" {
		return false
	}
	s.mu.Lock()
	s.regions[m[1]]++
	s.mu.Unlock()
	return true
}

// start serves api's fakeapi.Server on 127.0.0.1 until the test ends,
// counting each request's action (action reads it from the request and
// its body) and waiting the fake's latency before fakeapi routes it, so
// that refused and faulted requests count and wait too. At cleanup it
// fails the test as fakeapi's Start does.
func (s *signing) start(t testing.TB, srv *fakeapi.Server, action func(r *http.Request, body []byte) string) {
	t.Helper()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.count(r.Context(), action(r, body))
		srv.ServeHTTP(w, r)
	}))
	srv.URL = hs.URL
	s.hs = hs
	t.Cleanup(func() {
		hs.Close()
		srv.Verify(t)
	})
}

// count counts one call of action and waits the fake's latency (or until
// the request is gone).
func (s *signing) count(ctx context.Context, action string) {
	s.mu.Lock()
	s.actions[action]++
	d := s.latency
	s.mu.Unlock()
	if d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
		}
	}
}

// SetLatency makes every answer wait d (a benchmark's 20 ms).
func (s *signing) SetLatency(d time.Duration) { s.mu.Lock(); s.latency = d; s.mu.Unlock() }

// SetPageSize sets how many items a page holds at most.
func (s *signing) SetPageSize(n int) {
	if n < 1 {
		n = 1
	}
	s.mu.Lock()
	s.pageSize = n
	s.mu.Unlock()
}

func (s *signing) page(asked int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if asked > 0 && asked < s.pageSize {
		return asked
	}
	return s.pageSize
}

// ActionCalls returns how many signed requests named action (refused and
// throttled ones included).
func (s *signing) ActionCalls(action string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.actions[action]
}

// Regions returns the regions of the credential scopes of the requests
// received, sorted.
func (s *signing) Regions() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]string, 0, len(s.regions))
	for r := range s.regions {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

// Fault is an answer a fake gives instead of serving a request.
type Fault = fakeapi.Fault

// Redirect is a fault answering 307 to location: rotor must not follow it.
func Redirect(location string) Fault {
	return Fault{Route: Route, Status: http.StatusTemporaryRedirect, Header: map[string]string{"Location": location}}
}
