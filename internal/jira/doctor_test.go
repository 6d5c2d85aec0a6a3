package jira_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func TestDoctor(t *testing.T) {
	const (
		pass = "ok"
		warn = "warn"
		fail = "FAIL"
		skip = "skip"
	)
	all := []string{jira.CheckSite, jira.CheckToken, jira.CheckProject, jira.CheckPermissions, jira.CheckIssueType, jira.CheckWorkflow, jira.CheckFields}
	tests := []struct {
		name   string
		fake   func(*jiratest.Server)
		cfg    func(*jira.Config)
		want   []string // pass/fail/skip per check, in the order of all
		detail string   // substring of the first failing check's Detail
		fix    string   // substring of its Fix
	}{
		{
			name: "all good",
			want: []string{pass, pass, pass, pass, pass, pass, pass},
		},
		{
			name:   "site does not answer",
			cfg:    func(c *jira.Config) { c.URL = closedURL(t) },
			want:   []string{fail, skip, skip, skip, skip, skip, skip},
			detail: "connect",
			fix:    "ROTOR_JIRA_URL",
		},
		{
			name:   "site is not Jira",
			fake:   func(s *jiratest.Server) { s.FailNext("GET", "/rest/api/3/serverInfo", 404, 0) },
			want:   []string{fail, skip, skip, skip, skip, skip, skip},
			detail: "404",
			fix:    "site root",
		},
		{
			name:   "token revoked",
			cfg:    func(c *jira.Config) { c.Token = "revoked" },
			want:   []string{pass, fail, skip, skip, skip, skip, skip},
			detail: "401",
			fix:    "ROTOR_JIRA_TOKEN",
		},
		{
			name:   "project missing",
			cfg:    func(c *jira.Config) { c.Project = "NOPE" },
			want:   []string{pass, pass, fail, skip, skip, skip, pass},
			detail: `"NOPE"`,
			fix:    "jira.project",
		},
		{
			name:   "permission missing",
			fake:   func(s *jiratest.Server) { s.Deny("CREATE_ISSUES") },
			want:   []string{pass, pass, pass, fail, pass, pass, pass},
			detail: "CREATE_ISSUES",
			fix:    "permission scheme",
		},
		{
			name:   "issue type missing",
			cfg:    func(c *jira.Config) { c.IssueType = "Secret Rotation" },
			want:   []string{pass, pass, pass, pass, fail, skip, pass},
			detail: `"Task"`,
			fix:    "jira.issue_type",
		},
		{
			name: "no done status",
			fake: func(s *jiratest.Server) {
				p := jiratest.DefaultProject()
				p.IssueTypes[0].Statuses = p.IssueTypes[0].Statuses[:2]
				s.SetProject(p)
			},
			want:   []string{pass, pass, pass, pass, pass, fail, pass},
			detail: "In Progress (indeterminate)",
			fix:    "Done category",
		},
		{
			name: "no status in progress",
			fake: func(s *jiratest.Server) {
				p := jiratest.DefaultProject()
				w := p.IssueTypes[0].Statuses
				p.IssueTypes[0].Statuses = []jiratest.Status{w[0], w[2]}
				s.SetProject(p)
			},
			want:   []string{pass, pass, pass, pass, pass, warn, pass},
			detail: "no status in the In Progress category",
			fix:    "TO DO → IN PROGRESS → DONE",
		},
		{
			name: "no status to do",
			fake: func(s *jiratest.Server) {
				p := jiratest.DefaultProject()
				p.IssueTypes[0].Statuses = p.IssueTypes[0].Statuses[1:]
				s.SetProject(p)
			},
			want:   []string{pass, pass, pass, pass, pass, warn, pass},
			detail: "no status in the To Do category",
			fix:    "TO DO → IN PROGRESS → DONE",
		},
		{
			name:   "custom field missing",
			cfg:    func(c *jira.Config) { c.Fields.ContactPerson = "customfield_99999" },
			want:   []string{pass, pass, pass, pass, pass, pass, fail},
			detail: "jira.fields.contact_person: customfield_99999 does not exist",
			fix:    "Custom fields",
		},
		{
			name: "custom field of the wrong type",
			cfg: func(c *jira.Config) {
				c.Fields.NextDueDate = jiratest.FieldContactPerson
			},
			want:   []string{pass, pass, pass, pass, pass, pass, fail},
			detail: "holds string values, rotor writes a date",
			fix:    "jira.fields",
		},
		{
			name: "custom field of a paragraph type",
			fake: func(s *jiratest.Server) {
				fields := s.Fields()
				for i := range fields {
					if fields[i].ID == jiratest.FieldContactPerson {
						fields[i].Kind = "textarea"
					}
				}
				s.SetFields(fields)
			},
			want:   []string{pass, pass, pass, pass, pass, pass, fail},
			detail: "is a textarea field, rotor writes one line of plain text: map a single-line text",
			fix:    "jira.fields",
		},
		{
			name: "custom field of the URL type",
			fake: func(s *jiratest.Server) {
				fields := s.Fields()
				for i := range fields {
					if fields[i].ID == jiratest.FieldCredentialName {
						fields[i].Kind = "url"
					}
				}
				s.SetFields(fields)
			},
			want:   []string{pass, pass, pass, pass, pass, pass, fail},
			detail: "is a url field",
			fix:    "jira.fields",
		},
		{
			name: "no custom fields mapped",
			cfg:  func(c *jira.Config) { c.Fields = rotation.FieldMapping{} },
			want: []string{pass, pass, pass, pass, pass, pass, pass},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := jiratest.New(t)
			if tt.fake != nil {
				tt.fake(fake)
			}
			var opts []func(*jira.Config)
			if tt.cfg != nil {
				opts = append(opts, tt.cfg)
			}
			c, _ := newClient(t, fake, opts...)
			checks := c.Doctor(context.Background(), 0)
			var got []string
			var report strings.Builder
			for i, ck := range checks {
				state := pass
				switch {
				case ck.Skipped:
					state = skip
				case !ck.OK:
					state = fail
				case ck.Warn:
					state = warn
				}
				got = append(got, state)
				fmt.Fprintf(&report, "\n  %s %s: %s (fix: %s)", state, ck.Name, ck.Detail, ck.Fix)
				if i < len(all) && ck.Name != all[i] {
					t.Errorf("check %d is %q, want %q", i, ck.Name, all[i])
				}
				if state == fail && ck.Fix == "" || state == pass && ck.Fix != "" {
					t.Errorf("check %q: OK=%v with fix %q", ck.Name, ck.OK, ck.Fix)
				}
				if ck.Skipped && ck.OK {
					t.Errorf("check %q is skipped and OK", ck.Name)
				}
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("checks = %v, want %v:%s", got, tt.want, report.String())
			}
			for _, ck := range checks {
				if ck.OK && !ck.Warn || ck.Skipped {
					continue
				}
				if !strings.Contains(ck.Detail, tt.detail) || !strings.Contains(ck.Fix, tt.fix) {
					t.Errorf("%s: detail %q / fix %q, want them to mention %q / %q", ck.Name, ck.Detail, ck.Fix, tt.detail, tt.fix)
				}
				break
			}
			if fake.Writes() != 0 {
				t.Errorf("doctor wrote to Jira: %v", fake.Calls())
			}
		})
	}
}

// dropIssueTypes removes issueTypes from the project's answer, as Jira
// does when it is not asked to expand them.
type dropIssueTypes struct{ base http.RoundTripper }

func (d dropIssueTypes) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := d.base.RoundTrip(r)
	if err != nil || r.URL.Path != "/rest/api/3/project/"+jiratest.ProjectKey {
		return resp, err
	}
	defer resp.Body.Close()
	var v map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return nil, err
	}
	delete(v, "issueTypes")
	b, _ := json.Marshal(v)
	resp.Body = io.NopCloser(bytes.NewReader(b))
	resp.ContentLength = int64(len(b))
	resp.Header.Del("Content-Length")
	return resp, nil
}

func TestDoctorAsksCreateMetadataForIssueTypes(t *testing.T) {
	fake := jiratest.New(t)
	c, _ := newClient(t, fake, func(c *jira.Config) {
		c.HTTPClient = &http.Client{Transport: dropIssueTypes{fake.Client().Transport}}
	})
	for _, ck := range c.Doctor(context.Background(), 0) {
		if !ck.OK {
			t.Errorf("%s: %s (fix: %s)", ck.Name, ck.Detail, ck.Fix)
		}
		if ck.Name == jira.CheckIssueType && !strings.Contains(ck.Detail, jiratest.IssueTypeName) {
			t.Errorf("%s: detail %q does not name %q", ck.Name, ck.Detail, jiratest.IssueTypeName)
		}
	}
	if n := fake.CallsTo("GET /rest/api/3/issue/createmeta/{projectIdOrKey}/issuetypes"); n != 1 {
		t.Errorf("%d create metadata requests, want 1", n)
	}
}

// closedURL returns the URL of a port nothing listens on.
func closedURL(t *testing.T) string { return "http://" + fakeapi.ClosedAddr(t) }

// TestDoctorBoundsEachCheck: a site that takes the connection and never
// answers fails the first check within the timeout, named as such, and
// the checks that need it are not run.
func TestDoctorBoundsEachCheck(t *testing.T) {
	c, err := jira.New(jira.Config{URL: "http://" + fakeapi.SilentAddr(t), Email: jiratest.Email, Token: jiratest.Token, Names: names,
		Project: jiratest.ProjectKey, Retry: jira.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	checks := c.Doctor(context.Background(), 200*time.Millisecond)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Doctor took %s with a timeout of 200ms", d)
	}
	if len(checks) == 0 || checks[0].OK || !strings.Contains(checks[0].Detail, "no answer within 200ms") || !strings.Contains(checks[0].Fix, "--timeout") {
		t.Fatalf("first check: %+v", checks)
	}
	for _, ck := range checks[1:] {
		if !ck.Skipped {
			t.Errorf("%s ran after the site did not answer: %+v", ck.Name, ck)
		}
	}
}
