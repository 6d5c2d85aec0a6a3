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

// TestHelpCommandAndDidYouMean: rotor help [command] works, and an unknown
// command gets the nearest one suggested.
func TestHelpCommandAndDidYouMean(t *testing.T) {
	if r := runRotor(t, nil, "", "help", "status"); r.code != ExitOK || !strings.Contains(r.stdout, "rotor status") {
		t.Errorf("rotor help status: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r := runRotor(t, nil, "", "statsu")
	if r.code != ExitUsage || !strings.Contains(r.stderr, `unknown command "statsu": did you mean "status"?`) {
		t.Errorf("rotor statsu: exit %d\n%s", r.code, r.stderr)
	}
	r = runRotor(t, nil, "", "frobnicate")
	if r.code != ExitUsage || strings.Contains(r.stderr, "did you mean") || !strings.Contains(r.stderr, "rotor help lists the commands") {
		t.Errorf("rotor frobnicate: exit %d\n%s", r.code, r.stderr)
	}
}
