package jira_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

// TestMessagesNameTheSettingsAsTheCallerDoes: the adapter reads no
// environment. Every message that points to the site, email or token
// setting names it as Config.Names says, or by the Config field when
// the caller named none: when the client is built, in the hint of an
// answer, and in Doctor's fixes.
func TestMessagesNameTheSettingsAsTheCallerDoes(t *testing.T) {
	tests := []struct {
		name  string
		given jira.Names
		want  jira.Names
	}{
		{"the caller's", jira.Names{URL: "SITE_SETTING", Email: "EMAIL_SETTING", Token: "TOKEN_SETTING"},
			jira.Names{URL: "SITE_SETTING", Email: "EMAIL_SETTING", Token: "TOKEN_SETTING"}},
		{"none given", jira.Names{}, jira.Names{URL: "URL", Email: "Email", Token: "Token"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := tt.want
			says := func(what string, err error, want ...string) {
				t.Helper()
				if err == nil {
					t.Fatalf("%s: no error", what)
				}
				for _, s := range want {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("%s: %q does not say %q", what, err, s)
					}
				}
			}

			_, err := jira.New(jira.Config{Project: "SEC", Names: tt.given})
			says("nothing set", err, "set "+w.URL+" (the Jira site", ", "+w.Email+" (the email", ", "+w.Token+" (an API token")
			_, err = jira.New(jira.Config{URL: "http://jira.example.com", Email: "bot", Token: "a token", Project: "SEC", Names: tt.given})
			says("each wrong", err, w.URL+" (http://jira.example.com): plain http", w.Email+": not an email address", "its API token in "+w.Token, w.Token+": contains white space")
			_, err = jira.New(jira.Config{URL: "https://bot:x@example.atlassian.net", Email: "bot@example.com", Token: "t", Project: "SEC", Names: tt.given})
			says("a user in the URL", err, w.URL+" (https://example.atlassian.net): carries a user or password", "the token in "+w.Token)

			fake := jiratest.New(t)
			c, _ := newClient(t, fake, func(c *jira.Config) { c.Token = "revoked"; c.Names = tt.given })
			_, err = c.OpenTickets(context.Background())
			says("a 401", err, "check "+w.Email+" and "+w.Token+": the token may be revoked")
			for _, ck := range c.Doctor(context.Background(), 0) {
				if ck.Name == jira.CheckToken && !strings.Contains(ck.Fix, "store it in "+w.Token+"; "+w.Email+" must be") {
					t.Errorf("Doctor's fix for the token: %q", ck.Fix)
				}
			}
		})
	}
}
