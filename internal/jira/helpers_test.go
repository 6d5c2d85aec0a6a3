package jira_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

var names = jira.Names{URL: "ROTOR_JIRA_URL", Email: "ROTOR_JIRA_EMAIL", Token: "ROTOR_JIRA_TOKEN"}

var fullMapping = rotation.FieldMapping{
	CredentialName: jiratest.FieldCredentialName,
	NextDueDate:    jiratest.FieldNextDueDate,
	ContactPerson:  jiratest.FieldContactPerson,
}

// newClient returns a client of fake with millisecond backoffs, no
// jitter and a recording sleeper.
func newClient(t *testing.T, fake *jiratest.Server, opts ...func(*jira.Config)) (*jira.Client, *fakeapi.Sleeper) {
	t.Helper()
	sl := &fakeapi.Sleeper{}
	cfg := jira.Config{
		URL:        fake.URL,
		Email:      jiratest.Email,
		Token:      jiratest.Token,
		Names:      names,
		Project:    jiratest.ProjectKey,
		Fields:     fullMapping,
		HTTPClient: fake.Client(),
		Retry: jira.RetryPolicy{
			BaseDelay: time.Millisecond,
			MaxDelay:  8 * time.Millisecond,
			Sleep:     sl.Sleep,
			Jitter:    func(d time.Duration) time.Duration { return d },
		},
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := jira.New(cfg)
	if err != nil {
		t.Fatalf("jira.New: %v", err)
	}
	return c, sl
}

// bodies returns the decoded request bodies the fake got on route.
func bodies(t *testing.T, fake *jiratest.Server, route string) []map[string]any {
	t.Helper()
	return fakeapi.JSONBodies(t, fake.Exchanges(), route)
}

// jsonEqual compares got (decoded JSON) with want written as JSON.
func jsonEqual(t *testing.T, what string, got any, want string) {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: bad want JSON: %v", what, err)
	}
	g, _ := json.Marshal(got)
	var gv any
	_ = json.Unmarshal(g, &gv)
	gs, _ := json.MarshalIndent(gv, "", "  ")
	ws, _ := json.MarshalIndent(w, "", "  ")
	if string(gs) != string(ws) {
		t.Errorf("%s:\n got %s\nwant %s", what, gs, ws)
	}
}

const (
	routeSearch    = "POST /rest/api/3/search/jql"
	routeOldSearch = "POST /rest/api/3/search"
	routeCreate    = "POST /rest/api/3/issue"
	routeGet       = "GET /rest/api/3/issue/{issueIdOrKey}"
	routeEdit      = "PUT /rest/api/3/issue/{issueIdOrKey}"
	routeComment   = "POST /rest/api/3/issue/{issueIdOrKey}/comment"

	routeComments    = "GET /rest/api/3/issue/{issueIdOrKey}/comment"
	routeTransitions = "GET /rest/api/3/issue/{issueIdOrKey}/transitions"
	routeTransition  = "POST /rest/api/3/issue/{issueIdOrKey}/transitions"
	routeServerInfo  = "GET /rest/api/3/serverInfo"
	routeMyself      = "GET /rest/api/3/myself"
	routeProject     = "GET /rest/api/3/project/{projectIdOrKey}"
	routePermissions = "GET /rest/api/3/mypermissions"
	routeCreateMeta  = "GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes"
	routeStatuses    = "GET /rest/api/3/project/{projectIdOrKey}/statuses"
	routeFields      = "GET /rest/api/3/field"
)
