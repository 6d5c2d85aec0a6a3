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

// newJiraClient builds the Jira client from settings and the environment
// (ROTOR_JIRA_URL, ROTOR_JIRA_EMAIL, ROTOR_JIRA_TOKEN). A missing value is
// a configuration error: exit 2.
func newJiraClient(env Env, s rotation.JiraSettings) (*jira.Client, error) {
	cfg := jira.ConfigFromSettings(s, env.Getenv)
	cfg.HTTPClient = env.HTTPClient
	cfg.Retry.Sleep = env.Sleep
	client, err := jira.New(cfg)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return client, nil
}
