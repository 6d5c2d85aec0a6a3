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
	tests := []struct{ in, want string }{
		{"https://example.atlassian.net/rest/api/3/issue/SEC-1?fields=summary", "https://example.atlassian.net/rest/api/3/issue/SEC-1"},
		{"https://x-access-token:SECRET@ghe.example.com/api/v3/", "https://ghe.example.com/api/v3/"},
		{"https://SECRET@ghe.example.com/", "https://ghe.example.com/"},
		{"ftp://x-access-token:SECRET@host", "ftp://host"},
		{"http://127.0.0.1:8080/steal?token=SECRET#SECRET", "http://127.0.0.1:8080/steal"},
		{"https://u:p%zzSECRET@h/", "https://h/"},
		{"https://u:p@SECRET@h/x?y", "https://h/x"},
		{"https://exa mple.com/?SECRET", "(not a URL: not shown)"},
		{"x-access-token:SECRET", "(not a URL: not shown)"},
		{"SECRET", "(not a URL: not shown)"},
		{"", "(not a URL: not shown)"},
	}
	for _, tt := range tests {
		if got := setting.RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactError(t *testing.T) {
	inner := syscall.ECONNREFUSED
	err := setting.RedactError(&url.Error{Op: "Get", URL: "https://u:SECRET@example.com/x?token=SECRET", Err: inner})
	if strings.Contains(err.Error(), "SECRET") || !strings.Contains(err.Error(), "https://example.com/x") {
		t.Errorf("RedactError = %q", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("RedactError(%v) lost its cause", err)
	}
	plain := errors.New("plain")
	if setting.RedactError(plain) != plain || setting.RedactError(nil) != nil {
		t.Error("RedactError changed an error without a URL")
	}
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
