package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/mail"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/textsafe"
	"github.com/rotor-dev/rotor/internal/validate"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore"
)

// defaultDoctorTimeout is how long each check of rotor doctor waits for
// its answers unless --timeout says otherwise.
const defaultDoctorTimeout = 10 * time.Second

type doctorOptions struct {
	registerOptions
	JiraOverrides jiraOverrides
	// Timeout bounds each check (each Jira check, the GitHub checks, the
	// SMTP conversation).
	Timeout time.Duration
	// Format is text or json.
	Format string
	// SMTPInsecure lets smtp:// go without TLS, as report --smtp-insecure.
	SMTPInsecure bool
}

func newDoctorCommand(f *factory) *cli.Command {
	return &cli.Command{
		Name:  "doctor",
		Usage: "check the register, Jira, GitHub and e-mail configuration and say what to fix",
		Description: "Runs every check it can with the settings it has and lists each: ok, warn, FAIL or skip, " +
			"with what it found and what to do next. Always: the register and rotor.yaml load and validate. With " +
			envJiraURL + ", " + envJiraEmail + " and " + envJiraToken + " set: the Jira site answers, the API token works, " +
			"the project exists, rotor's user has the permissions it needs, the issue type exists in the project, its " +
			"workflow has TO DO, IN PROGRESS and DONE statuses, and the custom fields in rotor.yaml exist. With GitHub " +
			"configured (" + names(githubVars) + "): the repository answers, the token may push and may open pull requests. " +
			"With " + envSMTPURL + " set: the server answers, starts TLS and accepts the credentials (no mail is sent), " +
			"and the report has a sender (" + envReportFrom + ") and recipients. A service that is not configured is " +
			"skipped, not failed. Exit status: 0 every check passed or was skipped (warnings included), 1 a check " +
			"failed, 2 a setting is malformed or the flags are wrong (named, its value not shown).",
		Flags: doctorFlags(),
		Action: func(c *cli.Context) error {
			ro, err := resolveRegister(c, f.Env)
			if err != nil {
				return err
			}
			return runDoctor(c.Context, f, doctorOptions{
				registerOptions: ro,
				JiraOverrides:   readJiraOverrides(c, f.Env),
				Timeout:         c.Duration("timeout"),
				Format:          c.String("format"),
				SMTPInsecure:    c.Bool("smtp-insecure"),
			})
		},
	}
}

// doctorFlags are the register's and the Jira settings' flags, with
// doctor's own --timeout (each check's, not the run's), --format and
// --smtp-insecure.
func doctorFlags() []cli.Flag {
	flags := registerFlags()
	for _, fl := range jiraFlags() {
		if fl.Names()[0] != "timeout" {
			flags = append(flags, fl)
		}
	}
	return append(flags,
		&cli.DurationFlag{Name: "timeout", Usage: "how long each check waits for an answer", Value: defaultDoctorTimeout},
		&cli.StringFlag{Name: "format", Usage: "output `format`: text or json", Value: "text"},
		&cli.BoolFlag{DisableDefaultText: true, Name: "smtp-insecure", Usage: "allow smtp:// without TLS (a trusted network only), as rotor report --smtp-insecure"},
	)
}

// doctorStatus is the outcome of one check.
type doctorStatus string

const (
	doctorOK      doctorStatus = "ok"      // passed
	doctorWarn    doctorStatus = "warn"    // passed, but not as the docs set it up: exit 0
	doctorFail    doctorStatus = "fail"    // failed: exit 1
	doctorSkipped doctorStatus = "skipped" // not checked: not configured, or an earlier check failed
)

// doctorStatuses are the statuses in the order the summary counts them.
var doctorStatuses = []doctorStatus{doctorOK, doctorWarn, doctorFail, doctorSkipped}

// mark is the status as the text list shows it, four columns wide.
func (s doctorStatus) mark() string {
	switch s {
	case doctorFail:
		return "FAIL"
	case doctorSkipped:
		return "skip"
	}
	return string(s)
}

// doctorCheck is one line of rotor doctor: what was checked, how it went,
// what was found and, unless it passed, what to do next.
type doctorCheck struct {
	Name   string       `json:"name"`
	Status doctorStatus `json:"status"`
	Detail string       `json:"detail"`
	Fix    string       `json:"fix,omitempty"`
}

// Names of the checks that are not Jira's (jira.Check*).
const (
	checkRegister     = "register"
	checkJira         = "Jira"
	checkGitHub       = "GitHub (rotor record)"
	checkGitHubRepo   = "GitHub repository is reachable"
	checkPush         = "token may push"
	checkPulls        = "token may open pull requests"
	checkEmail        = "e-mail (rotor report --email)"
	checkSMTP         = "SMTP server"
	checkAddresses    = "report sender and recipients"
	checkSecretStores = "secret stores (rotor verify)"
)

// doctorGroup runs the checks of one service; groups run concurrently.
type doctorGroup func(ctx context.Context) []doctorCheck

func runDoctor(ctx context.Context, f *factory, o doctorOptions) error {
	if err := checkFormat(o.Format, "text", "json"); err != nil {
		return err
	}
	if o.Timeout <= 0 {
		return usageError("--timeout %s: give each check time to get an answer, e.g. --timeout %s", o.Timeout, defaultDoctorTimeout)
	}
	// The register is read first: rotor.yaml holds the Jira settings and
	// the report's recipients. One that cannot be read at all fails its
	// check, and the checks that need it are skipped.
	res, regErr := loadRegister(ctx, f, o.registerOptions)
	// Every configuration is checked before any network check: one that
	// is set but wrong is exit 2, as in every command, and nothing is
	// printed but the error.
	var errs []error
	add := func(g doctorGroup, err error) doctorGroup {
		if err != nil {
			errs = append(errs, err)
		}
		return g
	}
	groups := []doctorGroup{
		func(context.Context) []doctorCheck { return []doctorCheck{registerCheck(res, regErr, o.Root)} },
		add(f.doctorJira(res, o)),
		add(f.doctorGitHub(o.Timeout)),
		add(f.doctorEmail(res, o)),
		add(f.doctorStores(res, o.Timeout)),
	}
	if err := errors.Join(errs...); err != nil {
		return usageError("%w", err)
	}

	results := make([][]doctorCheck, len(groups))
	var wg sync.WaitGroup
	for i, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = g(ctx)
		}()
	}
	wg.Wait()
	var checks []doctorCheck
	for _, r := range results {
		checks = append(checks, r...)
	}

	counts := map[doctorStatus]int{}
	for _, s := range doctorStatuses {
		counts[s] = 0
	}
	for _, c := range checks {
		counts[c.Status]++
	}
	var err error
	if o.Format == "json" {
		err = writeDoctorJSON(f.Stdout, checks, counts)
	} else {
		err = writeDoctorText(f.Stdout, checks)
	}
	if err != nil {
		return err
	}
	summary := doctorSummary(counts)
	if counts[doctorFail] > 0 {
		return failed("%s; do what each FAIL says and run rotor doctor again", summary)
	}
	fmt.Fprintf(f.Stderr, "%s%s\n", exitPrefix, summary)
	return nil
}

// writeDoctorText writes the checks as an aligned list: the status, the
// name and what was found on a line, what to do next on the one below.
// Names and details quote outside text (Jira's and GitHub's answers, the
// register, the environment): they go through textsafe.
func writeDoctorText(w io.Writer, checks []doctorCheck) error {
	var b strings.Builder
	for _, c := range checks {
		fmt.Fprintf(&b, "%-4s  %s", c.Status.mark(), textsafe.Value(c.Name))
		if c.Detail != "" {
			fmt.Fprintf(&b, ": %s", textsafe.Value(c.Detail))
		}
		b.WriteByte('\n')
		if c.Fix != "" {
			fmt.Fprintf(&b, "      fix: %s\n", textsafe.Value(c.Fix))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeDoctorJSON writes {"checks":[...],"counts":{...}}. encoding/json
// escapes every control character; a "[" after "#" is written \u005b, as
// textsafe.Value writes it, so that no "##[" reaches a workflow log. Only
// strings can hold "#[", and the escape reads back the same.
func writeDoctorJSON(w io.Writer, checks []doctorCheck, counts map[doctorStatus]int) error {
	if checks == nil {
		checks = []doctorCheck{}
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	if err := enc.Encode(struct {
		Checks []doctorCheck        `json:"checks"`
		Counts map[doctorStatus]int `json:"counts"`
	}{checks, counts}); err != nil {
		return err
	}
	_, err := io.WriteString(w, strings.ReplaceAll(b.String(), "#[", `#\u005b`))
	return err
}

// doctorSummary is the last line: "all 5 checks passed", "1 check
// passed, 3 skipped", "2 checks failed, 1 warning, 6 passed".
func doctorSummary(counts map[doctorStatus]int) string {
	ok, warn, fail, skipped := counts[doctorOK], counts[doctorWarn], counts[doctorFail], counts[doctorSkipped]
	if warn == 0 && fail == 0 && skipped == 0 {
		if ok == 1 {
			return "1 check passed"
		}
		return fmt.Sprintf("all %d checks passed", ok)
	}
	var parts []string
	noun := true // the first count of checks names them
	checks := func(n int, verb string) {
		if n == 0 {
			return
		}
		if noun {
			parts = append(parts, textsafe.Plural(n, "check", "checks")+" "+verb)
			noun = false
		} else {
			parts = append(parts, fmt.Sprintf("%d %s", n, verb))
		}
	}
	checks(fail, "failed")
	if warn > 0 {
		parts = append(parts, textsafe.Plural(warn, "warning", "warnings"))
	}
	checks(ok, "passed")
	checks(skipped, "skipped")
	return strings.Join(parts, ", ")
}

// registerCheck is the register's check: it loads and validates; its
// errors fail it, its warnings make it a warning.
func registerCheck(res *validate.Result, readErr error, root string) doctorCheck {
	c := doctorCheck{Name: checkRegister}
	validateCmd := "rotor validate"
	if root != register.DefaultRoot {
		validateCmd += " --register " + root
	}
	if readErr != nil {
		c.Status = doctorFail
		c.Detail = readErr.Error()
		c.Fix = fmt.Sprintf("run rotor doctor in the repository that holds %s, or name the folder with --register (env %s)", register.DefaultRoot, envRegister)
		return c
	}
	scope := fmt.Sprintf("%s in %s", textsafe.Plural(len(res.Register.Credentials), "credential", "credentials"), textsafe.Plural(len(res.Files), "file", "files"))
	errs, warns := res.Errors(), register.CountWarnings(res.Findings)
	switch {
	case errs > 0:
		c.Status = doctorFail
		c.Detail = fmt.Sprintf("%s, %s (%s)", textsafe.Plural(errs, "error", "errors"), textsafe.Plural(warns, "warning", "warnings"), scope)
		c.Fix = "run " + validateCmd + " to see each with its file and line, and fix them"
	case warns > 0:
		c.Status = doctorWarn
		c.Detail = fmt.Sprintf("%s (%s)", textsafe.Plural(warns, "warning", "warnings"), scope)
		c.Fix = "run " + validateCmd + " to see each with its file and line"
	default:
		c.Status = doctorOK
		c.Detail = scope
	}
	return c
}

// skipped is a group of one check that was not run, and why.
func skipped(name, why, fix string) doctorGroup {
	return func(context.Context) []doctorCheck {
		return []doctorCheck{{Name: name, Status: doctorSkipped, Detail: why, Fix: fix}}
	}
}

// doctorJira is the Jira group: jira.Client.Doctor's checks, or one
// skipped check when none of the Jira variables is set. Some set and
// some not is a configuration error, as in every Jira command.
func (f *factory) doctorJira(res *validate.Result, o doctorOptions) (doctorGroup, error) {
	if !f.anySet(jiraVars) {
		return skipped(checkJira, "not configured: set "+names(jiraVars)+" to check the site, the token, the project and its workflow", ""), nil
	}
	if res == nil {
		return skipped(checkJira, "not checked: the register could not be read, and its rotor.yaml holds the Jira settings", ""), nil
	}
	client, err := f.jiraClient(o.JiraOverrides.apply(res.Register.Settings.Jira))
	if err != nil && res.Errors() > 0 {
		// The Jira settings may be what the register's errors are
		// about: the register's check says what to fix first.
		return skipped(checkJira, "not checked: the register has errors, and "+err.Error(), "fix the register's errors first (rotor validate)"), nil
	}
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) []doctorCheck {
		var checks []doctorCheck
		for _, c := range client.Doctor(ctx, o.Timeout) {
			checks = append(checks, fromJira(c))
		}
		return checks
	}, nil
}

// fromJira is a Jira check as a doctor check.
func fromJira(c jira.Check) doctorCheck {
	d := doctorCheck{Name: c.Name, Detail: c.Detail, Fix: c.Fix}
	switch {
	case c.Skipped:
		d.Status = doctorSkipped
	case !c.OK:
		d.Status = doctorFail
	case c.Warn:
		d.Status = doctorWarn
	default:
		d.Status = doctorOK
	}
	return d
}

// doctorGitHub is the GitHub group: what rotor record needs of GitHub,
// checked without writing: the token reaches the repository, may push,
// and may open pull requests. Without any GitHub setting it is one
// skipped check that says how to have them checked.
func (f *factory) doctorGitHub(timeout time.Duration) (doctorGroup, error) {
	if !f.anySet(githubVars) {
		return skipped(checkGitHub, "not configured: set "+envGitHubToken+" and "+envGitHubRepository+" (or "+envActionsRepository+
			", which Actions sets) to check that rotor record can push and open pull requests", ""), nil
	}
	client, err := f.githubClient()
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context) []doctorCheck {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		return githubChecks(ctx, client, timeout)
	}, nil
}

// githubChecks are the GitHub checks of client within ctx.
func githubChecks(ctx context.Context, client *github.Client, timeout time.Duration) []doctorCheck {
	acc, err := client.CheckPullRequestAccess(ctx)
	if err != nil {
		c := doctorCheck{Name: checkGitHubRepo, Status: doctorFail, Detail: err.Error()}
		switch {
		case errors.Is(ctx.Err(), context.DeadlineExceeded):
			c.Detail = fmt.Sprintf("no answer within %s from the GitHub API (%s)", timeout, err)
			c.Fix = "check that this machine reaches the GitHub API (" + envGitHubAPIURL + " for GitHub Enterprise Server); if it is only slow, allow more time (rotor doctor --timeout)"
		case github.StatusCode(err) == http.StatusUnauthorized:
			c.Fix = "set " + envGitHubToken + " to a current token: the workflow's own, a GitHub App installation token or a fine-grained token (docs/record.md)"
		case github.StatusCode(err) == http.StatusNotFound || github.StatusCode(err) == http.StatusForbidden:
			c.Fix = "check " + envGitHubRepository + " (or " + envActionsRepository + ") is owner/name of the register's repository, and give the token access to it"
		default:
			c.Fix = "check that this machine reaches the GitHub API (" + envGitHubAPIURL + " for GitHub Enterprise Server), then run rotor doctor again"
		}
		return []doctorCheck{c}
	}
	info := acc.Repository
	detail := fmt.Sprintf("%s, default branch %s, %s", info.FullName, info.DefaultBranch, acc.Token)
	if !info.TokenExpiration.IsZero() {
		detail += ", token expires " + info.TokenExpiration.UTC().Format("2006-01-02 15:04 MST")
	}
	checks := []doctorCheck{{Name: checkGitHubRepo, Status: doctorOK, Detail: detail}}
	switch acc.Push {
	case github.Yes:
		checks = append(checks, doctorCheck{Name: checkPush, Status: doctorOK, Detail: "permissions.push is true"})
	case github.No:
		checks = append(checks, doctorCheck{Name: checkPush, Status: doctorFail,
			Detail: "permissions.push is false: rotor record cannot push rotor/record/<id>",
			Fix:    "give the token Contents: read and write on " + info.FullName + " (fine-grained token or GitHub App), or write access to the repository"})
	default:
		checks = append(checks, doctorCheck{Name: checkPush, Status: doctorSkipped, Detail: "GitHub does not say for this kind of token"})
	}
	switch {
	case acc.List == github.No:
		checks = append(checks, doctorCheck{Name: checkPulls, Status: doctorFail, Detail: "it cannot even list them",
			Fix: "give the token Pull requests: read and write on " + info.FullName})
	case acc.Scope == github.No:
		checks = append(checks, doctorCheck{Name: checkPulls, Status: doctorFail, Detail: "the classic token lacks the repo scope",
			Fix: "create a token with the repo scope, or a fine-grained token with Pull requests: read and write"})
	default:
		// What GitHub does not show this kind of token goes with the
		// check it bears on: it passed as far as it can be checked.
		detail := "listing pull requests works"
		if len(acc.Unchecked) > 0 {
			detail += "; not checkable with this token: " + strings.Join(acc.Unchecked, "; ")
		}
		checks = append(checks, doctorCheck{Name: checkPulls, Status: doctorOK, Detail: detail})
	}
	return checks
}

// doctorEmail is the e-mail group of rotor report --email: the SMTP
// server, then the report's sender and recipients. Without ROTOR_SMTP_URL
// it is one skipped check. A malformed URL is a configuration error,
// named without its value (setting.Invalid).
func (f *factory) doctorEmail(res *validate.Result, o doctorOptions) (doctorGroup, error) {
	raw := f.Getenv(envSMTPURL)
	if strings.TrimSpace(raw) == "" {
		return skipped(checkEmail, "not configured: set "+envSMTPURL+" (and "+envReportFrom+") to check the server rotor report --email sends through", ""), nil
	}
	ep, err := mail.ParseURL(raw, o.SMTPInsecure)
	if err != nil {
		return nil, setting.Invalid(envSMTPURL, raw, err)
	}
	// The check's context ends first, so that a silent server is told
	// apart from a refused connection; the sender's own bound on each
	// command is only a backstop.
	sender, err := mail.New(mail.Config{URL: raw, Insecure: o.SMTPInsecure, Timeout: 2 * o.Timeout, Attempts: 1, Sleep: f.Sleep})
	if err != nil {
		return nil, setting.Invalid(envSMTPURL, raw, err)
	}
	addresses := f.reportAddresses(res)
	return func(ctx context.Context) []doctorCheck {
		ctx, cancel := context.WithTimeout(ctx, o.Timeout)
		defer cancel()
		return []doctorCheck{smtpCheck(ctx, sender, ep, o.Timeout), addresses}
	}, nil
}

// smtpCheck connects to the server, starts TLS and logs in as rotor
// report --email does, and sends nothing. It names the server by
// host:port only: the URL may carry a password.
func smtpCheck(ctx context.Context, sender *mail.Sender, ep mail.Endpoint, timeout time.Duration) doctorCheck {
	c := doctorCheck{Name: checkSMTP}
	err := sender.Check(ctx)
	if err == nil {
		c.Status = doctorOK
		c.Detail = fmt.Sprintf("%s answers (%s)", ep.Addr(), ep.Security)
		if ep.HasAuth() {
			c.Detail += fmt.Sprintf(" and accepts the credentials of user %q", ep.Username)
		}
		c.Detail += "; no mail sent"
		return c
	}
	c.Status = doctorFail
	c.Detail = err.Error()
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		c.Detail = fmt.Sprintf("%s: no answer within %s", ep.Addr(), timeout)
		c.Fix = fmt.Sprintf("check the host and port in %s and that this machine may reach it (firewall, egress rules); if the server is only slow, allow more time (rotor doctor --timeout)", envSMTPURL)
	case errors.Is(err, mail.ErrAuth):
		c.Fix = fmt.Sprintf("check the user name and password in %s (percent-encoded), or the account's SMTP access", envSMTPURL)
	case errors.Is(err, mail.ErrNoSTARTTLS):
		c.Fix = fmt.Sprintf("use smtps:// in %s if the server speaks TLS from the start (port 465), or, only on a trusted network, --smtp-insecure", envSMTPURL)
	case errors.Is(err, mail.ErrTLS):
		c.Fix = fmt.Sprintf("check the host in %s against the server's certificate, and the port's kind of TLS (smtp:// STARTTLS on 587, smtps:// on 465)", envSMTPURL)
	default:
		c.Fix = fmt.Sprintf("check the host and port in %s and that this machine may reach it (firewall, egress rules)", envSMTPURL)
	}
	return c
}

// reportAddresses checks the report's sender (ROTOR_REPORT_FROM) and
// recipients (ROTOR_REPORT_TO, else report.recipients in rotor.yaml) as
// rotor report --email reads them and as a message takes them.
func (f *factory) reportAddresses(res *validate.Result) doctorCheck {
	c := doctorCheck{Name: checkAddresses}
	var problems, fixes []string
	from := strings.TrimSpace(f.Getenv(envReportFrom))
	if from == "" {
		problems = append(problems, envReportFrom+" is not set")
		fixes = append(fixes, "set "+envReportFrom+" to the sender's address, e.g. rotor@example.com")
	} else if _, err := mail.ParseAddress("sender", from); err != nil {
		problems = append(problems, envReportFrom+": "+err.Error())
		fixes = append(fixes, "correct "+envReportFrom)
	}
	// The recipients as rotor report --email reads them; without any,
	// its error is the problem, told below in doctor's words.
	var settings rotation.Settings
	if res != nil {
		settings = res.Register.Settings
	}
	to, _ := reportRecipients(f.Env, settings)
	source := "report.recipients in rotor.yaml"
	if strings.TrimSpace(f.Getenv(envReportTo)) != "" {
		source = envReportTo
	}
	badTo := false
	for _, a := range to {
		if _, err := mail.ParseAddress("recipient", a); err != nil {
			problems = append(problems, source+": "+err.Error())
			badTo = true
		}
	}
	switch {
	case len(to) == 0 && res == nil && source != envReportTo:
		problems = append(problems, "no recipients: "+envReportTo+" is not set and the register could not be read")
		fixes = append(fixes, "set "+envReportTo+", or fix the register and list them under report.recipients in rotor.yaml")
	case len(to) == 0:
		problems = append(problems, "no recipients")
		fixes = append(fixes, "list them under report.recipients in rotor.yaml, or set "+envReportTo+" (comma-separated)")
	case badTo:
		fixes = append(fixes, "correct the recipients in "+source)
	}
	if len(problems) > 0 {
		c.Status = doctorFail
		c.Detail = strings.Join(problems, "; ")
		c.Fix = strings.Join(fixes, "; ")
		return c
	}
	c.Status = doctorOK
	c.Detail = fmt.Sprintf("from %s to %s (%s)", from, strings.Join(to, ", "), source)
	return c
}

// doctorStores is the group of the secret stores the register names: for
// each kind, the first credential of that kind (by id) is asked as rotor
// verify asks it, when the environment configures that kind of store; a
// kind it does not configure is skipped, saying what to set. A store's
// configuration that is set but wrong is an error, as for the other
// services.
func (f *factory) doctorStores(res *validate.Result, timeout time.Duration) (doctorGroup, error) {
	if res == nil {
		return skipped(checkSecretStores, "the register could not be read", ""), nil
	}
	first := map[rotation.SourceKind]*rotation.Credential{}
	for _, c := range res.Register.Credentials {
		k := c.Source.Kind()
		if k != "" && (first[k] == nil || c.ID < first[k].ID) {
			first[k] = c
		}
	}
	if len(first) == 0 {
		return skipped(checkSecretStores, "no credential names a source:", "add source: to a credential to have rotor verify ask its store (docs/verify.md)"), nil
	}
	type store struct {
		kind    rotation.SourceKind
		cred    *rotation.Credential
		checker verify.Checker // nil: not configured
		missing string         // what to set, when not configured
	}
	var stores []store
	var errs []error
	for _, kind := range rotation.SourceKinds {
		c := first[kind]
		if c == nil {
			continue
		}
		s := store{kind: kind, cred: c, missing: f.storeUnconfigured(kind)}
		if s.missing == "" {
			checker, err := f.verifyChecker(kind, timeout)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s.checker = checker
		}
		stores = append(stores, s)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return func(ctx context.Context) []doctorCheck {
		var checks []doctorCheck
		for _, s := range stores {
			name := "secret store: " + string(s.kind)
			if s.checker == nil {
				checks = append(checks, doctorCheck{Name: name, Status: doctorSkipped, Detail: "not configured", Fix: s.missing})
				continue
			}
			cctx, cancel := context.WithTimeout(ctx, timeout)
			obs, err := s.checker.Check(cctx, s.cred.Source)
			cancel()
			if err != nil {
				detail := err.Error()
				if verify.ReasonOf(err) == verify.ReasonUnreachable && cctx.Err() != nil {
					detail = fmt.Sprintf("no answer within %s", timeout)
				}
				checks = append(checks, doctorCheck{Name: name, Status: doctorFail,
					Detail: fmt.Sprintf("asked about %s (%s): %s", s.cred.ID, s.cred.Source, detail),
					Fix:    "docs/verify.md gives the permission rotor needs and the variables it reads for " + string(s.kind)})
				continue
			}
			checks = append(checks, doctorCheck{Name: name, Status: doctorOK, Detail: fmt.Sprintf("asked about %s: %s", s.cred.ID, obs.Evidence)})
		}
		return checks
	}, nil
}

// storeUnconfigured says what to set when the environment names no
// configuration for a kind of store; "" when it does. rotor doctor asks
// a store only then: an AWS or Azure SDK without credentials would probe
// the instance metadata service, and a laptop has none.
func (f *factory) storeUnconfigured(kind rotation.SourceKind) string {
	switch kind {
	case rotation.SourceAWSSecretsManager, rotation.SourceAWSIAMAccessKey:
		if !f.anySet([]string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
			"AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"}) {
			return "set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (GitHub OIDC)"
		}
	case rotation.SourceVaultKV:
		if !f.anySet(vaultVars) {
			return "set " + vaultstore.EnvAddress + " and " + vaultstore.EnvToken
		}
	case rotation.SourceAzureKeyVault:
		if !f.anySet([]string{"AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_TOKEN_CREDENTIALS"}) {
			return "set AZURE_TENANT_ID and AZURE_CLIENT_ID (with AZURE_FEDERATED_TOKEN_FILE, AZURE_CLIENT_SECRET or a managed identity), or AZURE_TOKEN_CREDENTIALS=AzureCLICredential after az login"
		}
	}
	return ""
}
