package term

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/creack/pty"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// TestIsTerminal: a pty is a terminal; /dev/null (a character device), a
// pipe, a file and a buffer are not.
func TestIsTerminal(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if !IsTerminal(tty) {
		t.Error("a pty is no terminal")
	}
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	file, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	for name, s := range map[string]any{"/dev/null": null, "a pipe": r, "a file": file, "a buffer": &bytes.Buffer{}, "nil": nil} {
		if IsTerminal(s) {
			t.Errorf("%s is a terminal", name)
		}
	}
}

// TestWidth: the terminal's size on a terminal; else COLUMNS when it is a
// positive number; else no limit.
func TestWidth(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 24, Cols: 93}); err != nil {
		t.Fatal(err)
	}
	if got := Width(tty, env(map[string]string{"COLUMNS": "60"})); got != 93 {
		t.Errorf("Width(pty of 93 columns, COLUMNS=60) = %d, want 93", got)
	}
	tests := []struct {
		columns string
		want    int
	}{{"", 0}, {"60", 60}, {" 120 ", 120}, {"0", 0}, {"-5", 0}, {"wide", 0}}
	for _, tt := range tests {
		if got := Width(&bytes.Buffer{}, env(map[string]string{"COLUMNS": tt.columns})); got != tt.want {
			t.Errorf("Width(buffer, COLUMNS=%q) = %d, want %d", tt.columns, got, tt.want)
		}
	}
}

// TestColor: only a terminal, and never with NO_COLOR set to anything but
// "" or TERM=dumb.
func TestColor(t *testing.T) {
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Skipf("no pty here: %v", err)
	}
	defer ptmx.Close()
	defer tty.Close()
	tests := []struct {
		name string
		w    any
		env  map[string]string
		want bool
	}{
		{"terminal", tty, nil, true},
		{"terminal, NO_COLOR empty", tty, map[string]string{"NO_COLOR": ""}, true},
		{"terminal, NO_COLOR=1", tty, map[string]string{"NO_COLOR": "1"}, false},
		{"terminal, NO_COLOR=0", tty, map[string]string{"NO_COLOR": "0"}, false},
		{"dumb terminal", tty, map[string]string{"TERM": "dumb"}, false},
		{"buffer", &bytes.Buffer{}, nil, false},
	}
	for _, tt := range tests {
		if got := Color(tt.w.(interface{ Write([]byte) (int, error) }), env(tt.env)); got != tt.want {
			t.Errorf("%s: Color = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
		end  string // TruncateStart
	}{
		{"payments-db-admin", 20, "payments-db-admin", "payments-db-admin"},
		{"payments-db-admin", 17, "payments-db-admin", "payments-db-admin"},
		{"payments-db-admin", 10, "payments-…", "…-db-admin"},
		{"exempt until 2027-01-31", 11, "exempt unt…", "…2027-01-31"},
		{"Zürich Büro", 5, "Züri…", "…Büro"},
		{"東京の鍵", 5, "東京…", "…の鍵"},
		{"東京の鍵", 4, "東…", "…鍵"},
		{"ab", 1, "…", "…"},
		{"ab", 0, "", ""},
	}
	for _, tt := range tests {
		got := Truncate(tt.s, tt.n)
		if got != tt.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if end := TruncateStart(tt.s, tt.n); end != tt.end {
			t.Errorf("TruncateStart(%q, %d) = %q, want %q", tt.s, tt.n, end, tt.end)
		}
		for _, s := range []string{got, TruncateStart(tt.s, tt.n)} {
			if !utf8.ValidString(s) || StringWidth(s) > max(tt.n, 0) {
				t.Errorf("%q: not whole runes, or wider than %d", s, tt.n)
			}
		}
	}
}

func TestStringWidth(t *testing.T) {
	for s, want := range map[string]int{"": 0, "abc": 3, "…": 1, "東京": 4, "é": 1, "e\u0301": 1, "ｱ": 1, "Ａ": 2, "\x1b[31moverdue\x1b[0m": 7} {
		if got := StringWidth(s); got != want {
			t.Errorf("StringWidth(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestTableIsTabwriterWithoutLimit: with no width limit a table is what
// text/tabwriter writes, so output to pipes and files stays as it was.
func TestTableIsTabwriterWithoutLimit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		const letters = "abcdefghij-é…"
		r := []rune(letters)
		b := make([]rune, rng.IntN(14))
		for i := range b {
			b[i] = r[rng.IntN(len(r))]
		}
		return string(b)
	}
	for n := range 300 {
		cols := 1 + rng.IntN(6)
		tab := Table{Indent: strings.Repeat(" ", rng.IntN(3))}
		var want bytes.Buffer
		tw := tabwriter.NewWriter(&want, 0, 0, 2, ' ', 0)
		head := n%2 == 0
		var line []string
		for range cols {
			c := Column{Give: rng.IntN(3), Hide: rng.IntN(3)}
			if head {
				c.Head = strings.ToUpper(word()) + "H"
			}
			tab.Cols = append(tab.Cols, c)
			line = append(line, c.Head)
		}
		if head {
			fmt.Fprintln(tw, tab.Indent+strings.Join(line, "\t"))
		}
		for range rng.IntN(6) {
			line = line[:0]
			for range cols {
				line = append(line, word())
			}
			tab.Row(line...)
			fmt.Fprintln(tw, tab.Indent+strings.Join(line, "\t"))
		}
		tw.Flush()
		var got bytes.Buffer
		if err := tab.Write(&got, Layout{}); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Fatalf("table %d:\ngot:\n%s\nwant (tabwriter):\n%s", n, got.String(), want.String())
		}
	}
}

func statusTable() *Table {
	tab := &Table{Cols: []Column{
		{Head: "ID", Give: 7, Min: 14},
		{Head: "NAME", Give: 1, Min: 10, Hide: 6},
		{Head: "OWNER", Give: 1, Min: 10, Hide: 5},
		{Head: "LAST CHANGED", Hide: 2},
		{Head: "DAYS LEFT", Give: 3, Min: 11, KeepEnd: true},
		{Head: "STATUS"},
	}}
	tab.RowCells(Cell{Text: "payments-hsm-operator-card"}, Cell{Text: "HSM operator card PIN of the payments team"},
		Cell{Text: "alice@example.com"}, Cell{Text: "2025-11-20"}, Cell{Text: "-7"}, Cell{Text: "overdue", Style: Red})
	tab.RowCells(Cell{Text: "legacy-ldap-bind"}, Cell{Text: "東京 LDAP bind account"},
		Cell{Text: "dave@example.com"}, Cell{Text: "2026-04-01"}, Cell{Text: "exempt until 2027-01-31"}, Cell{Text: "exempt", Style: Dim})
	return tab
}

// TestTableFits: at any width no line is wider, a shortened value ends in
// "…", the columns that give way go first, and colour codes never count.
func TestTableFits(t *testing.T) {
	for _, color := range []bool{false, true} {
		for width := 1; width <= 130; width++ {
			var b bytes.Buffer
			if err := statusTable().Write(&b, Layout{Width: width, Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			if !color && strings.Contains(out, "\x1b") {
				t.Errorf("width %d: escape codes without colour", width)
			}
			for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				plain := stripSGR(line)
				if StringWidth(plain) > width {
					t.Errorf("width %d: line of %d cells: %q", width, StringWidth(plain), plain)
				}
			}
		}
	}
	var b bytes.Buffer
	statusTable().Write(&b, Layout{Width: 80})
	got := b.String()
	for _, want := range []string{"payments-hsm-operator-card", "2027-01-31", "HSM opera…", "overdue", "exempt"} {
		if !strings.Contains(got, want) {
			t.Errorf("at 80 cells, %q is missing:\n%s", want, got)
		}
	}
	b.Reset()
	statusTable().Write(&b, Layout{Width: 40})
	got = b.String()
	for _, want := range []string{"ID", "DAYS LEFT", "STATUS", "overdue", "…2027-01-31"} {
		if !strings.Contains(got, want) {
			t.Errorf("at 40 cells, %q is missing:\n%s", want, got)
		}
	}
	if strings.Contains(got, "LAST CHANGED") || strings.Contains(got, "OWNER") {
		t.Errorf("at 40 cells, the columns that may go are still there:\n%s", got)
	}
}

func stripSGR(s string) string {
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], 'm')
		s = s[:i] + s[i+j+1:]
	}
}

func TestWrap(t *testing.T) {
	got := Wrap("give the token Contents: read and write on owner/repo, or write access", 30, "      ")
	want := []string{"give the token Contents: read", "      and write on owner/repo,", "      or write access"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Wrap = %q, want %q", got, want)
	}
	if got := Wrap("short", 0, "  "); len(got) != 1 || got[0] != "short" {
		t.Errorf("Wrap without a width = %q", got)
	}
	got = Wrap("  History: /a/very/long/path/東京/that/never/breaks ok", 12, "    ")
	for _, l := range got {
		if StringWidth(l) > 12 || !utf8.ValidString(l) {
			t.Errorf("Wrap: line %q is wider than 12 or cut inside a rune (%q)", l, got)
		}
	}
	if strings.ReplaceAll(strings.Join(got, ""), " ", "") != "History:/a/very/long/path/東京/that/never/breaksok" {
		t.Errorf("Wrap lost text: %q", got)
	}
}

func TestFit(t *testing.T) {
	text := "title\n\nwarnings:\n  the credential payments-db-admin has no runbook; add one so the ticket links it\nend\n"
	got := Fit(text, 30)
	want := "title\n\nwarnings:\n  the credential\n    payments-db-admin has no\n    runbook; add one so the\n    ticket links it\nend\n"
	if got != want {
		t.Errorf("Fit:\n%s\nwant:\n%s", got, want)
	}
	if Fit(text, 0) != text || Fit(text, 200) != text {
		t.Error("Fit changed text that fits")
	}
}
