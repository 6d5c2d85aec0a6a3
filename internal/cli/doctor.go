package cli

import (
	"context"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

type doctorOptions struct {
	registerOptions
	jira func(rotation.JiraSettings) rotation.JiraSettings // applies flag/env overrides
}

func newDoctorCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the Jira configuration and say what to fix",
		Description: "Checks, in order: the Jira site answers, the API token works, the project exists, rotor's user " +
			"has the permissions it needs, the issue type exists in the project, its workflow reaches a status of " +
			"category done, and the custom fields in rotor.yaml exist. Exit 1 if anything is wrong.",
		Flags: append(registerFlags(), jiraFlags()...),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, env)
			if err != nil {
				return err
			}
			o := doctorOptions{registerOptions: ro, jira: func(s rotation.JiraSettings) rotation.JiraSettings { return jiraSettings(c, env, s) }}
			ctx, cancel := context.WithTimeout(c.Context, c.Duration("timeout"))
			defer cancel()
			return runDoctor(ctx, env, o)
		},
	}
}

func runDoctor(ctx context.Context, env Env, o doctorOptions) error {
	res, err := loadRegister(ctx, env, o.registerOptions)
	if err != nil {
		return err
	}
	settings := o.jira(res.Register.Settings.Jira)
	client, err := newJiraClient(env, settings)
	if err != nil {
		return err
	}
	failures := 0
	for _, check := range client.Doctor(ctx) {
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
		fmt.Fprintf(env.Stdout, "%s  %s", mark, textsafe.Value(check.Name))
		if check.Detail != "" {
			fmt.Fprintf(env.Stdout, ": %s", textsafe.Value(check.Detail))
		}
		fmt.Fprintln(env.Stdout)
		if check.Fix != "" {
			fmt.Fprintf(env.Stdout, "      fix: %s\n", textsafe.Value(check.Fix))
		}
	}
	if failures > 0 {
		return failed("%s failed; fix them and run rotor doctor again", plural(failures, "check"))
	}
	fmt.Fprintf(env.Stderr, "%sJira is ready for project %s\n", exitPrefix, textsafe.Value(settings.Project))
	return nil
}
