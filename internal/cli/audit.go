package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

type auditOptions struct {
	registerOptions
	From, To      string
	Format        string
	Out           string
	OutDir        string
	Repo          string
	Jira          bool
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
			"adds each ticket's state from Jira. The same history gives the same bytes. Exit status: 0 written, " +
			"1 the register, its history or (with --jira) Jira cannot be read, 2 usage.",
		Flags: append(append(registerFlags(), auditJiraFlags()...),
			&cli.BoolFlag{Name: "jira", Usage: "also look up each rotation's ticket in Jira: done or not, and when"},
			&cli.StringFlag{Name: "from", Usage: "first day of the period, `YYYY-MM-DD` (default: twelve months before --to)"},
			&cli.StringFlag{Name: "to", Usage: "last day of the period, `YYYY-MM-DD` (default: today)"},
			&cli.StringFlag{Name: "format", Usage: "output `format`: " + strings.Join(audit.Formats, ", "), Value: "markdown"},
			&cli.StringFlag{Name: "out", Usage: "write the pack to `FILE` (replaced whole, never half-written); default: stdout"},
			&cli.StringFlag{Name: "out-dir", Usage: "write the pack in every format to `DIR` (audit.md, audit.csv, audit.json, audit.html): one reading of history, and of Jira, for all four"},
			&cli.StringFlag{Name: "repo", Usage: "the git working copy `folder` whose history is read", Value: "."},
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
				Jira: c.Bool("jira"), Timeout: c.Duration("timeout"), JiraOverrides: readJiraOverrides(c, f.Env)}
			return runAudit(c.Context, f, o)
		},
	}
}

// auditJiraFlags are the Jira flags, with --timeout as audit uses it:
// reading history has no deadline, only the calls to Jira do.
func auditJiraFlags() []cli.Flag {
	flags := jiraFlags()
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
	v, err := f.validator()
	if err != nil {
		return err
	}
	h := &history{repo: repo, dir: dir, settings: settings, v: v, cache: map[string][]*rotation.Credential{}}
	if err := h.period(ctx, &in, progress); err != nil {
		if errors.Is(err, gitrepo.ErrShallow) {
			return usageError("%v", err)
		}
		return failed("%v", err)
	}
	h.redactAcross()
	pack := audit.Compute(in)
	if tracker != nil {
		if err := checkTickets(ctx, tracker, pack, settings.Timezone, o.Timeout, progress); err != nil {
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
		plural(s.Credentials, "credential"), plural(s.Rotations, "rotation"),
		plural(s.Observations, "observation"), pack.From, pack.To))
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
	progress(fmt.Sprintf("looking up %s in Jira", plural(len(keys), "ticket")))
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
	if loc == nil {
		loc = time.UTC
	}
	return audit.Provenance{
		Repository: redactText(name), Branch: redactText(branch), Register: redactText(dir), RotorVersion: version(),
		Command: strings.Join(cmd, " "), Timezone: loc.String(),
	}
}

// period fills in with the register at the start of the period and every
// commit of it on HEAD's first-parent chain, oldest first, with the
// register files each changed. The period is its days in in.Location, from
// the first instant of in.From up to the first instant of the day after
// in.To; the register at its start is the one of the last commit before.
func (h *history) period(ctx context.Context, in *audit.Input, progress func(string)) error {
	span := rotation.Days(in.From, in.To, in.Location)
	base, found, err := h.repo.CommitBefore(span.From)
	if err != nil {
		return err
	}
	// known holds every commit reachable from the chain's commit before
	// the one at hand, so that a merge's side is told apart from what the
	// branch already held, exactly and whatever the commits' clocks say.
	known := gitrepo.NewCommitSet()
	// counted holds each register file of the commit at hand as history
	// counts it: its last readable version stands in for one that is not.
	counted := map[string][]*rotation.Credential{}
	if found {
		if known, err = h.repo.Ancestors(base.Hash); err != nil {
			return err
		}
		in.BaselineCommit = base.Hash
		files, _, gaps, err := h.filesAt(base.Hash)
		if err != nil {
			return err
		}
		for _, f := range files {
			counted[f.path] = f.creds
			in.Baseline = append(in.Baseline, f.creds...)
		}
		in.BaselineUnreadable = auditGaps(gaps)
	}
	commits, err := h.repo.CommitsIn(span)
	if err != nil {
		return err
	}
	slices.Reverse(commits)
	progress(fmt.Sprintf("reading %s of the default branch from %s to %s", plural(len(commits), "commit"), in.From, in.To))
	in.Commits = make([]audit.Commit, 0, len(commits))
	for i, c := range commits {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i > 0 && i%1000 == 0 {
			progress(fmt.Sprintf("read %d of %d commits", i, len(commits)))
		}
		ac, err := h.auditCommit(c, known, counted)
		if err != nil {
			return err
		}
		in.Commits = append(in.Commits, ac)
	}
	return nil
}

// auditCommit reads one commit of the chain; known (see period) gains
// the commit and what it brought in, and counted (see period) the files
// as the commit left them.
func (h *history) auditCommit(c gitrepo.CommitInfo, known *gitrepo.CommitSet, counted map[string][]*rotation.Credential) (audit.Commit, error) {
	subject, _, _ := strings.Cut(c.Message, "\n")
	author, committer := c.Author, c.Committer
	author.Name, author.Email = redactText(author.Name), redactText(author.Email)
	committer.Name, committer.Email = redactText(committer.Name), redactText(committer.Email)
	ac := audit.Commit{
		Hash: c.Hash, Author: author, Committer: committer,
		Subject: redactText(strings.TrimSpace(subject)), MergedBy: redactText(mergedBy(c)),
		Recorded: trailers(c.Message),
	}
	if len(c.Parents) > 1 {
		side, err := h.repo.BroughtIn(c.Hash, known)
		if err != nil {
			return ac, err
		}
		for _, s := range side {
			ac.Recorded = append(ac.Recorded, trailers(s.Message)...)
		}
	}
	known.Add(c.Hash)
	changes, err := h.repo.ChangedFiles(c.Hash, h.dir)
	if err != nil {
		return ac, err
	}
	for _, ch := range changes {
		if !isCredentialFile(h.dir, ch.Path) {
			continue
		}
		old, ok := counted[ch.Path]
		if !ok && ch.OldHash != "" && len(c.Parents) > 0 {
			// Not on a chain read from its baseline; read the parent's.
			if old, _, err = h.version(c.Parents[0], ch.Path, ch.OldHash); err != nil {
				return ac, err
			}
		}
		n, gaps, err := h.follow(old, ch.Path, ch.NewHash)
		if err != nil {
			return ac, err
		}
		ac.Unreadable = append(ac.Unreadable, auditGaps(stamped(gaps, c))...)
		if ch.NewHash == "" {
			delete(counted, ch.Path)
		} else {
			counted[ch.Path] = n
		}
		ac.Files = append(ac.Files, audit.FileChange{Path: ch.Path, Old: old, New: n})
	}
	return ac, nil
}

// auditGaps are gaps as the pack takes them; a path from git, or a
// reason from the validator, goes through the leak guard like every
// value read from history.
func auditGaps(gaps []gap) []audit.Unreadable {
	var out []audit.Unreadable
	for _, g := range gaps {
		out = append(out, audit.Unreadable{Path: redactText(g.path), CredentialID: g.id, Commit: g.commit, Reason: redactText(g.why)})
	}
	return out
}

// trailers finds `rotor record`'s trailers in a commit message. A squash
// merge lists the messages of the commits it squashed, so every line
// counts, not only the final paragraph; a Rotor-Credential line pairs with
// the Rotor-Ticket line that follows it.
func trailers(msg string) []audit.Trailer {
	var out []audit.Trailer
	credential := ""
	for _, line := range strings.Split(msg, "\n") {
		key, value, ok := strings.Cut(strings.TrimSpace(line), ":")
		if !ok {
			continue
		}
		value = strings.TrimSpace(value)
		switch {
		case strings.EqualFold(key, record.TrailerCredential):
			credential = value
		case strings.EqualFold(key, record.TrailerTicket) && value != "":
			out = append(out, audit.Trailer{Credential: credential, Ticket: value})
			credential = ""
		}
	}
	return out
}
