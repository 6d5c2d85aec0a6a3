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
	envJiraProject   = "ROTOR_JIRA_PROJECT"
	envJiraIssueType = "ROTOR_JIRA_ISSUE_TYPE"
)

// jiraFlags are the flags of commands that talk to Jira. The endpoint and
// credentials come only from the environment, so they never show up in a
// process list or a shell history.
func jiraFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "jira-project", Usage: "Jira project `key` (env " + envJiraProject + "; default: jira.project in rotor.yaml)"},
		&cli.StringFlag{Name: "jira-issue-type", Usage: "issue type `name` (env " + envJiraIssueType + "; default: jira.issue_type in rotor.yaml, else \"" + rotation.DefaultIssueType + "\")"},
		&cli.DurationFlag{Name: "timeout", Usage: "overall `deadline` for the run, retries included", Value: 5 * time.Minute},
	}
}

// jiraSettings returns the register's Jira settings with the flag and
// environment overrides applied.
func jiraSettings(c *cli.Context, env Env, s rotation.JiraSettings) rotation.JiraSettings {
	if v := flagOrEnv(c, env, "jira-project", envJiraProject); v != "" {
		s.Project = strings.TrimSpace(v)
	}
	if v := flagOrEnv(c, env, "jira-issue-type", envJiraIssueType); v != "" {
		s.IssueType = strings.TrimSpace(v)
	}
	return s
}

// newJiraClient builds the Jira client from settings and the environment
// (ROTOR_JIRA_URL, ROTOR_JIRA_EMAIL, ROTOR_JIRA_TOKEN). A missing value is
// a configuration error: exit 2.
func newJiraClient(env Env, s rotation.JiraSettings) (*jira.Client, error) {
	cfg := jira.ConfigFromSettings(s, env.Getenv)
	cfg.HTTPClient = env.HTTPClient
	client, err := jira.New(cfg)
	if err != nil {
		return nil, usageError("%v", err)
	}
	return client, nil
}
