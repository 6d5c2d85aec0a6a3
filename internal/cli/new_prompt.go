package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/validate"
)

// The questions rotor new asks at a terminal: each answer checked the
// moment it is given, with the rules of rotor validate.

// prompter asks at the terminal for the values of a new entry, checking
// each answer as it is typed and asking again with the rule's hint.
type prompter struct {
	ctx   context.Context
	out   io.Writer
	want  chan struct{} // asks the reading goroutine for one line
	lines chan line     // and it answers here
	done  chan struct{} // closed by close: the goroutine stops
}

type line struct {
	text string
	err  error
}

// newPrompter reads lines from in on a goroutine, so that a question
// waiting for an answer still ends when ctx does: main turns SIGINT into
// a cancelled context, so Ctrl-C no longer kills rotor by itself.
func newPrompter(ctx context.Context, in io.Reader, out io.Writer) *prompter {
	p := &prompter{ctx: ctx, out: out, want: make(chan struct{}), lines: make(chan line), done: make(chan struct{})}
	go func() {
		r := bufio.NewReader(in)
		for {
			// One line per question, never ahead of it.
			select {
			case <-p.want:
			case <-p.done:
				return
			}
			text, err := r.ReadString('\n')
			select {
			case p.lines <- line{text, err}:
			case <-p.done:
				return
			}
		}
	}()
	return p
}

// close stops the reading goroutine; one blocked on a terminal that never
// answers ends with the process.
func (p *prompter) close() { close(p.done) }

func (p *prompter) readLine(field string) (string, error) {
	select {
	case p.want <- struct{}{}:
	case <-p.ctx.Done():
		return "", p.interrupted(field)
	}
	select {
	case l := <-p.lines:
		return l.text, l.err
	case <-p.ctx.Done():
		return "", p.interrupted(field)
	}
}

func (p *prompter) interrupted(field string) error {
	fmt.Fprintln(p.out)
	return failed("interrupted at the %s question; nothing was written", field)
}

// question is one prompt: the field it asks for (named when there is no
// answer), what it shows, and the answer Enter gives.
type question struct {
	field, label string
	// def is what an empty answer means; shown as [def] unless the label
	// already shows the choices.
	def string
	// optional: an empty answer is an answer ("") when def is empty.
	optional bool
	// why a required question without a default asks again after an
	// empty answer: "last_changed is required: ...".
	why string
}

// ask asks q until check accepts the answer. The end of the input is no
// answer, even with a default: a closed terminal is not a choice.
func (p *prompter) ask(q question, check func(string) *problem) (string, error) {
	for {
		if q.def != "" && !strings.HasSuffix(q.label, "]") {
			fmt.Fprintf(p.out, "%s [%s]: ", q.label, q.def)
		} else {
			fmt.Fprintf(p.out, "%s: ", q.label)
		}
		text, err := p.readLine(q.field)
		var ee *exitError
		if errors.As(err, &ee) {
			return "", err
		}
		if err != nil && text == "" {
			fmt.Fprintln(p.out)
			return "", usageError("no answer for %s; nothing was written", q.field)
		}
		answer := strings.TrimSpace(text)
		if answer == "" {
			answer = q.def
		}
		if answer == "" {
			if q.optional {
				return "", nil
			}
			if q.why != "" {
				fmt.Fprintf(p.out, "  %s\n", q.why)
			}
			continue
		}
		pr := check(answer)
		if pr == nil {
			return answer, nil
		}
		fmt.Fprintf(p.out, "  %s\n", pr.text("  "))
	}
}

// askMissing asks for every value the entry needs and was not given:
// id, name, owner, team, period_days, last_changed and criticality. A
// required question has no default but period_days': last_changed least
// of all, since today would make a credential rotated long ago look fresh.
func (p *prompter) askMissing(v *validate.Validator, res *validate.Result, o *newOptions) error {
	field := func(name string) func(string) *problem {
		return func(s string) *problem { return checkValue(v, name, s) }
	}
	var err error
	if o.ID == "" {
		o.ID, err = p.ask(question{field: "id", label: "id (lower-case kebab, e.g. payments-db-admin)",
			why: "id is required: the stable key of the credential, unique in the register; Jira tickets carry it as the label rotor-<id>"}, func(s string) *problem {
			if pr := checkValue(v, "id", s); pr != nil {
				return pr
			}
			if c := res.Register.ByID(s); c != nil {
				return &problem{msg: fmt.Sprintf("id %q is already used at %s:%d", s, c.Pos.File, c.Pos.Line), hint: "choose another id; ids are unique across the register"}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	if o.Name == "" {
		if o.Name, err = p.ask(question{field: "name", label: "name",
			why: "name is required: the human title of the credential, shown in tickets and reports"}, field("name")); err != nil {
			return err
		}
	}
	if o.Owner == "" {
		if o.Owner, err = p.ask(question{field: "owner", label: "owner (email)",
			why: "owner is required: the email address of whoever rotates the secret"}, field("owner")); err != nil {
			return err
		}
	}
	if o.Team == "" {
		label := "team (optional, Enter for none)"
		if teams := teamFiles(res, o.Root); len(teams) > 0 {
			label = fmt.Sprintf("team (optional, Enter for none; files: %s)", strings.Join(teams, ", "))
		}
		team, err := p.ask(question{field: "team", label: label, optional: true}, func(s string) *problem {
			if s == "-" {
				return nil
			}
			if pr := checkValue(v, "team", s); pr != nil {
				return pr
			}
			if o.File == "" || strings.HasPrefix(s, ".") {
				return checkTeamFile(s)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if team != "-" { // "-": none, as before Enter meant none
			o.Team = team
		}
		if o.File != "" {
			fmt.Fprintf(p.out, "  goes to %s (--file)\n", o.File)
		} else {
			o.File = teamFile(o.Root, o.Team)
			where := "  goes to"
			if name, _ := teamFileName(o.Team); o.Team != "" && name != o.Team {
				where = fmt.Sprintf("  team %q goes to", o.Team)
			}
			if fileExists(o.File) {
				fmt.Fprintf(p.out, "%s %s, with the entries already there\n", where, o.File)
			} else {
				fmt.Fprintf(p.out, "%s %s, a new file\n", where, o.File)
			}
		}
	}
	if !o.PeriodSet && o.Period == 0 {
		s, err := p.ask(question{field: "period_days", label: "period_days", def: "90"}, field("period_days"))
		if err != nil {
			return err
		}
		o.Period, _ = strconv.Atoi(s) // plain decimal, checked
		o.PeriodSet = true
	}
	if o.LastChanged == "" {
		o.LastChanged, err = p.ask(question{field: "last_changed", label: "last_changed (when was it last rotated? YYYY-MM-DD)",
			why: "last_changed is required: the date the secret was last rotated; rotor counts the next due date from it"},
			func(s string) *problem { return checkDate(v, res, s) })
		if err != nil {
			return err
		}
	}
	if o.Criticality == "" {
		o.Criticality, err = p.ask(question{field: "criticality", label: "criticality (optional, Enter for none; low, medium, high or critical)", optional: true},
			field("criticality"))
		if err != nil {
			return err
		}
	}
	return nil
}

// confirm shows the entry and the file it goes to and asks before
// writing.
func (p *prompter) confirm(file string, newFile bool, entry []byte) error {
	if newFile {
		fmt.Fprintf(p.out, "\nnew file %s:\n", file)
	} else {
		fmt.Fprintf(p.out, "\nto append to %s:\n", file)
	}
	fmt.Fprintf(p.out, "%s", entry)
	answer, err := p.ask(question{field: "write it?", label: "write it? [Y/n]", def: "y"}, func(s string) *problem {
		switch strings.ToLower(s) {
		case "y", "yes", "n", "no":
			return nil
		}
		return &problem{msg: fmt.Sprintf("%q is not an answer", s), hint: "answer y to write the entry, or n to leave the register as it is"}
	})
	if err != nil {
		return err
	}
	if a := strings.ToLower(answer); a == "n" || a == "no" {
		return failed("nothing was written: you answered no")
	}
	return nil
}

// isTerminal reports whether r is a terminal a person types into: a
// stream the terminal's ioctl answers on, so /dev/null (a character
// device too), pipes and files are not, and rotor asks no question there.
func isTerminal(r io.Reader) bool { return term.IsTerminal(r) }
