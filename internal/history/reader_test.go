package history

import (
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// TestUnparsed: what history counts as a file it cannot read, and what
// it reads whatever the validator says of it today.
func TestUnparsed(t *testing.T) {
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, data, want string // want: the start of the reason; "" read
	}{
		{"an empty list", "credentials: []\n", ""},
		{"schema findings", "credentials:\n  - id: a\n    name: x\n    colour: red\n", ""},
		{"entries without an id", "credentials:\n  - name: x\n  - 42\n", ""},
		{"empty", "", "does not parse (file is empty"},
		{"only a comment", "# nothing yet\n", "does not parse (file is empty"},
		{"a null list", "credentials:\n", "does not parse (no credentials: list)"},
		{"a mapping for a list", "credentials: {}\n", "does not parse (no credentials: list)"},
		{"no credentials key", "credential:\n  - id: a\n", "does not parse (no credentials: list)"},
		{"a list at the top", "- id: a\n", "does not parse (top level is a list"},
		{"a syntax error", "credentials:\n  - id: [a\n", "does not parse (line "},
		{"two documents", "credentials: []\n---\ncredentials: []\n", "does not parse ("},
		{"an alias", "credentials: &x []\nmore: *x\n", "does not parse (line "},
		{"binary", "credentials: []\n\x00\x01", "is binary"},
		{"UTF-16", "\xff\xfec\x00r\x00", "is UTF-16 or UTF-32 text, not UTF-8"},
		{"Latin-1", "credentials: []\n# caf\xe9\n", "is not UTF-8"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, findings := v.ValidateFile("r/a.yaml", []byte(tc.data), rotation.Settings{}, rotation.Date{Year: 9999, Month: 12, Day: 31})
			got := unparsed("r/a.yaml", []byte(tc.data), findings)
			if (tc.want == "") != (got == "") || !strings.HasPrefix(got, tc.want) {
				t.Errorf("unparsed = %q, want %q…", got, tc.want)
			}
		})
	}
}
