package cli

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/github"
	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/httpretry"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/mail"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/relay"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
	"github.com/rotor-dev/rotor/internal/validate"
)

// This file is where rotor meets its environment: the name of every
// variable it reads, the flags that fall back to one of them, and the
// factory that builds the adapters. Commands read their flags into plain
// options and ask the factory for what they need, when they need it.

// The register: every command that reads it (registerFlags).
const (
	envRegister = "ROTOR_REGISTER" // --register falls back to it
	envToday    = "ROTOR_TODAY"    // --today falls back to it
)

// Overrides of rotor.yaml's Jira settings (jiraFlags, readJiraOverrides):
// sync, record, doctor, report --jira and audit --jira.
const (
	envJiraProject             = "ROTOR_JIRA_PROJECT"               // --jira-project falls back to it
	envJiraIssueType           = "ROTOR_JIRA_ISSUE_TYPE"            // --jira-issue-type falls back to it
	envJiraOverduePriority     = "ROTOR_JIRA_OVERDUE_PRIORITY"      // --jira-overdue-priority falls back to it
	envJiraFieldCredentialName = "ROTOR_JIRA_FIELD_CREDENTIAL_NAME" // jira.fields.credential_name; no flag
	envJiraFieldNextDueDate    = "ROTOR_JIRA_FIELD_NEXT_DUE_DATE"   // jira.fields.next_due_date; no flag
	envJiraFieldContactPerson  = "ROTOR_JIRA_FIELD_CONTACT_PERSON"  // jira.fields.contact_person; no flag
)

// Jira's endpoint and credentials (factory.jiraClient). No flag: they
// never show up in a process list or a shell history.
const (
	envJiraURL   = "ROTOR_JIRA_URL"   // the Jira site
	envJiraEmail = "ROTOR_JIRA_EMAIL" // the email of the Jira user rotor acts as
	envJiraToken = "ROTOR_JIRA_TOKEN" // that user's API token
)

// GitHub (factory.githubClient, factory.pushRepo, factory.author): record,
// and doctor when any of githubVars is set.
const (
	envGitHubToken      = "GITHUB_TOKEN"            // the API and git pushes
	envGitHubRepository = "ROTOR_GITHUB_REPOSITORY" // the register's repository, owner/name
	envGitHubAPIURL     = "ROTOR_GITHUB_API_URL"    // the REST API root (GitHub Enterprise Server)
	envGitAuthorName    = "ROTOR_GIT_AUTHOR_NAME"   // the author of record's commits
	envGitAuthorEmail   = "ROTOR_GIT_AUTHOR_EMAIL"  // the author's email
)

// The report's e-mail: report --email.
const (
	envSMTPURL    = "ROTOR_SMTP_URL"    // the server (factory.mailSender)
	envReportTo   = "ROTOR_REPORT_TO"   // recipients, over report.recipients (reportRecipients)
	envReportFrom = "ROTOR_REPORT_FROM" // the sender (reportMessage)
)

// Set by GitHub Actions in every job; never required.
const (
	envActions           = "GITHUB_ACTIONS"      // "true": validate annotates, sync writes the job summary, report defaults to Markdown
	envStepSummary       = "GITHUB_STEP_SUMMARY" // the job summary's file (appendStepSummary, report's Markdown)
	envActionsRepository = "GITHUB_REPOSITORY"   // the repository when ROTOR_GITHUB_REPOSITORY is unset; audit's provenance
	envActionsRefName    = "GITHUB_REF_NAME"     // audit's provenance: the branch of a detached checkout
	envEventPath         = "GITHUB_EVENT_PATH"   // record without --issue: the repository_dispatch event
)

// The relay's settings. relay.Main reads them, for `rotor relay` and the
// rotor-relay binary alike (which does not link this package); they are
// named here so that this list is whole.
const (
	envRelayAddr            = relay.EnvAddr            // --addr wins over it
	envRelayWebhookSecret   = relay.EnvWebhookSecret   // required
	envRelayAutomationToken = relay.EnvAutomationToken // Jira Automation's sender
	envRelayGitHubToken     = relay.EnvGitHubToken     // required
	envRelayRepository      = relay.EnvRepository      // required
	envRelayGitHubAPIURL    = relay.EnvGitHubAPIURL
)

// GOGC and GOMEMLIMIT belong to the Go runtime: cmd/rotor and
// relay.TuneRuntime only look whether they are set. net/http reads
// HTTPS_PROXY and NO_PROXY.

// registerFlags are the flags every register-reading command takes.
func registerFlags() []cli.Flag {
	return append(registerFolderFlag(),
		&cli.StringFlag{Name: "today", Usage: "pretend today is `YYYY-MM-DD` (env " + envToday + "); default: today in the register's time zone"})
}

// registerFolderFlag is --register alone, for a command that reads the
// register but no date of it (doctor).
func registerFolderFlag() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "register", Usage: "register `folder` (env " + envRegister + ")", Value: register.DefaultRoot, DefaultText: register.DefaultRoot},
	}
}

// registerOptions are the values of registerFlags, resolved against env.
type registerOptions struct {
	Root  string
	Today rotation.Date
}

func resolveRegister(c *cli.Context, env Env) (registerOptions, error) {
	var o registerOptions
	o.Root = flagOrEnv(c, env, "register", envRegister)
	if o.Root == "" {
		o.Root = register.DefaultRoot
	}
	if s := flagOrEnv(c, env, "today", envToday); s != "" {
		d, err := rotation.ParseDate(s)
		if err != nil {
			return o, usageError("--today: %v", err)
		}
		o.Today = d
	}
	return o, nil
}

// flagOrEnv returns the flag's value when set on the command line, else the
// environment variable, else the flag's default.
func flagOrEnv(c *cli.Context, env Env, flag, envVar string) string {
	if c.IsSet(flag) {
		return c.String(flag)
	}
	if v := strings.TrimSpace(env.Getenv(envVar)); v != "" {
		return v
	}
	return c.String(flag)
}

// The Jira settings a command may take as flags: each command names those
// it uses (jiraFlags), so its help lists no setting it never reads.
const (
	flagJiraProject         = "jira-project"
	flagJiraIssueType       = "jira-issue-type"
	flagJiraOverduePriority = "jira-overdue-priority"
)

// jiraFlags are every Jira setting's flag and --timeout.
func jiraFlags() []cli.Flag {
	return jiraFlagsFor(flagJiraProject, flagJiraIssueType, flagJiraOverduePriority)
}

// jiraFlagsFor are the flags of a command that talks to Jira: the
// settings it names, then --timeout. The endpoint and credentials come
// only from the environment, so they never show up in a process list or
// a shell history.
func jiraFlagsFor(settings ...string) []cli.Flag {
	all := []cli.Flag{
		&cli.StringFlag{Name: flagJiraProject, Usage: "Jira project `key` (env " + envJiraProject + "; default: jira.project in rotor.yaml)"},
		&cli.StringFlag{Name: flagJiraIssueType, Usage: "issue type `name` (env " + envJiraIssueType + "; default: jira.issue_type in rotor.yaml, else \"" + rotation.DefaultIssueType + "\")"},
		&cli.StringFlag{Name: flagJiraOverduePriority, Usage: "priority `name` set once when a ticket becomes overdue (env " + envJiraOverduePriority + "; default: jira.overdue_priority in rotor.yaml)"},
	}
	var flags []cli.Flag
	for _, f := range all {
		if slices.Contains(settings, f.Names()[0]) {
			flags = append(flags, f)
		}
	}
	return append(flags, &cli.DurationFlag{Name: "timeout", Usage: "overall `deadline` for the run, retries included", Value: 5 * time.Minute})
}

// jiraOverrides are the Jira settings given by flag or environment, over
// the register's (rotor.yaml). A blank one leaves the register's.
type jiraOverrides struct {
	Project, IssueType, OverduePriority string
	Fields                              rotation.FieldMapping // by environment only (ROTOR_JIRA_FIELD_*)
}

// readJiraOverrides reads the overrides of a command with jiraFlags.
func readJiraOverrides(c *cli.Context, env Env) jiraOverrides {
	return jiraOverrides{
		Project:         flagOrEnv(c, env, flagJiraProject, envJiraProject),
		IssueType:       flagOrEnv(c, env, flagJiraIssueType, envJiraIssueType),
		OverduePriority: flagOrEnv(c, env, flagJiraOverduePriority, envJiraOverduePriority),
		Fields: rotation.FieldMapping{
			CredentialName: env.Getenv(envJiraFieldCredentialName),
			NextDueDate:    env.Getenv(envJiraFieldNextDueDate),
			ContactPerson:  env.Getenv(envJiraFieldContactPerson),
		},
	}
}

// apply returns s with the overrides that are set.
func (o jiraOverrides) apply(s rotation.JiraSettings) rotation.JiraSettings {
	override := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	override(&s.Project, o.Project)
	override(&s.IssueType, o.IssueType)
	override(&s.OverduePriority, o.OverduePriority)
	override(&s.Fields.CredentialName, o.Fields.CredentialName)
	override(&s.Fields.NextDueDate, o.Fields.NextDueDate)
	override(&s.Fields.ContactPerson, o.Fields.ContactPerson)
	return s
}

// factory builds what commands need from Env. Main makes one for the run;
// nothing is built, and no setting read, until a command asks, so that a
// command that never goes online never touches a network setting, and
// one that does reads only those of the service it asks for.
type factory struct {
	Env
}

func newFactory(env Env) *factory { return &factory{Env: env} }

// validator compiles the embedded schemas once per process; commands that
// validate twice (new: the register, then the edited file), and every run
// of Main in a process, share it.
var validator = sync.OnceValues(validate.New)

// validator returns the compiled validator.
func (f *factory) validator() (*validate.Validator, error) { return validator() }

// jiraVars are the variables of the Jira endpoint and credentials.
var jiraVars = []string{envJiraURL, envJiraEmail, envJiraToken}

// jiraConfig is the Jira configuration of settings s (rotor.yaml's with
// the overrides applied) and the endpoint and credentials from the
// environment, each named by its variable.
func (f *factory) jiraConfig(s rotation.JiraSettings) jira.Config {
	return jira.Config{
		URL:             f.Getenv(envJiraURL),
		Email:           f.Getenv(envJiraEmail),
		Token:           f.Getenv(envJiraToken),
		Names:           jira.Names{URL: envJiraURL, Email: envJiraEmail, Token: envJiraToken},
		Project:         s.Project,
		IssueType:       s.IssueType,
		OverduePriority: s.OverduePriority,
		Fields:          s.Fields,
		HTTPClient:      f.HTTPClient,
		Retry:           jira.RetryPolicy{Sleep: f.Sleep},
	}
}

// jiraClient builds the Jira client of settings s (see jiraConfig). A
// missing or malformed value is a configuration error: exit 2, every
// problem named by its variable and no value shown (jira.New).
func (f *factory) jiraClient(s rotation.JiraSettings) (*jira.Client, error) {
	client, err := jira.New(f.jiraConfig(s))
	if err != nil {
		return nil, usageError("%w", err)
	}
	return client, nil
}

// githubVars are rotor's GitHub settings. GITHUB_REPOSITORY is not one:
// Actions sets it for every job.
var githubVars = []string{envGitHubToken, envGitHubRepository, envGitHubAPIURL}

// githubClient builds the GitHub client from the environment. Every
// problem is named by its variable, and no value is shown beyond a URL's
// scheme and host (setting.Invalid): exit 2.
func (f *factory) githubClient() (*github.Client, error) {
	var errs []error
	repoVar, repo := envGitHubRepository, strings.TrimSpace(f.Getenv(envGitHubRepository))
	if repo == "" {
		repoVar, repo = envActionsRepository, strings.TrimSpace(f.Getenv(envActionsRepository))
	}
	if repo == "" {
		errs = append(errs, fmt.Errorf("no repository: set %s (or %s, which Actions sets) to owner/name", envGitHubRepository, envActionsRepository))
	} else if _, _, err := github.SplitRepository(repo); err != nil {
		errs = append(errs, setting.Invalid(repoVar, repo, err))
	}
	token := f.Getenv(envGitHubToken)
	if token == "" {
		errs = append(errs, fmt.Errorf("%s is not set: %s", envGitHubToken, github.NoTokenHint("the register's repository")))
	} else if err := github.CheckToken(token); err != nil {
		errs = append(errs, setting.Invalid(envGitHubToken, token, err))
	}
	apiURL := strings.TrimSpace(f.Getenv(envGitHubAPIURL))
	if apiURL != "" {
		if _, err := github.ParseAPIURL(apiURL); err != nil {
			errs = append(errs, setting.Invalid(envGitHubAPIURL, apiURL, err))
		}
	}
	if len(errs) > 0 {
		return nil, usageError("%w", errors.Join(errs...))
	}
	c, err := github.New(github.Config{
		APIURL:     apiURL,
		Repository: repo,
		Token:      token,
		HTTPClient: f.HTTPClient,
		Retry:      httpretry.Policy{Sleep: f.Sleep},
	})
	if err != nil {
		return nil, usageError("%w", err)
	}
	return c, nil
}

// The commit author unless the environment names another.
const (
	defaultAuthorName  = "rotor"
	defaultAuthorEmail = "rotor@users.noreply.github.com"
)

// author is who record's commits are by.
func (f *factory) author() rotation.Signature {
	return rotation.Signature{Name: f.envOr(envGitAuthorName, defaultAuthorName), Email: f.envOr(envGitAuthorEmail, defaultAuthorEmail)}
}

func (f *factory) envOr(key, def string) string {
	if v := strings.TrimSpace(f.Getenv(key)); v != "" {
		return v
	}
	return def
}

// localRepo opens the git working copy at path to read it (history for
// report and audit): no remote, no token.
func (f *factory) localRepo(path string) (*gitrepo.Repo, error) {
	return gitrepo.Open(path, gitrepo.Options{LocalOnly: true})
}

// pushRepo opens the git working copy at path to commit and push to its
// origin with GITHUB_TOKEN.
func (f *factory) pushRepo(path string) (*gitrepo.Repo, error) {
	return gitrepo.Open(path, gitrepo.Options{Token: f.Getenv(envGitHubToken), HTTPClient: f.HTTPClient})
}

// mailSender checks ROTOR_SMTP_URL and returns the sender. A dry run
// writes the message instead of sending it: it needs no sender (nil), and
// may do without the variable, but one that is set must be right there
// too. A malformed URL is named without its value (setting.Invalid).
func (f *factory) mailSender(insecure, dryRun bool) (*mail.Sender, error) {
	u := f.Getenv(envSMTPURL)
	if strings.TrimSpace(u) == "" {
		if dryRun {
			return nil, nil
		}
		return nil, usageError("--email: set %s, e.g. smtp://user:password@smtp.example.com:587 (STARTTLS) or smtps://...:465", envSMTPURL)
	}
	if _, err := mail.ParseURL(u, insecure); err != nil {
		return nil, usageError("%w", setting.Invalid(envSMTPURL, u, err))
	}
	if dryRun {
		return nil, nil
	}
	s, err := mail.New(mail.Config{URL: u, Insecure: insecure, Sleep: f.Sleep})
	if err != nil {
		return nil, usageError("%w", setting.Invalid(envSMTPURL, u, err))
	}
	return s, nil
}

// inActions reports whether rotor runs in a GitHub Actions job.
func (f *factory) inActions() bool { return f.Getenv(envActions) == "true" }

// anySet reports whether any of the variables is set (not blank). Absent
// configuration is what a dry run may do without; configuration that is
// set is checked, dry run or not.
func (f *factory) anySet(vars []string) bool {
	for _, v := range vars {
		if strings.TrimSpace(f.Getenv(v)) != "" {
			return true
		}
	}
	return false
}

// orNoneForADryRun adds to the configuration error of a dry run that the
// service's variables may also all be left unset.
func orNoneForADryRun(err error, service string, vars []string) error {
	return usageError("%w\nset %s correctly, or none of them for a dry run without %s", err, names(vars), service)
}

// names lists vars as "A, B and C".
func names(vars []string) string {
	if len(vars) < 2 {
		return strings.Join(vars, "")
	}
	return strings.Join(vars[:len(vars)-1], ", ") + " and " + vars[len(vars)-1]
}
