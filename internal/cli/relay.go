package cli

import (
	"context"
	"log/slog"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/relay"
	"github.com/rotor-dev/rotor/internal/setting"
)

func newRelayCommand(env Env) *cli.Command {
	return &cli.Command{
		Name:  "relay",
		Usage: "run the webhook relay: Jira's done tickets become repository_dispatch events",
		Description: "Serves POST /webhook/jira (and GET /healthz) until SIGTERM, then drains. Settings come from " +
			"the environment: ROTOR_JIRA_WEBHOOK_SECRET (required), GITHUB_TOKEN, ROTOR_GITHUB_REPOSITORY (owner/name), " +
			"ROTOR_RELAY_ADDR (default :8080), ROTOR_GITHUB_API_URL, ROTOR_AUTOMATION_TOKEN. Logs are JSON lines on " +
			"stderr. See docs/relay.md; the same server ships as the rotor-relay binary.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "addr", Usage: "listen `address` (env " + relay.EnvAddr + ", default " + relay.DefaultAddr + ")"},
		},
		Action: func(c *cli.Context) error {
			getenv := env.Getenv
			if c.IsSet("addr") {
				addr := c.String("addr")
				if err := relay.CheckAddr(addr); err != nil {
					return usageError("%w", setting.Invalid("--addr", addr, err))
				}
				getenv = func(k string) string {
					if k == relay.EnvAddr {
						return addr
					}
					return env.Getenv(k)
				}
			}
			return runRelay(c.Context, env, getenv)
		},
	}
}

func runRelay(ctx context.Context, env Env, getenv func(string) string) error {
	cfg, err := relay.ConfigFromEnv(getenv)
	if err != nil {
		return usageError("%w", err)
	}
	// rotor's batch commands tune the runtime for speed (cmd/rotor); the
	// relay is a long-running server and tunes it for memory instead.
	defer relay.TuneRuntime(env.Getenv)()
	logger := slog.New(slog.NewJSONHandler(env.Stderr, nil))
	if err := relay.Run(ctx, cfg, logger); err != nil {
		return failed("%v", err)
	}
	return nil
}
