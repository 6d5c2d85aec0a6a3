package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

type statusOptions struct {
	registerOptions
	Format   string
	Statuses []rotation.Status // empty: all
	Teams    []string          // empty: all
	// FailOn makes the command a gate: overdue fails (exit 1) when a row
	// listed is overdue, due when one is due or overdue; "": never.
	FailOn string
}

func newStatusCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "status",
		Usage: "list every credential with its next due date and status",
		Description: "Statuses: ok, due (inside the notice window), overdue (past the due date), exempt. " +
			"next_due_date = last_changed + period_days; days_left = next_due_date - today. Rows are sorted by " +
			"due date, then criticality (critical first), then id. --fail-on makes it a gate for CI: exit 1, " +
			"after the table, when a credential listed is overdue (--fail-on overdue) or due or overdue " +
			"(--fail-on due). Exit status: 0 done, 1 the register has errors or the gate failed, 2 usage " +
			"(a --team the register does not have, too).",
		Flags: append(registerFlags(),
			&cli.StringFlag{Name: "format", Usage: "output `format`: text, json or markdown", Value: "text"},
			&cli.StringSliceFlag{Name: "status", Usage: "show only these `statuses` (ok, due, overdue, exempt; repeat or comma-separate)"},
			&cli.StringSliceFlag{Name: "team", Usage: "show only these `teams` (repeat or comma-separate)"},
			&cli.StringFlag{Name: "fail-on", Usage: "exit 1 when a credential listed is `overdue`, or (due) due or overdue"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := statusOptions{registerOptions: ro, Format: c.String("format"), Teams: splitList(c.StringSlice("team")),
				FailOn: c.String("fail-on")}
			for _, s := range splitList(c.StringSlice("status")) {
				st := rotation.Status(s)
				if !slices.Contains(rotation.Statuses, st) {
					return usageError("--status %q: use ok, due, overdue or exempt", s)
				}
				o.Statuses = append(o.Statuses, st)
			}
			return runStatus(c.Context, f, o)
		},
	}
}

func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

func runStatus(ctx context.Context, f *factory, o statusOptions) error {
	if err := checkFormat(o.Format, "text", "json", "markdown"); err != nil {
		return err
	}
	failOn, err := failOnStatuses(o.FailOn)
	if err != nil {
		return err
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	if err := checkTeams(res.Register, o.Teams); err != nil {
		return err
	}
	rows := report.StatusRows(res.Register, res.Today, o.Statuses, o.Teams)
	switch o.Format {
	case "json":
		err = writeStatusJSON(f.Stdout, rows)
	case "markdown":
		err = writeStatusMarkdown(f.Stdout, rows, res.Today)
	default:
		err = writeFit(f.Stdout, f.layout(f.Stdout), func(w io.Writer, l term.Layout) error { return writeStatusText(w, rows, l) })
		if err == nil {
			fmt.Fprintf(f.Stderr, "%s%s as of %s\n", exitPrefix, statusCounts(rows), res.Today)
		}
	}
	if err != nil {
		return err
	}
	n := 0
	for _, r := range rows {
		if slices.Contains(failOn, r.Status) {
			n++
		}
	}
	if n > 0 {
		what := "overdue"
		if len(failOn) > 1 {
			what = "due or overdue"
		}
		return failed("%s %s (--fail-on %s)", textsafe.Plural(n, "credential", "credentials"), what, o.FailOn)
	}
	return nil
}

// failOnStatuses returns the statuses that fail the gate --fail-on asks
// for: none for "", overdue for overdue, due and overdue for due.
func failOnStatuses(failOn string) ([]rotation.Status, error) {
	switch failOn {
	case "":
		return nil, nil
	case "overdue":
		return []rotation.Status{rotation.StatusOverdue}, nil
	case "due":
		return []rotation.Status{rotation.StatusDue, rotation.StatusOverdue}, nil
	}
	return nil, usageError("--fail-on %q: use overdue or due", failOn)
}

// checkTeams is a usage error when a team asked for is one no credential
// of reg has: a typo would otherwise look like a team with nothing due.
func checkTeams(reg *rotation.Register, teams []string) error {
	known := map[string]bool{}
	for _, c := range reg.Credentials {
		if c != nil && c.Team != "" {
			known[c.Team] = true
		}
	}
	var unknown []string
	for _, t := range teams {
		if !known[t] && !slices.Contains(unknown, strconv.Quote(t)) {
			unknown = append(unknown, strconv.Quote(t))
		}
	}
	if len(unknown) == 0 {
		return nil
	}
	noun := "team"
	if len(unknown) > 1 {
		noun = "teams"
	}
	if len(known) == 0 {
		return usageError("no %s %s: the register has no teams; leave out --team", noun, strings.Join(unknown, ", "))
	}
	names := make([]string, 0, len(known))
	for t := range known {
		names = append(names, textsafe.Value(t))
	}
	slices.Sort(names)
	return usageError("no %s %s: the register has %s", noun, strings.Join(unknown, ", "), strings.Join(names, ", "))
}

// statusCounts sums rows up: "12 credentials: 3 overdue, 4 due, 4 ok, 1 exempt".
func statusCounts(rows []report.StatusRow) string {
	counts := map[rotation.Status]int{}
	for _, r := range rows {
		counts[r.Status]++
	}
	var parts []string
	for _, s := range []rotation.Status{rotation.StatusOverdue, rotation.StatusDue, rotation.StatusOK, rotation.StatusExempt} {
		if counts[s] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
		}
	}
	if len(parts) == 0 {
		return textsafe.Plural(0, "credential", "credentials")
	}
	return textsafe.Plural(len(rows), "credential", "credentials") + ": " + strings.Join(parts, ", ")
}

// writeStatusJSON writes rows as an indented JSON array, the same bytes as
// json.MarshalIndent would, field by field: reflection and re-indenting
// cost more than the rest of the command on a large register, and the
// rows never need the whole document in memory.
func writeStatusJSON(w io.Writer, rows []report.StatusRow) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if len(rows) == 0 {
		bw.WriteString("[]\n")
		return bw.Flush()
	}
	var b []byte
	b = append(b, "[\n"...)
	for i := range rows {
		r := &rows[i]
		b = append(b, "  {\n"...)
		b = appendField(b, "id", r.ID, false)
		b = appendField(b, "name", r.Name, false)
		b = appendField(b, "owner", r.Owner, false)
		b = appendField(b, "team", r.Team, false)
		b = appendField(b, "file", r.File, false)
		b = appendIntField(b, "line", r.Line)
		b = appendIntField(b, "period_days", r.PeriodDays)
		b = appendIntField(b, "notice_days", r.NoticeDays)
		b = appendField(b, "last_changed", r.LastChanged.String(), false)
		b = appendField(b, "next_due_date", r.NextDueDate.String(), false)
		b = appendIntField(b, "days_left", r.DaysLeft)
		b = appendField(b, "status", string(r.Status), false)
		b = appendField(b, "criticality", r.Criticality, true)
		b = appendField(b, "last_ticket", r.LastTicket, true)
		if r.Exemption != nil {
			b = append(b, "    \"exemption\": {\n      \"until\": "...)
			b = appendJSONString(b, r.Exemption.Until.String())
			b = append(b, "\n    },\n"...)
		}
		b = b[:len(b)-2] // the last field's ",\n"
		b = append(b, "\n  }"...)
		if i < len(rows)-1 {
			b = append(b, ',')
		}
		b = append(b, '\n')
		if len(b) > 32<<10 {
			bw.Write(b)
			b = b[:0]
		}
	}
	b = append(b, "]\n"...)
	bw.Write(b)
	return bw.Flush()
}

func appendField(b []byte, key, value string, omitEmpty bool) []byte {
	if omitEmpty && value == "" {
		return b
	}
	b = append(b, "    \""...)
	b = append(b, key...)
	b = append(b, "\": "...)
	b = appendJSONString(b, value)
	return append(b, ",\n"...)
}

func appendIntField(b []byte, key string, n int) []byte {
	b = append(b, "    \""...)
	b = append(b, key...)
	b = append(b, "\": "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, ",\n"...)
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// escapes it (HTML characters included).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20 || c == '<' || c == '>' || c == '&':
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}

// statusColumns are the columns of rotor status's text table and how they
// give way on a narrow terminal: names and owners are shortened first,
// then team and criticality; the last change goes before the days left
// are shortened to their end (the exemption's date); ids are shortened
// last; the status is always shown.
var statusColumns = []term.Column{
	{Head: "ID", Give: 6, Min: 14},
	{Head: "NAME", Give: 1, Min: 8, Hide: 7},
	{Head: "OWNER", Give: 1, Min: 8, Hide: 6},
	{Head: "TEAM", Give: 2, Min: 6, Hide: 4},
	{Head: "CRITICALITY", Give: 2, Min: 8, Hide: 5},
	{Head: "LAST CHANGED", Hide: 3},
	{Head: "NEXT DUE", Hide: 8},
	{Head: "DAYS LEFT", Give: 4, Min: 11, KeepEnd: true},
	{Head: "STATUS"},
}

// statusStyles colour each status on a terminal.
var statusStyles = map[rotation.Status]term.Style{
	rotation.StatusOverdue: term.Red,
	rotation.StatusDue:     term.Yellow,
	rotation.StatusOK:      term.Green,
	rotation.StatusExempt:  term.Dim,
}

// writeStatusText writes rows as an aligned table fitted to l; every
// value from the register goes through textsafe, the id with LineStart
// since it begins the line.
func writeStatusText(w io.Writer, rows []report.StatusRow, l term.Layout) error {
	t := term.Table{Cols: statusColumns}
	for _, r := range rows {
		t.RowCells(term.Cell{Text: textsafe.LineStart(r.ID)}, term.Cell{Text: textsafe.Value(r.Name)},
			term.Cell{Text: textsafe.Value(r.Owner)}, term.Cell{Text: dash(textsafe.Value(r.Team))},
			term.Cell{Text: dash(textsafe.Value(r.Criticality))}, term.Cell{Text: r.LastChanged.String()},
			term.Cell{Text: r.NextDueDate.String()}, term.Cell{Text: daysLeft(r)},
			term.Cell{Text: string(r.Status), Style: statusStyles[r.Status]})
	}
	return t.Write(w, l)
}

// writeStatusMarkdown writes rows as a GitHub-flavoured Markdown table;
// every value from the register goes through package markdown.
func writeStatusMarkdown(w io.Writer, rows []report.StatusRow, today rotation.Date) error {
	var b strings.Builder
	fmt.Fprintf(&b, "| id | name | owner | team | criticality | last changed | next due | days left | status |\n")
	b.WriteString("| --- | --- | --- | --- | --- | --- | --- | ---: | --- |\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", markdown.Code(r.ID), markdown.Text(r.Name),
			markdown.Text(r.Owner), dash(markdown.Text(r.Team)), dash(markdown.Text(r.Criticality)), r.LastChanged,
			r.NextDueDate, daysLeft(r), r.Status)
	}
	fmt.Fprintf(&b, "\n%s, as of %s.\n", textsafe.Plural(len(rows), "credential", "credentials"), today)
	_, err := io.WriteString(w, b.String())
	return err
}

// daysLeft is the DAYS LEFT of a row: the number, or for an exempt row
// "exempt until 2027-01-31", since its days left to a due date that has
// passed say nothing.
func daysLeft(r report.StatusRow) string {
	if r.Exemption != nil {
		return "exempt until " + r.Exemption.Until.String()
	}
	return strconv.Itoa(r.DaysLeft)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
