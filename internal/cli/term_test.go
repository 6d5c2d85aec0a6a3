package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/creack/pty"

	"github.com/rotor-dev/rotor/internal/term"
)

// runOnPty runs rotor in-process with stdout on a real pty of cols
// columns, and returns what the terminal received (line ends as "\n")
// and the exit code.
func runOnPty(t *testing.T, cols uint16, env map[string]string, args ...string) (string, int) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	got := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(ptmx) // ends with EIO once the tty is closed
		got <- b
	}()
	e, _, _ := testEnv(env, "")
	e.Stdout = tty
	code := Main(context.Background(), args, e)
	tty.Close()
	return strings.ReplaceAll(string(<-got), "\r\n", "\n"), code
}

func plainOf(s string) string {
	var b strings.Builder
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		j := strings.IndexByte(s[i:], 'm')
		s = s[i+j+1:]
	}
}

// TestStatusOnATerminal: on a terminal of any width no line of rotor
// status is wider than the terminal, the values cut end in "…", and
// statuses are coloured unless NO_COLOR is set; piped, the table is
// whole and plain.
func TestStatusOnATerminal(t *testing.T) {
	args := []string{"status", "--register", example, "--today", "2026-11-27"}
	for _, cols := range []uint16{40, 60, 80, 120, 200} {
		out, code := runOnPty(t, cols, nil, args...)
		if code != ExitOK {
			t.Fatalf("%d columns: exit %d\n%s", cols, code, out)
		}
		plain := plainOf(out)
		lines := strings.Split(strings.TrimSuffix(plain, "\n"), "\n")
		if len(lines) != 13 {
			t.Errorf("%d columns: %d lines, want 13:\n%s", cols, len(lines), plain)
		}
		for _, l := range lines {
			if w := term.StringWidth(l); w > int(cols) {
				t.Errorf("%d columns: a line of %d cells: %q", cols, w, l)
			}
		}
		if cols <= 120 && !strings.Contains(plain, "…") {
			t.Errorf("%d columns: nothing was cut:\n%s", cols, plain)
		}
		if cols > 180 && strings.Contains(plain, "…") {
			t.Errorf("%d columns: a value was cut though the table fits:\n%s", cols, plain)
		}
		want := []string{"overdue", "exempt", "due", "ok", "2027-01-31"}
		if cols >= 80 {
			want = append(want, "payments-hsm-operator-card", "2026-11-20", "alice@")
		}
		for _, want := range want {
			if !strings.Contains(plain, want) {
				t.Errorf("%d columns: %q is missing:\n%s", cols, want, plain)
			}
		}
		for _, colour := range []string{"\x1b[31moverdue\x1b[0m", "\x1b[33mdue\x1b[0m", "\x1b[32mok\x1b[0m"} {
			if !strings.Contains(out, colour) {
				t.Errorf("%d columns: no %q on the terminal:\n%q", cols, colour, out)
			}
		}
	}

	out, _ := runOnPty(t, 80, map[string]string{"NO_COLOR": "1"}, args...)
	if strings.Contains(out, "\x1b") {
		t.Errorf("NO_COLOR=1: escape codes on the terminal:\n%q", out)
	}
	if !strings.Contains(out, "…") {
		t.Errorf("NO_COLOR=1: the table is no longer fitted:\n%s", out)
	}

	piped := runRotor(t, nil, "", args...)
	if strings.Contains(piped.stdout, "\x1b") || strings.Contains(piped.stdout, "…") {
		t.Errorf("piped: colour or cut values:\n%s", piped.stdout)
	}
	checkGolden(t, "status.golden", piped.stdout)
}

// TestStatusColumnsOnAPipe: COLUMNS is the width of a pipe when it is set
// (a person who sets it asks for that width); without it a pipe keeps
// every value whole.
func TestStatusColumnsOnAPipe(t *testing.T) {
	args := []string{"status", "--register", example, "--today", "2026-11-27"}
	r := runRotor(t, map[string]string{"COLUMNS": "60"}, "", args...)
	for _, l := range strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n") {
		if w := term.StringWidth(l); w > 60 {
			t.Errorf("COLUMNS=60: a line of %d cells: %q", w, l)
		}
	}
	if strings.Contains(r.stdout, "\x1b") {
		t.Errorf("COLUMNS=60 on a pipe: colour:\n%q", r.stdout)
	}
	for _, bad := range []string{"0", "-1", "wide"} {
		r := runRotor(t, map[string]string{"COLUMNS": bad}, "", args...)
		checkGolden(t, "status.golden", r.stdout)
	}
}

// TestIsTerminal: /dev/null is a character device but no terminal, so
// rotor new does not ask questions there; a pty is one.
func TestIsTerminal(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	if isTerminal(null) {
		t.Error("/dev/null is taken for a terminal")
	}
	if isTerminal(strings.NewReader("")) || isTerminal(&bytes.Buffer{}) {
		t.Error("an in-memory reader is taken for a terminal")
	}
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if !isTerminal(tty) {
		t.Error("a pty is not taken for a terminal")
	}
}

// TestTablesOnATerminal: every text table rotor prints fits the terminal
// (the sync plan, the report), and keeps whole values on a pipe.
func TestTablesOnATerminal(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"sync plan", []string{"sync", "--dry-run", "--register", example, "--today", "2026-11-27"}},
		{"report", []string{"report", "--register", example, "--today", "2026-11-27", "--repo", t.TempDir()}},
	}
	for _, tt := range tests {
		for _, cols := range []uint16{40, 80} {
			out, code := runOnPty(t, cols, nil, tt.args...)
			if code != ExitOK {
				t.Fatalf("%s: exit %d\n%s", tt.name, code, out)
			}
			for _, l := range strings.Split(strings.TrimSuffix(plainOf(out), "\n"), "\n") {
				if w := term.StringWidth(l); w > int(cols) {
					t.Errorf("%s, %d columns: a line of %d cells: %q", tt.name, cols, w, l)
				}
			}
			if !strings.Contains(out, "…") {
				t.Errorf("%s, %d columns: nothing was cut:\n%s", tt.name, cols, out)
			}
		}
		piped := runRotor(t, nil, "", tt.args...)
		if strings.Contains(piped.stdout, "\x1b") {
			t.Errorf("%s piped: colour:\n%s", tt.name, piped.stdout)
		}
	}
}
