package cli

import (
	"bytes"
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/reconcile"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

type syncOptions struct {
	registerOptions
	Format        string // text, json or markdown
	DryRun        bool
	JiraOverrides jiraOverrides
}

func newSyncCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "sync",
		Usage: "bring Jira in step with the register: the due check",
		Description: "Validates the register, finds every open rotor ticket with one paginated search, and plans: " +
			"create a ticket for each due or overdue credential without one, update tickets whose due date, summary, " +
			"assignee or mapped custom fields changed (only what differs is written), escalate once when a credential " +
			"becomes overdue, and mark tickets of removed credentials as orphaned. It prints the plan, then applies it unless --dry-run. Jira's URL and token " +
			"come from " + names(jiraVars) + "; under --dry-run without them, rotor " +
			"plans as if Jira had no rotor tickets, while any of them set must be right, dry run or not. Exit status: 0 all done, " +
			"1 an action failed, 2 usage or configuration.",
		Flags: append(append(registerFlags(), jiraFlags()...),
			&cli.BoolFlag{DisableDefaultText: true, Name: "dry-run", Usage: "print the plan and write nothing to Jira"},
			&cli.StringFlag{Name: "format", Usage: "plan `format`: text, json or markdown", Value: "text"},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := syncOptions{
				registerOptions: ro, Format: c.String("format"), DryRun: c.Bool("dry-run"),
				JiraOverrides: readJiraOverrides(c, f.Env),
			}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			return runSync(ctx, f, o)
		},
	}
}

func runSync(ctx context.Context, f *factory, o syncOptions) error {
	if err := checkFormat(o.Format, "text", "json", "markdown"); err != nil {
		return err
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	settings := o.JiraOverrides.apply(res.Register.Settings.Jira)
	res.Register.Settings.Jira = settings

	// Absent configuration is a dry run's default: plan as if Jira had no
	// rotor tickets. Configuration that is set is checked, dry run or not.
	var tracker rotation.Tracker
	var open []rotation.Ticket
	if o.DryRun && !f.anySet(jiraVars) {
		fmt.Fprintf(f.Stderr, "%sdry run without Jira (none of %s is set): planning as if Jira had no rotor tickets\n", exitPrefix, names(jiraVars))
	} else {
		client, err := f.jiraClient(settings)
		if err != nil {
			if o.DryRun {
				return orNoneForADryRun(err, "Jira", jiraVars)
			}
			return err
		}
		tracker = client
		fmt.Fprintf(f.Stderr, "%ssearching Jira project %s for open rotor tickets\n", exitPrefix, textsafe.Value(client.Project()))
		if open, err = client.OpenTickets(ctx); err != nil {
			return failed("%s", textsafe.Value(err.Error()))
		}
	}

	plan := reconcile.Compute(res.Register, res.Today, open)
	if err := writePlan(f.Env, plan, o.Format); err != nil {
		return err
	}
	inActions := f.inActions()
	if o.DryRun || plan.IsEmpty() {
		if inActions {
			appendPlanSummary(f.Env, plan, nil, o.DryRun)
		}
		if o.DryRun {
			fmt.Fprintf(f.Stderr, "%sdry run: nothing was written to Jira\n", exitPrefix)
		}
		return nil
	}

	total := len(plan.Actions)
	done := 0
	results := reconcile.Apply(ctx, tracker, plan, func(r reconcile.Result) {
		done++
		fmt.Fprintf(f.Stderr, "[%d/%d] %s\n", done, total, textsafe.Value(r.String()))
	})
	if err := writeFit(f.Stderr, f.layout(f.Stderr), results.WriteTextFit); err != nil {
		return err
	}
	if inActions {
		appendPlanSummary(f.Env, plan, results, false)
	}
	if failures := results.Failed(); len(failures) > 0 {
		return failed("%d of %d Jira actions failed (listed above); the next run retries them", len(failures), total)
	}
	fmt.Fprintf(f.Stderr, "%sJira is in step with the register (%s)\n", exitPrefix, textsafe.Plural(total, "action", "actions"))
	return nil
}

// writePlan prints the plan to stdout in format; the plan's writers make
// the register's values safe (textsafe, markdown).
func writePlan(env Env, p *reconcile.Plan, format string) error {
	switch format {
	case "json":
		return p.WriteJSON(env.Stdout)
	case "markdown":
		return p.WriteMarkdown(env.Stdout)
	}
	return writeFit(env.Stdout, env.layout(env.Stdout), p.WriteTextFit)
}

// appendPlanSummary writes the plan, and the results when there are any, to
// the job summary. A failure to write the summary is a warning only.
func appendPlanSummary(env Env, p *reconcile.Plan, results reconcile.Results, dryRun bool) {
	var b bytes.Buffer
	_ = p.WriteMarkdown(&b)
	if dryRun {
		b.WriteString("\n**Dry run:** nothing was written to Jira.\n")
	}
	if results != nil {
		b.WriteString("\n")
		_ = results.WriteMarkdown(&b)
	}
	if err := appendStepSummary(env, b.String()); err != nil {
		fmt.Fprintf(env.Stderr, "%swarning: %s\n", exitPrefix, textsafe.Value(err.Error()))
	}
}
