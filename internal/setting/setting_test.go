package setting_test

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/setting"
)

func TestSite(t *testing.T) {
	tests := []struct {
		name, value, want string
	}{
		{"https site", "https://example.atlassian.net", "https://example.atlassian.net"},
		{"port kept", "smtps://rotor:pw@smtp.example.com:465", "smtps://smtp.example.com:465"},
		{"path, query and fragment dropped", "https://ghe.example.com/api/v3/?token=Sm7pS3cret#x", "https://ghe.example.com"},
		{"user information dropped", "https://x-access-token:ghs_Sm7pS3cret@ghe.example.com/", "https://ghe.example.com"},
		{"scheme lowercased", "SMTPS://smtp.example.com", "smtps://smtp.example.com"},
		{"loopback", "http://localhost:8080", "http://localhost:8080"},
		{"IPv4", "http://127.0.0.1:9000/x", "http://127.0.0.1:9000"},
		{"IPv6", "smtps://[::1]:4650", "smtps://[::1]:4650"},
		{"surrounding space", " https://example.atlassian.net\n", "https://example.atlassian.net"},
		{"host forgotten", "smtp://rotor:Sm7pS3cretPassw0rd", ""},
		{"a key instead of a URL", "SG.Sm7pS3cretPassw0rd.abcdefghijklmnop", ""},
		{"password with slash and hash", "smtps://apikey:Sm7p/S3cret#Passw0rd", ""},
		{"a key where the host belongs", "https://Sm7pS3cretPassw0rd", ""},
		{"a key with dots where the host belongs", "smtp://SG.Sm7pS3cret.Passw0rd", ""},
		{"a single label", "https://sm7ps3cretpassw0rd", ""},
		{"a label too long", "https://" + strings.Repeat("a1", 40) + ".example.com", ""},
		{"unknown scheme", "sm7ps3cret://smtp.example.com", ""},
		{"opaque", "smtp:rotor:Sm7pS3cret@smtp.example.com", ""},
		{"no scheme", "smtp.example.com:587", ""},
		{"bad escape", "https://rotor:%zzSm7p@example.com", ""},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := setting.Site(tt.value); got != tt.want {
				t.Errorf("Site(%q) = %q, want %q", tt.value, got, tt.want)
			}
		})
	}
}

func TestInvalid(t *testing.T) {
	sentinel := errors.New("invalid SMTP URL")
	// What url.Parse answers, quoting its input and a piece of it.
	parseErr := &url.Error{Op: "parse", URL: "smtp://rotor:Sm7pS3cretPassw0rd", Err: errors.New(`invalid port ":Sm7pS3cretPassw0rd" after host`)}
	tests := []struct {
		name, value string
		problem     error
		want        string
	}{
		{"site shown", "http://jira.example.com", errors.New("plain http: use https://"), "ROTOR_X (http://jira.example.com): plain http: use https://"},
		{"nothing shown", "smtp://rotor:Sm7pS3cretPassw0rd", fmt.Errorf("%w: no host", sentinel), "ROTOR_X: invalid SMTP URL: no host"},
		{"a problem that quotes the value", "smtp://rotor:Sm7pS3cretPassw0rd", errors.New(`parse "smtp://rotor:Sm7pS3cretPassw0rd": invalid port ":Sm7pS3cretPassw0rd" after host`),
			`ROTOR_X: parse "[redacted]": invalid port ":[redacted]" after host`},
		{"a problem that quotes the password", "smtps://apikey:Sm7p/S3cret#Passw0rd@smtp.example.com", errors.New(`bad password "Sm7p/S3cret#Passw0rd"`),
			`ROTOR_X: bad password "[redacted]"`},
		{"a url.Error", "smtp://rotor:Sm7pS3cretPassw0rd", parseErr, "ROTOR_X: not a URL (its text is not shown, in case it is a secret)"},
		{"a host name in a hint is left alone", "example.atlassian.net", errors.New("no scheme: use the form https://example.atlassian.net"),
			"ROTOR_X: no scheme: use the form https://example.atlassian.net"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := setting.Invalid("ROTOR_X", tt.value, tt.problem)
			if got := err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
			if !errors.Is(err, tt.problem) {
				t.Error("the problem is not wrapped")
			}
			for _, verb := range []string{"%v", "%+v", "%s", "%q"} {
				if got := fmt.Sprintf(verb, err); strings.Contains(got, "S3cret") {
					t.Errorf("Sprintf(%q) = %q shows the secret", verb, got)
				}
			}
		})
	}
	if err := setting.Invalid("ROTOR_X", "smtp://x", fmt.Errorf("%w: no host", sentinel)); !errors.Is(err, sentinel) {
		t.Error("errors.Is does not see the problem's sentinel")
	}
}

// FuzzSite: whatever the value, what Site shows is a scheme and a host,
// nothing of a user, password, path, query or fragment; and Invalid's
// message holds no password that is not part of that host.
func FuzzSite(f *testing.F) {
	for _, s := range []string{
		"https://bot:Sm7pS3cret@example.atlassian.net/x?y#z", "smtp://rotor:Sm7pS3cretPassw0rd", "smtps://apikey:Sm7p/S3cret#Passw0rd",
		"SG.Sm7pS3cret.x", "http://[::1]:80", "https://a.b:99999", "https://%zz@a.b", "https://a.b@c.d@e.f",
	} {
		f.Add(s, "Sm7pS3cret")
	}
	f.Fuzz(func(t *testing.T, value, password string) {
		site := setting.Site(value)
		if site != "" {
			u, err := url.Parse(site)
			if err != nil || u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" || site != u.Scheme+"://"+u.Host {
				t.Fatalf("Site(%q) = %q: not a bare scheme://host", value, site)
			}
			if setting.Site(site) != site {
				t.Errorf("Site(%q) = %q, Site of that = %q", value, site, setting.Site(site))
			}
		}
		raw := "https://rotor:" + password + "@" + value
		msg := setting.Invalid("ROTOR_X", raw, errors.New("refused")).Error()
		if len(password) >= 6 && strings.Contains(msg, password) && !strings.Contains("ROTOR_X: refused", password) && !strings.Contains(setting.Site(raw), password) {
			t.Errorf("Invalid(%q) = %q shows the password", raw, msg)
		}
	})
}
