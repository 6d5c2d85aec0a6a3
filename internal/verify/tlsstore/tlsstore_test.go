package tlsstore_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/tlsstore"
)

// now is the clock of every check.
var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

// authority is a CA made for one test.
type authority struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pool *x509.CertPool
}

func newAuthority(t *testing.T, cn string) *authority {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"rotor tests"}},
		NotBefore:             now.AddDate(-5, 0, 0),
		NotAfter:              now.AddDate(5, 0, 0),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &authority{cert: cert, key: key, pool: pool}
}

// leaf is a server certificate: its CN, serial, validity and names.
type leaf struct {
	cn        string
	serial    int64
	notBefore time.Time
	notAfter  time.Time
	dns       []string
	ips       []net.IP
}

func (ca *authority) issue(t *testing.T, l leaf) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(l.serial),
		Subject:      pkix.Name{CommonName: l.cn},
		NotBefore:    l.notBefore,
		NotAfter:     l.notAfter,
		DNSNames:     l.dns,
		IPAddresses:  l.ips,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// server is a TLS listener on 127.0.0.1 that counts the bytes it receives
// after each handshake.
type server struct {
	addr       string
	handshakes atomic.Int32
	afterBytes atomic.Int64
}

// serve listens with cfg until the test ends.
func serve(t *testing.T, cfg *tls.Config) *server {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	s := &server{addr: l.Addr().String()}
	var wg sync.WaitGroup
	t.Cleanup(func() { l.Close(); wg.Wait() })
	wg.Go(func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				tc := conn.(*tls.Conn)
				_ = tc.SetDeadline(time.Now().Add(5 * time.Second))
				if tc.Handshake() != nil {
					return
				}
				s.handshakes.Add(1)
				buf := make([]byte, 512)
				for {
					n, err := tc.Read(buf)
					s.afterBytes.Add(int64(n))
					if err != nil {
						return
					}
				}
			})
		}
	})
	return s
}

func checker(t *testing.T, ca *authority, edit func(*tlsstore.Options)) *tlsstore.Checker {
	t.Helper()
	opts := tlsstore.Options{Now: func() time.Time { return now }, Timeout: 2 * time.Second}
	if ca != nil {
		opts.RootCAs = ca.pool
	}
	if edit != nil {
		edit(&opts)
	}
	c, err := tlsstore.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func source(endpoint, serverName string) *rotation.Source {
	return &rotation.Source{TLS: &rotation.TLSSource{Endpoint: endpoint, ServerName: serverName}}
}

func wantError(t *testing.T, err error, reason verify.Reason, want ...string) {
	t.Helper()
	se, ok := err.(*verify.StoreError)
	if !ok {
		t.Fatalf("error %T %v, want a *verify.StoreError of %s", err, err, reason)
	}
	if se.Reason != reason {
		t.Errorf("reason %s (%s), want %s", se.Reason, se.Detail, reason)
	}
	for _, w := range want {
		if !strings.Contains(se.Detail, w) {
			t.Errorf("detail %q does not say %q", se.Detail, w)
		}
	}
}

var loopback = []net.IP{net.IPv4(127, 0, 0, 1)}

func TestCheckReadsTheLeafCertificate(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	notBefore := time.Date(2026, 9, 1, 10, 22, 3, 0, time.UTC)
	cert := ca.issue(t, leaf{cn: "api.example.com", serial: 0x1f2a, notBefore: notBefore, notAfter: notBefore.AddDate(0, 6, 0), dns: []string{"api.example.com"}, ips: loopback})
	srv := serve(t, &tls.Config{Certificates: []tls.Certificate{cert}})

	obs, err := checker(t, ca, nil).Check(context.Background(), source(srv.addr, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !obs.Changed.Equal(notBefore) {
		t.Errorf("Changed = %s, want the leaf's NotBefore %s", obs.Changed, notBefore)
	}
	if want := "leaf certificate CN=api.example.com, serial 1F2A, valid 2026-09-01T10:22:03Z to 2027-03-01T10:22:03Z"; obs.Evidence != want {
		t.Errorf("Evidence = %q\nwant        %q", obs.Evidence, want)
	}
	if len(obs.Warnings) != 0 || obs.Versions != nil {
		t.Errorf("Warnings %q, Versions %v; want none", obs.Warnings, obs.Versions)
	}
	waitFor(t, func() bool { return srv.handshakes.Load() == 1 })
	if n := srv.afterBytes.Load(); n != 0 {
		t.Errorf("the server received %d bytes after the handshake, want none", n)
	}
}

// waitFor waits a little for the server's side of a connection.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for range 200 {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("the server never saw the handshake")
}

func TestCheckExpiry(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	for _, tc := range []struct {
		name     string
		notAfter time.Time
		warnDays int
		warning  string        // "" for none
		reason   verify.Reason // "" for an observation
		want     []string
	}{
		{name: "two months left", notAfter: now.AddDate(0, 2, 0)},
		{name: "ten days left", notAfter: now.Add(10*24*time.Hour + time.Hour), warning: "expires at 2026-12-07T13:00:00Z, in 10 days: renew it"},
		{name: "ten days left, warned within five", notAfter: now.Add(10 * 24 * time.Hour), warnDays: 5},
		{name: "warnings off", notAfter: now.Add(24 * time.Hour), warnDays: -1},
		{name: "less than a day left", notAfter: now.Add(time.Hour), warning: "expires at 2026-11-27T13:00:00Z, within a day"},
		{name: "expired", notAfter: now.Add(-time.Hour), reason: verify.ReasonTLS, want: []string{"the leaf certificate of", "expired at 2026-11-27T11:00:00Z", "CN=api.example.com, serial 7", "renew it"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cert := ca.issue(t, leaf{cn: "api.example.com", serial: 7, notBefore: now.AddDate(0, -3, 0), notAfter: tc.notAfter, ips: loopback})
			srv := serve(t, &tls.Config{Certificates: []tls.Certificate{cert}})
			c := checker(t, ca, func(o *tlsstore.Options) { o.WarnDays = tc.warnDays })
			obs, err := c.Check(context.Background(), source(srv.addr, ""))
			if tc.reason != "" {
				wantError(t, err, tc.reason, tc.want...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.warning == "" {
				if len(obs.Warnings) != 0 {
					t.Errorf("Warnings = %q, want none", obs.Warnings)
				}
				return
			}
			if len(obs.Warnings) != 1 || !strings.Contains(obs.Warnings[0], tc.warning) {
				t.Errorf("Warnings = %q, want one saying %q", obs.Warnings, tc.warning)
			}
		})
	}
}

func TestCheckNotYetValid(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	cert := ca.issue(t, leaf{cn: "api.example.com", serial: 8, notBefore: now.Add(48 * time.Hour), notAfter: now.AddDate(1, 0, 0), ips: loopback})
	srv := serve(t, &tls.Config{Certificates: []tls.Certificate{cert}})
	_, err := checker(t, ca, nil).Check(context.Background(), source(srv.addr, ""))
	wantError(t, err, verify.ReasonTLS, "not valid until 2026-11-29T12:00:00Z", "clock")
}

func TestCheckVerificationFailures(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	other := newAuthority(t, "Someone Else's CA")
	valid := leaf{cn: "api.example.com", serial: 9, notBefore: now.AddDate(0, -1, 0), notAfter: now.AddDate(0, 6, 0), dns: []string{"api.example.com", "www.example.com"}}

	t.Run("wrong name", func(t *testing.T) {
		srv := serve(t, &tls.Config{Certificates: []tls.Certificate{ca.issue(t, valid)}})
		_, err := checker(t, ca, nil).Check(context.Background(), source(srv.addr, ""))
		wantError(t, err, verify.ReasonTLS, "not valid for 127.0.0.1", "it names api.example.com, www.example.com", "source.tls.server_name")
	})
	t.Run("unknown authority", func(t *testing.T) {
		l := valid
		l.ips = loopback
		srv := serve(t, &tls.Config{Certificates: []tls.Certificate{other.issue(t, l)}})
		_, err := checker(t, ca, nil).Check(context.Background(), source(srv.addr, ""))
		wantError(t, err, verify.ReasonTLS, "authority this machine does not trust", "Someone Else's CA", "SSL_CERT_FILE")
	})
	t.Run("system roots do not know a test CA", func(t *testing.T) {
		l := valid
		l.ips = loopback
		srv := serve(t, &tls.Config{Certificates: []tls.Certificate{ca.issue(t, l)}})
		_, err := checker(t, nil, nil).Check(context.Background(), source(srv.addr, ""))
		wantError(t, err, verify.ReasonTLS, "does not trust")
	})
	t.Run("not TLS", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		go func() {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			defer conn.Close()
			_, _ = conn.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			time.Sleep(200 * time.Millisecond)
		}()
		_, err = checker(t, ca, nil).Check(context.Background(), source(l.Addr().String(), ""))
		wantError(t, err, verify.ReasonTLS, "does not speak TLS")
	})
}

func TestCheckServerNameOverridesSNI(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	internal := ca.issue(t, leaf{cn: "api.internal", serial: 10, notBefore: now.AddDate(0, -1, 0), notAfter: now.AddDate(1, 0, 0), dns: []string{"api.internal"}})
	fallback := ca.issue(t, leaf{cn: "default.example", serial: 11, notBefore: now.AddDate(0, -1, 0), notAfter: now.AddDate(1, 0, 0), dns: []string{"default.example"}})
	var sni sync.Map
	srv := serve(t, &tls.Config{GetCertificate: func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		sni.Store(hello.ServerName, true)
		if hello.ServerName == "api.internal" {
			return &internal, nil
		}
		return &fallback, nil
	}})

	obs, err := checker(t, ca, nil).Check(context.Background(), source(srv.addr, "api.internal"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(obs.Evidence, "CN=api.internal") {
		t.Errorf("Evidence %q, want the certificate served for api.internal", obs.Evidence)
	}
	if _, ok := sni.Load("api.internal"); !ok {
		t.Error("the handshake did not send server_name as SNI")
	}
	_, err = checker(t, ca, nil).Check(context.Background(), source(srv.addr, ""))
	wantError(t, err, verify.ReasonTLS, "not valid for 127.0.0.1", "default.example")
}

func TestCheckUnreachable(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	t.Run("nothing listening", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		_, err = checker(t, ca, nil).Check(context.Background(), source(addr, ""))
		wantError(t, err, verify.ReasonUnreachable, "connection refused", addr)
	})
	t.Run("a server that never answers the handshake", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		held := make(chan net.Conn, 1)
		go func() {
			conn, err := l.Accept()
			if err == nil {
				held <- conn // accepted, never read nor answered
			}
		}()
		t.Cleanup(func() {
			l.Close()
			select {
			case c := <-held:
				c.Close()
			default:
			}
		})
		start := time.Now()
		_, err = checker(t, ca, func(o *tlsstore.Options) { o.Timeout = 150 * time.Millisecond }).Check(context.Background(), source(l.Addr().String(), ""))
		wantError(t, err, verify.ReasonUnreachable, "no TLS handshake with", "within 150ms")
		if d := time.Since(start); d > time.Second {
			t.Errorf("the check took %s, want about the 150ms timeout", d)
		}
	})
	t.Run("no such host", func(t *testing.T) {
		_, err := checker(t, ca, nil).Check(context.Background(), source("rotor-test.invalid:443", ""))
		if verify.ReasonOf(err) != verify.ReasonNotFound && verify.ReasonOf(err) != verify.ReasonUnreachable {
			t.Errorf("err = %v, want not-found (or unreachable without a resolver)", err)
		}
	})
}

func TestCheckRefusesAnEndpointThatIsNotHostPort(t *testing.T) {
	c := checker(t, nil, nil)
	for _, ep := range []string{"", "api.example.com", ":443", "api.example.com:", "https://api.example.com", "api.example.com:443\n"} {
		_, err := c.Check(context.Background(), source(ep, ""))
		wantError(t, err, verify.ReasonConfig, "source.tls.endpoint", "host:port")
	}
	_, err := c.Check(context.Background(), &rotation.Source{VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: "x"}})
	wantError(t, err, verify.ReasonConfig, "not a tls source")
	if _, err := tlsstore.New(tlsstore.Options{}); err == nil {
		t.Error("New without a clock: no error")
	}
}

func TestCheckConcurrently(t *testing.T) {
	ca := newAuthority(t, "Rotor Test CA")
	var addrs []string
	for i := range 4 {
		cert := ca.issue(t, leaf{cn: "api.example.com", serial: int64(100 + i), notBefore: now.AddDate(0, 0, -i-1), notAfter: now.AddDate(1, 0, 0), ips: loopback})
		addrs = append(addrs, serve(t, &tls.Config{Certificates: []tls.Certificate{cert}}).addr)
	}
	c := checker(t, ca, nil)
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Go(func() {
			obs, err := c.Check(context.Background(), source(addrs[i%4], ""))
			if err != nil {
				t.Error(err)
				return
			}
			if want := now.AddDate(0, 0, -(i%4)-1); !obs.Changed.Equal(want) {
				t.Errorf("%s: Changed %s, want %s", addrs[i%4], obs.Changed, want)
			}
		})
	}
	wg.Wait()
}
