package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

type recordOptions struct {
	registerOptions
	Issue         string // --issue; empty: the event at $GITHUB_EVENT_PATH
	Repo          string // the working copy
	Format        string
	DryRun        bool
	JiraOverrides jiraOverrides
}

func newRecordCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "record",
		Usage: "turn a done rotation ticket into the pull request that records it",
		Description: "Asks Jira that the ticket is a done rotor ticket and when it became done, sets last_changed and " +
			"last_ticket of its credential in the register file (nothing else in the file changes), commits that on " +
			"the branch rotor/record/<id>, pushes it to origin, opens or updates the pull request, and links it from " +
			"the ticket. Without --issue it reads the repository_dispatch event at $" + envEventPath + ". Every step is " +
			"safe to repeat. Exit status: 0 recorded or nothing to do, 1 refused or failed, 2 usage or configuration.",
		Flags: append(append(registerFlags(), jiraFlagsFor(flagJiraProject, flagJiraIssueType)...),
			&cli.StringFlag{Name: "issue", Usage: "the done Jira `key`, e.g. SEC-42 (default: the event at $" + envEventPath + ")"},
			&cli.StringFlag{Name: "repo", Usage: "the git working copy `folder`", Value: ".", DefaultText: "the repository around the current folder"},
			&cli.BoolFlag{DisableDefaultText: true, Name: "dry-run", Usage: "print the diff and the pull request; write nothing anywhere"},
			&cli.StringFlag{Name: "format", Usage: "output `format`: text or json", Value: "text"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := recordOptions{
				registerOptions: ro, Issue: strings.TrimSpace(c.String("issue")), Repo: c.String("repo"),
				Format: c.String("format"), DryRun: c.Bool("dry-run"),
				JiraOverrides: readJiraOverrides(c, f.Env),
			}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			return runRecord(ctx, f, o)
		},
	}
}

func runRecord(ctx context.Context, f *factory, o recordOptions) error {
	if err := checkFormat(o.Format, "text", "json"); err != nil {
		return err
	}
	req, err := recordRequest(f.Env, o.Issue)
	if err != nil {
		return err
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	// Jira is needed even in a dry run (the ticket decides everything);
	// GitHub may be absent from a dry run, but what is set must be right.
	settings := o.JiraOverrides.apply(res.Register.Settings.Jira)
	tracker, jiraErr := f.jiraClient(settings)
	var host *github.Client
	var hostErr error
	if o.DryRun && !f.anySet(githubVars) {
		fmt.Fprintf(f.Stderr, "%sdry run without GitHub (none of %s is set): the pull request is not looked up\n", exitPrefix, names(githubVars))
	} else if host, hostErr = f.githubClient(); hostErr != nil && o.DryRun {
		hostErr = orNoneForADryRun(hostErr, "GitHub", githubVars)
	}
	if err := errors.Join(jiraErr, hostErr); err != nil {
		return err
	}
	repo, err := f.pushRepo(o.Repo)
	if err != nil {
		return usageError("%v", err)
	}
	v, err := f.validator()
	if err != nil {
		return err
	}
	cfg := record.Config{
		Register:  res.Register,
		Project:   tracker.Project(),
		IssueType: tracker.IssueType(),
		Today:     res.Today,
		Author:    f.author(),
		BrowseURL: tracker.BrowseURL,
		Check: func(path string, data []byte) []register.Finding {
			_, fs := v.ValidateFile(path, data, res.Register.Settings, res.Today)
			return fs
		},
		DryRun:   o.DryRun,
		Progress: func(step string) { fmt.Fprintf(f.Stderr, "%s%s\n", exitPrefix, textsafe.Value(step)) },
	}
	if vs := res.Register.Settings.Verify; vs.RequireForRecord {
		cfg.VerifyStore = f.storeGate(vs.ToleranceDays, res.Register.Settings.Timezone)
	}
	deps := record.Deps{Tickets: tracker, Repo: repo}
	if host != nil {
		deps.Host = host
	}
	r, err := record.Run(ctx, deps, cfg, req)
	if err != nil {
		if r != nil {
			_ = writeRecordResult(f.Stdout, o.Format, r)
		}
		return failed("%s", err)
	}
	return writeRecordResult(f.Stdout, o.Format, r)
}

// recordRequest reads what to record: --issue, else the dispatch event.
func recordRequest(env Env, issue string) (record.Request, error) {
	if issue != "" {
		if !github.ValidIssueKey(issue) {
			return record.Request{}, usageError("--issue %q is not a Jira issue key such as SEC-42", issue)
		}
		return record.Request{IssueKey: issue}, nil
	}
	path := env.Getenv(envEventPath)
	if path == "" {
		return record.Request{}, usageError("no ticket: pass --issue SEC-42, or run in the workflow of a repository_dispatch event (%s)", github.DispatchEventType)
	}
	ev, err := github.ReadDispatchEvent(path)
	if err != nil {
		return record.Request{}, usageError("%v", err)
	}
	return record.Request{IssueKey: ev.Payload.IssueKey, CredentialID: ev.Payload.CredentialID}, nil
}

func writeRecordResult(w io.Writer, format string, r *record.Result) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	var b strings.Builder
	line := func(format string, args ...any) { b.WriteString(textsafe.Value(fmt.Sprintf(format, args...)) + "\n") }
	switch r.Outcome {
	case record.OutcomeAlreadyRecord:
		line("nothing to record: %s", strings.Join(r.Notes, "; "))
		_, err := io.WriteString(w, b.String())
		return err
	case record.OutcomeAlreadyPending:
		line("nothing to push: %s already holds this edit and pull request #%d is open: %s", r.Branch, r.PullRequest.Number, r.PullRequest.URL)
	case record.OutcomeDryRun:
		line("dry run: would record %s for %s: last_changed %s -> %s, next due %s", r.IssueKey, r.CredentialID, r.OldLastChanged, r.DoneOn, r.NextDue)
		line("would commit on %s (base %s) and push it to origin", r.Branch, rotation.ShortHash(r.Base))
		switch {
		case r.PullRequest == nil:
			line("would open or update the pull request %q", r.Title)
		case r.PullRequest.Number > 0:
			line("%s #%d: %q", r.PullRequest.Action, r.PullRequest.Number, r.Title)
		default:
			line("%s a pull request: %q", r.PullRequest.Action, r.Title)
		}
	default:
		line("recorded %s for %s: last_changed %s -> %s, next due %s", r.IssueKey, r.CredentialID, r.OldLastChanged, r.DoneOn, r.NextDue)
		if r.Pushed {
			line("pushed %s to %s", rotation.ShortHash(r.Commit), r.Branch)
		}
		line("pull request #%d %s: %s", r.PullRequest.Number, r.PullRequest.Action, r.PullRequest.URL)
	}
	if r.Commented {
		line("linked the pull request from %s", r.IssueKey)
	}
	for _, n := range r.Notes {
		line("note: %s", n)
	}
	if r.Diff != "" {
		b.WriteString("\n")
		for _, l := range strings.SplitAfter(r.Diff, "\n") {
			if l != "" {
				b.WriteString(textsafe.LineStart(strings.TrimSuffix(l, "\n")) + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
