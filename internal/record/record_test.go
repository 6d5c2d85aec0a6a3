package record_test

import (
	"context"
	"crypto/sha1"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/record"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// fakeTickets is a tracker holding tickets and their comments. Every
// ticket is in project SEC and of the rotation issue type unless places
// says otherwise.
type fakeTickets struct {
	mu       sync.Mutex
	tickets  map[string]rotation.Ticket
	places   map[string][2]string // project, issue type
	comments map[string][]string
	posts    int
	failPost error
}

func (f *fakeTickets) LocatedTicket(_ context.Context, key string) (rotation.Ticket, string, string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.tickets[key]
	if !ok {
		return t, "", "", errors.New("jira: 404 issue does not exist")
	}
	if p, ok := f.places[key]; ok {
		return t, p[0], p[1], nil
	}
	return t, "SEC", rotation.DefaultIssueType, nil
}

func (f *fakeTickets) Comments(_ context.Context, key string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.comments[key]...), nil
}

func (f *fakeTickets) Comment(_ context.Context, key, text string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failPost != nil {
		return f.failPost
	}
	f.posts++
	f.comments[key] = append(f.comments[key], text)
	return nil
}

// fakeHost is a code host with pull requests.
type fakeHost struct {
	prs              []rotation.PullRequest // newest last
	creates, updates int
	failCreate       error
}

func (h *fakeHost) DefaultBranch(context.Context) (string, error) { return "main", nil }

func (h *fakeHost) PullRequests(_ context.Context, head string) ([]rotation.PullRequest, error) {
	var out []rotation.PullRequest
	for i := len(h.prs) - 1; i >= 0; i-- {
		if h.prs[i].Head == head {
			out = append(out, h.prs[i])
		}
	}
	return out, nil
}

func (h *fakeHost) CreatePullRequest(_ context.Context, pr rotation.NewPullRequest) (rotation.PullRequest, error) {
	if h.failCreate != nil {
		err := h.failCreate
		h.failCreate = nil
		return rotation.PullRequest{}, err
	}
	h.creates++
	n := len(h.prs) + 1
	p := rotation.PullRequest{Number: n, URL: fmt.Sprintf("https://github.example/acme/reg/pull/%d", n), State: "open",
		Head: pr.Head, Base: pr.Base, Title: pr.Title, Body: pr.Body, Labels: pr.Labels}
	h.prs = append(h.prs, p)
	return p, nil
}

func (h *fakeHost) UpdatePullRequest(_ context.Context, number int, title, body string) (rotation.PullRequest, error) {
	h.updates++
	p := &h.prs[number-1]
	p.Title, p.Body = title, body
	return *p, nil
}

// fakeRepo is a repository whose HEAD holds files, and whose origin holds
// branches.
type fakeRepo struct {
	root    string
	head    string
	files   map[string][]byte // at head
	commits map[string]rotation.Commit
	remote  map[string]string // branch → hash
	pushes  int
}

func (r *fakeRepo) Root() string          { return r.root }
func (r *fakeRepo) Head() (string, error) { return r.head, nil }

func (r *fakeRepo) FileAt(commit, path string) ([]byte, error) {
	if commit != r.head {
		return nil, fmt.Errorf("no commit %s", commit)
	}
	data, ok := r.files[path]
	if !ok {
		return nil, fmt.Errorf("no file %s", path)
	}
	return data, nil
}

func (r *fakeRepo) CreateCommit(c rotation.Commit) (string, error) {
	h := fmt.Sprintf("%x", sha1.Sum([]byte(c.Base+"\x00"+c.Path+"\x00"+string(c.Content)+"\x00"+c.Message+"\x00"+c.Author.Name+c.Author.Email+c.Author.When.UTC().String())))
	r.commits[h] = c
	return h, nil
}

func (r *fakeRepo) RemoteBranch(_ context.Context, branch string) (string, error) {
	return r.remote[branch], nil
}

func (r *fakeRepo) Push(_ context.Context, commit, branch string) error {
	if _, ok := r.commits[commit]; !ok {
		return fmt.Errorf("push of unknown commit %s", commit)
	}
	r.pushes++
	r.remote[branch] = commit
	return nil
}

const registerFile = `credentials:
  - id: db-admin
    name: DB admin password
    owner: alice@example.com
    team: payments
    period_days: 90
    last_changed: 2026-09-01 # rotated by alice
  - id: api-key
    name: Vendor API key
    owner: bob@example.com
    period_days: 30
    last_changed: 2026-11-01
`

var (
	today  = rotation.MustParseDate("2026-11-28")
	doneAt = time.Date(2026, time.November, 27, 23, 30, 0, 0, time.UTC) // 28 November in Berlin
)

type world struct {
	tickets *fakeTickets
	host    *fakeHost
	repo    *fakeRepo
	cfg     record.Config
}

func newWorld(t *testing.T) *world {
	t.Helper()
	root := t.TempDir()
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "credential_rotation", "payments.yaml")
	reg := &rotation.Register{Settings: rotation.Settings{Timezone: berlin}, Credentials: []*rotation.Credential{
		{ID: "db-admin", Name: "DB admin password", Owner: "alice@example.com", Team: "payments", PeriodDays: 90,
			LastChanged: rotation.MustParseDate("2026-09-01"), Pos: rotation.Position{File: file, Line: 2}},
		{ID: "api-key", Name: "Vendor API key", Owner: "bob@example.com", PeriodDays: 30,
			LastChanged: rotation.MustParseDate("2026-11-01"), Pos: rotation.Position{File: file, Line: 8}},
	}}
	return &world{
		tickets: &fakeTickets{comments: map[string][]string{}, tickets: map[string]rotation.Ticket{
			"SEC-42": {Key: "SEC-42", Labels: []string{"rotor", "rotor-db-admin"}, StatusName: "Done",
				StatusCategory: rotation.CategoryDone, DoneAt: doneAt},
		}},
		host: &fakeHost{},
		repo: &fakeRepo{root: root, head: "c0ffee", files: map[string][]byte{"credential_rotation/payments.yaml": []byte(registerFile)},
			commits: map[string]rotation.Commit{}, remote: map[string]string{"main": "c0ffee"}},
		cfg: record.Config{
			Register:  reg,
			Project:   "SEC",
			Today:     today,
			Author:    rotation.Signature{Name: "rotor", Email: "rotor@users.noreply.github.com"},
			BrowseURL: func(k string) string { return "https://acme.atlassian.net/browse/" + k },
			Check:     func(string, []byte) []register.Finding { return nil },
		},
	}
}

func (w *world) run(t *testing.T, req record.Request) (*record.Result, error) {
	t.Helper()
	return record.Run(context.Background(), record.Deps{Tickets: w.tickets, Host: w.host, Repo: w.repo}, w.cfg, req)
}

func TestRecordOpensOnePullRequest(t *testing.T) {
	w := newWorld(t)
	r, err := w.run(t, record.Request{IssueKey: "SEC-42", CredentialID: "db-admin"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != record.OutcomeRecorded || r.DoneOn.String() != "2026-11-28" || r.NextDue.String() != "2027-02-26" {
		t.Fatalf("result %+v", r)
	}
	if w.repo.pushes != 1 || w.host.creates != 1 || w.tickets.posts != 1 {
		t.Fatalf("pushes %d, PRs %d, comments %d; want 1 each", w.repo.pushes, w.host.creates, w.tickets.posts)
	}
	c := w.repo.commits[w.repo.remote["rotor/record/db-admin"]]
	wantFile := strings.Replace(registerFile, "last_changed: 2026-09-01 # rotated by alice", "last_changed: 2026-11-28 # rotated by alice\n    last_ticket: SEC-42", 1)
	if string(c.Content) != wantFile {
		t.Errorf("committed file:\n%s\nwant:\n%s", c.Content, wantFile)
	}
	if c.Base != "c0ffee" || !c.Author.When.Equal(doneAt) || c.Path != "credential_rotation/payments.yaml" {
		t.Errorf("commit %+v", c)
	}
	for _, want := range []string{"Record rotation of db-admin (SEC-42)", "\n\nRotor-Credential: db-admin\nRotor-Ticket: SEC-42\n"} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("commit message lacks %q:\n%s", want, c.Message)
		}
	}
	pr := w.host.prs[0]
	if pr.Base != "main" || pr.Head != "rotor/record/db-admin" || len(pr.Labels) != 1 || pr.Labels[0] != "rotor" {
		t.Errorf("pull request %+v", pr)
	}
	for _, want := range []string{"https://acme.atlassian.net/browse/SEC-42", "2026-09-01 → **2026-11-28**", "2027-02-26", "alice\\@example.com"} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("PR body lacks %q:\n%s", want, pr.Body)
		}
	}
	if !strings.Contains(w.tickets.comments["SEC-42"][0], pr.URL) {
		t.Errorf("comment %q does not link %s", w.tickets.comments["SEC-42"][0], pr.URL)
	}
	wantDiff := "--- a/credential_rotation/payments.yaml\n+++ b/credential_rotation/payments.yaml\n@@ -4,7 +4,8 @@\n" +
		"     owner: alice@example.com\n     team: payments\n     period_days: 90\n" +
		"-    last_changed: 2026-09-01 # rotated by alice\n+    last_changed: 2026-11-28 # rotated by alice\n+    last_ticket: SEC-42\n" +
		"   - id: api-key\n     name: Vendor API key\n     owner: bob@example.com\n"
	if r.Diff != wantDiff {
		t.Errorf("diff:\n%s\nwant:\n%s", r.Diff, wantDiff)
	}

	// The same event again: nothing new anywhere.
	r, err = w.run(t, record.Request{IssueKey: "SEC-42", CredentialID: "db-admin"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != record.OutcomeAlreadyPending || w.repo.pushes != 1 || w.host.creates != 1 || w.host.updates != 0 || w.tickets.posts != 1 {
		t.Fatalf("rerun: outcome %s, pushes %d, PRs %d, updates %d, comments %d", r.Outcome, w.repo.pushes, w.host.creates, w.host.updates, w.tickets.posts)
	}
}

func TestRecordRefuses(t *testing.T) {
	tests := []struct {
		name    string
		ticket  func(*rotation.Ticket)
		req     record.Request
		wantErr string
	}{
		{name: "not done", ticket: func(t *rotation.Ticket) {
			t.StatusCategory, t.StatusName, t.DoneAt = rotation.CategoryIndeterminate, "In Progress", time.Time{}
		}, wantErr: "is not done"},
		{name: "not a rotor ticket", ticket: func(t *rotation.Ticket) { t.Labels = []string{"rotor-db-admin"} }, wantErr: "is not a rotor ticket"},
		{name: "no credential label", ticket: func(t *rotation.Ticket) { t.Labels = []string{"rotor"} }, wantErr: "names no credential"},
		{name: "two credentials", ticket: func(t *rotation.Ticket) { t.Labels = append(t.Labels, "rotor-api-key") }, wantErr: "names several credentials"},
		{name: "unknown credential", ticket: func(t *rotation.Ticket) { t.Labels = []string{"rotor", "rotor-gone"} }, wantErr: `credential "gone" of SEC-42 is not in the register`},
		{name: "forged payload", req: record.Request{CredentialID: "api-key"}, wantErr: "the event is not trusted"},
		{name: "done after today", ticket: func(t *rotation.Ticket) { t.DoneAt = doneAt.Add(48 * time.Hour) }, wantErr: "after today"},
		{name: "no done time", ticket: func(t *rotation.Ticket) { t.DoneAt = time.Time{} }, wantErr: "no resolution date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			tk := w.tickets.tickets["SEC-42"]
			if tt.ticket != nil {
				tt.ticket(&tk)
			}
			w.tickets.tickets["SEC-42"] = tk
			tt.req.IssueKey = "SEC-42"
			_, err := w.run(t, tt.req)
			if !record.IsRefused(err) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a refusal containing %q", err, tt.wantErr)
			}
			if len(w.repo.commits) != 0 || w.repo.pushes != 0 || w.host.creates != 0 || w.tickets.posts != 0 {
				t.Errorf("a refused request wrote something")
			}
		})
	}
}

// TestRecordRefusesATicketOutsideItsPlace: rotor's labels on a done
// ticket of another project, or of another issue type, record nothing.
func TestRecordRefusesATicketOutsideItsPlace(t *testing.T) {
	tests := []struct {
		name             string
		project, typ     string
		cfgType          string
		wantErr, wantNot string
	}{
		{name: "another project", project: "OTHER", typ: rotation.DefaultIssueType,
			wantErr: `SEC-42 is in project "OTHER", not "SEC" (jira.project)`},
		{name: "another issue type", project: "SEC", typ: "Task",
			wantErr: `SEC-42 is a "Task", not a "Secret Rotation Task" (jira.issue_type)`},
		{name: "another configured issue type", project: "SEC", typ: rotation.DefaultIssueType, cfgType: "Rotation",
			wantErr: `SEC-42 is a "Secret Rotation Task", not a "Rotation"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.cfg.IssueType = tt.cfgType
			w.tickets.places = map[string][2]string{"SEC-42": {tt.project, tt.typ}}
			_, err := w.run(t, record.Request{IssueKey: "SEC-42", CredentialID: "db-admin"})
			if !record.IsRefused(err) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want a refusal containing %q", err, tt.wantErr)
			}
			if len(w.repo.commits) != 0 || w.repo.pushes != 0 || w.host.creates != 0 || w.tickets.posts != 0 {
				t.Errorf("a refused request wrote something")
			}
		})
	}
	t.Run("case does not matter", func(t *testing.T) {
		w := newWorld(t)
		w.tickets.places = map[string][2]string{"SEC-42": {"sec", "secret rotation task"}}
		if _, err := w.run(t, record.Request{IssueKey: "SEC-42"}); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRecordAlreadyInTheRegister(t *testing.T) {
	for _, tt := range []struct {
		name, lastChanged, lastTicket string
	}{
		{"this rotation", "2026-11-28", "SEC-42"},
		{"a later rotation", "2026-11-28", "SEC-50"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			c := w.cfg.Register.ByID("db-admin")
			c.LastChanged, c.LastTicket = rotation.MustParseDate(tt.lastChanged), tt.lastTicket
			if tt.lastTicket == "SEC-50" {
				c.LastChanged = c.LastChanged.AddDays(1)
				w.cfg.Today = w.cfg.Today.AddDays(1)
			}
			r, err := w.run(t, record.Request{IssueKey: "SEC-42"})
			if err != nil {
				t.Fatal(err)
			}
			if r.Outcome != record.OutcomeAlreadyRecord || len(w.repo.commits) != 0 || w.host.creates != 0 || w.tickets.posts != 0 {
				t.Fatalf("outcome %s; commits %d, PRs %d, comments %d", r.Outcome, len(w.repo.commits), w.host.creates, w.tickets.posts)
			}
		})
	}
}

func TestRecordReopensAfterAClosedPullRequest(t *testing.T) {
	w := newWorld(t)
	if _, err := w.run(t, record.Request{IssueKey: "SEC-42"}); err != nil {
		t.Fatal(err)
	}
	w.host.prs[0].State = "closed"
	r, err := w.run(t, record.Request{IssueKey: "SEC-42"})
	if err != nil {
		t.Fatal(err)
	}
	if w.host.creates != 2 || r.PullRequest.Number != 2 || len(r.Notes) == 0 || !strings.Contains(r.Notes[0], "#1 for rotor/record/db-admin was closed without merging") {
		t.Fatalf("PRs %d, result %+v", w.host.creates, r)
	}
	if w.tickets.posts != 2 {
		t.Errorf("%d comments, want one per pull request", w.tickets.posts)
	}
}

func TestRecordRerunCompletesAFailedRun(t *testing.T) {
	w := newWorld(t)
	w.host.failCreate = errors.New("github: 502 Bad Gateway")
	if _, err := w.run(t, record.Request{IssueKey: "SEC-42"}); err == nil {
		t.Fatal("no error from a failed PR creation")
	}
	if w.repo.pushes != 1 || w.host.creates != 0 {
		t.Fatalf("after the failure: pushes %d, PRs %d", w.repo.pushes, w.host.creates)
	}
	r, err := w.run(t, record.Request{IssueKey: "SEC-42"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != record.OutcomeRecorded || r.Pushed || w.repo.pushes != 1 || w.host.creates != 1 || w.tickets.posts != 1 {
		t.Fatalf("rerun: outcome %s pushed %v; pushes %d, PRs %d, comments %d", r.Outcome, r.Pushed, w.repo.pushes, w.host.creates, w.tickets.posts)
	}
	// A failed comment is completed by the next run too.
	w2 := newWorld(t)
	w2.tickets.failPost = errors.New("jira: 503")
	if _, err := w2.run(t, record.Request{IssueKey: "SEC-42"}); err == nil {
		t.Fatal("no error from a failed comment")
	}
	w2.tickets.failPost = nil
	r, err = w2.run(t, record.Request{IssueKey: "SEC-42"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != record.OutcomeAlreadyPending || !r.Commented || w2.tickets.posts != 1 || w2.host.creates != 1 {
		t.Fatalf("rerun after a failed comment: %+v, comments %d, PRs %d", r, w2.tickets.posts, w2.host.creates)
	}
}

func TestRecordDryRunWritesNothing(t *testing.T) {
	w := newWorld(t)
	w.cfg.DryRun = true
	r, err := w.run(t, record.Request{IssueKey: "SEC-42"})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != record.OutcomeDryRun || r.PullRequest.Action != "would open" || !strings.Contains(r.Diff, "+    last_ticket: SEC-42") {
		t.Fatalf("result %+v", r)
	}
	if len(w.repo.commits) != 0 || w.repo.pushes != 0 || w.host.creates != 0 || w.tickets.posts != 0 {
		t.Errorf("a dry run wrote something")
	}
}

func TestRecordNeedsTheDefaultBranchHead(t *testing.T) {
	w := newWorld(t)
	w.repo.remote["main"] = "beef"
	_, err := w.run(t, record.Request{IssueKey: "SEC-42"})
	if err == nil || !strings.Contains(err.Error(), "is not the head of origin's main") {
		t.Fatalf("err = %v", err)
	}
	if len(w.repo.commits) != 0 || w.repo.pushes != 0 {
		t.Error("wrote before refusing")
	}
}

func TestRecordRefusesAnEditThatDoesNotValidate(t *testing.T) {
	w := newWorld(t)
	w.cfg.Check = func(path string, _ []byte) []register.Finding {
		return []register.Finding{{File: path, Line: 7, Column: 19, Severity: register.SeverityError, Rule: "date", Message: "bad"}}
	}
	_, err := w.run(t, record.Request{IssueKey: "SEC-42"})
	if err == nil || !strings.Contains(err.Error(), "would not be valid") || len(w.repo.commits) != 0 {
		t.Fatalf("err = %v, commits %d", err, len(w.repo.commits))
	}
}

func TestDiff(t *testing.T) {
	tests := []struct{ name, a, b, want string }{
		{"same", "x\n", "x\n", ""},
		{"one line", "a\nb\nc\n", "a\nB\nc\n", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"no newline at end", "a\nb", "a\nc", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{"crlf", "a\r\nb\r\n", "a\r\nc\r\n", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n"},
	}
	for _, tt := range tests {
		if got := record.Diff("f", []byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("%s: Diff =\n%q\nwant\n%q", tt.name, got, tt.want)
		}
	}
}

func TestDiffShowsOnlyChangedLines(t *testing.T) {
	a := "id: x\nlast_changed: 2026-09-01\ncriticality: high\nrunbook: https://w\nlast_ticket: SEC-1\nz: 1\n"
	b := "id: x\nlast_changed: 2026-11-26\ncriticality: high\nrunbook: https://w\nlast_ticket: SEC-3\nz: 1\n"
	want := "--- a/f\n+++ b/f\n@@ -1,6 +1,6 @@\n id: x\n-last_changed: 2026-09-01\n+last_changed: 2026-11-26\n criticality: high\n runbook: https://w\n-last_ticket: SEC-1\n+last_ticket: SEC-3\n z: 1\n"
	if got := record.Diff("f", []byte(a), []byte(b)); got != want {
		t.Errorf("Diff =\n%s\nwant\n%s", got, want)
	}
	// Changes far apart make two hunks.
	long := strings.Repeat("k: v\n", 20)
	got := record.Diff("f", []byte("a: 1\n"+long+"b: 1\n"), []byte("a: 2\n"+long+"b: 2\n"))
	if strings.Count(got, "@@ -") != 2 || strings.Count(got, "\n k: v") != 6 {
		t.Errorf("two distant changes:\n%s", got)
	}
}
