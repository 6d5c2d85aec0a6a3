package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
)

type auditOptions struct {
	registerOptions
	From, To      string
	Format        string
	Out           string
	OutDir        string
	Repo          string
	Jira          bool
	Verify        bool          // ask each credential's secret store about its rotations
	Timeout       time.Duration // of the Jira lookups
	JiraOverrides jiraOverrides
}

func newAuditCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "audit",
		Usage: "the evidence pack for auditors: every rotation of a period, from git history alone",
		Description: "Reads the default branch's first-parent history and writes, for a period (default: the twelve " +
			"months up to today), every rotation with the due date it answered, on time or how late, its ticket, " +
			"commit, author and pull request; policy changes and exemptions with their commits; the days each " +
			"credential spent overdue; and observations an auditor would raise (a backdated or future last_changed, a " +
			"rotation without a ticket or made by hand, a self-approved exemption, a period raised while due, a version of a register file history could not read). Needs " +
			"full history (in Actions: actions/checkout with fetch-depth: 0) and no Jira or GitHub token; --jira " +
			"adds each ticket's state from Jira; --verify marks each rotation against the versions its secret store keeps " +
			"(confirmed, unconfirmed, beyond retention, not kept, error; see docs/audit.md). The same history gives the same bytes. Exit status: 0 written, " +
			"1 the register, its history or (with --jira) Jira cannot be read, or (with --verify) the run ended before every store answered, 2 usage.",
		Flags: append(append(registerFlags(), auditJiraFlags()...),
			&cli.BoolFlag{DisableDefaultText: true, Name: "jira", Usage: "also look up each rotation's ticket in Jira: done or not, and when"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "verify", Usage: "also ask each credential's secret store (its source:) once, and mark each rotation against the versions it keeps"},
			&cli.StringFlag{Name: "from", Usage: "first day of the period, `YYYY-MM-DD` (default: twelve months before --to)"},
			&cli.StringFlag{Name: "to", Usage: "last day of the period, `YYYY-MM-DD` (default: today)"},
			&cli.StringFlag{Name: "format", Usage: "output `format`: " + strings.Join(audit.Formats, ", "), Value: "markdown"},
			&cli.StringFlag{Name: "out", Usage: "write the pack to `FILE` (replaced whole, never half-written); default: stdout"},
			&cli.StringFlag{Name: "out-dir", Usage: "write the pack in every format to `DIR` (audit.md, audit.csv, audit.json, audit.html): one reading of history, and of Jira, for all four"},
			&cli.StringFlag{Name: "repo", Usage: "the git working copy `folder` whose history is read", Value: ".", DefaultText: "the repository around the current folder"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			if c.IsSet("out-dir") && (c.IsSet("out") || c.IsSet("format")) {
				return usageError("--out-dir writes every format: leave out --out and --format")
			}
			o := auditOptions{registerOptions: ro, From: c.String("from"), To: c.String("to"),
				Format: c.String("format"), Out: c.String("out"), OutDir: c.String("out-dir"), Repo: c.String("repo"),
				Jira: c.Bool("jira"), Verify: c.Bool("verify"), Timeout: c.Duration("timeout"), JiraOverrides: readJiraOverrides(c, f.Env)}
			return runAudit(c.Context, f, o)
		},
	}
}

// auditJiraFlags are the Jira flags, with --timeout as audit uses it:
// reading history has no deadline, only the calls to Jira do.
func auditJiraFlags() []cli.Flag {
	flags := jiraFlagsFor(flagJiraProject)
	for i, f := range flags {
		if d, ok := f.(*cli.DurationFlag); ok && d.Name == "timeout" {
			t := *d
			t.Usage = "with --jira, the `deadline` of each Jira phase (the credentials check, then the lookups), retries included"
			flags[i] = &t
		}
	}
	return flags
}

func runAudit(ctx context.Context, f *factory, o auditOptions) error {
	if err := checkFormat(o.Format, audit.Formats...); err != nil {
		return err
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	from, to, err := auditPeriod(o, res.Today)
	if err != nil {
		return err
	}
	repo, err := f.localRepo(o.Repo)
	if err != nil {
		return usageError("%v", err)
	}
	if _, err := repo.Head(); err != nil {
		return usageError("%v: the pack is read from the register's commits", err)
	}
	if shallow, err := repo.Shallow(); err != nil {
		return failed("%v", err)
	} else if shallow {
		return usageError("the checkout is shallow: the pack needs the register's whole history; " +
			"clone without --depth, run `git fetch --unshallow`, or in Actions check out with actions/checkout and fetch-depth: 0")
	}
	dir, err := record.RepoPath(repo.Root(), o.Root)
	if err != nil {
		return usageError("%v", err)
	}
	settings := res.Register.Settings
	var tracker rotation.Tracker
	if o.Jira {
		// Configuration and credentials first: a missing or refused token
		// ends the run before the history is read.
		client, err := f.jiraClient(o.JiraOverrides.apply(settings.Jira))
		if err != nil {
			return err
		}
		actx, cancel := context.WithTimeout(ctx, o.Timeout)
		err = client.Authenticate(actx)
		cancel()
		if err != nil {
			return failed("%v: rotor doctor says what to fix, or run without --jira for the pack from git alone", err)
		}
		tracker = client
	}
	in := audit.Input{
		From: from, To: to, Location: settings.Timezone, NoticeDays: settings.NoticeDays,
		Provenance: auditProvenance(f.Env, repo, dir, o, from, to, settings.Timezone),
	}
	progress := func(s string) { fmt.Fprintf(f.Stderr, "%s%s\n", exitPrefix, s) }
	h, err := f.history(repo, dir, settings)
	if err != nil {
		return err
	}
	if err := h.Period(ctx, &in, progress); err != nil {
		if errors.Is(err, gitrepo.ErrShallow) {
			return usageError("%v", err)
		}
		return failed("%v", err)
	}
	h.RedactAcross()
	pack := audit.Compute(in)
	if tracker != nil {
		if err := checkTickets(ctx, tracker, pack, settings.Timezone, o.Timeout, progress); err != nil {
			return err
		}
	}
	if o.Verify {
		if err := checkStores(ctx, f, pack, res.Today, settings, progress); err != nil {
			return err
		}
	}
	return writeAudit(f.Env, o, pack, progress)
}

// auditFiles are the files of --out-dir, by format.
var auditFiles = map[string]string{"markdown": "audit.md", "csv": "audit.csv", "json": "audit.json", "html": "audit.html"}

// writeAudit writes the pack to stdout, --out, or every format to
// --out-dir; each file is replaced whole or not at all.
func writeAudit(env Env, o auditOptions, pack *audit.Pack, progress func(string)) error {
	command := pack.Provenance.Command
	defer func() { pack.Provenance.Command = command }()
	render := func(format string) ([]byte, error) {
		// The command that makes this file again.
		pack.Provenance.Command = command + " --format " + format
		var b bytes.Buffer
		err := pack.Write(&b, format)
		return b.Bytes(), err
	}
	var paths []string
	switch {
	case o.OutDir != "":
		// Everything is rendered, and every place checked, before the
		// first file is replaced, so that the four files are of one run.
		files := make([][]byte, len(audit.Formats))
		for i, f := range audit.Formats {
			b, err := render(f)
			if err != nil {
				return err
			}
			files[i] = b
		}
		if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
			return failed("--out-dir: %v", err)
		}
		for _, f := range audit.Formats {
			path := filepath.Join(o.OutDir, auditFiles[f])
			if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() {
				return failed("--out-dir: %s is not a regular file: remove it, or choose another folder; nothing was written", path)
			}
		}
		for i, f := range audit.Formats {
			path := filepath.Join(o.OutDir, auditFiles[f])
			if err := register.WriteFileAtomic(path, files[i]); err != nil {
				written := "nothing was replaced"
				if len(paths) > 0 {
					written = "already replaced: " + strings.Join(paths, ", ") + "; run again to make the four of one run"
				}
				return failed("--out-dir: %v; %s", err, written)
			}
			paths = append(paths, path)
		}
	case o.Out != "":
		b, err := render(o.Format)
		if err != nil {
			return err
		}
		if err := register.WriteFileAtomic(o.Out, b); err != nil {
			return failed("--out: %v", err)
		}
		paths = append(paths, o.Out)
	default:
		b, err := render(o.Format)
		if err != nil {
			return err
		}
		_, err = env.Stdout.Write(b)
		return err
	}
	s := pack.Summary
	progress(fmt.Sprintf("wrote %s: %s, %s, %s from %s to %s", strings.Join(paths, ", "),
		textsafe.Plural(s.Credentials, "credential", "credentials"), textsafe.Plural(s.Rotations, "rotation", "rotations"),
		textsafe.Plural(s.Observations, "observation", "observations"), pack.From, pack.To))
	return nil
}

// checkStores asks the secret store of each credential of the pack with a
// source and a rotation, once, as rotor verify does (verify.Run: at most
// verify.concurrency at a time, each check bounded), and marks the
// rotations. A store that cannot be asked marks its rotations as errors
// and stops nothing; only the end of ctx does, and then nothing is written.
func checkStores(ctx context.Context, f *factory, pack *audit.Pack, today rotation.Date, settings rotation.Settings, progress func(string)) error {
	creds := pack.Sourced()
	checkers, err := f.verifyCheckers(creds, defaultVerifyTimeout)
	if err != nil {
		return usageError("%w", err)
	}
	progress(fmt.Sprintf("asking the secret stores about %s", textsafe.Plural(len(creds), "credential", "credentials")))
	rep, err := verify.Run(ctx, creds, verify.Options{
		Today:         today,
		Location:      settings.Timezone,
		ToleranceDays: settings.Verify.ToleranceDays,
		Concurrency:   settings.Verify.Concurrency,
		Timeout:       defaultVerifyTimeout,
		Checkers:      checkers,
		Progress:      verifyProgress(f.Stderr),
	})
	if err != nil {
		return failed("asked %d of %d secret stores: %v; nothing was written: run again, or without --verify for the pack from git alone",
			len(rep.Results), len(creds), err)
	}
	pack.CheckStores(rep.Results, audit.StoreCheck{On: today, ToleranceDays: settings.Verify.ToleranceDays}, settings.Timezone)
	progress("rotations in the secret stores: " + pack.Summary.StoreMarks.String())
	return nil
}

// ticketWorkers is how many tickets are looked up at once.
const ticketWorkers = 8

// checkTickets looks up each rotation's ticket in the tracker, a few at a
// time, within timeout, and adds what it says to the pack. A failure ends
// the run: a pack that says "checked in Jira" holds every ticket's state.
func checkTickets(ctx context.Context, tr rotation.Tracker, pack *audit.Pack, loc *time.Location, timeout time.Duration, progress func(string)) error {
	if loc == nil {
		loc = time.UTC
	}
	keys := pack.Tickets()
	progress(fmt.Sprintf("looking up %s in Jira", textsafe.Plural(len(keys), "ticket", "tickets")))
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	defer cancelTimeout()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var (
		mu       sync.Mutex
		info     = make(map[string]audit.TicketInfo, len(keys))
		firstErr error
		next     = make(chan string)
		wg       sync.WaitGroup
	)
	for range min(ticketWorkers, len(keys)) {
		wg.Go(func() {
			for key := range next {
				ti, err := lookUpTicket(ctx, tr, key, loc)
				mu.Lock()
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					cancel(err)
				} else if info[key] = ti; len(info)%100 == 0 && len(info) < len(keys) {
					progress(fmt.Sprintf("looked up %d of %d tickets", len(info), len(keys)))
				}
				mu.Unlock()
			}
		})
	}
feed:
	for _, k := range keys {
		select {
		case next <- k:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	// The lookups decide: a deadline that passes after the last answer
	// came in fails nothing.
	if err := firstErr; err != nil || len(info) < len(keys) {
		if err == nil {
			err = context.Cause(ctx)
		}
		return failed("looked up %d of %d tickets in Jira: %v; nothing was written: fix what Jira answered "+
			"(rotor doctor checks the settings), raise --timeout (now %s) if it is slow, or run without --jira "+
			"for the pack from git alone", len(info), len(keys), err, timeout)
	}
	pack.CheckTickets(info)
	return nil
}

// lookUpTicket asks the tracker about one ticket.
func lookUpTicket(ctx context.Context, tr rotation.Tracker, key string, loc *time.Location) (audit.TicketInfo, error) {
	t, err := tr.Ticket(ctx, key)
	if errors.Is(err, jira.ErrNotFound) {
		return audit.TicketInfo{}, nil
	}
	if err != nil {
		return audit.TicketInfo{}, err
	}
	ti := audit.TicketInfo{Found: true, Status: t.StatusName, Done: t.StatusCategory == rotation.CategoryDone}
	if ti.Done && !t.DoneAt.IsZero() {
		ti.DoneOn = rotation.DateOf(t.DoneAt.In(loc))
	}
	return ti, nil
}

// auditPeriod resolves --from and --to: by default the twelve months up to
// today, both days included.
func auditPeriod(o auditOptions, today rotation.Date) (from, to rotation.Date, err error) {
	to = today
	if o.To != "" {
		if to, err = rotation.ParseDate(o.To); err != nil {
			return from, to, usageError("--to: %v", err)
		}
		if to.After(today) {
			return from, to, usageError("--to %s is after today (%s): the pack holds what happened; use --to %s or earlier", to, today, today)
		}
	}
	from = rotation.DateOf(to.Time().AddDate(-1, 0, 0)).AddDays(1)
	if o.From != "" {
		if from, err = rotation.ParseDate(o.From); err != nil {
			return from, to, usageError("--from: %v", err)
		}
	}
	if from.After(to) {
		return from, to, usageError("--from %s is after --to %s: give the first day, then the last", from, to)
	}
	if from.Before(rotation.MinDate) {
		return from, to, usageError("--from %s is before %s: git history begins later", from, rotation.MinDate)
	}
	return from, to, nil
}

// auditProvenance says where the pack comes from and how to make it again.
// It holds nothing of this machine (no folder, no clock), so that the same
// history gives the same bytes anywhere.
func auditProvenance(env Env, repo *gitrepo.Repo, dir string, o auditOptions, from, to rotation.Date, loc *time.Location) audit.Provenance {
	name := env.Getenv(envActionsRepository)
	if name == "" {
		name = repo.OriginName()
	}
	branch, _ := repo.Branch()
	if branch == "" {
		branch = env.Getenv(envActionsRefName)
	}
	// Run from the repository's top folder; --register as the repository
	// names it, not as this machine does.
	reg := dir
	if reg == "" {
		reg = "."
	}
	cmd := []string{"rotor", "audit", "--register", reg, "--from", from.String(), "--to", to.String()}
	if o.Jira {
		cmd = append(cmd, "--jira")
	}
	if o.Verify {
		cmd = append(cmd, "--verify")
	}
	if loc == nil {
		loc = time.UTC
	}
	return audit.Provenance{
		Repository: leak.Scrub(name), Branch: leak.Scrub(branch), Register: leak.Scrub(dir), RotorVersion: version(),
		Command: strings.Join(cmd, " "), Timezone: loc.String(),
	}
}
