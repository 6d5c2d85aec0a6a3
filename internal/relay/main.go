package relay

import (
	"context"
	"errors"
	"flag"
	"io"
	"log/slog"
	"strings"

	"github.com/rotor-dev/rotor/internal/setting"
)

// The relay as a program. `rotor relay` and the rotor-relay binary both
// run Main, so that they take the same flags and environment, tune the
// runtime alike and log the same lines; each entry point only says what
// went wrong in its own words.

// Environment variables the relay reads; ConfigFromEnv is their one
// reader, for both entry points.
const (
	EnvAddr            = "ROTOR_RELAY_ADDR"          // listen address; --addr wins
	EnvWebhookSecret   = "ROTOR_JIRA_WEBHOOK_SECRET" // the Jira webhook's secret (required)
	EnvAutomationToken = "ROTOR_AUTOMATION_TOKEN"    // turns on Jira Automation's sender
	EnvGitHubToken     = "GITHUB_TOKEN"              // may create repository_dispatch events (required)
	EnvRepository      = "ROTOR_GITHUB_REPOSITORY"   // the register's repository, owner/name (required)
	EnvGitHubAPIURL    = "ROTOR_GITHUB_API_URL"      // GitHub's REST API root
)

// FlagSet returns the relay's command line, which both entry points take:
// Main parses it, and an entry point lists it in its help.
func FlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("relay", flag.ContinueOnError)
	fs.SetOutput(io.Discard) // the entry points print usage their own way
	fs.Usage = func() {}
	fs.String("addr", "", "listen `address` (env "+EnvAddr+", default "+DefaultAddr+")")
	return fs
}

// UsageError is a command line Main does not take: an unknown flag, a
// flag without its value, an argument. Nothing was started.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// SettingsError is a flag or variable that is missing or malformed: every
// problem, one a line, each named and none shown beyond a URL's scheme and
// host (setting.Invalid). Nothing was started.
type SettingsError struct{ Err error }

func (e *SettingsError) Error() string { return e.Err.Error() }
func (e *SettingsError) Unwrap() error { return e.Err }

// Main runs the relay: it parses args (FlagSet), reads the settings
// through getenv (ConfigFromEnv; --addr wins over ROTOR_RELAY_ADDR), tunes
// the runtime for a long-running server (TuneRuntime), logs JSON lines on
// stderr (NewLogger) and serves until ctx ends, then drains (Run).
//
// It returns nil after a clean drain; flag.ErrHelp for -h or --help; a
// *UsageError or a *SettingsError before anything started; any other
// error when the server failed.
func Main(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	fs := FlagSet()
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &UsageError{err}
	}
	if fs.NArg() > 0 {
		return &UsageError{errors.New("the relay takes no arguments: its settings come from the environment (see docs/relay.md)")}
	}
	settings := getenv
	if isSet(fs, "addr") {
		addr := fs.Lookup("addr").Value.String()
		if err := CheckAddr(addr); err != nil {
			return &SettingsError{setting.Invalid("--addr", addr, err)}
		}
		settings = func(k string) string {
			if k == EnvAddr {
				return addr
			}
			return getenv(k)
		}
	}
	cfg, err := ConfigFromEnv(settings)
	if err != nil {
		return &SettingsError{err}
	}
	defer TuneRuntime(getenv)()
	return Run(ctx, cfg, NewLogger(stderr))
}

// isSet reports whether the flag name was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	set := false
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// NewLogger is the relay's log: JSON lines on w.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, nil))
}

// ConfigFromEnv reads the relay's settings through getenv (os.Getenv in
// main) and checks them. The error lists every problem, each naming its
// variable and what to do.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{
		Addr:            getenv(EnvAddr),
		WebhookSecret:   getenv(EnvWebhookSecret),
		AutomationToken: getenv(EnvAutomationToken),
		GitHubToken:     getenv(EnvGitHubToken),
		Repository:      strings.TrimSpace(getenv(EnvRepository)),
		GitHubAPIURL:    strings.TrimSpace(getenv(EnvGitHubAPIURL)),
	}
	if cfg.Addr == "" {
		cfg.Addr = DefaultAddr
	}
	if cfg.GitHubAPIURL == "" {
		cfg.GitHubAPIURL = DefaultGitHubAPIURL
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}
