package reconcile

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/rotor-dev/rotor/internal/markdown"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// headline sums the plan up in one line.
func (p *Plan) headline() string {
	var parts []string
	for _, k := range Kinds {
		if n := p.count(k); n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", n, k))
		}
	}
	what := "nothing to write"
	if len(parts) > 0 {
		what = strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%s; %s unchanged", what, textsafe.Plural(p.Unchanged, "open ticket", "open tickets"))
}

func (p *Plan) count(k Kind) int {
	switch k {
	case KindCreate:
		return p.Counts.Create
	case KindUpdate:
		return p.Counts.Update
	case KindEscalate:
		return p.Counts.Escalate
	case KindOrphan:
		return p.Counts.Orphan
	}
	return 0
}

// ticketCell is the ticket column of an action: its key, or "(new)".
func (a *Action) ticketCell() string {
	if a.TicketKey == "" {
		return "(new)"
	}
	return a.TicketKey
}

// details is the last column of an action: the summary of a new ticket,
// then what the action does.
func (a *Action) details() string {
	if a.Kind == KindCreate {
		return a.Summary + ": " + a.Describe()
	}
	return a.Describe()
}

// WriteText writes the plan with every value whole: a headline, one
// aligned line per action, then the warnings and notes. Values from the
// register and from Jira go through textsafe.
func (p *Plan) WriteText(w io.Writer) error { return p.WriteTextFit(w, term.Layout{}) }

// planColumns say how the plan's columns give way on a narrow terminal:
// the details first, the credential's id last.
var planColumns = []term.Column{{}, {}, {Give: 2, Min: 14}, {Give: 1, Min: 16}}

// WriteTextFit is WriteText with the actions fitted to l (term.Table).
func (p *Plan) WriteTextFit(w io.Writer, l term.Layout) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "sync plan for %s: %s, %s\n", p.Today,
		textsafe.Plural(p.Credentials, "credential", "credentials"), textsafe.Plural(p.OpenTickets, "open rotor ticket", "open rotor tickets"))
	fmt.Fprintf(ew, "%s\n", p.headline())
	if len(p.Actions) > 0 {
		fmt.Fprintln(ew)
		t := term.Table{Cols: planColumns}
		for i := range p.Actions {
			a := &p.Actions[i]
			t.Row(string(a.Kind), textsafe.Value(a.ticketCell()), textsafe.Value(a.CredentialID),
				textsafe.Value(textsafe.OneLine(a.details())))
		}
		t.Write(ew, l)
	}
	writeNoticesText(ew, "warnings", p.Warnings)
	writeNoticesText(ew, "notes", p.Notes)
	return ew.err
}

func writeNoticesText(w io.Writer, title string, ns []Notice) {
	if len(ns) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s:\n", title)
	for _, n := range ns {
		fmt.Fprintf(w, "  %s\n", textsafe.LineStart(textsafe.OneLine(n.Text)))
	}
}

// WriteMarkdown writes the plan as GitHub-flavoured Markdown, for
// $GITHUB_STEP_SUMMARY. Values from the register and from Jira go through
// package markdown.
func (p *Plan) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "## rotor sync plan for %s\n\n", p.Today)
	fmt.Fprintf(ew, "%s, %s: %s.\n", textsafe.Plural(p.Credentials, "credential", "credentials"),
		textsafe.Plural(p.OpenTickets, "open rotor ticket", "open rotor tickets"), p.headline())
	if len(p.Actions) > 0 {
		fmt.Fprint(ew, "\n| Action | Ticket | Credential | Details |\n| --- | --- | --- | --- |\n")
		for i := range p.Actions {
			a := &p.Actions[i]
			fmt.Fprintf(ew, "| %s | %s | %s | %s |\n", a.Kind, markdown.Text(a.ticketCell()), markdown.Code(a.CredentialID),
				markdown.Text(a.details()))
		}
	}
	writeNoticesMarkdown(ew, "Warnings", p.Warnings)
	writeNoticesMarkdown(ew, "Notes", p.Notes)
	return ew.err
}

func writeNoticesMarkdown(w io.Writer, title string, ns []Notice) {
	if len(ns) == 0 {
		return
	}
	fmt.Fprintf(w, "\n### %s\n\n", title)
	for _, n := range ns {
		fmt.Fprintf(w, "- %s\n", markdown.Text(n.Text))
	}
}

// WriteJSON writes the plan as indented JSON with snake_case keys.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

// tally sums the results up: "4 of 5 actions succeeded; 1 failed".
func (rs Results) tally() string {
	if len(rs) == 0 {
		return "nothing was written"
	}
	failed := len(rs.Failed())
	s := fmt.Sprintf("%d of %s succeeded", len(rs)-failed, textsafe.Plural(len(rs), "action", "actions"))
	if failed > 0 {
		s += fmt.Sprintf("; %d failed", failed)
	}
	return s
}

func (r Result) state() string {
	if r.Err != nil {
		return "FAILED"
	}
	return "ok"
}

func (r Result) keyCell() string {
	if r.Key == "" {
		return "-"
	}
	return r.Key
}

// name says which action a result is about: "orphan old-key (SEC-2)".
func (r Result) name() string {
	s := string(r.Action.Kind) + " " + r.Action.CredentialID
	if r.Key != "" {
		s += " (" + r.Key + ")"
	}
	return s
}

func (r Result) errText() string {
	if r.Err == nil {
		return ""
	}
	return textsafe.OneLine(r.Err.Error())
}

// WriteText writes one aligned line per result, then a tally, then every
// failure with its error, every value whole. Values from the register and
// from Jira go through textsafe.
func (rs Results) WriteText(w io.Writer) error { return rs.WriteTextFit(w, term.Layout{}) }

// WriteTextFit is WriteText with the results fitted to l (term.Table).
func (rs Results) WriteTextFit(w io.Writer, l term.Layout) error {
	ew := &errWriter{w: w}
	if len(rs) > 0 {
		t := term.Table{Cols: []term.Column{{}, {}, {}, {Give: 1, Min: 14}}}
		for i := range rs {
			r := &rs[i]
			state := term.Cell{Text: r.state(), Style: term.Green}
			if r.Err != nil {
				state.Style = term.Red
			}
			t.RowCells(state, term.Cell{Text: string(r.Action.Kind)}, term.Cell{Text: textsafe.Value(r.keyCell())},
				term.Cell{Text: textsafe.Value(r.Action.CredentialID)})
		}
		t.Write(ew, l)
		fmt.Fprintln(ew)
	}
	failed := rs.Failed()
	fmt.Fprintf(ew, "sync: %s", rs.tally())
	if len(failed) == 0 {
		fmt.Fprintln(ew)
		return ew.err
	}
	fmt.Fprintln(ew, ":")
	for i := range failed {
		fmt.Fprintf(ew, "  %s: %s\n", textsafe.LineStart(failed[i].name()), textsafe.Value(failed[i].errText()))
	}
	return ew.err
}

// WriteMarkdown writes the results as Markdown: a tally, every failure with
// its error, then a table of all results. Values from the register and from
// Jira go through package markdown.
func (rs Results) WriteMarkdown(w io.Writer) error {
	ew := &errWriter{w: w}
	fmt.Fprintf(ew, "### rotor sync results\n\n%s.\n", markdown.Text(rs.tally()))
	if failed := rs.Failed(); len(failed) > 0 {
		fmt.Fprintln(ew)
		for i := range failed {
			fmt.Fprintf(ew, "- **%s**: %s\n", markdown.Text(failed[i].name()), markdown.Text(failed[i].errText()))
		}
	}
	if len(rs) > 0 {
		fmt.Fprint(ew, "\n| Result | Action | Ticket | Credential | Error |\n| --- | --- | --- | --- | --- |\n")
		for i := range rs {
			r := &rs[i]
			key := r.keyCell()
			if r.Key != "" {
				key = markdown.Text(r.Key)
			}
			fmt.Fprintf(ew, "| %s | %s | %s | %s | %s |\n", r.state(), r.Action.Kind, key, markdown.Code(r.Action.CredentialID),
				markdown.Text(r.errText()))
		}
	}
	return ew.err
}

// WriteJSON writes the results as an indented JSON array.
func (rs Results) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if rs == nil {
		rs = Results{}
	}
	return enc.Encode(rs)
}

// errWriter remembers the first write error so that the writers above can
// print freely and report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}
