package cli

import (
	"errors"
	"flag"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/relay"
)

// newRelayCommand runs relay.Main, the program rotor-relay runs too: its
// flags are parsed there (so the help lists them, but urfave/cli does not
// parse them), and here its errors become rotor's exit codes and lines.
func newRelayCommand(env Env) *cli.Command {
	var flags []cli.Flag
	relay.FlagSet().VisitAll(func(fl *flag.Flag) {
		flags = append(flags, &cli.StringFlag{Name: fl.Name, Usage: fl.Usage})
	})
	return &cli.Command{
		Name:  "relay",
		Usage: "run the webhook relay: Jira's done tickets become repository_dispatch events",
		Description: "Serves POST /webhook/jira (and GET /healthz) until SIGTERM, then drains. Settings come from " +
			"the environment: ROTOR_JIRA_WEBHOOK_SECRET (required), GITHUB_TOKEN, ROTOR_GITHUB_REPOSITORY (owner/name), " +
			"ROTOR_RELAY_ADDR (default :8080), ROTOR_GITHUB_API_URL, ROTOR_AUTOMATION_TOKEN. Logs are JSON lines on " +
			"stderr. See docs/relay.md; the same server ships as the rotor-relay binary.",
		Flags:           flags,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			err := relay.Main(c.Context, c.Args().Slice(), env.Getenv, env.Stderr)
			var usage *relay.UsageError
			var settings *relay.SettingsError
			switch {
			case errors.Is(err, flag.ErrHelp):
				cli.HelpPrinter(c.App.Writer, cli.CommandHelpTemplate, c.Command)
				return nil
			case errors.As(err, &usage):
				fmt.Fprintf(env.Stdout, "Incorrect Usage: %v\n\n", err)
				_ = cli.ShowSubcommandHelp(c)
				return usageError("%w", err)
			case errors.As(err, &settings):
				return usageError("%w", err)
			case err != nil:
				return failed("%v", err)
			}
			return nil
		},
	}
}
