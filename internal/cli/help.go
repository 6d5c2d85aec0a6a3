package cli

import (
	"io"
	"regexp"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/term"
)

// Help is urfave/cli's, written to fit the terminal: every line wider
// than it is wrapped, a flag's or a command's usage under its own column.
// On a pipe (no width, see term.Width) help is as urfave/cli writes it.

func init() { cli.HelpPrinter = printHelp }

// helpWriter is the App's Writer: stdout, with what its width is read
// from when help is printed.
type helpWriter struct {
	io.Writer
	getenv func(string) string
}

// printHelp renders the template as urfave/cli does, then fits it to the
// width of out.
func printHelp(out io.Writer, templ string, data any) {
	hw, ok := out.(helpWriter)
	if !ok {
		cli.HelpPrinterCustom(out, templ, data, nil)
		return
	}
	width := term.Width(hw.Writer, hw.getenv)
	if width <= 0 {
		cli.HelpPrinterCustom(hw.Writer, templ, data, nil)
		return
	}
	var b strings.Builder
	cli.HelpPrinterCustom(&b, templ, data, nil)
	io.WriteString(hw.Writer, fitHelp(b.String(), width))
}

// helpColumns finds a help line's second column: an indent, a name, two
// spaces or more, then its usage.
var helpColumns = regexp.MustCompile(`^( *\S(?:.*?\S)?)( {2,})\S`)

// fitHelp wraps every line of help wider than width: a line of two
// columns (a flag or a command, then its usage) under its usage when that
// leaves room, any other under its own indent.
func fitHelp(help string, width int) string {
	var b strings.Builder
	for i, line := range strings.Split(help, "\n") {
		if i > 0 {
			b.WriteByte('\n')
		}
		if term.StringWidth(line) <= width {
			b.WriteString(line)
			continue
		}
		indent := line[:len(line)-len(strings.TrimLeft(line, " "))]
		m := helpColumns.FindStringSubmatch(line)
		if m == nil {
			b.WriteString(strings.Join(term.Wrap(line, width, indent), "\n"))
			continue
		}
		usage := line[len(m[1])+len(m[2]):]
		col := term.StringWidth(m[1] + m[2])
		if col > width/2 {
			// The name leaves no room: its usage goes below it.
			b.WriteString(m[1] + "\n")
			col = term.StringWidth(indent) + 4
		} else {
			b.WriteString(m[1] + m[2])
		}
		pad := strings.Repeat(" ", col)
		for j, l := range term.Wrap(usage, width-col, "") {
			if j > 0 || col != term.StringWidth(m[1]+m[2]) {
				if j > 0 {
					b.WriteByte('\n')
				}
				b.WriteString(pad)
			}
			b.WriteString(l)
		}
	}
	return b.String()
}
