package cli

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

const recordRegister = `# yaml-language-server: $schema=../schema/credential.schema.json
credentials:
  - id: payments-db-admin
    name: Payments DB admin password
    owner: alice@example.com
    team: payments
    period_days: 90
    last_changed: "2026-09-01" # rotated by alice
    notice_days: 14

  - id: vendor-api-key
    name: Vendor API key
    owner: bob@example.com
    period_days: 30
    last_changed: 2026-11-01
`

// recordWorld is a register repository on a git server (git's own
// http-backend behind basic auth), a depth-1 clone of it as
// actions/checkout makes, a fake Jira with a done ticket and a fake GitHub.
type recordWorld struct {
	origin, clone string
	git           *gittest.Server
	jira          *jiratest.Server
	gh            *githubtest.Server
	key           string
	env           map[string]string
}

func newRecordWorld(t *testing.T) *recordWorld {
	t.Helper()
	return newRecordWorldOf(t, recordRegister, "timezone: Europe/Berlin\njira:\n  project: SEC\n")
}

// newRecordWorldOf is newRecordWorld with the register file and rotor.yaml
// given.
func newRecordWorldOf(t *testing.T, registerFile, settings string) *recordWorld {
	t.Helper()
	gittest.Require(t)
	dir := t.TempDir()
	w := &recordWorld{origin: filepath.Join(dir, "origin.git"), clone: filepath.Join(dir, "clone")}
	gittest.Git(t, dir, "init", "-q", "--bare", "-b", "main", w.origin)
	gittest.Git(t, w.origin, "config", "http.receivepack", "true")
	seed := filepath.Join(dir, "seed")
	gittest.Git(t, dir, "init", "-q", "-b", "main", seed)
	for name, content := range map[string]string{
		"credential_rotation/payments.yaml": registerFile,
		"credential_rotation/rotor.yaml":    settings,
		"README.md":                         "register\n",
	} {
		p := filepath.Join(seed, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gittest.Git(t, seed, "add", "-A")
	gittest.Git(t, seed, "commit", "-q", "-m", "register")
	gittest.Git(t, seed, "push", "-q", w.origin, "main")
	gittest.Git(t, dir, "clone", "-q", "--depth", "1", "file://"+w.origin, w.clone)

	w.git = gittest.NewServer(t, dir, githubtest.Token)
	gittest.Git(t, w.clone, "remote", "set-url", "origin", w.git.URL+"/origin.git")

	w.jira = jiratest.New(t)
	// Done late on 25 November UTC: already the 26th in Berlin.
	w.jira.SetNow(func() time.Time { return time.Date(2026, time.November, 25, 23, 30, 0, 0, time.UTC) })
	w.key = w.jira.AddIssue(jiratest.Issue{Summary: "Rotate Payments DB admin password (payments-db-admin)",
		Labels: []string{"rotor", "rotor-payments-db-admin"}})
	if err := w.jira.MoveTo(w.key, "Done"); err != nil {
		t.Fatal(err)
	}
	w.gh = githubtest.New(t)
	w.env = map[string]string{
		"ROTOR_JIRA_URL": w.jira.URL, "ROTOR_JIRA_EMAIL": jiratest.Email, "ROTOR_JIRA_TOKEN": jiratest.Token,
		"GITHUB_TOKEN": githubtest.Token, "ROTOR_GITHUB_REPOSITORY": w.gh.Repository(), "ROTOR_GITHUB_API_URL": w.gh.URL + "/",
	}
	return w
}

func (w *recordWorld) record(t *testing.T, args ...string) result {
	t.Helper()
	args = append([]string{"record", "--register", filepath.Join(w.clone, "credential_rotation"), "--repo", w.clone}, args...)
	return runRotor(t, w.env, "", args...)
}

// branchFile returns the register file on origin's rotor branch, and the
// list of files that commit changed.
func (w *recordWorld) branch(t *testing.T) (file, changed, message string) {
	t.Helper()
	const ref = "refs/heads/rotor/record/payments-db-admin"
	file = gittest.Git(t, w.origin, "show", ref+":credential_rotation/payments.yaml")
	changed = gittest.Git(t, w.origin, "diff", "--name-only", ref+"~1", ref)
	message = gittest.Git(t, w.origin, "log", "-1", "--format=%an <%ae>%n%aI%n%B", ref)
	return file, changed, message
}

func TestRecordEndToEnd(t *testing.T) {
	w := newRecordWorld(t)
	r := w.record(t, "--issue", w.key)
	if r.code != ExitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	file, changed, msg := w.branch(t)
	want := strings.Replace(recordRegister, `    last_changed: "2026-09-01" # rotated by alice`, `    last_changed: "2026-11-26" # rotated by alice`, 1)
	want = strings.Replace(want, "    notice_days: 14\n", "    notice_days: 14\n    last_ticket: "+w.key+"\n", 1)
	if file+"\n" != want {
		t.Errorf("the branch's file:\n%s\nwant:\n%s", file, want)
	}
	if changed != "credential_rotation/payments.yaml" {
		t.Errorf("the commit changed %q", changed)
	}
	for _, part := range []string{"rotor <rotor@users.noreply.github.com>", "2026-11-25T23:30:00+00:00", "Rotor-Credential: payments-db-admin", "Rotor-Ticket: " + w.key} {
		if !strings.Contains(msg, part) {
			t.Errorf("commit lacks %q:\n%s", part, msg)
		}
	}
	prs := w.gh.PullRequests()
	if len(prs) != 1 || prs[0].Head != "rotor/record/payments-db-admin" || prs[0].Base != "main" || !strings.Contains(prs[0].Body, w.jira.URL+"/browse/"+w.key) {
		t.Fatalf("pull requests: %+v", prs)
	}
	if len(prs[0].Labels) != 1 || prs[0].Labels[0] != "rotor" {
		t.Errorf("labels %v", prs[0].Labels)
	}
	is, _ := w.jira.Issue(w.key)
	if len(is.Comments) != 1 {
		t.Fatalf("%d comments on the ticket, want 1", len(is.Comments))
	}
	if !strings.Contains(r.stdout, "+    last_ticket: "+w.key) || !strings.Contains(r.stdout, "pull request #1 opened") {
		t.Errorf("output:\n%s", r.stdout)
	}
	// The working copy is untouched.
	if st := gittest.Git(t, w.clone, "status", "--porcelain"); st != "" {
		t.Errorf("the working copy changed:\n%s", st)
	}

	// Again: nothing new is pushed, opened or posted.
	pushes, ghWrites, jiraWrites := w.git.Requests.Load(), w.gh.Writes(), w.jira.Writes()
	r = w.record(t, "--issue", w.key)
	if r.code != ExitOK || !strings.Contains(r.stdout, "nothing to push") {
		t.Fatalf("rerun: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if w.gh.Writes() != ghWrites || w.jira.Writes() != jiraWrites || len(w.gh.PullRequests()) != 1 {
		t.Errorf("rerun wrote: GitHub %d → %d, Jira %d → %d", ghWrites, w.gh.Writes(), jiraWrites, w.jira.Writes())
	}
	if n := w.git.Requests.Load() - pushes; n != 2 {
		t.Errorf("rerun made %d git requests, want 2 (the default branch's head and rotor's branch)", n)
	}
}

func TestRecordFromTheDispatchEvent(t *testing.T) {
	w := newRecordWorld(t)
	event := func(credential string) string {
		p := filepath.Join(t.TempDir(), "event.json")
		ev := map[string]any{"action": "rotor.rotation-done", "branch": "main", "client_payload": map[string]string{
			"issue_key": w.key, "credential_id": credential, "done_at": "2026-11-25T23:30:00Z", "delivery_id": "5c8f3a1e-2b7d"}}
		data, _ := json.Marshal(ev)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// A forged payload: the credential is not the ticket's.
	w.env["GITHUB_EVENT_PATH"] = event("vendor-api-key")
	r := w.record(t)
	if r.code != ExitFailed || !strings.Contains(r.stderr, "the event is not trusted") || len(w.gh.PullRequests()) != 0 || w.git.Requests.Load() != 0 {
		t.Fatalf("forged payload: exit %d, PRs %d, git requests %d\n%s", r.code, len(w.gh.PullRequests()), w.git.Requests.Load(), r.stderr)
	}
	w.env["GITHUB_EVENT_PATH"] = event("payments-db-admin")
	if r := w.record(t); r.code != ExitOK || len(w.gh.PullRequests()) != 1 {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

func TestRecordRefusesAndWritesNothing(t *testing.T) {
	tests := []struct {
		name   string
		setup  func(t *testing.T, w *recordWorld)
		stderr string
	}{
		{"not done", func(t *testing.T, w *recordWorld) {
			if err := w.jira.MoveTo(w.key, "In Progress"); err != nil {
				t.Fatal(err)
			}
		}, "is not done"},
		{"not a rotor ticket", func(t *testing.T, w *recordWorld) {
			w.key = w.jira.AddIssue(jiratest.Issue{Summary: "x", Labels: []string{"ops"}, Status: "Done"})
		}, "is not a rotor ticket"},
		{"unknown credential", func(t *testing.T, w *recordWorld) {
			w.key = w.jira.AddIssue(jiratest.Issue{Summary: "x", Labels: []string{"rotor", "rotor-gone"}, Status: "Done"})
		}, `credential "gone"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newRecordWorld(t)
			tt.setup(t, w)
			before := w.jira.Writes()
			r := w.record(t, "--issue", w.key)
			if r.code != ExitFailed || !strings.Contains(r.stderr, tt.stderr) {
				t.Fatalf("exit %d, want 1 with %q\n%s", r.code, tt.stderr, r.stderr)
			}
			if w.git.Requests.Load() != 0 || w.gh.Writes() != 0 || w.jira.Writes() != before {
				t.Errorf("wrote: git requests %d, GitHub writes %d, Jira writes %d", w.git.Requests.Load(), w.gh.Writes(), w.jira.Writes()-before)
			}
		})
	}
}

func TestRecordDryRun(t *testing.T) {
	w := newRecordWorld(t)
	r := w.record(t, "--issue", w.key, "--dry-run")
	if r.code != ExitOK || !strings.Contains(r.stdout, "dry run: would record") || !strings.Contains(r.stdout, "-    last_changed: \"2026-09-01\" # rotated by alice") ||
		!strings.Contains(r.stdout, "would open a pull request") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if w.gh.Writes() != 0 || w.jira.Writes() != 0 {
		t.Errorf("a dry run wrote: GitHub %d, Jira %d", w.gh.Writes(), w.jira.Writes())
	}
	if out := gittest.Git(t, w.origin, "branch", "--list", "rotor/*"); out != "" {
		t.Errorf("a dry run made a branch: %s", out)
	}
	if objects := gittest.Git(t, w.clone, "count-objects"); !strings.HasPrefix(objects, "0 objects") {
		t.Errorf("a dry run wrote objects: %s", objects)
	}
}

func TestRecordRerunCompletesAfterAFailedPullRequest(t *testing.T) {
	w := newRecordWorld(t)
	// More 502s than the client's attempts: the run fails after the push.
	w.gh.Inject(githubtest.Fault{Route: githubtest.RouteCreatePull, Status: http.StatusBadGateway, Times: 5})
	r := w.record(t, "--issue", w.key)
	if r.code != ExitFailed {
		t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
	}
	if _, _, msg := w.branch(t); !strings.Contains(msg, "Rotor-Ticket") {
		t.Fatal("the branch was not pushed before the failure")
	}
	if n := w.gh.PendingFaults(); n != 0 {
		t.Fatalf("%d faults left: the client made fewer attempts than planned", n)
	}
	r = w.record(t, "--issue", w.key)
	if r.code != ExitOK || len(w.gh.PullRequests()) != 1 {
		t.Fatalf("rerun: exit %d, %d PRs\n%s\n%s", r.code, len(w.gh.PullRequests()), r.stdout, r.stderr)
	}
	if is, _ := w.jira.Issue(w.key); len(is.Comments) != 1 {
		t.Errorf("%d comments", len(is.Comments))
	}
}

func TestRecordWrongTokenPushesNothing(t *testing.T) {
	w := newRecordWorld(t)
	w.env["GITHUB_TOKEN"] = "ghs_wrongtoken0123456789abcdefABCDEF"
	r := w.record(t, "--issue", w.key)
	if r.code == ExitOK {
		t.Fatalf("exit 0 with a wrong token\n%s", r.stdout)
	}
	if strings.Contains(r.stdout+r.stderr, "ghs_wrongtoken") {
		t.Error("the token is printed")
	}
	if out := gittest.Git(t, w.origin, "branch", "--list", "rotor/*"); out != "" {
		t.Errorf("a branch was made: %s", out)
	}
}

// TestRecordNeverShowsTheGitHubAPIURLsSecrets: rotor record refuses a bad
// ROTOR_GITHUB_API_URL before anything is sent, without repeating it.
func TestRecordNeverShowsTheGitHubAPIURLsSecrets(t *testing.T) {
	for _, u := range badAPIURLs {
		jira := jiratest.New(t)
		env := jiraEnv(jira)
		env["GITHUB_TOKEN"] = githubtest.Token
		env["ROTOR_GITHUB_REPOSITORY"] = "acme/credential-register"
		env["ROTOR_GITHUB_API_URL"] = u
		r := runRotor(t, env, "", "record", "--register", example, "--issue", "SEC-1")
		if r.code != ExitUsage || !strings.Contains(r.stderr, "API URL") {
			t.Errorf("%q: exit %d\n%s%s", u, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "LEAKED") {
			t.Errorf("%q: the output shows the token:\n%s%s", u, r.stdout, r.stderr)
		}
		if jira.Total() != 0 {
			t.Errorf("%q: %d Jira calls before the configuration was checked", u, jira.Total())
		}
	}
}

// TestRecordRefusesATicketOutsideTheProjectOrIssueType: a done ticket with
// rotor's labels in another project, or of another issue type, is not a
// rotation: anyone who can close an issue elsewhere on the site could
// otherwise have any credential recorded. Nothing is committed, pushed,
// opened or commented.
func TestRecordRefusesATicketOutsideTheProjectOrIssueType(t *testing.T) {
	tests := []struct {
		name  string
		issue func(w *recordWorld) jiratest.Issue
		want  []string
	}{
		{"another project", func(w *recordWorld) jiratest.Issue {
			other := jiratest.DefaultProject()
			other.ID, other.Key, other.Name = "10001", "OTHER", "Other"
			w.jira.SetProject(other)
			return jiratest.Issue{Project: "OTHER"}
		}, []string{`is in project "OTHER"`, `not "SEC"`}},
		{"another issue type", func(*recordWorld) jiratest.Issue {
			return jiratest.Issue{IssueType: "Task"}
		}, []string{`is a "Task"`, `not a "Secret Rotation Task"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newRecordWorld(t)
			is := tt.issue(w)
			is.Summary = "Rotate Payments DB admin password (payments-db-admin)"
			is.Labels = []string{"rotor", "rotor-payments-db-admin"}
			is.Status = "Done"
			key := w.jira.AddIssue(is)
			refs := gittest.Git(t, w.origin, "for-each-ref")
			jiraWrites := w.jira.Writes()
			r := w.record(t, "--issue", key)
			if r.code != ExitFailed {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			for _, want := range append([]string{key}, tt.want...) {
				if !strings.Contains(r.stderr, want) {
					t.Errorf("stderr does not say %q:\n%s", want, r.stderr)
				}
			}
			if w.git.Requests.Load() != 0 || w.gh.Writes() != 0 || w.jira.Writes() != jiraWrites || len(w.gh.PullRequests()) != 0 {
				t.Errorf("wrote: git requests %d, GitHub writes %d, Jira writes %d", w.git.Requests.Load(), w.gh.Writes(), w.jira.Writes()-jiraWrites)
			}
			if got := gittest.Git(t, w.origin, "for-each-ref"); got != refs {
				t.Errorf("origin's refs changed:\n%s\nwere:\n%s", got, refs)
			}
			if objects := gittest.Git(t, w.clone, "count-objects"); !strings.HasPrefix(objects, "0 objects") {
				t.Errorf("a commit was made: %s", objects)
			}
			if got, _ := w.jira.Issue(key); len(got.Comments) != 0 {
				t.Errorf("%d comments on %s", len(got.Comments), key)
			}
		})
	}
}
