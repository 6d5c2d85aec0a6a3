package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/mail"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

type reportOptions struct {
	registerOptions
	Format        string
	Weeks         int
	Email         bool
	DryRun        bool
	Out           string
	Insecure      bool
	Jira          bool
	Repo          string
	JiraOverrides jiraOverrides
	// FailBelow makes the report a gate: exit 1 when compliance is below
	// this percentage; nil: never.
	FailBelow *int
	// FailBelowTarget: the gate is the register's report.target_percent
	// (--fail-below target); FailBelow is set from it once it is read.
	FailBelowTarget bool
}

// failBelowTarget is the word of --fail-below that names the register's
// target.
const failBelowTarget = "target"

func newReportCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "report",
		Usage: "the weekly KPI report: job summary, text, JSON, HTML, e-mail",
		Description: "Compliance overall and per team, overdue credentials with owners, what is due in the next 7 and " +
			"30 days, rotations completed this week, exemptions, the change since last week and a trend, read from " +
			"the register's git history (no database). In GitHub Actions the Markdown goes to the job summary. " +
			"--email sends it as text + HTML over SMTP (" + envSMTPURL + ") to report.recipients or " + envReportTo + "; " +
			"with --dry-run the message is written out instead. --fail-below makes it a gate for CI: exit 1, after " +
			"the report (and the mail), when compliance as the report shows it is below the percentage, or with " +
			"--fail-below target below the register's report.target_percent (95 unless rotor.yaml sets it); with " +
			"nothing rated it passes. Without --fail-below the report never fails on compliance. Exit status: 0 done, 1 the mail could not be sent or compliance is below --fail-below, " +
			"2 usage or configuration.",
		Flags: append(append(registerFlags(), jiraFlagsFor(flagJiraProject)...),
			&cli.StringFlag{Name: "format", Usage: "output `format`: markdown, text, json or html (default: markdown in Actions, else text)"},
			&cli.IntFlag{Name: "weeks", Usage: "weeks of trend", Value: 8},
			&cli.BoolFlag{DisableDefaultText: true, Name: "email", Usage: "send the report by e-mail"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "dry-run", Usage: "with --email: write the message (.eml) instead of sending it"},
			&cli.StringFlag{Name: "out", Usage: "write the report (or, with --email --dry-run, the message) to `FILE`"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "smtp-insecure", Usage: "allow smtp:// without TLS (a trusted network only)"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "jira", Usage: "ask Jira for the open ticket of each overdue credential"},
			&cli.StringFlag{Name: "repo", Usage: "the git working copy `folder` whose history is read", Value: ".", DefaultText: "the repository around the current folder"},
			&cli.StringFlag{Name: "fail-below", Usage: "exit 1 when compliance is below `PERCENT` (0 to 100), or below report.target_percent in rotor.yaml with the word target"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			format := c.String("format")
			if format == "" {
				format = "text"
				if f.inActions() {
					format = "markdown"
				}
			}
			o := reportOptions{
				registerOptions: ro, Format: format, Weeks: c.Int("weeks"), Email: c.Bool("email"),
				DryRun: c.Bool("dry-run"), Out: c.String("out"), Insecure: c.Bool("smtp-insecure"),
				Jira: c.Bool("jira"), Repo: c.String("repo"),
				JiraOverrides: readJiraOverrides(c, f.Env),
			}
			if c.IsSet("fail-below") {
				v := strings.TrimSpace(c.String("fail-below"))
				p, err := strconv.Atoi(v)
				switch {
				case v == failBelowTarget:
					o.FailBelowTarget = true
				case err != nil:
					return usageError("--fail-below %q: use a percentage from 0 to 100, or %s for report.target_percent in rotor.yaml", v, failBelowTarget)
				default:
					o.FailBelow = &p
				}
			}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			return runReport(ctx, f, o)
		},
	}
}

func runReport(ctx context.Context, f *factory, o reportOptions) error {
	if err := checkFormat(o.Format, "markdown", "text", "json", "html"); err != nil {
		return err
	}
	if o.Weeks < 0 || o.Weeks > 104 {
		return usageError("--weeks %d: use 0 to 104", o.Weeks)
	}
	if o.DryRun && !o.Email {
		return usageError("--dry-run is for --email: it writes the message instead of sending it")
	}
	if o.FailBelow != nil && (*o.FailBelow < 0 || *o.FailBelow > 100) {
		return usageError("--fail-below %d: use a percentage from 0 to 100", *o.FailBelow)
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	gateName := ""
	if o.FailBelow != nil {
		gateName = "--fail-below " + strconv.Itoa(*o.FailBelow)
	}
	if o.FailBelowTarget {
		p := res.Register.Settings.Report.TargetPercent
		o.FailBelow, gateName = &p, "--fail-below "+failBelowTarget+": report.target_percent in rotor.yaml"
	}
	var sender *mail.Sender
	var msgTo []string
	if o.Email {
		// Configuration is checked before any work, so a typo in the SMTP
		// URL is exit 2 at once, not after the history was read.
		if msgTo, err = reportRecipients(f.Env, res.Register.Settings); err != nil {
			return err
		}
		if sender, err = f.mailSender(o.Insecure, o.DryRun); err != nil {
			return err
		}
	}
	in := report.Input{Today: res.Today, Register: res.Register, Weeks: o.Weeks}
	progress := func(s string) { fmt.Fprintf(f.Stderr, "%s%s\n", exitPrefix, s) }
	if err := f.readReportHistory(ctx, o.Repo, o.Root, o.Weeks, res, &in, progress); err != nil {
		return err
	}
	if o.Jira {
		client, err := f.jiraClient(o.JiraOverrides.apply(res.Register.Settings.Jira))
		if err != nil {
			return err
		}
		tickets, err := client.OpenTickets(ctx)
		if err != nil {
			return failed("%s", err)
		}
		in.OpenTickets = map[string]string{}
		for _, t := range tickets {
			if t.CredentialID != "" {
				in.OpenTickets[t.CredentialID] = t.Key
			}
		}
		in.TicketURL = client.BrowseURL
	}
	rep := report.Compute(in)

	// The report first: the job summary is never lost because mail is down.
	if err := writeReport(f.Env, o, rep); err != nil {
		return err
	}
	gate := failBelow(o.FailBelow, gateName, rep.CompliancePercent, progress)
	if !o.Email {
		return gate
	}
	msg, err := reportMessage(f.Env, rep, msgTo)
	if err != nil {
		return err
	}
	if o.DryRun {
		w, closeOut, err := output(f.Env, o.Out)
		if err != nil {
			return err
		}
		if err := mail.WriteEML(w, msg); err != nil {
			closeOut()
			return err
		}
		if err := closeOut(); err != nil {
			return err
		}
		return gate
	}
	progress(fmt.Sprintf("sending the report to %s", textsafe.Value(strings.Join(msgTo, ", "))))
	if _, err := sender.Send(ctx, msg); err != nil {
		if gate != nil {
			progress(gate.Error())
		}
		return failed("the report was written, but the e-mail was not sent: %v", err)
	}
	progress("sent " + textsafe.Value(rep.Subject()))
	return gate
}

// failBelow is the gate of --fail-below (nil: none), named as the user
// gave it, on the report's compliance, rounded as the report shows it
// (nil: nothing rated, which passes and says so).
func failBelow(bar *int, name string, compliance *int, progress func(string)) error {
	switch {
	case bar == nil:
		return nil
	case compliance == nil:
		progress(fmt.Sprintf("nothing is rated (every credential is exempt, or there is none): %s passes", name))
		return nil
	case *compliance < *bar:
		return failed("compliance is %d%%, below %d%% (%s)", *compliance, *bar, name)
	}
	return nil
}

// writeReport writes the report in its format: Markdown to the job summary
// in Actions, everything else to --out or stdout.
func writeReport(env Env, o reportOptions, rep *report.Report) error {
	var b bytes.Buffer
	var err error
	switch o.Format {
	case "markdown":
		err = rep.WriteMarkdown(&b)
	case "json":
		err = rep.WriteJSON(&b)
	case "html":
		err = rep.WriteHTML(&b)
	default:
		// Fitted to the terminal only when it goes to stdout; --out
		// keeps every value whole.
		l := term.Layout{}
		if o.Out == "" || o.Email && o.DryRun {
			l = env.layout(env.Stdout)
		}
		err = writeFit(&b, l, rep.WriteTextFit)
	}
	if err != nil {
		return err
	}
	if o.Format == "markdown" && o.Out == "" && env.Getenv(envStepSummary) != "" {
		return appendStepSummary(env, b.String())
	}
	if o.Email && o.DryRun && o.Out != "" {
		// --out holds the message; the report goes to stdout.
		_, err := env.Stdout.Write(b.Bytes())
		return err
	}
	w, closeOut, err := output(env, o.Out)
	if err != nil {
		return err
	}
	if _, err := w.Write(b.Bytes()); err != nil {
		closeOut()
		return err
	}
	return closeOut()
}

// output is --out, or stdout.
func output(env Env, path string) (io.Writer, func() error, error) {
	if path == "" {
		return env.Stdout, func() error { return nil }, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, nil, usageError("--out: %v", err)
	}
	return f, f.Close, nil
}

// readReportHistory fills the comparison with last week, the trend and the
// rotations of the week from the register's git history. Without history
// (no repository, a shallow clone) it says why and the rest of the report
// is still made.
func (f *factory) readReportHistory(ctx context.Context, repoPath, root string, weeks int, res *validate.Result, in *report.Input, progress func(string)) error {
	repo, err := f.localRepo(repoPath)
	if err != nil {
		in.HistoryNote = "no git history (" + err.Error() + "): the comparison with last week, the trend and the rotations of the week were skipped"
		return nil
	}
	if _, err := repo.Head(); err != nil {
		in.HistoryNote = "the repository has no commits yet: the comparison with last week, the trend and the rotations of the week were skipped"
		return nil
	}
	dir, err := record.RepoPath(repo.Root(), root)
	if err != nil {
		return usageError("%v", err)
	}
	h, err := f.history(repo, dir, res.Register.Settings)
	if err != nil {
		return err
	}
	// However history ends (read, shallow, failed), nothing it flagged in
	// one version shows in another, nor in the register today.
	defer h.RedactAcross(res.Register.Credentials...)
	progress(fmt.Sprintf("reading the register's history: %d weeks", max(weeks, 1)))
	err = h.ReportWeeks(ctx, in, weeks)
	if errors.Is(err, gitrepo.ErrShallow) {
		in.HistoryNote = "the checkout is shallow: the comparison with last week, the trend and the rotations of the week were skipped; check out with fetch-depth: 0"
		return nil
	}
	if err != nil {
		return err
	}
	err = h.ReportRotations(in)
	if errors.Is(err, gitrepo.ErrShallow) {
		in.HistoryNote = "the checkout is shallow: the rotations of the week were skipped; check out with fetch-depth: 0"
		return nil
	}
	return err
}

// reportRecipients are ROTOR_REPORT_TO (comma-separated), else the
// settings' report.recipients.
func reportRecipients(env Env, s rotation.Settings) ([]string, error) {
	if v := strings.TrimSpace(env.Getenv(envReportTo)); v != "" {
		var to []string
		for _, a := range strings.Split(v, ",") {
			if a = strings.TrimSpace(a); a != "" {
				to = append(to, a)
			}
		}
		return to, nil
	}
	if len(s.Report.Recipients) == 0 {
		return nil, usageError("--email: no recipients: list them under report.recipients in rotor.yaml, or set %s", envReportTo)
	}
	return s.Report.Recipients, nil
}

func reportMessage(env Env, rep *report.Report, to []string) (mail.Message, error) {
	from := strings.TrimSpace(env.Getenv(envReportFrom))
	if from == "" {
		return mail.Message{}, usageError("--email: set %s to the sender's address, e.g. rotor@example.com", envReportFrom)
	}
	var text, html bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		return mail.Message{}, err
	}
	if err := rep.WriteHTML(&html); err != nil {
		return mail.Message{}, err
	}
	return mail.Message{From: from, To: to, Subject: rep.Subject(), Text: text.String(), HTML: html.String(), Date: env.Now()}, nil
}
