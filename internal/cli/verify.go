package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/term"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/awsstore"
	"github.com/rotor-dev/rotor/internal/verify/azurestore"
	"github.com/rotor-dev/rotor/internal/verify/tlsstore"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore"
)

// defaultVerifyTimeout bounds one credential's check, its retries
// included: a store that throttles gets its backoff, one that hangs does
// not hold the run.
const defaultVerifyTimeout = time.Minute

type verifyOptions struct {
	registerOptions
	IDs     []string // empty: every credential with a source
	Format  string   // text, json or markdown
	Timeout time.Duration
}

func newVerifyCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "verify",
		Usage: "ask each secret store when the secret really changed, and compare with the register",
		Description: "For every credential with a source: (or those --id names), asks the store for the metadata " +
			"of the secret's current version, never its value, and judges the store's date against last_changed " +
			"within verify.tolerance_days: confirmed, unrecorded (the store changed later: a rotation the register " +
			"does not know), unconfirmed (the register claims a rotation the store never saw) or error (what failed " +
			"and what to fix). Credentials without a source are counted as no-source. Read-only. In GitHub Actions, " +
			"unconfirmed and error become annotations on the credential's line and the Markdown goes to the job " +
			"summary. Exit status: 0 nothing failed (unrecorded is a warning), 1 unconfirmed or error, or the " +
			"register has errors, 2 usage or a store setting that is set but wrong (half of Vault's variables, say). See docs/verify.md.",
		Flags: append(registerFlags(),
			&cli.StringSliceFlag{Name: "id", Usage: "check only these credential `ids` (repeat or comma-separate)"},
			&cli.StringFlag{Name: "format", Usage: "output `format`: text, json or markdown", Value: "text"},
			&cli.DurationFlag{Name: "timeout", Usage: "the longest `duration` one credential's check may take, retries included", Value: defaultVerifyTimeout},
		),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			return runVerify(c.Context, f, verifyOptions{registerOptions: ro, IDs: splitList(c.StringSlice("id")),
				Format: c.String("format"), Timeout: c.Duration("timeout")})
		},
	}
}

func runVerify(ctx context.Context, f *factory, o verifyOptions) error {
	if err := checkFormat(o.Format, "text", "json", "markdown"); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return usageError("--timeout %s: give a positive duration such as 30s or 2m", o.Timeout)
	}
	res, err := requireValid(ctx, f, o.registerOptions)
	if err != nil {
		return err
	}
	creds, err := selectCredentials(res.Register, o.IDs)
	if err != nil {
		return err
	}
	checkers, err := f.verifyCheckers(creds, o.Timeout)
	if err != nil {
		return usageError("%w", err)
	}
	settings := res.Register.Settings
	rep, err := verify.Run(ctx, creds, verify.Options{
		Today:         res.Today,
		Location:      settings.Timezone,
		ToleranceDays: settings.Verify.ToleranceDays,
		Concurrency:   settings.Verify.Concurrency,
		Timeout:       o.Timeout,
		Checkers:      checkers,
		Progress:      verifyProgress(f.Stderr),
	})
	if err != nil {
		return fmt.Errorf("rotor verify stopped before every store answered: %w", err)
	}
	switch o.Format {
	case "json":
		err = rep.WriteJSON(f.Stdout)
	case "markdown":
		err = rep.WriteMarkdown(f.Stdout)
	default:
		err = writeFit(f.Stdout, f.layout(f.Stdout), func(w io.Writer, _ term.Layout) error { return rep.WriteText(w) })
	}
	if err != nil {
		return err
	}
	if f.inActions() {
		writeAnnotations(f.Stdout, verifyFindings(rep))
		var md strings.Builder
		if err := rep.WriteMarkdown(&md); err != nil {
			return err
		}
		if err := appendStepSummary(f.Env, md.String()); err != nil {
			fmt.Fprintf(f.Stderr, "%swarning: %v\n", exitPrefix, err)
		}
	}
	if rep.Failed() {
		return failed("%s as of %s", rep.CountsLine(), rep.Today)
	}
	fmt.Fprintf(f.Stderr, "%s%s as of %s\n", exitPrefix, rep.CountsLine(), rep.Today)
	return nil
}

// selectCredentials returns the credentials of reg ids names, in the
// register's order, or every one when ids is empty. An id the register
// does not have, or one without a source, is a usage error: a typo must
// not pass as a credential with nothing to report.
func selectCredentials(reg *rotation.Register, ids []string) ([]*rotation.Credential, error) {
	if len(ids) == 0 {
		return reg.Credentials, nil
	}
	var problems []string
	for _, id := range ids {
		c := reg.ByID(id)
		switch {
		case c == nil:
			hint := "rotor status lists the ids"
			if s := textsafe.Suggest(id, credentialIDs(reg)); s != "" {
				hint = fmt.Sprintf("did you mean %q?", s)
			}
			problems = append(problems, fmt.Sprintf("--id %s: the register has no such credential: %s", strconv.Quote(id), hint))
		case c.Source.Kind() == "":
			problems = append(problems, fmt.Sprintf("--id %s names no source: add source: to the credential (see credential_rotation/template.yaml) to verify it", strconv.Quote(id)))
		}
	}
	if len(problems) > 0 {
		return nil, usageError("%s", strings.Join(problems, "\n"))
	}
	return slices.DeleteFunc(slices.Clone(reg.Credentials), func(c *rotation.Credential) bool { return !slices.Contains(ids, c.ID) }), nil
}

// credentialIDs lists the ids of reg's credentials.
func credentialIDs(reg *rotation.Register) []string {
	ids := make([]string, 0, len(reg.Credentials))
	for _, c := range reg.Credentials {
		ids = append(ids, c.ID)
	}
	return ids
}

// verifyProgress reports long runs on w, every tenth of the way, so a log
// shows rotor is still asking; a run of fewer than 100 checks is quiet.
func verifyProgress(w io.Writer) func(done, total int) {
	return func(done, total int) {
		if total < 100 {
			return
		}
		if done%(total/10) == 0 || done == total {
			fmt.Fprintf(w, "%sverified %d of %d credentials\n", exitPrefix, done, total)
		}
	}
}

// verifyFindings are the results that need attention as findings on the
// credential's line, for annotations: unconfirmed and error are errors,
// unrecorded a warning.
func verifyFindings(rep *verify.Report) []register.Finding {
	var fs []register.Finding
	for _, r := range rep.Listed() {
		sev := register.SeverityError
		switch r.Verdict {
		case verify.VerdictError, verify.VerdictUnconfirmed:
		case verify.VerdictUnrecorded:
			sev = register.SeverityWarning
		default:
			continue
		}
		fs = append(fs, register.Finding{
			File: r.Pos.File, Line: r.Pos.Line, Column: r.Pos.Column, Severity: sev,
			Rule: "verify-" + string(r.Verdict), Message: fmt.Sprintf("%s: %s", r.ID, r.Detail),
		})
	}
	return fs
}

// verifyCheckers builds one checker per kind of store creds name, each
// from its standard configuration (verifyChecker).
func (f *factory) verifyCheckers(creds []*rotation.Credential, timeout time.Duration) (map[rotation.SourceKind]verify.Checker, error) {
	checkers := map[rotation.SourceKind]verify.Checker{}
	var errs []error
	for _, c := range creds {
		kind := c.Source.Kind()
		if kind == "" || checkers[kind] != nil {
			continue
		}
		checker, err := f.verifyChecker(kind, timeout)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		checkers[kind] = checker
	}
	return checkers, errors.Join(errs...)
}

// verifyChecker builds the checker of one kind of store from its standard
// configuration. A configuration that is set but wrong (half of Vault's
// variables, a plain http:// VAULT_ADDR to another host) is an error, as
// in every command: exit 2 before any store is asked. A store that is not
// configured at all gets a checker that answers each check with what to
// set, so that its credentials say so and the other stores are still
// asked.
func (f *factory) verifyChecker(kind rotation.SourceKind, timeout time.Duration) (verify.Checker, error) {
	switch kind {
	case rotation.SourceAWSSecretsManager:
		return awsstore.NewSecretsManager(f.awsOptions()), nil
	case rotation.SourceAWSIAMAccessKey:
		return awsstore.NewIAM(f.awsOptions()), nil
	case rotation.SourceVaultKV:
		o, err := vaultstore.OptionsFromEnv(f.Getenv)
		if err != nil {
			return nil, err
		}
		o.Now, o.Timeout = f.Now, timeout
		if f.Sleep != nil {
			o.Retry.Sleep = f.Sleep
		}
		c, err := vaultstore.New(o)
		switch {
		case err != nil && f.anySet(vaultVars):
			return nil, err
		case err != nil:
			return brokenChecker{err}, nil
		}
		return c, nil
	case rotation.SourceAzureKeyVault:
		// azidentity's DefaultAzureCredential reads the AZURE_* variables
		// of the process itself; Env.HTTPClient's transport, when set,
		// carries the requests (a test's, trusting its fakes).
		o := azurestore.Options{Timeout: timeout}
		if f.HTTPClient != nil {
			o.Transport = f.HTTPClient.Transport
		}
		if f.Sleep != nil {
			o.Retry.Sleep = f.Sleep
		}
		return azurestore.New(o), nil
	case rotation.SourceTLS:
		return tlsstore.New(tlsstore.Options{Now: f.Now})
	}
	return brokenChecker{verify.Errorf(verify.ReasonConfig, nil,
		"rotor cannot ask %s stores: take source: out of the credential, or verify it in the store by hand", kind)}, nil
}

// vaultVars are the variables that configure Vault; vaultstore reads them.
var vaultVars = []string{vaultstore.EnvAddress, vaultstore.EnvToken}

// awsOptions are the AWS adapters' options: the SDK's default chain, and
// in tests a backoff that does not wait.
func (f *factory) awsOptions() awsstore.Options {
	var o awsstore.Options
	if f.Sleep != nil {
		o.Backoff = func(int) time.Duration { return 0 }
	}
	return o
}

// storeGate is record's gate of verify.require_for_record: it asks the
// credential's store, read-only, whether its current version was written
// after the previous rotation (verify.ShowsRotation).
func (f *factory) storeGate(toleranceDays int, loc *time.Location) func(context.Context, *rotation.Credential, rotation.Date) (record.StoreCheck, error) {
	return func(ctx context.Context, c *rotation.Credential, done rotation.Date) (record.StoreCheck, error) {
		ctx, cancel := context.WithTimeout(ctx, defaultVerifyTimeout)
		defer cancel()
		checker, err := f.verifyChecker(c.Source.Kind(), defaultVerifyTimeout)
		if err != nil {
			return record.StoreCheck{}, err
		}
		obs, err := checker.Check(ctx, c.Source)
		if err != nil {
			return record.StoreCheck{}, err
		}
		ok, _ := verify.ShowsRotation(obs.Changed, c.LastChanged, done, toleranceDays, loc)
		return record.StoreCheck{Confirmed: ok, Evidence: obs.Evidence, Source: c.Source.String()}, nil
	}
}

// brokenChecker answers every check with the error that kept its store
// from being configured.
type brokenChecker struct{ err error }

func (b brokenChecker) Check(context.Context, *rotation.Source) (verify.Observation, error) {
	return verify.Observation{}, b.err
}
