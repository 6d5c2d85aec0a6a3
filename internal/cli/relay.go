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
func newRelayCommand(f *factory) *cli.Command {
	var flags []cli.Flag
	relay.FlagSet().VisitAll(func(fl *flag.Flag) {
		flags = append(flags, &cli.StringFlag{Name: fl.Name, Usage: fl.Usage})
	})
	// --version, as rotor-relay has it: the two list the same flags.
	flags = append(flags, &cli.BoolFlag{Name: "version", Usage: "print the version", DisableDefaultText: true})
	return &cli.Command{
		Name:  "relay",
		Usage: "run the webhook relay: Jira's done tickets become repository_dispatch events",
		Description: "Serves POST /webhook/jira (and GET /healthz) until SIGTERM, then drains. Settings come from " +
			"the environment: " + envRelayWebhookSecret + " (required), " + envRelayGitHubToken + ", " +
			envRelayRepository + " (owner/name), " + envRelayAddr + " (default " + relay.DefaultAddr + "), " +
			envRelayGitHubAPIURL + ", " + envRelayAutomationToken + ". Logs are JSON lines on " +
			"stderr. See docs/relay.md; the same server ships as the rotor-relay binary.",
		Flags:           flags,
		SkipFlagParsing: true,
		Action: func(c *cli.Context) error {
			if args := c.Args().Slice(); len(args) == 1 && (args[0] == "--version" || args[0] == "-version") {
				fmt.Fprintln(f.Stdout, "rotor relay version "+version())
				return nil
			}
			err := relay.Main(c.Context, c.Args().Slice(), f.Getenv, f.Stderr)
			var usage *relay.UsageError
			var settings *relay.SettingsError
			switch {
			case errors.Is(err, flag.ErrHelp):
				cli.HelpPrinter(c.App.Writer, cli.CommandHelpTemplate, c.Command)
				return nil
			case errors.As(err, &usage):
				fmt.Fprintf(f.Stdout, "Incorrect Usage: %v\n\n", err)
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
