//go:build e2e

// Package e2e runs rotor's whole loop once, end to end, with the real
// binaries: a register repository served over smart HTTP by git's own
// http-backend, the project's fake Jira and fake GitHub on 127.0.0.1, a
// running rotor-relay and a real SMTP server.
//
//	go test -tags e2e -count=1 -v ./e2e/
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"mime/multipart"
	"net/http"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/mail/mailtest"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

const (
	today         = "2026-11-27" // the example register shows every status on this date
	credential    = "payments-db-admin"
	branch        = "rotor/record/" + credential
	webhookSecret = "9c41e7a0b35d28f6e1c07a94d2b8f5136ae0c7d9"
	deliveryID    = "7d1e5b2a-4c3f-4e8a-b6d0-2f9a1c3e5b7d"
	reportFrom    = "rotor@example.com"
	reportTo      = "security-team@example.com" // report.recipients in the example rotor.yaml

	// Bounds on everything the test starts.
	buildTimeout = 5 * time.Minute
	runTimeout   = 30 * time.Second
	relayTimeout = 60 * time.Second
)

var (
	// The rotation is done on 26 November at 09:30 UTC (the fake Jira's
	// clock), and merged the same afternoon.
	doneAt   = time.Date(2026, time.November, 26, 9, 30, 0, 0, time.UTC)
	mergedAt = time.Date(2026, time.November, 26, 15, 0, 0, 0, time.UTC)
	// The register's first commit, after its latest last_changed.
	seededAt = time.Date(2026, time.November, 2, 9, 0, 0, 0, time.UTC)

	// What the example register holds on today: 3 overdue, 4 due.
	dueOrOverdue = []string{
		"gcp-terraform-sa-key", "github-actions-deploy-key", "payments-db-admin", "payments-hsm-operator-card",
		"s3-partner-upload-key", "snowflake-etl-service", "vpn-shared-psk",
	}
)

// world is everything the scenario runs against.
type world struct {
	root, bin, home string
	rotor, relay    string
	originURL       string // the register's repository over smart HTTP
	clone           string // the working copy, as actions/checkout leaves it
	extraHeader     string // git config that authenticates to originURL, as actions/checkout sets it
	bare            string // origin's bare repository on disk
	jira            *jiratest.Server
	gh              *githubtest.Server
	vault           *vaultfake.Server
	dbSecret        *vaultfake.Secret // payments-db-admin's secret in Vault
	git             *gittest.Server
	start, built    time.Time
}

func TestRotationLoop(t *testing.T) {
	w := setUp(t)

	key := w.stepSync(t)
	dispatch := w.stepRelay(t, key)
	w.stepRecord(t, key, dispatch)
	w.stepMergeAndSync(t, key)
	w.stepReport(t, key)
	w.stepAudit(t, key)

	t.Logf("done: the scenario took %s after the build, %s in all", time.Since(w.built).Round(time.Millisecond), time.Since(w.start).Round(time.Millisecond))
}

// setUp builds the binaries, starts the fakes, and makes step 1: a fresh
// register repository with the example register, served over smart HTTP,
// and a depth-1 clone of it.
func setUp(t *testing.T) *world {
	t.Helper()
	// Real git is the point: fail, do not skip, without it.
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("the end-to-end test needs the git CLI (and its git-http-backend)")
	}
	w := &world{start: time.Now(), root: t.TempDir()}
	w.bin = filepath.Join(w.root, "bin")
	w.home = filepath.Join(w.root, "home")
	if err := os.MkdirAll(w.home, 0o755); err != nil {
		t.Fatal(err)
	}
	module, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(module, "go.mod")); err != nil {
		t.Fatalf("run from the e2e folder of the module: %v", err)
	}

	// The real binaries.
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", w.bin+string(filepath.Separator), "./cmd/rotor", "./cmd/rotor-relay")
	build.Dir = module
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	w.rotor, w.relay = filepath.Join(w.bin, "rotor"), filepath.Join(w.bin, "rotor-relay")
	w.built = time.Now()
	t.Logf("setup: built rotor and rotor-relay in %s", time.Since(w.start).Round(time.Millisecond))

	// The fakes.
	w.jira = jiratest.New(t)
	w.gh = githubtest.New(t)

	// origin: a bare repository with the example register, one commit.
	srvRoot := filepath.Join(w.root, "srv")
	w.bare = filepath.Join(srvRoot, "register.git")
	git(t, w.root, nil, "init", "-q", "--bare", "-b", "main", w.bare)
	git(t, w.bare, nil, "config", "http.receivepack", "true")
	seed := filepath.Join(w.root, "seed")
	git(t, w.root, nil, "init", "-q", "-b", "main", seed)
	copyTree(t, filepath.Join(module, "credential_rotation"), filepath.Join(seed, "credential_rotation"))
	// payments-db-admin lives in Vault, and record needs the store to show
	// a rotation before it records one.
	payments := filepath.Join(seed, "credential_rotation", "payments.yaml")
	writeFile(t, payments, strings.Replace(readFile(t, payments), "    last_ticket: SEC-12\n",
		"    last_ticket: SEC-12\n    source:\n      vault_kv: {mount: secret, path: payments/db-admin}\n", 1))
	settings := filepath.Join(seed, "credential_rotation", "rotor.yaml")
	writeFile(t, settings, readFile(t, settings)+"\nverify:\n  require_for_record: true\n")
	w.vault = vaultfake.New(t)
	w.dbSecret = w.vault.Put("secret", "payments/db-admin", time.Date(2026, time.September, 1, 8, 0, 0, 0, time.UTC))
	writeFile(t, filepath.Join(seed, "README.md"), "The credential register of acme.\n")
	git(t, seed, nil, "add", "-A")
	git(t, seed, dated(seededAt, "Security Team", "security@example.com"), "commit", "-q", "-m", "The credential register")
	git(t, seed, nil, "push", "-q", w.bare, "main")

	w.git = gittest.NewServer(t, srvRoot, githubtest.Token)
	w.originURL = w.git.URL + "/register.git"
	basic := base64.StdEncoding.EncodeToString([]byte(gittest.User + ":" + githubtest.Token))
	w.extraHeader = "http." + w.git.URL + "/.extraheader=AUTHORIZATION: basic " + basic

	// The working copy: depth 1, the token in the local config and not
	// in the remote's URL, as actions/checkout does.
	w.clone = filepath.Join(w.root, "work")
	git(t, w.root, nil, "clone", "-q", "--depth", "1", "--no-tags", "-c", w.extraHeader, w.originURL, w.clone)
	if n := git(t, w.clone, nil, "rev-list", "--count", "HEAD"); n != "1" {
		t.Fatalf("the clone has %s commits, want a depth-1 clone", n)
	}
	if _, err := os.Stat(filepath.Join(w.clone, ".git", "shallow")); err != nil {
		t.Fatalf("the clone is not shallow: %v", err)
	}
	if got := git(t, w.clone, nil, "remote", "get-url", "origin"); got != w.originURL {
		t.Fatalf("origin is %q", got)
	}
	t.Logf("step 1: origin %s (git http-backend, basic auth with the fake GitHub's token) holds the example register in one commit; the working copy is a depth-1 clone of it over smart HTTP", w.originURL)
	return w
}

// stepSync is step 2: validate, then sync on the pinned date, which opens
// a ticket for every due and overdue credential. It returns the key of the
// ticket of credential.
func (w *world) stepSync(t *testing.T) string {
	r := w.run(t, w.clone, nil, w.rotor, "validate")
	if r.code != 0 {
		t.Fatalf("rotor validate: %s", r)
	}
	t.Logf("step 2: rotor validate exits 0 on the example register: %s", firstLine(r.stdout+r.stderr))

	r = w.run(t, w.clone, w.jiraEnv(), w.rotor, "sync", "--today", today, "--dry-run", "--format", "json")
	if r.code != 0 {
		t.Fatalf("rotor sync --dry-run: %s", r)
	}
	planned := plannedCreates(t, r.stdout)
	if !slices.Equal(planned, dueOrOverdue) {
		t.Fatalf("sync --dry-run plans to create tickets for %v, want %v\n%s", planned, dueOrOverdue, r.stdout)
	}
	if n := w.jira.Writes(); n != 0 {
		t.Fatalf("sync --dry-run wrote %d times to Jira", n)
	}
	t.Logf("step 2: rotor sync --dry-run --today %s plans %d creates (%s) and writes nothing", today, len(planned), strings.Join(planned, ", "))

	r = w.run(t, w.clone, w.jiraEnv(), w.rotor, "sync", "--today", today)
	if r.code != 0 {
		t.Fatalf("rotor sync: %s", r)
	}
	issues := w.jira.Issues()
	if n := w.jira.CallsTo("POST /rest/api/3/issue"); n != len(dueOrOverdue) {
		t.Errorf("sync made %d create calls, want %d", n, len(dueOrOverdue))
	}
	byCredential := map[string]jiratest.Issue{}
	for _, is := range issues {
		id := rotorLabel(is.Labels)
		if !slices.Contains(is.Labels, "rotor") || id == "" {
			t.Errorf("%s has labels %v, want rotor and one rotor-<id>", is.Key, is.Labels)
			continue
		}
		if _, dup := byCredential[id]; dup {
			t.Errorf("two tickets for %s", id)
		}
		byCredential[id] = is
		if want := fmt.Sprintf("(%s)", id); !strings.Contains(is.Summary, want) || is.Status != "To Do" {
			t.Errorf("%s: summary %q, status %q", is.Key, is.Summary, is.Status)
		}
	}
	ids := sortedKeys(byCredential)
	if len(issues) != len(dueOrOverdue) || !slices.Equal(ids, dueOrOverdue) {
		t.Fatalf("Jira holds %d tickets for %v, want one for each of %v", len(issues), ids, dueOrOverdue)
	}
	overdue := 0
	for _, is := range issues {
		if slices.Contains(is.Labels, "rotor-overdue") {
			overdue++
			if is.Priority != "High" {
				t.Errorf("overdue %s has priority %q, want High", is.Key, is.Priority)
			}
		}
	}
	if overdue != 3 {
		t.Errorf("%d tickets carry rotor-overdue, want 3", overdue)
	}
	key := byCredential[credential].Key
	if is := byCredential[credential]; is.DueDate != "2026-11-30" {
		t.Errorf("%s (%s) has due date %q, want 2026-11-30", is.Key, credential, is.DueDate)
	}
	t.Logf("step 2: rotor sync --today %s created %d tickets in the fake Jira (3 overdue with rotor-overdue and priority High, 4 due); %s's is %s, due 2026-11-30", today, len(issues), credential, key)

	// A second run finds them all and writes nothing.
	w.jira.ResetCounts()
	if r := w.run(t, w.clone, w.jiraEnv(), w.rotor, "sync", "--today", today); r.code != 0 {
		t.Fatalf("second rotor sync: %s", r)
	}
	if n := w.jira.Writes(); n != 0 || len(w.jira.Issues()) != len(dueOrOverdue) {
		t.Fatalf("a second sync wrote %d times; Jira holds %d tickets", n, len(w.jira.Issues()))
	}
	t.Logf("step 2: a second rotor sync makes no Jira write")
	return key
}

// stepRelay is step 3: the ticket moves to Done, Jira's signed webhook
// reaches a running rotor-relay, which dispatches to the fake GitHub. It
// returns the dispatch.
func (w *world) stepRelay(t *testing.T, key string) githubtest.Dispatch {
	w.jira.SetNow(func() time.Time { return doneAt })
	if err := w.jira.MoveTo(key, "Done"); err != nil {
		t.Fatal(err)
	}
	is, _ := w.jira.Issue(key)
	if !is.ResolutionDate.Equal(doneAt) || !is.StatusCategoryChangeDate.Equal(doneAt) {
		t.Fatalf("%s: resolved %s, status category changed %s, want %s", key, is.ResolutionDate, is.StatusCategoryChangeDate, doneAt)
	}

	relay := w.startRelay(t)
	body := webhookBody(t, w.jira.URL, is)

	// A wrong signature is refused and forwards nothing.
	status, answer := relay.post(t, body, "sha256="+strings.Repeat("0", 64), deliveryID)
	if status != http.StatusUnauthorized || len(w.gh.Dispatches()) != 0 {
		t.Fatalf("a badly signed webhook: %d %s, %d dispatches", status, answer, len(w.gh.Dispatches()))
	}

	status, answer = relay.post(t, body, sign(body), deliveryID)
	if status != http.StatusOK || answer["outcome"] != "forwarded" {
		t.Fatalf("the signed webhook: %d %v", status, answer)
	}
	ds := w.gh.Dispatches()
	if len(ds) != 1 {
		t.Fatalf("%d dispatches, want 1", len(ds))
	}
	d := ds[0]
	want := map[string]any{"issue_key": key, "credential_id": credential, "done_at": doneAt.Format(time.RFC3339), "delivery_id": deliveryID}
	if d.EventType != "rotor.rotation-done" || !equalJSON(d.ClientPayload, want) {
		t.Fatalf("dispatch %q with %v, want rotor.rotation-done with %v", d.EventType, d.ClientPayload, want)
	}
	if got := d.Header.Get("Authorization"); got != "Bearer "+githubtest.Token && got != "token "+githubtest.Token {
		t.Errorf("the dispatch was not sent with the token")
	}
	t.Logf("step 3: %s moved to Done at %s; the signed webhook (X-Hub-Signature sha256, delivery %s) was answered 200 forwarded, a badly signed one 401; the fake GitHub got exactly one rotor.rotation-done dispatch with %s", key, doneAt.Format(time.RFC3339), deliveryID, d.RawPayload)

	// Jira delivers again: a duplicate, nothing sent twice.
	status, answer = relay.post(t, body, sign(body), deliveryID)
	if status != http.StatusOK || answer["outcome"] != "duplicate" || len(w.gh.Dispatches()) != 1 {
		t.Fatalf("the repeated delivery: %d %v, %d dispatches", status, answer, len(w.gh.Dispatches()))
	}
	t.Logf("step 3: the same delivery again is answered 200 duplicate; still one dispatch")

	logs := relay.stop(t)
	if !strings.Contains(logs, `"outcome":"forwarded"`) || !strings.Contains(logs, `"issue_key":"`+key+`"`) {
		t.Errorf("the relay did not log the forward:\n%s", logs)
	}
	for _, secret := range []string{webhookSecret, githubtest.Token} {
		if strings.Contains(logs, secret) {
			t.Errorf("the relay logged a secret")
		}
	}
	t.Logf("step 3: the relay stopped on SIGTERM with exit 0; its log names the forward and no secret")
	return d
}

// stepRecord is step 4: rotor record on the dispatch event pushes the
// one-line change to origin, opens the pull request, and comments on the
// ticket.
func (w *world) stepRecord(t *testing.T, key string, d githubtest.Dispatch) {
	event := dispatchEvent(t, filepath.Join(w.root, "event.json"), d, w.gh.Repository())
	env := w.githubEnv()
	env["GITHUB_EVENT_NAME"] = "repository_dispatch"
	env["GITHUB_EVENT_PATH"] = event
	mainBefore := git(t, w.bare, nil, "rev-parse", "refs/heads/main")

	// The ticket is done, but Vault still holds the version written on 1
	// September: verify.require_for_record refuses the rotation and says
	// so on the ticket, once.
	for range 2 {
		gitRequests, ghWrites := w.git.Requests.Load(), w.gh.Writes()
		r := w.run(t, w.clone, env, w.rotor, "record", "--today", today)
		if r.code != 1 || !strings.Contains(r.stderr, "the secret store does not show a rotation of "+credential+" after 2026-09-01") {
			t.Fatalf("rotor record before the secret was rotated: want exit 1 and the store's evidence: %s", r)
		}
		if w.git.Requests.Load() != gitRequests || w.gh.Writes() != ghWrites {
			t.Fatalf("the refused record made %d git requests and %d GitHub writes", w.git.Requests.Load()-gitRequests, w.gh.Writes()-ghWrites)
		}
	}
	if is, _ := w.jira.Issue(key); len(is.Comments) != 1 {
		t.Fatalf("%s has %d comments after two refused records, want 1", key, len(is.Comments))
	} else if body, _ := json.Marshal(is.Comments[0].Body); !strings.Contains(string(body), "version 1 created 2026-09-01T08:00:00Z") {
		t.Errorf("the refusal on %s does not say what Vault showed: %s", key, body)
	}
	t.Logf("step 4: with verify.require_for_record, rotor record refuses %s twice (exit 1, nothing pushed or opened): Vault's current version of secret/payments/db-admin is from 2026-09-01; one comment on %s says so", key, key)

	// Now the secret is rotated in Vault, an hour before the ticket is done.
	w.dbSecret.Write(doneAt.Add(-time.Hour))
	r := w.run(t, w.clone, env, w.rotor, "record", "--today", today)
	if r.code != 0 {
		t.Fatalf("rotor record: %s", r)
	}
	if !strings.Contains(r.stdout, "pull request #1 opened") {
		t.Errorf("rotor record does not say it opened the pull request:\n%s", r.stdout)
	}

	// The branch on origin: one commit on main's head, one file, two lines.
	heads := git(t, w.clone, nil, "ls-remote", "--heads", "origin") // over smart HTTP, with the clone's extraheader
	if !strings.Contains(heads, "refs/heads/"+branch) {
		t.Fatalf("origin has no %s:\n%s", branch, heads)
	}
	ref := "refs/heads/" + branch
	if parent := git(t, w.bare, nil, "rev-parse", ref+"^"); parent != mainBefore {
		t.Errorf("%s is not one commit on main: its parent is %s, main is %s", branch, parent, mainBefore)
	}
	if changed := git(t, w.bare, nil, "diff", "--name-only", "main", ref); changed != "credential_rotation/payments.yaml" {
		t.Errorf("the branch changes %q", changed)
	}
	removed, added := diffLines(git(t, w.bare, nil, "diff", "--unified=0", "main", ref))
	wantRemoved := []string{"    last_changed: 2026-09-01", "    last_ticket: SEC-12"}
	wantAdded := []string{"    last_changed: 2026-11-26", "    last_ticket: " + key}
	if !slices.Equal(removed, wantRemoved) || !slices.Equal(added, wantAdded) {
		t.Errorf("the diff removes %q and adds %q, want %q and %q", removed, added, wantRemoved, wantAdded)
	}
	original := git(t, w.bare, nil, "show", "main:credential_rotation/payments.yaml")
	want := strings.Replace(original, wantRemoved[0], wantAdded[0], 1)
	want = strings.Replace(want, wantRemoved[1], wantAdded[1], 1)
	if got := git(t, w.bare, nil, "show", ref+":credential_rotation/payments.yaml"); got != want {
		t.Errorf("the branch's payments.yaml:\n%s\nwant:\n%s", got, want)
	}
	msg := git(t, w.bare, nil, "log", "-1", "--format=%an <%ae>%n%cI%n%B", ref)
	for _, part := range []string{"rotor <rotor@users.noreply.github.com>", "2026-11-26T09:30:00", "Rotor-Credential: " + credential, "Rotor-Ticket: " + key} {
		if !strings.Contains(msg, part) {
			t.Errorf("the commit lacks %q:\n%s", part, msg)
		}
	}
	if st := git(t, w.clone, nil, "status", "--porcelain"); st != "" {
		t.Errorf("rotor record changed the working copy:\n%s", st)
	}
	t.Logf("step 4: origin has %s, one commit on main (by rotor, dated the done time, trailers Rotor-Credential/Rotor-Ticket) changing only credential_rotation/payments.yaml: last_changed 2026-09-01 → 2026-11-26, last_ticket SEC-12 → %s", branch, key)

	prs := w.gh.PullRequests()
	if len(prs) != 1 {
		t.Fatalf("%d pull requests, want 1: %+v", len(prs), prs)
	}
	pr := prs[0]
	if pr.Head != branch || pr.Base != "main" || pr.State != "open" || !slices.Contains(pr.Labels, "rotor") ||
		!strings.Contains(pr.Body, w.jira.URL+"/browse/"+key) {
		t.Errorf("pull request: %+v", pr)
	}
	prURL := fmt.Sprintf("https://github.com/%s/pull/%d", w.gh.Repository(), pr.Number)
	is, _ := w.jira.Issue(key)
	if len(is.Comments) != 2 {
		t.Fatalf("%s has %d comments, want 2 (the refusal, then the pull request's link)", key, len(is.Comments))
	}
	if !strings.Contains(pr.Body, "| secret store | `vault_kv secret/payments/db-admin`: version 2 created 2026-11-26T08:30:00Z |") {
		t.Errorf("the pull request does not carry Vault's evidence:\n%s", pr.Body)
	}
	if body, _ := json.Marshal(is.Comments[1].Body); !strings.Contains(string(body), prURL) {
		t.Errorf("the comment on %s does not link %s: %s", key, prURL, body)
	}
	if is.Status != "Done" {
		t.Errorf("%s is %q after record", key, is.Status)
	}
	t.Logf("step 4: the fake GitHub holds one open pull request #%d %s → main, labelled rotor, linking %s, carrying Vault's evidence; %s has a second comment, linking %s", pr.Number, pr.Head, key, key, prURL)

	// The same event again changes nothing.
	pushes, ghWrites, jiraWrites := w.git.Requests.Load(), w.gh.Writes(), w.jira.Writes()
	if r := w.run(t, w.clone, env, w.rotor, "record", "--today", today); r.code != 0 {
		t.Fatalf("rotor record again: %s", r)
	}
	if w.gh.Writes() != ghWrites || w.jira.Writes() != jiraWrites || len(w.gh.PullRequests()) != 1 {
		t.Errorf("the repeated record wrote: GitHub %d → %d, Jira %d → %d", ghWrites, w.gh.Writes(), jiraWrites, w.jira.Writes())
	}
	t.Logf("step 4: the same event again writes nothing to GitHub or Jira (%d git requests, no push)", w.git.Requests.Load()-pushes)
}

// stepMergeAndSync is step 5: the branch is merged into main on origin,
// the working copy pulls, and sync leaves the credential alone.
func (w *world) stepMergeAndSync(t *testing.T, key string) {
	scratch := filepath.Join(w.root, "scratch")
	git(t, w.root, nil, "clone", "-q", "-c", w.extraHeader, w.originURL, scratch)
	merger := dated(mergedAt, "Dana Reviewer", "dana@example.com")
	git(t, scratch, merger, "merge", "-q", "--no-ff", "-m", "Merge pull request #1 from acme/"+branch, "origin/"+branch)
	git(t, scratch, nil, "push", "-q", "origin", "main")
	w.gh.Merge(1)
	git(t, w.clone, nil, "pull", "-q", "--ff-only", "origin", "main")
	if head, origin := git(t, w.clone, nil, "rev-parse", "HEAD"), git(t, w.bare, nil, "rev-parse", "main"); head != origin {
		t.Fatalf("the working copy is at %s, origin's main at %s", head, origin)
	}
	if file := readFile(t, filepath.Join(w.clone, "credential_rotation", "payments.yaml")); !strings.Contains(file, "last_changed: 2026-11-26") || !strings.Contains(file, "last_ticket: "+key) {
		t.Fatalf("the working copy does not have the merged change:\n%s", file)
	}
	t.Logf("step 5: %s merged into main with git merge --no-ff in a scratch clone and pushed over smart HTTP; the working copy pulled it", branch)

	w.jira.ResetCounts()
	r := w.run(t, w.clone, w.jiraEnv(), w.rotor, "sync", "--today", today)
	if r.code != 0 {
		t.Fatalf("rotor sync after the merge: %s", r)
	}
	if n := w.jira.Writes(); n != 0 {
		t.Errorf("sync after the merge wrote %d times to Jira:\n%s", n, r.stdout)
	}
	if n := len(w.jira.Issues()); n != len(dueOrOverdue) {
		t.Errorf("Jira holds %d tickets, want still %d", n, len(dueOrOverdue))
	}
	for _, ex := range w.jira.Exchanges() {
		if strings.Contains(ex.Path, "/issue/"+key) {
			t.Errorf("sync touched %s: %s %s", key, ex.Method, ex.Path)
		}
	}
	if is, _ := w.jira.Issue(key); is.Status != "Done" || len(is.Comments) != 2 {
		t.Errorf("%s is %q with %d comments after sync", key, is.Status, len(is.Comments))
	}
	if strings.Contains(r.stdout, credential) {
		t.Errorf("the sync plan names %s:\n%s", credential, r.stdout)
	}
	t.Logf("step 5: rotor sync --today %s makes no Jira write: no ticket for %s, %s stays Done and untouched; plan: %s", today, credential, key, firstLine(r.stdout))

	r = w.run(t, w.clone, nil, w.rotor, "status", "--today", today, "--format", "json")
	if r.code != 0 {
		t.Fatalf("rotor status: %s", r)
	}
	var entries []struct {
		ID          string `json:"id"`
		LastChanged string `json:"last_changed"`
		NextDueDate string `json:"next_due_date"`
		DaysLeft    int    `json:"days_left"`
		Status      string `json:"status"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &entries); err != nil {
		t.Fatalf("rotor status --format json: %v\n%s", err, r.stdout)
	}
	found := false
	for _, e := range entries {
		if e.ID == credential {
			found = true
			if e.Status != "ok" || e.LastChanged != "2026-11-26" || e.NextDueDate != "2027-02-24" {
				t.Errorf("status of %s: %+v, want ok, last changed 2026-11-26, due 2027-02-24", credential, e)
			}
			t.Logf("step 5: rotor status --format json: %s is %s, last changed %s, next due %s (%d days left)", e.ID, e.Status, e.LastChanged, e.NextDueDate, e.DaysLeft)
		}
	}
	if !found || len(entries) != 12 {
		t.Errorf("rotor status lists %d credentials, %s found: %v", len(entries), credential, found)
	}

	// rotor verify agrees: the register and Vault tell the same date.
	reads := w.vault.CallsTo(vaultfake.RouteRead)
	r = w.run(t, w.clone, w.vaultEnv(), w.rotor, "verify", "--today", today, "--id", credential, "--format", "json")
	var verified struct {
		Results []struct{ ID, Verdict, Detail string } `json:"results"`
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &verified) != nil || len(verified.Results) != 1 || verified.Results[0].Verdict != "confirmed" {
		t.Fatalf("rotor verify --id %s: want exit 0 and confirmed: %s", credential, r)
	}
	if n := w.vault.CallsTo(vaultfake.RouteRead) - reads; n != 1 || len(w.vault.ValueReads()) != 0 {
		t.Errorf("rotor verify read Vault's metadata %d times (want 1) and values %v (want none)", n, w.vault.ValueReads())
	}
	t.Logf("step 5: rotor verify --id %s: confirmed (%s)", credential, verified.Results[0].Detail)
}

// stepReport is step 6: with the full history, the report counts the
// rotation, and --email delivers it.
func (w *world) stepReport(t *testing.T, key string) {
	git(t, w.clone, nil, "fetch", "-q", "--unshallow", "origin")
	if _, err := os.Stat(filepath.Join(w.clone, ".git", "shallow")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the working copy is still shallow: %v", err)
	}
	t.Logf("step 6: the working copy was unshallowed (fetch-depth 0): %s commits on main", git(t, w.clone, nil, "rev-list", "--count", "main"))

	r := w.run(t, w.clone, nil, w.rotor, "report", "--today", today, "--format", "json")
	if r.code != 0 {
		t.Fatalf("rotor report --format json: %s", r)
	}
	var rep struct {
		Week              string            `json:"week"`
		Total             int               `json:"total"`
		Exempt            int               `json:"exempt"`
		OnTime            int               `json:"on_time"`
		CompliancePercent *int              `json:"compliance_percent"`
		Overdue           []json.RawMessage `json:"overdue"`
		Rotated           []struct {
			ID                  string `json:"id"`
			PreviousLastChanged string `json:"previous_last_changed"`
			LastChanged         string `json:"last_changed"`
			Ticket              string `json:"ticket"`
			By                  string `json:"by"`
		} `json:"rotated"`
		Previous    *json.RawMessage `json:"previous"`
		HistoryNote string           `json:"history_note"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("rotor report --format json: %v\n%s", err, r.stdout)
	}
	if rep.HistoryNote != "" || rep.Previous == nil {
		t.Errorf("the report read no history: note %q, previous %v", rep.HistoryNote, rep.Previous)
	}
	if len(rep.Rotated) != 1 {
		t.Fatalf("the report lists %d rotations, want 1: %s", len(rep.Rotated), r.stdout)
	}
	rot := rep.Rotated[0]
	if rot.ID != credential || rot.PreviousLastChanged != "2026-09-01" || rot.LastChanged != "2026-11-26" || rot.Ticket != key {
		t.Errorf("rotation: %+v", rot)
	}
	// 12 credentials, 1 exempt, 3 overdue: 8 of 11 on time.
	if rep.Total != 12 || rep.Exempt != 1 || rep.OnTime != 8 || len(rep.Overdue) != 3 || rep.CompliancePercent == nil || *rep.CompliancePercent != 73 {
		t.Errorf("KPIs: total %d, exempt %d, on time %d, overdue %d, compliance %v", rep.Total, rep.Exempt, rep.OnTime, len(rep.Overdue), rep.CompliancePercent)
	}
	t.Logf("step 6: rotor report --format json (%s): %d credentials, %d%% on time, %d overdue, rotated: %s %s → %s (%s, by %s)",
		rep.Week, rep.Total, deref(rep.CompliancePercent), len(rep.Overdue), rot.ID, rot.PreviousLastChanged, rot.LastChanged, rot.Ticket, rot.By)

	smtp := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS})
	env := map[string]string{"ROTOR_SMTP_URL": smtp.URL("", ""), "ROTOR_REPORT_FROM": reportFrom}
	r = w.run(t, w.clone, env, w.rotor, "report", "--today", today, "--email", "--smtp-insecure")
	if r.code != 0 {
		t.Fatalf("rotor report --email: %s", r)
	}
	msgs := smtp.Messages()
	if len(msgs) != 1 {
		t.Fatalf("%d messages delivered, want 1", len(msgs))
	}
	m := msgs[0]
	if m.From != reportFrom || !slices.Equal(m.To, []string{reportTo}) {
		t.Errorf("message from %q to %v", m.From, m.To)
	}
	subject, text, html := readMessage(t, m.Data)
	wantSubject := fmt.Sprintf("Secret rotation: %d%% on time, %d overdue (week 48)", deref(rep.CompliancePercent), len(rep.Overdue))
	if subject != wantSubject {
		t.Errorf("subject %q, want %q", subject, wantSubject)
	}
	for _, part := range []string{"1 rotated this week", "Rotated this week (1)", credential, key} {
		if !strings.Contains(text, part) {
			t.Errorf("the text part lacks %q:\n%s", part, text)
		}
	}
	if !strings.Contains(html, credential) {
		t.Errorf("the HTML part does not name %s", credential)
	}
	t.Logf("step 6: rotor report --email --smtp-insecure delivered 1 message from %s to %s over SMTP, subject %q; its text part counts \"1 rotated this week\" and lists %s (%s)", m.From, strings.Join(m.To, ", "), subject, credential, key)
}

// stepAudit is step 7: the evidence pack over the same history shows the
// rotation as rotor recorded it, with its ticket, pull request and merger.
func (w *world) stepAudit(t *testing.T, key string) {
	r := w.run(t, w.clone, nil, w.rotor, "audit", "--today", today, "--format", "json")
	if r.code != 0 {
		t.Fatalf("rotor audit --format json: %s", r)
	}
	var pack struct {
		Summary struct {
			Rotations int `json:"rotations"`
		} `json:"summary"`
		Events []struct {
			Type            string `json:"type"`
			CredentialID    string `json:"credential_id"`
			NewLastChanged  string `json:"new_last_changed"`
			Ticket          string `json:"ticket"`
			PR              *int   `json:"pr"`
			RecordedByRotor bool   `json:"recorded_by_rotor"`
			MergedBy        string `json:"merged_by"`
		} `json:"events"`
		Observations []struct {
			Kind         string `json:"kind"`
			CredentialID string `json:"credential_id"`
		} `json:"observations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &pack); err != nil {
		t.Fatalf("rotor audit --format json: %v\n%s", err, r.stdout)
	}
	var rotations []string
	for _, e := range pack.Events {
		if e.Type == "rotation" {
			rotations = append(rotations, fmt.Sprintf("%s %s %s pr %v rotor %v by %s", e.CredentialID, e.NewLastChanged, e.Ticket, deref(e.PR), e.RecordedByRotor, e.MergedBy))
		}
	}
	want := fmt.Sprintf("%s 2026-11-26 %s pr 1 rotor true by Dana Reviewer", credential, key)
	if len(rotations) != 1 || rotations[0] != want || pack.Summary.Rotations != 1 {
		t.Errorf("the pack's rotations: %q, want [%q]", rotations, want)
	}
	for _, o := range pack.Observations {
		if o.CredentialID == credential {
			t.Errorf("observation %s on %s, which rotor recorded", o.Kind, credential)
		}
	}
	t.Logf("step 7: rotor audit --format json: %d events, %d observations; the rotation: %s", len(pack.Events), len(pack.Observations), want)
}

// result is how a command ended.
type result struct {
	args           string
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("%s: exit %d\nstdout:\n%s\nstderr:\n%s", r.args, r.code, r.stdout, r.stderr)
}

// env is the whole environment of a binary: PATH, a HOME of the test's
// own, and extra; nothing else of the test's environment.
func (w *world) env(extra map[string]string) []string {
	env := []string{"PATH=" + os.Getenv("PATH"), "HOME=" + w.home}
	for _, k := range sortedKeys(extra) {
		env = append(env, k+"="+extra[k])
	}
	return env
}

func (w *world) jiraEnv() map[string]string {
	return map[string]string{"ROTOR_JIRA_URL": w.jira.URL, "ROTOR_JIRA_EMAIL": jiratest.Email, "ROTOR_JIRA_TOKEN": jiratest.Token}
}

func (w *world) githubEnv() map[string]string {
	env := w.jiraEnv()
	env["GITHUB_TOKEN"] = githubtest.Token
	env["ROTOR_GITHUB_REPOSITORY"] = w.gh.Repository()
	env["ROTOR_GITHUB_API_URL"] = w.gh.URL + "/"
	for k, v := range w.vaultEnv() {
		env[k] = v
	}
	return env
}

func (w *world) vaultEnv() map[string]string {
	return map[string]string{"VAULT_ADDR": w.vault.URL, "VAULT_TOKEN": vaultfake.Token}
}

// run runs a binary in dir, bounded by runTimeout.
func (w *world) run(t *testing.T, dir string, extra map[string]string, bin string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	cmd.Env = w.env(extra)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	r := result{args: filepath.Base(bin) + " " + strings.Join(args, " "), stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("%s did not finish within %s\n%s", r.args, runTimeout, r)
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s: %v", r.args, err)
	}
	return r
}

// runningRelay is a rotor-relay subprocess.
type runningRelay struct {
	cmd     *exec.Cmd
	url     string
	exited  chan struct{} // closed when the process has been waited for
	waitErr error         // set before exited is closed
	mu      sync.Mutex
	stderr  bytes.Buffer
}

// startRelay starts rotor-relay on a free port of 127.0.0.1 in front of
// the fake GitHub and waits until /healthz answers.
func (w *world) startRelay(t *testing.T) *runningRelay {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), relayTimeout)
	rl := &runningRelay{exited: make(chan struct{})}
	rl.cmd = exec.CommandContext(ctx, w.relay)
	rl.cmd.Env = w.env(map[string]string{
		"ROTOR_RELAY_ADDR":          "127.0.0.1:0", // the kernel picks a free port; the relay logs its address
		"ROTOR_JIRA_WEBHOOK_SECRET": webhookSecret,
		"GITHUB_TOKEN":              githubtest.Token,
		"ROTOR_GITHUB_REPOSITORY":   w.gh.Repository(),
		"ROTOR_GITHUB_API_URL":      w.gh.URL,
	})
	rl.cmd.WaitDelay = 5 * time.Second
	pipe, err := rl.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := rl.cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	// However the test ends, the relay does not outlive it: cancel kills
	// a relay still running (stop has normally ended it already).
	t.Cleanup(func() {
		cancel()
		select {
		case <-rl.exited:
		case <-time.After(10 * time.Second):
			t.Errorf("rotor-relay (pid %d) did not exit after it was killed", rl.cmd.Process.Pid)
		}
	})
	urls := make(chan string, 1)
	scanned := make(chan struct{})
	go func() {
		defer close(scanned)
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			rl.mu.Lock()
			rl.stderr.Write(sc.Bytes())
			rl.stderr.WriteByte('\n')
			rl.mu.Unlock()
			var line struct {
				Msg string `json:"msg"`
				URL string `json:"url"`
			}
			if json.Unmarshal(sc.Bytes(), &line) == nil && line.Msg == "relay listening" && line.URL != "" {
				select {
				case urls <- line.URL:
				default:
				}
			}
		}
	}()
	go func() {
		<-scanned // Wait closes the pipe: read it all first
		rl.waitErr = rl.cmd.Wait()
		close(rl.exited)
	}()
	select {
	case rl.url = <-urls:
	case <-rl.exited:
		t.Fatalf("rotor-relay exited before listening: %v\n%s", rl.waitErr, rl.logs())
	case <-time.After(10 * time.Second):
		t.Fatalf("rotor-relay did not say where it listens within 10s\n%s", rl.logs())
	}
	if !strings.HasPrefix(rl.url, "http://127.0.0.1:") {
		t.Fatalf("the relay listens on %s, want 127.0.0.1", rl.url)
	}
	deadline := time.Now().Add(10 * time.Second)
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		resp, err := client.Get(rl.url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 10s: %v\n%s", err, rl.logs())
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("step 3: rotor-relay listens on %s (GET /healthz 200), forwarding to the fake GitHub %s for %s", rl.url, w.gh.URL, w.gh.Repository())
	return rl
}

func (rl *runningRelay) logs() string {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return rl.stderr.String()
}

// post sends a webhook as Jira does and returns the status and the answer.
func (rl *runningRelay) post(t *testing.T, body []byte, signature, delivery string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, rl.url+"/webhook/jira", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json; charset=UTF-8")
	req.Header.Set("User-Agent", "Atlassian Webhook HTTP Client")
	req.Header.Set("X-Hub-Signature", signature)
	req.Header.Set("X-Atlassian-Webhook-Identifier", delivery)
	resp, err := (&http.Client{Timeout: 15 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("POST /webhook/jira: %v\n%s", err, rl.logs())
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	var answer map[string]any
	if err := json.Unmarshal(raw, &answer); err != nil {
		t.Fatalf("the relay answered %d with %q: %v", resp.StatusCode, raw, err)
	}
	return resp.StatusCode, answer
}

// stop sends SIGTERM, waits for a clean exit and returns the log.
func (rl *runningRelay) stop(t *testing.T) string {
	t.Helper()
	if err := rl.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-rl.exited:
		if rl.waitErr != nil {
			t.Errorf("rotor-relay ended with %v after SIGTERM\n%s", rl.waitErr, rl.logs())
		}
	case <-time.After(25 * time.Second):
		t.Fatalf("rotor-relay did not stop within 25s of SIGTERM\n%s", rl.logs())
	}
	return rl.logs()
}

// webhookBody is the "issue updated" webhook Jira sends when is moved to
// Done: the reference example with the ticket's own values.
func webhookBody(t *testing.T, site string, is jiratest.Issue) []byte {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(reference(t, "jira-webhook-issue-updated-done.json"), &ev); err != nil {
		t.Fatal(err)
	}
	const jiraTime = "2006-01-02T15:04:05.000-0700"
	ev["timestamp"] = is.Updated.UnixMilli()
	issue := ev["issue"].(map[string]any)
	issue["id"], issue["key"], issue["self"] = is.ID, is.Key, site+"/rest/api/2/issue/"+is.ID
	fields := issue["fields"].(map[string]any)
	fields["summary"], fields["labels"], fields["duedate"] = is.Summary, is.Labels, is.DueDate
	fields["resolutiondate"] = is.ResolutionDate.UTC().Format(jiraTime)
	fields["statuscategorychangedate"] = is.StatusCategoryChangeDate.UTC().Format(jiraTime)
	fields["status"] = map[string]any{"id": "10001", "name": is.Status,
		"statusCategory": map[string]any{"id": 3, "key": "done", "colorName": "green", "name": "Done"}}
	for _, item := range ev["changelog"].(map[string]any)["items"].([]any) {
		if it := item.(map[string]any); it["field"] == "status" {
			it["to"], it["toString"] = "10001", is.Status
		}
	}
	body, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// sign is Jira's X-Hub-Signature: HMAC-SHA256 of the raw body.
func sign(body []byte) string {
	mac := hmac.New(sha256.New, []byte(webhookSecret))
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// dispatchEvent writes the repository_dispatch event Actions would hand
// the record workflow for d: the reference example with d's payload.
func dispatchEvent(t *testing.T, path string, d githubtest.Dispatch, repository string) string {
	t.Helper()
	var ev map[string]any
	if err := json.Unmarshal(reference(t, "github-repository-dispatch-event.json"), &ev); err != nil {
		t.Fatal(err)
	}
	owner, name, _ := strings.Cut(repository, "/")
	ev["action"] = d.EventType
	ev["client_payload"] = d.RawPayload
	repo := ev["repository"].(map[string]any)
	repo["name"], repo["full_name"], repo["html_url"] = name, repository, "https://github.com/"+repository
	repo["owner"].(map[string]any)["login"] = owner
	ev["organization"].(map[string]any)["login"] = owner
	data, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, path, string(data))
	return path
}

// reference reads a copy of a reference example (shared/reference/examples)
// from testdata, so that the test runs from a clean clone.
func reference(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// plannedCreates returns the credential ids a JSON sync plan creates,
// and checks its counts agree.
func plannedCreates(t *testing.T, plan string) []string {
	t.Helper()
	var p struct {
		Counts  map[string]int `json:"counts"`
		Actions []struct {
			Kind         string `json:"kind"`
			CredentialID string `json:"credential_id"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(plan), &p); err != nil {
		t.Fatalf("the sync plan is not JSON: %v\n%s", err, plan)
	}
	var ids []string
	for _, a := range p.Actions {
		if a.Kind != "create" {
			t.Errorf("the plan has a %s for %s", a.Kind, a.CredentialID)
			continue
		}
		ids = append(ids, a.CredentialID)
	}
	if p.Counts["create"] != len(ids) {
		t.Errorf("the plan counts %d creates and lists %d", p.Counts["create"], len(ids))
	}
	sort.Strings(ids)
	return ids
}

// readMessage returns the decoded subject, text part and HTML part.
func readMessage(t *testing.T, data []byte) (subject, text, html string) {
	t.Helper()
	m, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	subject, err = new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("content type %q: %v", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = p // quoted-printable is decoded by NextPart
		if strings.EqualFold(p.Header.Get("Content-Transfer-Encoding"), "base64") {
			r = base64.NewDecoder(base64.StdEncoding, p)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		switch ct, _, _ := mime.ParseMediaType(p.Header.Get("Content-Type")); ct {
		case "text/plain":
			text = string(body)
		case "text/html":
			html = string(body)
		}
	}
	if text == "" || html == "" {
		t.Fatalf("the message lacks a text or an HTML part:\n%s", data)
	}
	return subject, text, html
}

// git runs the git CLI in gittest's clean environment, bounded by
// runTimeout, and returns its trimmed output.
func git(t *testing.T, dir string, extra []string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	cmd.Env = append(gittest.Env(), extra...)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return strings.TrimSpace(string(out))
}

// dated is the environment of a git commit by name at when.
func dated(when time.Time, name, email string) []string {
	return append(gittest.Dates(when),
		"GIT_AUTHOR_NAME="+name, "GIT_AUTHOR_EMAIL="+email, "GIT_COMMITTER_NAME="+name, "GIT_COMMITTER_EMAIL="+email)
}

// diffLines returns the removed and added lines of a unified diff.
func diffLines(diff string) (removed, added []string) {
	for _, line := range strings.Split(diff, "\n") {
		switch {
		case strings.HasPrefix(line, "---"), strings.HasPrefix(line, "+++"):
		case strings.HasPrefix(line, "-"):
			removed = append(removed, line[1:])
		case strings.HasPrefix(line, "+"):
			added = append(added, line[1:])
		}
	}
	return removed, added
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.WalkDir(from, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(to, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(to, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func rotorLabel(labels []string) string {
	id := ""
	for _, l := range labels {
		if rest, ok := strings.CutPrefix(l, "rotor-"); ok && rest != "overdue" && rest != "orphaned" {
			if id != "" {
				return ""
			}
			id = rest
		}
	}
	return id
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func deref(p *int) int {
	if p == nil {
		return -1
	}
	return *p
}
