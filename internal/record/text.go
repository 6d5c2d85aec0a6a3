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
		"%s was done on %s: last_changed %s -> %s, next due %s.\n\n"+
		"%s: %s\n%s: %s\n",
		c.ID, key, key, done, c.LastChanged, done, next,
		TrailerCredential, c.ID, TrailerTicket, key)
}

// pullRequestText returns the title and Markdown body of the pull request.
// Every value from the register or the tracker goes through package
// markdown: the body is rendered on GitHub.
func pullRequestText(c *rotation.Credential, t rotation.Ticket, done rotation.Date, browse func(string) string) (title, body string) {
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
	fmt.Fprintf(&b, "\nOpened by `rotor record` after asking Jira that %s is done. Merging it records the rotation; "+
		"the commit carries the trailers `%s` and `%s`.\n", markdown.Text(t.Key), TrailerCredential, TrailerTicket)
	return title, b.String()
}

// Diff returns a unified diff of a file edit whose changes are few lines
// close together (what SetFields makes), with three lines of context.
func Diff(path string, old, edited []byte) string {
	a, b := splitKeep(old), splitKeep(edited)
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	if pre == len(a) && pre == len(b) {
		return ""
	}
	const ctx = 3
	start := max(pre-ctx, 0)
	endA, endB := min(len(a)-suf+ctx, len(a)), min(len(b)-suf+ctx, len(b))
	var out strings.Builder
	fmt.Fprintf(&out, "--- a/%s\n+++ b/%s\n", path, path)
	fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(start, endA-start), hunkRange(start, endB-start))
	for _, l := range a[start:pre] {
		writeDiffLine(&out, ' ', l)
	}
	for _, l := range a[pre : len(a)-suf] {
		writeDiffLine(&out, '-', l)
	}
	for _, l := range b[pre : len(b)-suf] {
		writeDiffLine(&out, '+', l)
	}
	for _, l := range a[len(a)-suf : endA] {
		writeDiffLine(&out, ' ', l)
	}
	return out.String()
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
