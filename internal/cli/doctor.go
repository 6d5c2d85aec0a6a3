package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

type doctorOptions struct {
	registerOptions
	JiraOverrides jiraOverrides
}

func newDoctorCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the Jira and GitHub configuration and say what to fix",
		Description: "Checks, in order: the Jira site answers, the API token works, the project exists, rotor's user " +
			"has the permissions it needs, the issue type exists in the project, its workflow reaches a status of " +
			"category done, and the custom fields in rotor.yaml exist. With GitHub configured (" + envGitHubToken + ", " +
			envGitHubRepository + " or " + envGitHubAPIURL + " set), it also checks what " +
			"rotor record needs: the repository answers, the token may push and may open pull requests. Exit status: 0 ready, " +
			"1 a check failed, 2 a setting is missing or malformed (named, its value not shown).",
		Flags: append(registerFlags(), jiraFlags()...),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			o := doctorOptions{registerOptions: ro, JiraOverrides: readJiraOverrides(c, f.Env)}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			return runDoctor(ctx, f, o)
		},
	}
}

func runDoctor(ctx context.Context, f *factory, o doctorOptions) error {
	res, err := loadRegister(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	// Both configurations first: one that is set but wrong is exit 2
	// before any check, as in every command.
	settings := o.JiraOverrides.apply(res.Register.Settings.Jira)
	client, jiraErr := f.jiraClient(settings)
	var host *github.Client
	var hostErr error
	if f.anySet(githubVars) {
		host, hostErr = f.githubClient()
	}
	if err := errors.Join(jiraErr, hostErr); err != nil {
		return err
	}
	failures := 0
	for _, check := range client.Doctor(ctx, 0) {
		mark := "ok  "
		switch {
		case check.Skipped:
			mark = "skip"
		case !check.OK:
			mark = "FAIL"
			failures++
		}
		// Details quote Jira's answers and rotor.yaml's settings: both
		// are outside text, so they go through textsafe.
		fmt.Fprintf(f.Stdout, "%s  %s", mark, textsafe.Value(check.Name))
		if check.Detail != "" {
			fmt.Fprintf(f.Stdout, ": %s", textsafe.Value(check.Detail))
		}
		fmt.Fprintln(f.Stdout)
		if check.Fix != "" {
			fmt.Fprintf(f.Stdout, "      fix: %s\n", textsafe.Value(check.Fix))
		}
	}
	failures += githubChecks(ctx, f.Env, host)
	if failures > 0 {
		return failed("%s failed; fix them and run rotor doctor again", textsafe.Plural(failures, "check", "checks"))
	}
	fmt.Fprintf(f.Stderr, "%sJira is ready for project %s\n", exitPrefix, textsafe.Value(settings.Project))
	return nil
}

// githubChecks checks what rotor record needs of GitHub, without writing:
// the token reaches the repository, may push, and may open pull requests.
// It prints one line a check and returns the number that failed. Without
// a client (no GitHub setting is set) it says how to have them checked.
func githubChecks(ctx context.Context, env Env, client *github.Client) int {
	show := func(mark, name, detail, fix string) {
		fmt.Fprintf(env.Stdout, "%s  %s", mark, name)
		if detail != "" {
			fmt.Fprintf(env.Stdout, ": %s", textsafe.Value(detail))
		}
		fmt.Fprintln(env.Stdout)
		if fix != "" {
			fmt.Fprintf(env.Stdout, "      fix: %s\n", textsafe.Value(fix))
		}
	}
	if client == nil {
		show("skip", "GitHub (rotor record)", "none of "+names(githubVars)+" is set",
			"set "+envGitHubToken+" and "+envActionsRepository+" (or "+envGitHubRepository+") to check that rotor record can push and open pull requests")
		return 0
	}
	acc, err := client.CheckPullRequestAccess(ctx)
	if err != nil {
		show("FAIL", "GitHub repository is reachable", err.Error(), "")
		return 1
	}
	info := acc.Repository
	detail := fmt.Sprintf("%s, default branch %s, %s", info.FullName, info.DefaultBranch, acc.Token)
	if !info.TokenExpiration.IsZero() {
		detail += ", token expires " + info.TokenExpiration.UTC().Format("2006-01-02 15:04 MST")
	}
	show("ok  ", "GitHub repository is reachable", detail, "")
	failures := 0
	switch acc.Push {
	case github.Yes:
		show("ok  ", "token may push", "permissions.push is true", "")
	case github.No:
		failures++
		show("FAIL", "token may push", "permissions.push is false: rotor record cannot push rotor/record/<id>",
			"give the token Contents: read and write on "+info.FullName+" (fine-grained token or GitHub App), or write access to the repository")
	default:
		show("skip", "token may push", "GitHub does not say for this kind of token", "")
	}
	switch {
	case acc.List == github.No:
		failures++
		show("FAIL", "token may open pull requests", "it cannot even list them",
			"give the token Pull requests: read and write on "+info.FullName)
	case acc.Scope == github.No:
		failures++
		show("FAIL", "token may open pull requests", "the classic token lacks the repo scope", "create a token with the repo scope, or a fine-grained token with Pull requests: read and write")
	default:
		show("ok  ", "token may open pull requests", "listing pull requests works", "")
	}
	for _, u := range acc.Unchecked {
		show("note", "not checkable", u, "")
	}
	return failures
}
