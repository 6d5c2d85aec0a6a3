package cli

import (
	"strings"
	"testing"
)

// TestHelpShowsRealDefaults: a switch is not described by "(default:
// false)", and a folder that defaults to the repository around the
// current folder says so once, not as ".".
func TestHelpShowsRealDefaults(t *testing.T) {
	for _, cmd := range []string{"validate", "status", "new", "sync", "record", "report", "audit", "dashboard", "doctor", "relay"} {
		r := runRotor(t, nil, "", cmd, "--help")
		if r.code != ExitOK {
			t.Fatalf("%s --help: exit %d\n%s", cmd, r.code, r.stderr)
		}
		help := r.stdout + r.stderr
		for _, bad := range []string{"(default: false)", `(default: ".")`, ") (default: the repository"} {
			if strings.Contains(help, bad) {
				t.Errorf("rotor %s --help shows %q:\n%s", cmd, bad, help)
			}
		}
	}
}
