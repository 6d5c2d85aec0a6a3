package mail_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/mail"
	"github.com/rotor-dev/rotor/internal/mail/mailtest"
)

// TestCheck: Check connects, says hello, starts TLS as the URL says and
// logs in when it carries credentials, once, and sends no message.
func TestCheck(t *testing.T) {
	tests := []struct {
		name     string
		opts     mailtest.Options
		user     string
		insecure bool
		want     error // nil: the check passes
		authed   int
	}{
		{name: "STARTTLS and AUTH", opts: mailtest.Options{Username: user, Password: password}, user: user, authed: 1},
		{name: "implicit TLS and AUTH", opts: mailtest.Options{TLS: mailtest.Implicit, Username: user, Password: password}, user: user, authed: 1},
		{name: "STARTTLS without credentials", opts: mailtest.Options{}},
		{name: "a relay without TLS", opts: mailtest.Options{TLS: mailtest.NoTLS}, insecure: true},
		{name: "wrong password", opts: mailtest.Options{Username: user, Password: "other"}, user: user, want: mail.ErrAuth},
		{name: "no STARTTLS offered", opts: mailtest.Options{TLS: mailtest.NoTLS}, want: mail.ErrNoSTARTTLS},
		{name: "the greeting refused", opts: mailtest.Options{Script: []mailtest.Failure{{Stage: mailtest.Hello, Code: 421}, {}}}, want: mail.ErrUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mailtest.Start(t, tt.opts)
			pw := ""
			if tt.user != "" {
				pw = password
			}
			var sl fakeapi.Sleeper
			s, err := mail.New(mail.Config{URL: srv.URL(tt.user, pw), Insecure: tt.insecure, Timeout: 3 * time.Second, Sleep: sl.Sleep, TLSConfig: srv.ClientTLS()})
			if err != nil {
				t.Fatal(err)
			}
			err = s.Check(context.Background())
			if tt.want == nil && err != nil || tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("Check = %v, want %v", err, tt.want)
			}
			if err != nil && !strings.Contains(err.Error(), srv.Addr()) {
				t.Errorf("%v does not name %s", err, srv.Addr())
			}
			if err != nil {
				for _, f := range passwordForms() {
					if strings.Contains(err.Error(), f) {
						t.Errorf("the error shows %q: %v", f, err)
					}
				}
			}
			if n := srv.Connections(); n != 1 {
				t.Errorf("%d connections, want 1 (no retry)", n)
			}
			if n := srv.Authenticated(); n != tt.authed {
				t.Errorf("%d logins, want %d", n, tt.authed)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("Check sent %d messages", n)
			}
			if len(sl.Waits()) != 0 {
				t.Errorf("Check waited to retry")
			}
		})
	}
}

func TestCheckUnreachable(t *testing.T) {
	addr := fakeapi.ClosedAddr(t)
	s, err := mail.New(mail.Config{URL: "smtps://rotor:pw0rd@" + addr})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Check(context.Background())
	if !errors.Is(err, mail.ErrUnavailable) || !strings.Contains(err.Error(), addr) || strings.Contains(err.Error(), "pw0rd") {
		t.Errorf("Check = %v; want ErrUnavailable naming %s", err, addr)
	}
}

// TestCheckSilent: a server that accepts the connection and never answers
// is ErrUnavailable and os.ErrDeadlineExceeded once the sender's own
// bound passes, so that a caller can say "no answer in time" whichever of
// its context and the connection's deadline ends first.
func TestCheckSilent(t *testing.T) {
	addr := fakeapi.SilentAddr(t)
	s, err := mail.New(mail.Config{URL: "smtp://" + addr, Insecure: true, Timeout: 200 * time.Millisecond, Attempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Check(context.Background())
	if !errors.Is(err, mail.ErrUnavailable) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("Check = %v; want ErrUnavailable and os.ErrDeadlineExceeded", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Check = %v: the context had no deadline", err)
	}
}
