package setting_test

import (
	"errors"
	"net/url"
	"strings"
	"syscall"
	"testing"

	"github.com/rotor-dev/rotor/internal/setting"
)

func TestRedactURL(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"nothing to hide", "https://api.github.com/repos/a/b/dispatches", "https://api.github.com/repos/a/b/dispatches"},
		{"port and path kept", "http://127.0.0.1:8080/webhook/jira", "http://127.0.0.1:8080/webhook/jira"},
		{"user and password", "https://x-access-token:SECRET@ghe.example.com/api/v3/", "https://[redacted]@ghe.example.com/api/v3/"},
		{"a token as the user", "https://SECRET@ghe.example.com/", "https://[redacted]@ghe.example.com/"},
		{"no path", "ftp://x-access-token:SECRET@host", "ftp://[redacted]@host"},
		{"a query token", "https://example.atlassian.net/rest/api/3/search?jql=x&token=SECRET", "https://example.atlassian.net/rest/api/3/search?[redacted]"},
		{"a fragment", "https://ghe.example.com/api/v3/#SECRET", "https://ghe.example.com/api/v3/#[redacted]"},
		{"query and fragment as one", "http://127.0.0.1:8080/steal?token=SECRET#SECRET", "http://127.0.0.1:8080/steal?[redacted]"},
		{"password with a slash", "https://u:SE/CRET@host/x", "https://[redacted]@host/x"},
		{"password with a question mark", "https://u:SE?CRET@host/x?y=1", "https://[redacted]@host/x?[redacted]"},
		{"password with a hash", "https://u:SE#CRET@host/x", "https://[redacted]@host/x"},
		{"password with an at", "https://u:p@SECRET@h/x?y", "https://[redacted]@h/x?[redacted]"},
		{"password with every one of them", "smtps://apikey:S/E?C#R@T@smtp.example.com:465", "smtps://[redacted]@smtp.example.com:465"},
		{"a bad escape in the password", "https://u:p%zzSECRET@h/", "https://[redacted]@h/"},
		// url.Parse takes "SE" for the host and the rest for a path: the
		// text up to the last @ may be a user and a password all the same.
		{"a token with a slash that parses", "https://SE/CRET@host/", "https://[redacted]@host/"},
		// Parsed, the @ is in the query; read up to the last @, the "?"
		// is in the password: each reading shows what the other hides.
		{"an @ after a question mark", "https://SE?CRET@host/", "[redacted]"},
		{"an @ after a hash", "https://h/p#SECRET@x", "[redacted]"},
		{"IPv6 host", "https://u:SECRET@[::1]:8080/x?t=SECRET", "https://[redacted]@[::1]:8080/x?[redacted]"},
		{"IPv6 with a zone", "http://[fe80::1%25en0]:80/", "http://[fe80::1%25en0]:80/"},
		{"no scheme", "ghe.example.com/?token=SECRET", "[redacted]"},
		{"no scheme with a user", "x-access-token:SECRET@ghe.example.com", "[redacted]"},
		{"not a URL at all", "SECRET", "[redacted]"},
		{"a token and a colon", "x-access-token:SECRET", "[redacted]"},
		{"no host", "https://u:SECRET@/x", "[redacted]"},
		{"a host that does not parse", "https://exa mple.com/?SECRET", "[redacted]"},
		{"a bad escape in the host", "https://%zzSECRET", "[redacted]"},
		{"a file URL names no host", "file:///home/u/SECRET", "[redacted]"},
		{"surrounding space", " https://x:SECRET@h/ ", "[redacted]"},
		{"a bad scheme", "1https://h/", "[redacted]"},
		{"empty", "", "[redacted]"},
		{"redacted already", "https://[redacted]@h/p?[redacted]", "https://[redacted]@h/p?[redacted]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := setting.RedactURL(tt.in)
			if got != tt.want {
				t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if strings.Contains(got, "SECRET") || strings.Contains(got, "CRET") {
				t.Errorf("RedactURL(%q) = %q shows the secret", tt.in, got)
			}
			if again := setting.RedactURL(got); again != got {
				t.Errorf("RedactURL(%q) = %q, redacted again %q", tt.in, got, again)
			}
		})
	}
}

func TestRedactURLs(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"no URL", "no URL here", "no URL here"},
		{"nothing to hide", "https://api.github.com/repos/a/b/dispatches", "https://api.github.com/repos/a/b/dispatches"},
		{"in %q", `Post "https://x-access-token:SECRET@api.github.com/repos": EOF`, `Post "https://[redacted]@api.github.com/repos": EOF`},
		{"several", "ftp://x:SECRET@host and https://h/?t=SECRET#f", "ftp://[redacted]@host and https://h/?[redacted]"},
		{"a fragment", "https://h/p#SECRET", "https://h/p#[redacted]"},
		{"an escaped quote in %q", `"ftp://x\"y:SECRET@host"`, `"ftp://[redacted]@host"`},
		{"in JSON", `{"url":"https://u:SECRET@h/x?t=SECRET","next":"https://h/y"}`, `{"url":"https://[redacted]@h/x?[redacted]","next":"https://h/y"}`},
		{"in angle brackets", "<https://h/x?t=SECRET>", "<https://h/x?[redacted]>"},
		{"a line each", "a https://u:SECRET@h\nb http://[::1]:80/?SECRET\n", "a https://[redacted]@h\nb http://[::1]:80/?[redacted]\n"},
		{"one that does not parse", "dial https://%zzSECRET: refused", "dial [redacted] refused"},
		{"no scheme", "x-access-token:SECRET@host", "x-access-token:SECRET@host"}, // not taken for a URL in free text
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := setting.RedactURLs(tt.in)
			if got != tt.want {
				t.Errorf("RedactURLs(%q) = %q, want %q", tt.in, got, tt.want)
			}
			if again := setting.RedactURLs(got); again != got {
				t.Errorf("RedactURLs(%q) = %q, redacted again %q", tt.in, got, again)
			}
		})
	}
}

func TestRedactError(t *testing.T) {
	inner := syscall.ECONNREFUSED
	err := setting.RedactError(&url.Error{Op: "Get", URL: "https://u:SECRET@example.com/x?token=SECRET", Err: inner})
	if want := `Get "https://[redacted]@example.com/x?[redacted]": connection refused`; err.Error() != want {
		t.Errorf("RedactError = %q, want %q", err, want)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("RedactError(%v) lost its cause", err)
	}
	plain := errors.New("plain")
	if setting.RedactError(plain) != plain || setting.RedactError(nil) != nil {
		t.Error("RedactError changed an error without a URL")
	}
}

// FuzzRedactURL: whatever the scheme, user, password, host and path, no
// piece of the password shows, RedactURL never panics, and redacting
// twice changes nothing more.
func FuzzRedactURL(f *testing.F) {
	f.Add("https", "x-access-token", "Zq9Cred", "ghe.example.com", "/api/v3/")
	f.Add("smtps", "apikey", "S/E?C#R@T", "smtp.example.com:465", "")
	f.Add("https", "u", "1/Zq9Cred", "host", "/x@y?z")
	f.Add("https", "", "Zq9Cred", "[::1]:80", "/p?q=a@b#c")
	f.Fuzz(func(t *testing.T, scheme, user, password, host, path string) {
		raw := scheme + "://" + user + ":" + password + "@" + host + path
		got := setting.RedactURL(raw)
		// A password that holds the marker Zq9, which the rest of raw
		// does not, must leave no piece of itself with the marker.
		const marker = "Zq9"
		if strings.Contains(password, marker) && !strings.Contains(scheme+user+host+path, marker) && strings.Contains(got, marker) {
			t.Errorf("RedactURL(%q) = %q shows the password", raw, got)
		}
		if again := setting.RedactURL(got); again != got {
			t.Errorf("RedactURL(%q) = %q, redacted again %q", raw, got, again)
		}
	})
}

// FuzzRedactURLs: whatever text surrounds a URL, the credential in its
// user part, its query or its fragment never survives redaction, and
// redacting twice changes nothing more.
func FuzzRedactURLs(f *testing.F) {
	f.Add("Post \"", "api.github.com", "\": EOF")
	f.Add(`proxy `, "proxy.example:3128", ` refused "http://u:p@h/"`)
	f.Add(`\"`, "h", `\" and x://y`)
	f.Add(`{"url":"`, "[::1]:80", `"}`)
	f.Add("", "", "")
	const marker = "Zq9Cred"
	f.Fuzz(func(t *testing.T, before, host, after string) {
		if strings.Contains(before+after, marker) {
			t.Skip()
		}
		host = strings.Map(func(r rune) rune {
			if 'a' <= r && r <= 'z' || '0' <= r && r <= '9' || r == '.' || r == '-' || r == ':' || r == '[' || r == ']' {
				return r
			}
			return -1
		}, host)
		for _, u := range []string{
			"https://x-access-token:" + marker + "@" + host + "/api/v3/",
			"ftp://" + marker + "@" + host,
			"https://u:a/" + marker + "@" + host,
			"https://" + host + "/p?token=" + marker,
			"https://" + host + "#" + marker,
		} {
			text := before + u + after
			got := setting.RedactURLs(text)
			if strings.Contains(got, marker) {
				t.Errorf("RedactURLs(%q) = %q keeps the credential", text, got)
			}
			if again := setting.RedactURLs(got); again != got {
				t.Errorf("redacting %q again gives %q", got, again)
			}
		}
	})
}

func TestIsLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.1.2.3": true, "::1": true, "localhost": true, "LOCALHOST": true,
		"localhost.example.com": false, "10.0.0.1": false, "example.com": false, "": false, "[::1]": false,
	} {
		if got := setting.IsLoopbackHost(host); got != want {
			t.Errorf("IsLoopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
