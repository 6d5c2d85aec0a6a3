package mail_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/mail"
)

func TestParseURL(t *testing.T) {
	tests := []struct {
		name     string
		raw      string
		insecure bool
		want     string // Endpoint.String()
		security mail.Security
		addr     string
		user     string
	}{
		{name: "submission default port", raw: "smtp://rotor:pw@mail.example.org", want: "smtp://[redacted]@mail.example.org:587", security: mail.STARTTLS, addr: "mail.example.org:587", user: "rotor"},
		{name: "submission explicit port", raw: "smtp://rotor:pw@mail.example.org:2525", want: "smtp://[redacted]@mail.example.org:2525", security: mail.STARTTLS, addr: "mail.example.org:2525", user: "rotor"},
		{name: "smtps default port", raw: "smtps://rotor:pw@mail.example.org", want: "smtps://[redacted]@mail.example.org:465", security: mail.ImplicitTLS, addr: "mail.example.org:465", user: "rotor"},
		{name: "scheme case", raw: "SMTPS://rotor:pw@mail.example.org:465/", want: "smtps://[redacted]@mail.example.org:465", security: mail.ImplicitTLS, addr: "mail.example.org:465", user: "rotor"},
		{name: "percent-decoded user", raw: "smtp://reports%40example.org:p%40ss%2Fw%3Frd@mail.example.org", want: "smtp://[redacted]@mail.example.org:587", security: mail.STARTTLS, addr: "mail.example.org:587", user: "reports@example.org"},
		{name: "raw @ in password", raw: "smtp://rotor:p@ss@mail.example.org", want: "smtp://[redacted]@mail.example.org:587", security: mail.STARTTLS, addr: "mail.example.org:587", user: "rotor"},
		{name: "IPv6", raw: "smtps://rotor:pw@[::1]:4650", want: "smtps://[redacted]@[::1]:4650", security: mail.ImplicitTLS, addr: "[::1]:4650", user: "rotor"},
		{name: "no credentials", raw: "smtp://relay.example.org", want: "smtp://relay.example.org:587", security: mail.STARTTLS, addr: "relay.example.org:587"},
		{name: "insecure relay", raw: "smtp://relay.internal:25", insecure: true, want: "smtp://relay.internal:25", security: mail.Plain, addr: "relay.internal:25"},
		{name: "insecure does not weaken smtps", raw: "smtps://rotor:pw@mail.example.org", insecure: true, want: "smtps://[redacted]@mail.example.org:465", security: mail.ImplicitTLS, addr: "mail.example.org:465", user: "rotor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := mail.ParseURL(tt.raw, tt.insecure)
			if err != nil {
				t.Fatalf("ParseURL(%q) = %v", tt.raw, err)
			}
			if got := e.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if e.Security != tt.security || e.Addr() != tt.addr || e.Username != tt.user {
				t.Errorf("got %v %s %q, want %v %s %q", e.Security, e.Addr(), e.Username, tt.security, tt.addr, tt.user)
			}
			if e.HasAuth() != (tt.user != "") {
				t.Errorf("HasAuth() = %v", e.HasAuth())
			}
		})
	}
}

func TestParseURLRefusals(t *testing.T) {
	const secret = "Hunter2Secret"
	tests := []struct {
		name     string
		raw      string
		insecure bool
		want     string // in the error
	}{
		{name: "empty", raw: "", want: "empty; set it to smtp://"},
		{name: "other scheme", raw: "http://rotor:" + secret + "@mail.example.org", want: `the scheme is not supported; use smtp:// (STARTTLS) or smtps://`},
		{name: "a key as the scheme", raw: secret + "://mail.example.org", want: `the scheme is not supported`},
		{name: "no scheme", raw: "mail.example.org:587", want: "write smtp://host:587"},
		{name: "no host", raw: "smtp://rotor:" + secret + "@:587", want: "no host"},
		{name: "no host at all", raw: "smtp://", want: "no host"},
		{name: "opaque", raw: "smtp:rotor:" + secret + "@mail.example.org", want: "after two slashes"},
		{name: "port zero", raw: "smtp://rotor:" + secret + "@mail.example.org:0", want: "port is not a number from 1 to 65535"},
		{name: "port too big", raw: "smtp://rotor:" + secret + "@mail.example.org:70000", want: "port is not a number"},
		{name: "empty port", raw: "smtp://mail.example.org:", want: "empty port"},
		{name: "path", raw: "smtp://rotor:" + secret + "@mail.example.org/inbox", want: "unexpected path"},
		{name: "query", raw: "smtp://rotor:" + secret + "@mail.example.org?tls=no", want: "unexpected query"},
		{name: "user without password", raw: "smtp://rotor@mail.example.org", want: `a user name without a password`},
		{name: "a key as the user", raw: "smtp://" + secret + "@mail.example.org", want: `a user name without a password`},
		{name: "host forgotten", raw: "smtp://rotor:" + secret, want: "is the host missing? write smtp://user:password@host:587"},
		{name: "a key instead of a URL", raw: "SG." + secret + ".x", want: "no scheme"},
		{name: "slash and hash, host forgotten", raw: "smtps://apikey:Sm7p/" + secret + "#x", want: "is the host missing?"},
		{name: "password without user", raw: "smtp://:" + secret + "@mail.example.org", want: "a password without a user name"},
		{name: "no TLS with a password", raw: "smtp://rotor:" + secret + "@relay.internal:25", insecure: true, want: "insecure mode takes no credentials"},
		{name: "bad escape", raw: "smtp://rotor:" + secret + "%zz@mail.example.org", want: "percent-encode reserved characters"},
		{name: "unencoded slash", raw: "smtp://rotor:" + secret + "/x@mail.example.org", want: "percent-encode"},
		{name: "unencoded slash, digits", raw: "smtp://rotor:99999/" + secret + "@mail.example.org", want: "port is not a number"},
		{name: "unencoded question mark", raw: "smtp://rotor:12?" + secret + "@mail.example.org", want: "unexpected query"},
		{name: "unencoded hash", raw: "smtp://rotor:ab#" + secret + "@mail.example.org", want: "percent-encode"},
		{name: "space", raw: "smtp://rotor:a " + secret + "@mail.example.org", want: "percent-encode"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mail.ParseURL(tt.raw, tt.insecure)
			if err == nil {
				t.Fatalf("ParseURL(%q) = nil error", tt.raw)
			}
			if !errors.Is(err, mail.ErrURL) {
				t.Errorf("error does not wrap ErrURL: %v", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			// No part of the value: neither the password nor the user
			// name, the host or the scheme (setting.Invalid shows a
			// scheme and host that parse).
			for _, piece := range []string{secret, "99999", "12?", "ab#", "%zz", "rotor", "apikey", "mail.example.org", "relay.internal", "http:"} {
				if strings.Contains(tt.raw, piece) && strings.Contains(err.Error(), piece) {
					t.Errorf("error %q contains %q, a piece of the password", err, piece)
				}
			}
		})
	}
}

func TestSTARTTLSRequiredByDefault(t *testing.T) {
	e, err := mail.ParseURL("smtp://relay.internal:25", false)
	if err != nil {
		t.Fatal(err)
	}
	if e.Security != mail.STARTTLS {
		t.Errorf("smtp:// without insecure is %v, want STARTTLS", e.Security)
	}
}

func TestEndpointNeverPrintsPassword(t *testing.T) {
	const secret = "Hunter2Secret"
	e, err := mail.ParseURL("smtps://rotor:"+secret+"@mail.example.org", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v"} {
		got := fmt.Sprintf(verb, e)
		if strings.Contains(got, secret) || strings.Contains(strings.ToLower(got), strings.ToLower(fmt.Sprintf("%x", secret))) {
			t.Errorf("Sprintf(%q) = %q shows the password", verb, got)
		}
	}
	if got := fmt.Sprintf("%+v", struct{ E mail.Endpoint }{e}); strings.Contains(got, secret) {
		t.Errorf("in a struct: %q", got)
	}
}

// FuzzParseURL: no input panics, a password never shows in an error, and
// credentials written with url.UserPassword come back as they were.
func FuzzParseURL(f *testing.F) {
	for _, s := range []string{"Hunter2Secret", "p@ss/w?rd#x", "99999/x", "%zz", "a b", "ü€", ":@:@"} {
		f.Add("rotor", s)
	}
	// Every fixed phrase of ParseURL's errors: a password that is a piece
	// of them shows "naturally".
	var phrases strings.Builder
	for _, raw := range []string{"", "http://h", "h", "smtp://", "smtp:x", "smtp://h:0", "smtp://h:", "smtp://h/p", "smtp://h?q", "smtp://u@h", "smtp://:p@h", "smtp://u:%zz@h"} {
		_, err := mail.ParseURL(raw, false)
		phrases.WriteString(err.Error() + "\n")
	}
	_, err := mail.ParseURL("smtp://u:p@h", true)
	phrases.WriteString(err.Error())
	f.Fuzz(func(t *testing.T, user, password string) {
		raw := "smtp://" + user + ":" + password + "@mail.example.org:587"
		if _, err := mail.ParseURL(raw, false); err != nil && len(password) >= 6 &&
			strings.Contains(err.Error(), password) && !strings.Contains(phrases.String(), password) && !strings.Contains(user, password) {
			t.Errorf("error %q shows the password %q", err, password)
		}
		if user == "" || password == "" {
			return
		}
		u := url.URL{Scheme: "smtps", Host: "mail.example.org", User: url.UserPassword(user, password)}
		e, err := mail.ParseURL(u.String(), false)
		if err != nil {
			t.Fatalf("ParseURL(%q) = %v", u.String(), err)
		}
		if e.Username != user {
			t.Errorf("user %q, want %q", e.Username, user)
		}
		if s := fmt.Sprintf("%v %+v %#v", e, e, e); len(password) >= 6 && strings.Contains(s, password) && !strings.Contains(user, password) && !strings.Contains("smtps://[redacted]@mail.example.org:465 mail.Endpoint(", password) {
			t.Errorf("%q shows the password", s)
		}
	})
}
