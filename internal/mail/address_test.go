package mail_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/mail"
)

// TestParseAddress: an address is taken as a message takes it; an error
// quotes the value, says how to write it, and is no message error (no
// message was built).
func TestParseAddress(t *testing.T) {
	tests := []struct {
		in, want string // want: in the error; empty: no error
	}{
		{in: "rotor@example.com"},
		{in: "Rotor <rotor@example.com>"},
		{in: "not an address", want: `the recipient "not an address" is not an e-mail address`},
		{in: "a@example.com\r\nBcc: x@example.com", want: "control character U+000D"},
		{in: "\"A\u0085\" <a@example.com>", want: "control character U+0085"},
	}
	for _, tt := range tests {
		_, err := mail.ParseAddress("recipient", tt.in)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q: %v", tt.in, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		case err != nil && errors.Is(err, mail.ErrMessage):
			t.Errorf("%q: %v wraps ErrMessage", tt.in, err)
		}
	}
}
