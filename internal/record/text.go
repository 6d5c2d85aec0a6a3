package record

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// commitMessage is the message of a record commit: a subject naming the
// credential and the ticket, the dates, and the trailers history tools
// read.
func commitMessage(c *rotation.Credential, key string, done, next rotation.Date) string {
	return fmt.Sprintf("Record rotation of %s (%s)\n\n"+
		"%s was done on %s: last_changed %s -> %s, next due %s.\n\n",
		c.ID, key, key, done, c.LastChanged, done, next) + rotation.FormatTrailers(c.ID, key)
}

// pullRequestText returns the title and Markdown body of the pull request.
// Every value from the register or the tracker goes through package
// markdown: the body is rendered on GitHub.
func pullRequestText(c *rotation.Credential, t rotation.Ticket, done rotation.Date, browse func(string) string, store *StoreCheck) (title, body string) {
	name := c.Name
	if name == "" {
		name = c.ID
	}
	title = fmt.Sprintf("Record rotation of %s (%s)", strings.Join(strings.Fields(name), " "), t.Key)
	ticket := markdown.Code(t.Key)
	if browse != nil {
		if u := browse(t.Key); u != "" {
			ticket = fmt.Sprintf("[%s](%s)", markdown.Text(t.Key), u)
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s was rotated: %s is done.\n\n", markdown.Text(name), ticket)
	b.WriteString("| | |\n| --- | --- |\n")
	row := func(k, v string) { fmt.Fprintf(&b, "| %s | %s |\n", k, v) }
	row("credential", markdown.Code(c.ID))
	row("owner", markdown.Text(c.Owner))
	if c.Team != "" {
		row("team", markdown.Text(c.Team))
	}
	row("ticket", ticket)
	row("last_changed", fmt.Sprintf("%s → **%s**", c.LastChanged, done))
	row("next due", done.AddDays(c.PeriodDays).String())
	if store != nil {
		row("secret store", fmt.Sprintf("%s: %s", markdown.Code(store.Source), markdown.Text(store.Evidence)))
	}
	fmt.Fprintf(&b, "\nOpened by `rotor record` after asking Jira that %s is done. Merging it records the rotation; "+
		"the commit carries the trailers `%s` and `%s`.\n", markdown.Text(t.Key), rotation.TrailerCredential, rotation.TrailerTicket)
	return title, b.String()
}

// Diff returns a unified diff of a file edit, with three lines of context:
// what SetFields changes (a few lines, close together). The common start
// and end are skipped; the lines between are matched by longest common
// subsequence, so lines that did not change never show as changed.
func Diff(path string, old, edited []byte) string {
	a, b := splitKeep(old), splitKeep(edited)
	ops := diffOps(a, b)
	const ctx = 3
	var out strings.Builder
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk: from ctx lines before this change to ctx lines after the
		// last change that is at most 2*ctx equal lines from the next.
		start := max(i-ctx, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
				continue
			}
			if j-end >= 2*ctx {
				break
			}
		}
		stop := min(end+ctx, len(ops))
		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", path, path)
		}
		var na, nb int
		for _, op := range ops[start:stop] {
			if op.kind != '+' {
				na++
			}
			if op.kind != '-' {
				nb++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(ops[start].a, na), hunkRange(ops[start].b, nb))
		for _, op := range ops[start:stop] {
			writeDiffLine(&out, op.kind, op.line)
		}
		i = stop
	}
	return out.String()
}

// diffOp is one line of a diff: kept (' '), removed ('-') or added ('+');
// a and b are the 0-based line numbers in the old and new file where it
// stands.
type diffOp struct {
	kind byte
	line string
	a, b int
}

// maxDiffMiddle bounds the differing middle matched line by line; a larger
// one is shown as removed and added.
const maxDiffMiddle = 2000

func diffOps(a, b []string) []diffOp {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	ops := make([]diffOp, 0, len(a)+len(b))
	for i := 0; i < pre; i++ {
		ops = append(ops, diffOp{' ', a[i], i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	ai, bi := pre, pre
	if len(ma) > maxDiffMiddle || len(mb) > maxDiffMiddle {
		for _, l := range ma {
			ops = append(ops, diffOp{'-', l, ai, bi})
			ai++
		}
		for _, l := range mb {
			ops = append(ops, diffOp{'+', l, ai, bi})
			bi++
		}
	} else {
		// lcs[i][j]: the longest common subsequence of ma[i:] and mb[j:].
		lcs := make([][]int, len(ma)+1)
		for i := range lcs {
			lcs[i] = make([]int, len(mb)+1)
		}
		for i := len(ma) - 1; i >= 0; i-- {
			for j := len(mb) - 1; j >= 0; j-- {
				if ma[i] == mb[j] {
					lcs[i][j] = lcs[i+1][j+1] + 1
				} else {
					lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
				}
			}
		}
		i, j := 0, 0
		for i < len(ma) || j < len(mb) {
			switch {
			case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
				ops = append(ops, diffOp{' ', ma[i], ai, bi})
				i, j, ai, bi = i+1, j+1, ai+1, bi+1
			case j < len(mb) && (i == len(ma) || lcs[i][j+1] > lcs[i+1][j]):
				ops = append(ops, diffOp{'+', mb[j], ai, bi})
				j, bi = j+1, bi+1
			default:
				ops = append(ops, diffOp{'-', ma[i], ai, bi})
				i, ai = i+1, ai+1
			}
		}
	}
	for k := len(a) - suf; k < len(a); k++ {
		ops = append(ops, diffOp{' ', a[k], ai, bi})
		ai, bi = ai+1, bi+1
	}
	return ops
}

func hunkRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

func writeDiffLine(b *strings.Builder, mark byte, l string) {
	b.WriteByte(mark)
	if strings.HasSuffix(l, "\n") {
		b.WriteString(strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"))
		b.WriteByte('\n')
		return
	}
	b.WriteString(l)
	b.WriteString("\n\\ No newline at end of file\n")
}

// splitKeep splits data into lines that keep their line endings.
func splitKeep(data []byte) []string {
	var lines []string
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			lines = append(lines, string(data))
			break
		}
		lines = append(lines, string(data[:i+1]))
		data = data[i+1:]
	}
	return lines
}
