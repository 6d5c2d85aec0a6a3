// Package term is how rotor writes for a terminal: whether a stream is
// one (IsTerminal), how wide a line may be (Width), whether colour is
// welcome (Color), and the one renderer of every text table rotor prints
// (Table), which shortens the columns that may give way with "…" so that
// no line is wider than the terminal. Written to a pipe or a file, a table
// keeps every value whole and carries no colour, so what lands in a file
// or a CI log is what it always was.
package term

import (
	"io"
	"strconv"
	"strings"

	xterm "golang.org/x/term"
)

// The environment variables this package reads, through the getenv the
// caller passes (never os.Getenv).
const (
	// EnvColumns is the width of a line when the output's own width is
	// not known: a positive number of cells. It applies to pipes and
	// files too: a person who sets it asks for that width.
	EnvColumns = "COLUMNS"
	// EnvNoColor, present and not empty, turns colour off (no-color.org).
	EnvNoColor = "NO_COLOR"
	// EnvTerm "dumb" is a terminal that shows escape codes as text.
	EnvTerm = "TERM"
)

// fder is a stream with a file descriptor: *os.File, a pty.
type fder interface{ Fd() uintptr }

// IsTerminal reports whether stream (a reader or a writer) is a terminal:
// a character device that answers the terminal's ioctl, so /dev/null,
// pipes, files and in-memory buffers are not.
func IsTerminal(stream any) bool {
	f, ok := stream.(fder)
	return ok && xterm.IsTerminal(int(f.Fd()))
}

// Width is the number of cells a line written to w may take: the
// terminal's width when w is a terminal, else COLUMNS when it is set to a
// positive number, else 0: no limit (a pipe or a file keeps whole values).
func Width(w io.Writer, getenv func(string) string) int {
	if f, ok := w.(fder); ok && xterm.IsTerminal(int(f.Fd())) {
		if cols, _, err := xterm.GetSize(int(f.Fd())); err == nil && cols > 0 {
			return cols
		}
	}
	if n, err := strconv.Atoi(strings.TrimSpace(getenv(EnvColumns))); err == nil && n > 0 {
		return n
	}
	return 0
}

// Color reports whether what is written to w may be coloured: only on a
// terminal, never when NO_COLOR is set to anything but "" (no-color.org)
// or the terminal is "dumb". Pipes, files and CI logs get no colour.
func Color(w io.Writer, getenv func(string) string) bool {
	return IsTerminal(w) && getenv(EnvNoColor) == "" && getenv(EnvTerm) != "dumb"
}

// Layout is how text is laid out for one output: Width cells a line at
// most (0: no limit) and whether Color codes may be written.
type Layout struct {
	Width int
	Color bool
}

// For is the Layout of w: its Width and Color.
func For(w io.Writer, getenv func(string) string) Layout {
	return Layout{Width: Width(w, getenv), Color: Color(w, getenv)}
}

// Style is the colour of a cell. Colour never carries meaning alone: the
// text says the same.
type Style int

// The styles rotor uses, one a status.
const (
	Plain  Style = iota
	Red          // overdue, a failed check
	Yellow       // due
	Green        // ok
	Dim          // exempt, skipped
)

var sgr = [...]string{Red: "\x1b[31m", Yellow: "\x1b[33m", Green: "\x1b[32m", Dim: "\x1b[2m"}

const reset = "\x1b[0m"

// Paint returns s in style st when l allows colour, else s as it is.
func (l Layout) Paint(s string, st Style) string {
	if !l.Color || st == Plain || s == "" || int(st) >= len(sgr) {
		return s
	}
	return sgr[st] + s + reset
}
