package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// Subject is the e-mail's subject: "Secret rotation: 91% on time, 3
// overdue (week 48)", with Today's ISO week. It holds no value from the
// register.
func (r *Report) Subject() string {
	_, week := r.Today.Time().ISOWeek()
	return "Secret rotation: " + r.headline() + ", " + strconv.Itoa(len(r.Overdue)) + " overdue (week " + strconv.Itoa(week) + ")"
}

// title is the heading of every format.
func (r *Report) title() string {
	_, week := r.Today.Time().ISOWeek()
	return "Secret rotation report, week " + strconv.Itoa(week) + " (" + r.Today.String() + ")"
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown, for
// $GITHUB_STEP_SUMMARY: a five-second summary line, the counts, the trend
// as a sparkline, then the tables, each cut after 25 rows (50 teams) with a
// count, so that it stays under GitHub's 1 MiB limit for any register.
// Every value goes through package markdown.
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	b.WriteString("## " + r.title() + "\n\n")
	b.WriteString("**" + r.headline() + "**" + r.changeSuffix())
	for _, p := range r.summaryParts() {
		b.WriteString(" · " + p)
	}
	b.WriteString("\n\n" + r.counts() + "\n")
	if r.HistoryNote != "" {
		b.WriteString("\n> **History not read:** " + markdown.Text(textsafe.Clip(r.HistoryNote, maxNoteRunes)) + "\n")
	}
	pts := r.shownTrend()
	if len(pts) > 1 {
		b.WriteString("\n**" + r.trendTitle() + ":** `" + sparkline(pts) + "` " + trendFigures(pts) + "\n")
	} else if r.TrendNote != "" {
		b.WriteString("\n**Trend:** " + r.TrendNote + "\n")
	}
	for _, s := range r.sections() {
		s.WriteMarkdown(&b, 3)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteText writes the report as plain text, for a pipe, a file and the
// e-mail's text part: the same content as WriteMarkdown, in aligned
// columns, every value whole. Every value goes through textsafe.
func (r *Report) WriteText(w io.Writer) error { return r.WriteTextFit(w, term.Layout{}) }

// textColumns say how the text tables' columns give way on a narrow
// terminal (term.Column): free text first, then teams, then ids; dates and
// figures never.
var textColumns = map[string]term.Column{
	"Name": {Give: 1, Hide: 6}, "Owner": {Give: 1, Hide: 5}, "Reason": {Give: 1, Min: 12},
	"Observation": {Give: 1, Min: 16}, "Approved by": {Give: 1, Hide: 3}, "Open ticket": {Give: 1, Hide: 4},
	"Team": {Give: 2, Min: 6}, "Credential": {Give: 7, Min: 14},
}

// WriteTextFit is WriteText with its tables fitted to l (term.Table).
func (r *Report) WriteTextFit(w io.Writer, l term.Layout) error {
	// bufio.Writer keeps the first write error and returns it from Flush,
	// so the lines below can print freely.
	ew := bufio.NewWriter(w)
	fmt.Fprintf(ew, "%s\n\n", r.title())
	fmt.Fprintf(ew, "%s%s", r.headline(), r.changeSuffix())
	for _, p := range r.summaryParts() {
		fmt.Fprintf(ew, " · %s", p)
	}
	fmt.Fprintf(ew, "\n%s\n", r.counts())
	if r.HistoryNote != "" {
		fmt.Fprintf(ew, "\nHistory not read: %s\n", textsafe.Value(textsafe.Clip(r.HistoryNote, maxNoteRunes)))
	}
	pts := r.shownTrend()
	if len(pts) > 1 {
		fmt.Fprintf(ew, "\n%s:\n  %s  %s\n", r.trendTitle(), sparkline(pts), trendFigures(pts))
	} else if r.TrendNote != "" {
		fmt.Fprintf(ew, "\nTrend: %s\n", r.TrendNote)
	}
	for _, s := range r.sections() {
		fmt.Fprintf(ew, "\n%s:\n", s.Title)
		if len(s.Rows) == 0 && s.More == 0 {
			fmt.Fprintf(ew, "  %s\n", s.Empty)
			continue
		}
		t := term.Table{Indent: "  "}
		for _, c := range s.Cols {
			col := textColumns[c.Head]
			col.Head = c.Head
			t.Cols = append(t.Cols, col)
		}
		for _, row := range s.Rows {
			cells := make([]string, len(row))
			for i, c := range row {
				if i == 0 {
					cells[i] = textsafe.LineStart(c.Plain())
				} else {
					cells[i] = textsafe.Value(c.Plain())
				}
			}
			t.Row(cells...)
		}
		t.Write(ew, l)
		if s.More > 0 {
			fmt.Fprintf(ew, "  %s\n", s.MoreText())
		}
	}
	return ew.Flush()
}

// WriteJSON writes the report as indented JSON with snake_case keys: the
// Report's fields, every list complete.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
