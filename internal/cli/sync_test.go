package cli

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

const searchRoute = "POST /rest/api/3/search/jql"

func TestSync(t *testing.T) {
	fake := jiratest.New(t)
	fake.SetPageSize(3)
	env := jiraEnv(fake)
	env["ROTOR_TODAY"] = "2026-11-27"

	// The example register on 2026-11-27: seven credentials are due or
	// overdue, one is exempt, four are ok.
	first := runRotor(t, env, "", "sync", "--register", example)
	if first.code != ExitOK {
		t.Fatalf("first run: exit %d\n%s%s", first.code, first.stdout, first.stderr)
	}
	issues := fake.Issues()
	var ids []string
	for _, is := range issues {
		if !slices.Contains(is.Labels, "rotor") {
			t.Errorf("%s lacks the rotor label: %v", is.Key, is.Labels)
		}
		for _, l := range is.Labels {
			if strings.HasPrefix(l, "rotor-") && l != "rotor-overdue" {
				ids = append(ids, strings.TrimPrefix(l, "rotor-"))
			}
		}
	}
	slices.Sort(ids)
	want := []string{"gcp-terraform-sa-key", "github-actions-deploy-key", "payments-db-admin", "payments-hsm-operator-card",
		"s3-partner-upload-key", "snowflake-etl-service", "vpn-shared-psk"}
	if !slices.Equal(ids, want) {
		t.Fatalf("tickets for %v, want %v", ids, want)
	}
	if got := fake.CallsTo(searchRoute); got != 1 {
		t.Errorf("first run searched %d times, want 1", got)
	}
	if !strings.Contains(first.stderr, "[7/7] ") {
		t.Errorf("no progress lines:\n%s", first.stderr)
	}

	fake.ResetCounts()
	second := runRotor(t, env, "", "sync", "--register", example)
	if second.code != ExitOK {
		t.Fatalf("second run: exit %d\n%s", second.code, second.stderr)
	}
	if fake.Writes() != 0 || fake.CallsTo(searchRoute) != 3 {
		t.Errorf("second run: %d writes, %d searches; want 0 and 3 (7 tickets, 3 a page)", fake.Writes(), fake.CallsTo(searchRoute))
	}
	if !strings.Contains(second.stdout, "nothing to write") {
		t.Errorf("second plan:\n%s", second.stdout)
	}
}

func TestSyncDryRun(t *testing.T) {
	t.Run("with Jira: searches, writes nothing", func(t *testing.T) {
		fake := jiratest.New(t)
		env := jiraEnv(fake)
		r := runRotor(t, env, "", "sync", "--register", example, "--today", "2026-11-27", "--dry-run", "--format", "json")
		if r.code != ExitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if fake.Writes() != 0 || fake.CallsTo(searchRoute) != 1 {
			t.Errorf("%d writes, %d searches", fake.Writes(), fake.CallsTo(searchRoute))
		}
		var plan struct {
			Counts struct{ Create int } `json:"counts"`
		}
		if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || plan.Counts.Create != 7 {
			t.Fatalf("plan %+v (%v):\n%s", plan, err, r.stdout)
		}
	})
	t.Run("without Jira: plans from an empty Jira", func(t *testing.T) {
		summary := filepath.Join(t.TempDir(), "summary.md")
		env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
		r := runRotor(t, env, "", "sync", "--register", example, "--today", "2026-11-27", "--dry-run")
		if r.code != ExitOK || !strings.Contains(r.stdout, "7 to create") || !strings.Contains(r.stderr, "planning as if Jira had no rotor tickets") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		md, err := os.ReadFile(summary)
		if err != nil || !strings.Contains(string(md), "## rotor sync plan for 2026-11-27") || !strings.Contains(string(md), "**Dry run:** nothing was written") {
			t.Fatalf("summary %q, %v", md, err)
		}
	})
}

func TestSyncFailures(t *testing.T) {
	t.Run("missing configuration without dry run", func(t *testing.T) {
		r := runRotor(t, nil, "", "sync", "--register", example)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_JIRA_URL") || r.stdout != "" {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("an invalid register never reaches Jira", func(t *testing.T) {
		fake := jiratest.New(t)
		r := runRotor(t, jiraEnv(fake), "", "sync", "--register", "testdata/bad")
		if r.code != ExitFailed || fake.Total() != 0 {
			t.Fatalf("exit %d, %d Jira calls\n%s", r.code, fake.Total(), r.stderr)
		}
	})
	t.Run("one failed create does not stop the others", func(t *testing.T) {
		fake := jiratest.New(t)
		fake.FailNext(http.MethodPost, "/rest/api/3/issue", http.StatusBadRequest, 0)
		r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--today", "2026-11-27")
		if r.code != ExitFailed || !strings.Contains(r.stderr, "1 of 7 Jira actions failed") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if n := len(fake.Issues()); n != 6 {
			t.Fatalf("%d tickets, want 6", n)
		}
		// The next run creates only the missing one.
		fake.ResetCounts()
		if r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--today", "2026-11-27"); r.code != ExitOK {
			t.Fatalf("rerun: exit %d\n%s", r.code, r.stderr)
		}
		if n := len(fake.Issues()); n != 7 || fake.Writes() != 1 {
			t.Fatalf("rerun: %d tickets, %d writes", n, fake.Writes())
		}
	})
	t.Run("rate limited search is retried", func(t *testing.T) {
		fake := jiratest.New(t)
		fake.FailNext(http.MethodPost, "/rest/api/3/search/jql", http.StatusTooManyRequests, 1)
		r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--today", "2026-11-27", "--dry-run")
		if r.code != ExitOK || fake.CallsTo(searchRoute) != 2 {
			t.Fatalf("exit %d, %d searches\n%s", r.code, fake.CallsTo(searchRoute), r.stderr)
		}
	})
}

func TestSyncSettingsOverrides(t *testing.T) {
	fake := jiratest.New(t)
	env := jiraEnv(fake)
	env["ROTOR_JIRA_FIELD_CREDENTIAL_NAME"] = jiratest.FieldCredentialName
	env["ROTOR_JIRA_OVERDUE_PRIORITY"] = "Highest"
	r := runRotor(t, env, "", "sync", "--register", example, "--today", "2026-11-27")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	for _, is := range fake.Issues() {
		if is.Custom[jiratest.FieldCredentialName] == nil {
			t.Errorf("%s has no Credential Name field: %v", is.Key, is.Custom)
		}
		overdue := slices.Contains(is.Labels, "rotor-overdue")
		if overdue != (is.Priority == "Highest") {
			t.Errorf("%s: overdue %v, priority %q", is.Key, overdue, is.Priority)
		}
	}
	t.Run("a project that does not exist", func(t *testing.T) {
		r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--jira-project", "NOPE", "--dry-run")
		if r.code != ExitFailed || !strings.Contains(r.stderr, "NOPE") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

// An escalated ticket whose credential is no longer overdue loses the
// marker, so that a later overdue escalates it again.
func TestSyncEscalatesAgainAfterDeescalation(t *testing.T) {
	fake := jiratest.New(t)
	env := jiraEnv(fake)
	root := copyRegister(t)
	sync := func(today string) {
		t.Helper()
		if r := runRotor(t, env, "", "sync", "--register", root, "--today", today); r.code != ExitOK {
			t.Fatalf("sync on %s: exit %d\n%s%s", today, r.code, r.stdout, r.stderr)
		}
	}
	ticket := func() jiratest.Issue {
		t.Helper()
		for _, is := range fake.Issues() {
			if slices.Contains(is.Labels, "rotor-github-actions-deploy-key") {
				return is
			}
		}
		t.Fatal("no ticket for github-actions-deploy-key")
		return jiratest.Issue{}
	}

	sync("2026-11-27") // due 2026-11-18: created overdue
	if is := ticket(); !slices.Contains(is.Labels, "rotor-overdue") {
		t.Fatalf("not escalated: %v", is.Labels)
	}
	// A longer period makes it due on 2026-11-28: no longer overdue.
	file := filepath.Join(root, "platform.yaml")
	data, _ := os.ReadFile(file)
	data = []byte(strings.Replace(string(data), "    period_days: 90\n    last_changed: 2026-08-20", "    period_days: 100\n    last_changed: 2026-08-20", 1))
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	sync("2026-11-27")
	is := ticket()
	if slices.Contains(is.Labels, "rotor-overdue") || is.DueDate != "2026-11-28" {
		t.Fatalf("after the change: labels %v, due %s", is.Labels, is.DueDate)
	}
	comments := len(is.Comments)
	sync("2026-11-30") // overdue again
	is = ticket()
	if !slices.Contains(is.Labels, "rotor-overdue") || len(is.Comments) != comments+1 {
		t.Fatalf("not escalated again: labels %v, %d comments (had %d)", is.Labels, len(is.Comments), comments)
	}
	fake.ResetCounts()
	sync("2026-11-30")
	if fake.Writes() != 0 {
		t.Fatalf("a third run wrote %d times", fake.Writes())
	}
}

// With the Jira variables all set but the project missing, the dry run
// refuses, saying why: configuration that is set must be complete.
func TestSyncDryRunRefusesJiraWithoutAProject(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "a.yaml"), []byte("credentials:\n  - id: a\n    name: A\n    owner: a@example.com\n    period_days: 90\n    last_changed: 2026-11-01\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ROTOR_JIRA_URL": "https://example.atlassian.net", "ROTOR_JIRA_EMAIL": "a@example.com", "ROTOR_JIRA_TOKEN": "t"}
	r := runRotor(t, env, "", "sync", "--dry-run", "--register", root)
	if r.code != ExitUsage || !strings.Contains(r.stderr, "no project") || !strings.Contains(r.stderr, "or none of them for a dry run without Jira") || r.stdout != "" {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
}

// TestSyncRefusesAJiraThatRedirects is the issue's case: a Jira answering
// 302 towards another listener. Nothing reaches it, the run fails naming
// its host, and no create is planned from the empty answer over there.
func TestSyncRefusesAJiraThatRedirects(t *testing.T) {
	var reached, withAuth atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		if r.Header.Get("Authorization") != "" {
			withAuth.Add(1)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	defer other.Close()
	fake := jiratest.New(t)
	fake.Inject(jiratest.Fault{PathPrefix: "/rest/api/3/", Status: http.StatusFound,
		Header: map[string]string{"Location": other.URL + "/steal"}})
	r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--today", "2026-11-27")
	host := strings.TrimPrefix(other.URL, "http://")
	if r.code != ExitFailed || !strings.Contains(r.stderr, "redirect to "+host) {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if strings.Contains(r.stdout, "to create") || fake.Writes() != 0 {
		t.Errorf("planned or wrote from a redirected answer:\n%s", r.stdout)
	}
	if reached.Load() != 0 || withAuth.Load() != 0 {
		t.Errorf("the other listener got %d requests, %d with Authorization", reached.Load(), withAuth.Load())
	}
	if strings.Contains(r.stdout+r.stderr, jiratest.Token) {
		t.Error("the output shows the token")
	}
}

// TestSyncTreatsAnEmptyAnswerAsAnError: a search answered {} is not "no
// open tickets".
func TestSyncTreatsAnEmptyAnswerAsAnError(t *testing.T) {
	fake := jiratest.New(t)
	fake.Inject(jiratest.Fault{Method: "POST", PathPrefix: "/rest/api/3/search/jql", Status: http.StatusOK, Body: `{}`})
	r := runRotor(t, jiraEnv(fake), "", "sync", "--register", example, "--today", "2026-11-27")
	if r.code != ExitFailed || !strings.Contains(r.stderr, "not what the endpoint returns") || strings.Contains(r.stdout, "to create") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if fake.Writes() != 0 {
		t.Errorf("%d writes", fake.Writes())
	}
}

// TestSyncRefusesPlainHTTP: http only to a loopback host; the variable's
// secrets never show.
func TestSyncRefusesPlainHTTP(t *testing.T) {
	for _, u := range []string{"http://example.atlassian.net", "http://jira.example.com/?token=SECRET", "ftp://x-access-token:SECRET@jira.example.com", "SECRET"} {
		env := map[string]string{"ROTOR_JIRA_URL": u, "ROTOR_JIRA_EMAIL": "bot@example.com", "ROTOR_JIRA_TOKEN": "t"}
		r := runRotor(t, env, "", "sync", "--register", example)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_JIRA_URL") {
			t.Errorf("%q: exit %d\n%s", u, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "SECRET") {
			t.Errorf("%q: the output shows the secret:\n%s", u, r.stderr)
		}
	}
}
