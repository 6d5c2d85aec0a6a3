package cli

import (
	"slices"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/term"
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

// helpFlags lists the flags a help text shows: the first word of every
// line of its OPTIONS section that starts with "-".
func helpFlags(help string) []string {
	var flags []string
	in := false
	for _, line := range strings.Split(help, "\n") {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasSuffix(trimmed, "OPTIONS:") || strings.HasPrefix(trimmed, "Flags"):
			in = true
		case in && strings.HasPrefix(trimmed, "-"):
			flags = append(flags, strings.Fields(strings.ReplaceAll(trimmed, ",", " "))[0])
		}
	}
	slices.Sort(flags)
	return flags
}

// TestHelpListsOnlyFlagsTheCommandUses: no command shows a flag it never
// reads (a Jira setting it does not use, --today where no date matters).
func TestHelpListsOnlyFlagsTheCommandUses(t *testing.T) {
	want := map[string]string{
		"validate":  "--format --help --register --today",
		"status":    "--fail-on --format --help --register --status --team --today",
		"sync":      "--dry-run --format --help --jira-issue-type --jira-overdue-priority --jira-project --register --timeout --today",
		"record":    "--dry-run --format --help --issue --jira-issue-type --jira-project --register --repo --timeout --today",
		"report":    "--dry-run --email --fail-below --format --help --jira --jira-project --out --register --repo --smtp-insecure --timeout --today --weeks",
		"audit":     "--format --from --help --jira --jira-project --out --out-dir --register --repo --timeout --to --today --verify",
		"dashboard": "--help --out --public --register --repo --today --weeks",
		"relay":     "--addr --help --version",
	}
	for cmd, flags := range want {
		r := runRotor(t, nil, "", cmd, "--help")
		if got := strings.Join(helpFlags(r.stdout), " "); got != flags {
			t.Errorf("rotor %s --help lists\n  %s\nwant\n  %s", cmd, got, flags)
		}
	}
}

// TestHelpWrapsToTheTerminal: on a terminal, help is wrapped to its width;
// on a pipe it is as it always was.
func TestHelpWrapsToTheTerminal(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"status", "--help"}, {"report", "--help"}, {"new", "--help"}, {"relay", "--help"}, {"help", "sync"}} {
		for _, cols := range []uint16{60, 80} {
			out, code := runOnPty(t, cols, nil, args...)
			if code != ExitOK {
				t.Fatalf("rotor %s: exit %d\n%s", strings.Join(args, " "), code, out)
			}
			for _, l := range strings.Split(out, "\n") {
				if w := term.StringWidth(l); w > int(cols) {
					t.Errorf("rotor %s at %d columns: a line of %d cells: %q", strings.Join(args, " "), cols, w, l)
				}
			}
		}
	}
	piped := runRotor(t, nil, "", "status", "--help")
	if !strings.Contains(piped.stdout, "Statuses: ok, due (inside the notice window), overdue (past the due date), exempt. next_due_date") {
		t.Errorf("help on a pipe is wrapped:\n%s", piped.stdout)
	}
}
