// Package cli is rotor's command line: one file per command, each with an
// options struct of plain values, its flags, and a run function that tests
// can call without flags. Main wires the commands to streams, environment
// and clock that the caller provides, so the whole CLI runs in-process in
// tests; factory.go names every environment variable and builds, when a
// command asks, what it needs.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
)

// Exit codes shared by every command.
const (
	ExitOK     = 0 // success, nothing to report
	ExitFailed = 1 // findings, failed actions, failed checks
	ExitUsage  = 2 // bad flags, bad configuration, unreadable input
	exitPrefix = "rotor: "
)

// Env is everything rotor takes from the outside world.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
	// Getenv reads an environment variable.
	Getenv func(string) string
	// Now is the clock.
	Now func() time.Time
	// HTTPClient is used for every network call (Jira, GitHub, webhooks).
	HTTPClient *http.Client
	// Sleep waits between the retries of a network call; nil: a timer.
	// Tests make it return at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Interactive reports whether a person is at the terminal (for prompts).
	Interactive bool
}

// OSEnv returns the Env of the running process.
func OSEnv() Env {
	return Env{
		Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
		Getenv: os.Getenv, Now: time.Now,
		HTTPClient:  &http.Client{Timeout: 60 * time.Second},
		Interactive: isTerminal(os.Stdin),
	}
}

// layout is how text written to w is laid out: the terminal's width and
// colour when w is a terminal (term.For); no limit and no colour for a
// pipe or a file unless COLUMNS is set.
func (e Env) layout(w io.Writer) term.Layout { return term.For(w, e.Getenv) }

// writeFit writes what write writes to w, fitted to l: write fits its
// tables (term.Table), and every other line wider than the terminal is
// wrapped (term.Fit). Without a width limit, write writes to w as it is.
func writeFit(w io.Writer, l term.Layout, write func(io.Writer, term.Layout) error) error {
	if l.Width <= 0 {
		return write(w, l)
	}
	var b strings.Builder
	if err := write(&b, l); err != nil {
		return err
	}
	_, err := io.WriteString(w, term.Fit(b.String(), l.Width))
	return err
}

// exitError carries an exit code through urfave/cli.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError is a problem with how rotor was called: exit 2.
func usageError(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// failed reports that the command ran and found problems: exit 1. The
// message is printed as a last line.
func failed(format string, args ...any) error {
	return &exitError{code: ExitFailed, err: fmt.Errorf(format, args...)}
}

// Main runs rotor with args (without the program name) and returns the exit
// status.
func Main(ctx context.Context, args []string, env Env) int {
	app := newApp(newFactory(env))
	unknown := false
	app.CommandNotFound = func(_ *cli.Context, name string) {
		var names []string
		for _, c := range app.Commands {
			names = append(names, c.Name)
		}
		hint := "rotor help lists the commands"
		if s := textsafe.Suggest(name, names); s != "" {
			hint = fmt.Sprintf("did you mean %q? (rotor help lists the commands)", s)
		}
		fmt.Fprintf(env.Stderr, "%sunknown command %s: %s\n", exitPrefix, textsafe.Value(strconv.Quote(name)), hint)
		unknown = true
	}
	err := app.RunContext(ctx, append([]string{"rotor"}, args...))
	if unknown {
		return ExitUsage
	}
	if err == nil {
		return ExitOK
	}
	printError(env.Stderr, err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// urfave/cli's own errors are about flags and arguments; everything a
	// command returns unwrapped is an input or configuration problem.
	return ExitUsage
}

// printError writes err after "rotor: ", an error that lists several
// problems one per line as lines: the first after the prefix, the others
// indented. Each line is escaped on its own, so no value can break a
// line or start a workflow command.
func printError(w io.Writer, err error) {
	for i, line := range strings.Split(err.Error(), "\n") {
		if i == 0 {
			fmt.Fprintln(w, exitPrefix+textsafe.Value(line))
		} else {
			fmt.Fprintln(w, "  "+textsafe.LineStart(line))
		}
	}
}

// Version is the release version stamped into the binary: cmd/rotor sets
// it from its own `version` variable, which a release build sets with
// -ldflags "-X main.version=v1.2.3" (see .goreleaser.yaml). Empty means
// unstamped.
var Version string

// version is the stamped release version if there is one, else the module
// version rotor was built from ("devel" for a build from a checkout).
func version() string {
	if Version != "" {
		return Version
	}
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" {
		return info.Main.Version
	}
	return "devel"
}

func newApp(f *factory) *cli.App {
	return &cli.App{
		Name:  "rotor",
		Usage: "keep a register of credentials rotated, with Jira tickets and pull requests",
		Description: "rotor reads the credential register (YAML under credential_rotation/), checks it, " +
			"keeps one Jira ticket open per credential that is due, and relays Jira's done tickets to GitHub.",
		Version:        version(),
		Reader:         f.Stdin,
		Writer:         helpWriter{Writer: f.Stdout, getenv: f.Getenv},
		ErrWriter:      f.Stderr,
		ExitErrHandler: func(*cli.Context, error) {}, // Main prints and maps errors
		OnUsageError: func(_ *cli.Context, err error, _ bool) error {
			return usageError("%v (see --help)", err)
		},
		Commands: []*cli.Command{
			newInitCommand(f),
			newValidateCommand(f),
			newStatusCommand(f),
			newNewCommand(f),
			newSyncCommand(f),
			newRecordCommand(f),
			newReportCommand(f),
			newAuditCommand(f),
			newDashboardCommand(f),
			newVerifyCommand(f),
			newDoctorCommand(f),
			newRelayCommand(f),
		},
	}
}

// loadRegister validates the register and returns the result; the error is
// set only when the register cannot be read.
func loadRegister(ctx context.Context, f *factory, o registerOptions) (*validate.Result, error) {
	v, err := f.validator()
	if err != nil {
		return nil, err
	}
	res, err := v.Validate(ctx, validate.Options{Root: o.Root, Now: f.Now(), Today: o.Today})
	if err != nil {
		return nil, usageError("%v", err)
	}
	return res, nil
}

// requireValid loads the register and refuses to go on when it has errors,
// printing them so the user sees what to fix.
func requireValid(ctx context.Context, f *factory, o registerOptions) (*validate.Result, error) {
	res, err := loadRegister(ctx, f, o)
	if err != nil {
		return nil, err
	}
	if n := res.Errors(); n > 0 {
		writeFindingsText(f.Stderr, res.Findings)
		return nil, failed("the register has %s; fix them first (rotor validate shows them)", textsafe.Plural(n, "error", "errors"))
	}
	return res, nil
}

// checkFormat refuses an output format the command does not write.
func checkFormat(format string, allowed ...string) error {
	for _, a := range allowed {
		if format == a {
			return nil
		}
	}
	last := len(allowed) - 1
	return usageError("--format %q: use %s or %s", format, strings.Join(allowed[:last], ", "), allowed[last])
}
