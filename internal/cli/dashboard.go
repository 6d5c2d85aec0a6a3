package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

type dashboardOptions struct {
	registerOptions
	Out    string // the site's folder
	Weeks  int    // the trend's length
	Public bool   // aggregate figures only
	Repo   string // the git working copy
}

func newDashboardCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "dashboard",
		Usage: "render the register and its history as a static site, with calendar, CSV and metrics feeds",
		Description: "Writes a complete site into --out: index.html (compliance, the action list, teams, the trend, " +
			"the due dates of the next 12 weeks, exemptions, warnings), a page per team and per credential (its " +
			"rotations from git history), and the feeds status.json, register.csv, due.ics, metrics.prom and " +
			"badge.svg. No JavaScript, nothing from another origin. The folder is replaced only once everything " +
			"rendered, so a failure leaves the old site whole. It reads only the register and git history, never " +
			"the network. --public leaves out every credential's id, name, owner, system and description. See " +
			"docs/dashboard.md. Exit status: 0 written, 1 the register has errors (nothing written) or the site could not be written (the old one is left whole), 2 usage.",
		Flags: append(registerFlags(),
			&cli.StringFlag{Name: "out", Usage: "the site's `folder` (created, or replaced whole)", Required: true},
			&cli.IntFlag{Name: "weeks", Usage: "`weeks` of trend read from history", Value: 8},
			&cli.BoolFlag{DisableDefaultText: true, Name: "public", Usage: "aggregate figures only, safe for a public site: no credential's id, name, owner, system or description"},
			&cli.StringFlag{Name: "repo", Usage: "the git working copy `folder`", Value: ".", DefaultText: "the repository around the current folder"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			return runDashboard(c.Context, f, dashboardOptions{
				registerOptions: ro, Out: c.String("out"), Weeks: c.Int("weeks"), Public: c.Bool("public"), Repo: c.String("repo"),
			})
		},
	}
}

// maxDashboardWeeks bounds --weeks: a year of weekly points.
const maxDashboardWeeks = 52

func runDashboard(ctx context.Context, f *factory, o dashboardOptions) error {
	if o.Out == "" {
		return usageError("--out: name the folder to write the site into, e.g. --out site")
	}
	if o.Weeks < 1 || o.Weeks > maxDashboardWeeks {
		return usageError("--weeks %d: give 1 to %d", o.Weeks, maxDashboardWeeks)
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	progress := func(s string) { fmt.Fprintf(f.Stderr, "%s%s\n", exitPrefix, s) }
	in := report.Input{Today: res.Today, Register: res.Register, Weeks: o.Weeks}
	pack, commit, err := f.readDashboardHistory(ctx, o, res, &in, progress)
	if err != nil {
		return err
	}
	site, err := dashboard.Render(dashboard.Input{
		Register:    res.Register,
		Today:       res.Today,
		Report:      report.Compute(in),
		Trend:       in.Trend,
		Audit:       pack,
		Warnings:    dashboardWarnings(res.Findings),
		Made:        f.Now(),
		Commit:      commit,
		HistoryNote: in.HistoryNote,
		Public:      o.Public,
		Weeks:       o.Weeks,
	})
	if err != nil {
		return err
	}
	if err := site.WriteDir(o.Out); err != nil {
		return failed("%v", err)
	}
	kind := "internal"
	if o.Public {
		kind = "public"
	}
	progress(fmt.Sprintf("wrote the %s site to %s: %s, %d bytes", kind, textsafe.Path(o.Out),
		textsafe.Plural(len(site.Paths()), "file", "files"), site.Size()))
	return nil
}

// readDashboardHistory reads, with one reader (each version of a file
// parsed once for every page), what the report shows of history (last
// week, the trend) and the audit pack of the twelve months up to today
// (each credential's rotations). Without history (no repository, no
// commit, a shallow clone) it says why in in.HistoryNote and returns no
// pack: the site is made from the register alone.
func (f *factory) readDashboardHistory(ctx context.Context, o dashboardOptions, res *validate.Result, in *report.Input, progress func(string)) (*audit.Pack, string, error) {
	repo, err := f.localRepo(o.Repo)
	if err != nil {
		in.HistoryNote = "no git history (" + err.Error() + "): the trend, the change since last week and each credential's rotations were skipped"
		return nil, "", nil
	}
	head, err := repo.Head()
	if err != nil {
		in.HistoryNote = "the repository has no commits yet: the trend, the change since last week and each credential's rotations were skipped"
		return nil, "", nil
	}
	dir, err := record.RepoPath(repo.Root(), o.Root)
	if err != nil {
		return nil, "", usageError("%v", err)
	}
	settings := res.Register.Settings
	h, err := f.history(repo, dir, settings)
	if err != nil {
		return nil, "", err
	}
	// Nothing the leak guard flagged in one version shows in another, nor
	// in the register today.
	defer h.RedactAcross(res.Register.Credentials...)
	shallow := func() (*audit.Pack, string, error) {
		in.HistoryNote = "the checkout is shallow: the trend, the change since last week and each credential's rotations were skipped; check out with fetch-depth: 0"
		in.Previous, in.Trend, in.Rotated, in.Unreadable = nil, nil, nil, nil
		return nil, head, nil
	}
	progress(fmt.Sprintf("reading the register's history: %d weeks of trend, 12 months of rotations", o.Weeks))
	if err := h.ReportWeeks(ctx, in, o.Weeks); err != nil {
		if errors.Is(err, gitrepo.ErrShallow) {
			return shallow()
		}
		return nil, "", failed("%v", err)
	}
	if err := h.ReportRotations(in); err != nil {
		if errors.Is(err, gitrepo.ErrShallow) {
			return shallow()
		}
		return nil, "", failed("%v", err)
	}
	from := rotation.DateOf(res.Today.Time().AddDate(-1, 0, 0)).AddDays(1)
	ain := audit.Input{From: from, To: res.Today, Location: settings.Timezone, NoticeDays: settings.NoticeDays,
		Provenance: audit.Provenance{Register: dir, RotorVersion: version(), Timezone: zoneName(settings.Timezone)}}
	if err := h.Period(ctx, &ain, progress); err != nil {
		if errors.Is(err, gitrepo.ErrShallow) {
			return shallow()
		}
		return nil, "", failed("%v", err)
	}
	h.RedactAcross(res.Register.Credentials...)
	pack := audit.Compute(ain)
	return pack, head, nil
}

func zoneName(loc *time.Location) string {
	if loc == nil {
		return time.UTC.String()
	}
	return loc.String()
}

// dashboardWarnings are the register's warnings as the site lists them.
func dashboardWarnings(fs []register.Finding) []dashboard.Warning {
	var out []dashboard.Warning
	for _, x := range fs {
		if x.Severity != register.SeverityWarning {
			continue
		}
		out = append(out, dashboard.Warning{File: x.File, Line: x.Line, Column: x.Column, Rule: x.Rule, Message: x.Message})
	}
	return out
}
