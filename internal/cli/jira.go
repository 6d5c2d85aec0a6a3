package cli

import (
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Environment variables that override the Jira settings of rotor.yaml.
const (
	envJiraProject         = "ROTOR_JIRA_PROJECT"
	envJiraIssueType       = "ROTOR_JIRA_ISSUE_TYPE"
	envJiraOverduePriority = "ROTOR_JIRA_OVERDUE_PRIORITY"
	envFieldCredentialName = "ROTOR_JIRA_FIELD_CREDENTIAL_NAME"
	envFieldNextDueDate    = "ROTOR_JIRA_FIELD_NEXT_DUE_DATE"
	envFieldContactPerson  = "ROTOR_JIRA_FIELD_CONTACT_PERSON"
)

// Environment variables of the Jira endpoint and credentials.
const (
	envJiraURL   = "ROTOR_JIRA_URL"
	envJiraEmail = "ROTOR_JIRA_EMAIL"
	envJiraToken = "ROTOR_JIRA_TOKEN"
)

// jiraFlags are the flags of commands that talk to Jira. The endpoint and
// credentials come only from the environment, so they never show up in a
// process list or a shell history.
func jiraFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "jira-project", Usage: "Jira project `key` (env " + envJiraProject + "; default: jira.project in rotor.yaml)"},
		&cli.StringFlag{Name: "jira-issue-type", Usage: "issue type `name` (env " + envJiraIssueType + "; default: jira.issue_type in rotor.yaml, else \"" + rotation.DefaultIssueType + "\")"},
		&cli.StringFlag{Name: "jira-overdue-priority", Usage: "priority `name` set once when a ticket becomes overdue (env " + envJiraOverduePriority + "; default: jira.overdue_priority in rotor.yaml)"},
		&cli.DurationFlag{Name: "timeout", Usage: "overall `deadline` for the run, retries included", Value: 5 * time.Minute},
	}
}

// jiraSettings returns the register's Jira settings with the flag and
// environment overrides applied. The custom-field ids are overridden by
// environment only (ROTOR_JIRA_FIELD_*).
func jiraSettings(c *cli.Context, env Env, s rotation.JiraSettings) rotation.JiraSettings {
	override := func(dst *string, v string) {
		if v = strings.TrimSpace(v); v != "" {
			*dst = v
		}
	}
	override(&s.Project, flagOrEnv(c, env, "jira-project", envJiraProject))
	override(&s.IssueType, flagOrEnv(c, env, "jira-issue-type", envJiraIssueType))
	override(&s.OverduePriority, flagOrEnv(c, env, "jira-overdue-priority", envJiraOverduePriority))
	override(&s.Fields.CredentialName, env.Getenv(envFieldCredentialName))
	override(&s.Fields.NextDueDate, env.Getenv(envFieldNextDueDate))
	override(&s.Fields.ContactPerson, env.Getenv(envFieldContactPerson))
	return s
}

// jiraVars are the variables of the Jira endpoint and credentials.
var jiraVars = []string{envJiraURL, envJiraEmail, envJiraToken}

// newJiraClient builds the Jira client from settings and the environment
// (ROTOR_JIRA_URL, ROTOR_JIRA_EMAIL, ROTOR_JIRA_TOKEN). A missing or
// malformed value is a configuration error: exit 2, every problem named
// by its variable and no value shown (jira.New).
func newJiraClient(env Env, s rotation.JiraSettings) (*jira.Client, error) {
	client, err := jira.New(jira.Config{
		URL:             env.Getenv(envJiraURL),
		Email:           env.Getenv(envJiraEmail),
		Token:           env.Getenv(envJiraToken),
		Names:           jira.Names{URL: envJiraURL, Email: envJiraEmail, Token: envJiraToken},
		Project:         s.Project,
		IssueType:       s.IssueType,
		OverduePriority: s.OverduePriority,
		Fields:          s.Fields,
		HTTPClient:      env.HTTPClient,
		Retry:           jira.RetryPolicy{Sleep: env.Sleep},
	})
	if err != nil {
		return nil, usageError("%w", err)
	}
	return client, nil
}

// anySet reports whether any of the variables is set (not blank). Absent
// configuration is what a dry run may do without; configuration that is
// set is checked, dry run or not.
func anySet(env Env, vars []string) bool {
	for _, v := range vars {
		if strings.TrimSpace(env.Getenv(v)) != "" {
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
