// Command rotor-relay is rotor's webhook relay as a small static binary:
// it turns Jira's "rotor ticket is done" webhook into a repository_dispatch
// event on the register's repository. It is configured from the
// environment (see docs/relay.md) and stops cleanly on SIGTERM; a second
// SIGTERM or Ctrl-C during the drain ends it at once. It runs relay.Main,
// as `rotor relay` does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/rotor-dev/rotor/internal/relay"
)

// version is set at release build time:
// go build -ldflags "-X main.version=v1.2.3" (see .goreleaser.yaml).
// Unset, --version falls back to the module's build information.
var version string

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// The first signal starts the drain; a second one ends the process at
	// once, as it would without a handler.
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Getenv, os.Stderr))
}

const usage = `usage: rotor-relay [--addr address] [--help] [--version]

Receives Jira's webhook on POST /webhook/jira and fires a repository_dispatch
(rotor.rotation-done) on the register's repository. Settings come from the
environment:

  ROTOR_JIRA_WEBHOOK_SECRET  secret saved with the Jira webhook (required)
  GITHUB_TOKEN               token with Contents: read and write on the repository (required)
  ROTOR_GITHUB_REPOSITORY    the register's repository, owner/name (required)
  ROTOR_RELAY_ADDR           listen address (default :8080)
  ROTOR_GITHUB_API_URL       GitHub API root (default https://api.github.com/)
  ROTOR_AUTOMATION_TOKEN     enables Jira Automation's sender (X-Rotor-Token)

Flags (rotor relay takes the same):

`

// run is the whole program; it returns the exit code.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "-version" || args[0] == "--version") {
		fmt.Fprintln(stderr, "rotor-relay version "+buildVersion())
		return 0
	}
	err := relay.Main(ctx, args, getenv, stderr)
	var usageErr *relay.UsageError
	var settingsErr *relay.SettingsError
	switch {
	case errors.Is(err, flag.ErrHelp):
		printUsage(stderr)
		return 0
	case errors.As(err, &usageErr):
		fmt.Fprintf(stderr, "rotor-relay: %v\n\n", err)
		printUsage(stderr)
		return 2
	case errors.As(err, &settingsErr):
		fmt.Fprintf(stderr, "rotor-relay: configuration:\n%v\n", err)
		return 2
	case err != nil:
		relay.NewLogger(stderr).Error("relay failed", "error", err.Error())
		return 1
	}
	return 0
}

// printUsage writes the usage, with the relay's flags as `rotor relay
// --help` lists them: each with its usage in one column.
func printUsage(w io.Writer) {
	fmt.Fprint(w, usage)
	type row struct{ name, usage string }
	var rows []row
	relay.FlagSet().VisitAll(func(fl *flag.Flag) {
		name, use := flag.UnquoteUsage(fl)
		rows = append(rows, row{"--" + fl.Name + " " + name, use})
	})
	rows = append(rows, row{"--help, -h", "show help"}, row{"--version", "print the version"})
	width := 0
	for _, r := range rows {
		width = max(width, len(r.name))
	}
	for _, r := range rows {
		fmt.Fprintf(w, "  %-*s  %s\n", width, r.name, r.usage)
	}
	fmt.Fprint(w, "\nSee docs/relay.md.\n")
}

// buildVersion is the stamped release version if there is one, else the
// module version the binary was built from ("devel" for a checkout build).
func buildVersion() string {
	if version != "" {
		return version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "devel"
}
