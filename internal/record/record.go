// Package record turns a done rotation ticket into the pull request that
// records the rotation in the register: it asks the tracker whether the
// ticket is really done and when, edits last_changed and last_ticket in the
// register file, commits that one change on rotor's branch for the
// credential, pushes it, opens or updates the pull request, and links it
// from the ticket.
//
// Every step is safe to repeat, so a rerun completes whatever a failed run
// left, and duplicate events (Jira retries, a relay restart) change
// nothing:
//   - the commit is built from the checked-out commit and the ticket's done
//     time alone, so the same event always gives the same commit hash, and
//     a branch that already holds it is not pushed again;
//   - rotor owns the branch rotor/record/<id>: it is force-updated, never
//     merged into, so a rerun after a change of the default branch replaces
//     a stale proposal;
//   - an open pull request for the branch is updated rather than a second
//     one opened;
//   - the ticket gets its comment once: the pull request's address in an
//     existing comment means it was posted.
//
// Nothing here trusts the event that started the run: the ticket's project,
// issue type, labels, status and done time come from the tracker, a ticket
// outside the configured project or of another issue type is refused, and
// an event whose credential disagrees with the ticket is refused.
package record

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// BranchPrefix starts the name of every branch rotor record pushes.
const BranchPrefix = "rotor/record/"

// Tickets is what record needs of the tracker.
type Tickets interface {
	// LocatedTicket returns one ticket by key with the key of the project
	// it is in and the name of its issue type, from one answer.
	LocatedTicket(ctx context.Context, key string) (t rotation.Ticket, project, issueType string, err error)
	Comments(ctx context.Context, key string) ([]string, error)
	Comment(ctx context.Context, key, text string) error
}

// Request says which rotation to record.
type Request struct {
	// IssueKey is the done ticket, e.g. SEC-42.
	IssueKey string
	// CredentialID is the credential the event names; empty when the run
	// was asked for by key alone. A value that is not the ticket's is
	// refused: the event is not trusted.
	CredentialID string
}

// Config is everything a run needs besides its adapters.
type Config struct {
	// Register is the loaded, valid register of the working copy.
	Register *rotation.Register
	// Project is the key of the tracker project rotor's tickets are in
	// (jira.project), and IssueType the name of their issue type
	// (jira.issue_type; rotation.DefaultIssueType when empty). A ticket
	// elsewhere is refused, whatever its labels: anyone who may close an
	// issue somewhere on the site could otherwise record a rotation.
	Project   string
	IssueType string
	// Today is the date a done date may not be after.
	Today rotation.Date
	// Author makes the commit; its When is set from the ticket.
	Author rotation.Signature
	// BrowseURL returns the page of a ticket, for the pull request.
	BrowseURL func(key string) string
	// Check validates an edited register file (path as the register names
	// it) and returns its findings.
	Check func(path string, data []byte) []register.Finding
	// DryRun stops before anything is written: no commit object, no push,
	// no pull request, no comment.
	DryRun bool
	// Progress, when set, is told each step as it starts.
	Progress func(step string)
	// VerifyStore, when set, is the gate of verify.require_for_record: a
	// credential with a source is recorded only when its secret store
	// shows the rotation. Nil: no gate.
	VerifyStore func(ctx context.Context, c *rotation.Credential, done rotation.Date) (StoreCheck, error)
}

// StoreCheck is what a secret store showed about a rotation.
type StoreCheck struct {
	// Confirmed reports whether the store shows a version written after
	// the previous recorded rotation.
	Confirmed bool
	// Evidence is the store's own line about its current version, such as
	// "version 4 created 2026-11-25T09:12:00Z".
	Evidence string
	// Source names where the secret lives ("vault_kv secret/payments/db").
	Source string
}

// Deps are the adapters a run acts through. Host may be nil in a dry run
// without GitHub access.
type Deps struct {
	Tickets Tickets
	Host    rotation.CodeHost
	Repo    rotation.Repository
}

// Outcome says how a run ended.
type Outcome string

// Outcomes of a run.
const (
	OutcomeRecorded       Outcome = "recorded"         // a pull request was opened or updated
	OutcomeAlreadyRecord  Outcome = "already-recorded" // the register records this rotation already
	OutcomeAlreadyPending Outcome = "already-proposed" // rotor's branch holds this edit and its PR is open
	OutcomeDryRun         Outcome = "dry-run"          // what would be done was computed
)

// Result is what a run did or, in a dry run, would do.
type Result struct {
	Outcome        Outcome       `json:"outcome"`
	IssueKey       string        `json:"issue_key"`
	CredentialID   string        `json:"credential_id"`
	DoneOn         rotation.Date `json:"done_on"`
	File           string        `json:"file,omitempty"` // repository-relative
	OldLastChanged rotation.Date `json:"old_last_changed"`
	NextDue        rotation.Date `json:"next_due_date"`
	Branch         string        `json:"branch,omitempty"`
	Base           string        `json:"base,omitempty"`
	Commit         string        `json:"commit,omitempty"`
	Pushed         bool          `json:"pushed"`
	PullRequest    *PullRequest  `json:"pull_request,omitempty"`
	Commented      bool          `json:"commented"`
	// Store is what the secret store showed, when verify.require_for_record
	// asked it.
	Store *StoreCheck `json:"store,omitempty"`
	Diff  string      `json:"diff,omitempty"`
	Title string      `json:"title,omitempty"`
	Body  string      `json:"body,omitempty"`
	// Notes are things a reader should know: a closed PR replaced, a step
	// a rerun completed.
	Notes []string `json:"notes,omitempty"`
}

// PullRequest is the pull request a run opened, updated or found.
type PullRequest struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	Action string `json:"action"` // "opened", "updated", "unchanged", "would open", "would update"
}

// RefusedError is a request rotor will not carry out: the ticket is in
// another project or of another issue type, is not a done rotor ticket,
// names an unknown credential, or disagrees with the event. Nothing was
// written.
type RefusedError struct{ Reason string }

func (e *RefusedError) Error() string { return e.Reason + "; nothing was written" }

func refuse(format string, args ...any) error {
	return &RefusedError{Reason: fmt.Sprintf(format, args...)}
}

// IsRefused reports whether err is a RefusedError.
func IsRefused(err error) bool {
	var re *RefusedError
	return errors.As(err, &re)
}

// Run records the rotation req names.
func Run(ctx context.Context, deps Deps, cfg Config, req Request) (*Result, error) {
	r := &Result{IssueKey: req.IssueKey}
	step := func(s string) {
		if cfg.Progress != nil {
			cfg.Progress(s)
		}
	}

	if cfg.Project == "" {
		return nil, errors.New("record: no project: set jira.project in rotor.yaml, so that only its tickets are recorded")
	}
	step("asking Jira about " + req.IssueKey)
	t, project, issueType, err := deps.Tickets.LocatedTicket(ctx, req.IssueKey)
	if err != nil {
		return nil, fmt.Errorf("read ticket %s: %w", req.IssueKey, err)
	}
	if err := checkPlace(t.Key, project, issueType, cfg); err != nil {
		return nil, err
	}
	cred, done, err := checkTicket(t, req, cfg)
	if err != nil {
		return nil, err
	}
	r.CredentialID, r.DoneOn, r.OldLastChanged = cred.ID, done, cred.LastChanged
	r.NextDue = done.AddDays(cred.PeriodDays)
	if recorded(cred, done, t.Key) {
		r.Outcome = OutcomeAlreadyRecord
		r.Notes = append(r.Notes, alreadyRecordedNote(cred, done, t.Key))
		return r, nil
	}

	if cfg.VerifyStore != nil && cred.Source.Kind() != "" {
		if err := checkStore(ctx, deps.Tickets, cfg, cred, t.Key, done, r, step); err != nil {
			return nil, err
		}
	}

	// The edit, from the checked-out commit (never the working tree, which
	// may hold changes of its own).
	head, err := deps.Repo.Head()
	if err != nil {
		return nil, err
	}
	path, err := RepoPath(deps.Repo.Root(), cred.Pos.File)
	if err != nil {
		return nil, err
	}
	r.File, r.Base, r.Branch = path, head, BranchPrefix+cred.ID
	old, err := deps.Repo.FileAt(head, path)
	if err != nil {
		return nil, fmt.Errorf("read %s at the checked-out commit: %w", path, err)
	}
	edited, err := register.SetFields(old, cred.ID, []register.Field{
		{Key: "last_changed", Value: done.String(), Plain: true},
		{Key: "last_ticket", Value: t.Key},
	})
	if err != nil {
		return nil, fmt.Errorf("edit %s: %w", path, err)
	}
	if findings := cfg.Check(cred.Pos.File, edited); register.CountErrors(findings) > 0 {
		var lines []string
		for _, f := range findings {
			if f.Severity == register.SeverityError {
				lines = append(lines, f.String())
			}
		}
		return nil, fmt.Errorf("the edited %s would not be valid, so nothing was written:\n%s", path, strings.Join(lines, "\n"))
	}
	r.Diff = Diff(path, old, edited)
	r.Title, r.Body = pullRequestText(cred, t, done, cfg.BrowseURL, r.Store)

	var base string
	if deps.Host != nil {
		step("asking GitHub for the default branch")
		if base, err = deps.Host.DefaultBranch(ctx); err != nil {
			return nil, err
		}
		step("checking that the checkout is the head of " + base)
		remoteHead, err := deps.Repo.RemoteBranch(ctx, base)
		if err != nil {
			return nil, err
		}
		if remoteHead != head {
			return nil, fmt.Errorf("the checkout (%s) is not the head of origin's %s (%s): record from the default branch's head, e.g. actions/checkout without ref", rotation.ShortHash(head), base, rotation.ShortHash(remoteHead))
		}
	}

	msg := commitMessage(cred, t.Key, done, r.NextDue)
	if cfg.DryRun {
		r.Outcome = OutcomeDryRun
		if deps.Host != nil {
			prs, err := deps.Host.PullRequests(ctx, r.Branch)
			if err != nil {
				return nil, err
			}
			if open := openPR(prs); open != nil {
				r.PullRequest = &PullRequest{Number: open.Number, URL: open.URL, Action: "would update"}
			} else {
				r.PullRequest = &PullRequest{Action: "would open"}
			}
		}
		return r, nil
	}

	author := cfg.Author
	author.When = t.DoneAt
	commit, err := deps.Repo.CreateCommit(rotation.Commit{Base: head, Path: path, Content: edited, Message: msg, Author: author})
	if err != nil {
		return nil, fmt.Errorf("commit the edit of %s: %w", path, err)
	}
	r.Commit = commit
	if deps.Host == nil {
		return nil, errors.New("record: no code host to open the pull request with")
	}

	step("looking for rotor's branch " + r.Branch)
	remote, err := deps.Repo.RemoteBranch(ctx, r.Branch)
	if err != nil {
		return nil, err
	}
	prs, err := deps.Host.PullRequests(ctx, r.Branch)
	if err != nil {
		return nil, err
	}
	open := openPR(prs)
	if remote != commit {
		step("pushing " + rotation.ShortHash(commit) + " to " + r.Branch)
		if err := deps.Repo.Push(ctx, commit, r.Branch); err != nil {
			return nil, err
		}
		r.Pushed = true
	}

	switch {
	case open != nil && !r.Pushed && open.Title == r.Title && open.Body == r.Body:
		r.Outcome = OutcomeAlreadyPending
		r.PullRequest = &PullRequest{Number: open.Number, URL: open.URL, Action: "unchanged"}
	case open != nil:
		step(fmt.Sprintf("updating pull request #%d", open.Number))
		pr, err := deps.Host.UpdatePullRequest(ctx, open.Number, r.Title, r.Body)
		if err != nil {
			return nil, err
		}
		r.Outcome = OutcomeRecorded
		r.PullRequest = &PullRequest{Number: pr.Number, URL: pr.URL, Action: "updated"}
	default:
		if last := latestClosed(prs); last != nil {
			r.Notes = append(r.Notes, fmt.Sprintf("pull request #%d for %s was closed without merging; opening a new one", last.Number, r.Branch))
		}
		step("opening a pull request for " + r.Branch)
		pr, err := deps.Host.CreatePullRequest(ctx, rotation.NewPullRequest{
			Head: r.Branch, Base: base, Title: r.Title, Body: r.Body, Labels: []string{rotation.LabelRotor},
		})
		if err != nil {
			return nil, err
		}
		r.Outcome = OutcomeRecorded
		r.PullRequest = &PullRequest{Number: pr.Number, URL: pr.URL, Action: "opened"}
	}

	step("linking the pull request from " + t.Key)
	commented, err := commentOnce(ctx, deps.Tickets, t.Key, r.PullRequest.URL)
	if err != nil {
		return r, fmt.Errorf("the pull request is %s, but commenting on %s failed (a rerun adds the comment): %w", r.PullRequest.URL, t.Key, err)
	}
	r.Commented = commented
	if r.Outcome == OutcomeAlreadyPending && commented {
		r.Notes = append(r.Notes, "the comment on "+t.Key+" was missing and is posted now")
	}
	return r, nil
}

// checkPlace refuses a ticket outside the configured project or of
// another issue type. Jira's keys and names compare without case.
func checkPlace(key, project, issueType string, cfg Config) error {
	wantType := cfg.IssueType
	if wantType == "" {
		wantType = rotation.DefaultIssueType
	}
	switch {
	case !strings.EqualFold(project, cfg.Project):
		return refuse("%s is in project %q, not %q (jira.project): rotor records only the tickets of its own project", key, project, cfg.Project)
	case !strings.EqualFold(issueType, wantType):
		return refuse("%s is a %q, not a %q (jira.issue_type): rotor records only the tickets it opens", key, issueType, wantType)
	}
	return nil
}

// checkTicket refuses a ticket that is not a done rotor ticket of a
// credential in the register, or that disagrees with the request, and
// returns the credential and the date the rotation was done.
func checkTicket(t rotation.Ticket, req Request, cfg Config) (*rotation.Credential, rotation.Date, error) {
	if !t.HasLabel(rotation.LabelRotor) {
		return nil, rotation.Date{}, refuse("%s is not a rotor ticket: it has no %q label", t.Key, rotation.LabelRotor)
	}
	ids := identityLabels(t.Labels)
	switch {
	case len(ids) == 0:
		return nil, rotation.Date{}, refuse("%s has no rotor-<credential id> label, so it names no credential", t.Key)
	case len(ids) > 1:
		return nil, rotation.Date{}, refuse("%s names several credentials (%s); a rotor ticket carries exactly one rotor-<id> label", t.Key, strings.Join(ids, ", "))
	}
	id := ids[0]
	if req.CredentialID != "" && req.CredentialID != id {
		return nil, rotation.Date{}, refuse("the event names credential %q but %s is the ticket of %q: the event is not trusted", req.CredentialID, t.Key, id)
	}
	if t.StatusCategory != rotation.CategoryDone {
		return nil, rotation.Date{}, refuse("%s is not done (status %q); move it to Done when the credential is rotated", t.Key, t.StatusName)
	}
	if t.DoneAt.IsZero() {
		return nil, rotation.Date{}, refuse("Jira gives no resolution date for %s, so the day of the rotation is unknown", t.Key)
	}
	loc := time.UTC
	if cfg.Register.Settings.Timezone != nil {
		loc = cfg.Register.Settings.Timezone
	}
	done := rotation.Today(t.DoneAt, loc)
	if done.After(cfg.Today) {
		return nil, rotation.Date{}, refuse("%s was done on %s, after today (%s, %s)", t.Key, done, cfg.Today, loc)
	}
	cred := cfg.Register.ByID(id)
	if cred == nil {
		return nil, rotation.Date{}, refuse("credential %q of %s is not in the register", id, t.Key)
	}
	return cred, done, nil
}

// identityLabels returns the credential ids of t's rotor-<id> labels.
func identityLabels(labels []string) []string {
	var ids []string
	for _, l := range labels {
		if id, ok := rotation.CredentialIDFromLabels([]string{l}); ok && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids
}

// recorded reports whether the register already holds this rotation, or a
// later one (then recording this one would move last_changed backwards).
func recorded(c *rotation.Credential, done rotation.Date, key string) bool {
	return c.LastChanged.After(done) || !c.LastChanged.Before(done) && c.LastTicket == key
}

func alreadyRecordedNote(c *rotation.Credential, done rotation.Date, key string) string {
	if c.LastTicket == key {
		return fmt.Sprintf("the register already records %s: %s was last changed on %s", key, c.ID, c.LastChanged)
	}
	return fmt.Sprintf("the register records a later rotation of %s (%s) than %s (%s); nothing to do", c.ID, c.LastChanged, key, done)
}

// RepoPath returns a path of the register (a file or its folder, relative
// to the working directory or absolute) relative to the repository root,
// slash-separated; links are resolved on both sides.
func RepoPath(root, file string) (string, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return "", err
	}
	rootAbs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	if resolved, err := filepath.EvalSymlinks(rootAbs); err == nil {
		rootAbs = resolved
	}
	if resolved, err := filepath.EvalSymlinks(abs); err == nil {
		abs = resolved
	}
	rel, err := filepath.Rel(rootAbs, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is not inside the repository %s", file, root)
	}
	return filepath.ToSlash(rel), nil
}

func openPR(prs []rotation.PullRequest) *rotation.PullRequest {
	for i := range prs {
		if prs[i].State == "open" {
			return &prs[i]
		}
	}
	return nil
}

func latestClosed(prs []rotation.PullRequest) *rotation.PullRequest {
	for i := range prs {
		if prs[i].State == "closed" && !prs[i].Merged {
			return &prs[i]
		}
	}
	return nil
}

// commentOnce posts the pull request's address on the ticket unless a
// comment already holds it. It reports whether it posted.
func commentOnce(ctx context.Context, tk Tickets, key, prURL string) (bool, error) {
	text := "rotor recorded this rotation in a pull request: " + prURL + "\n\nThe register's last_changed is updated when it is merged."
	return commentUnless(ctx, tk, key, prURL, text)
}

// checkStore is the gate of verify.require_for_record: it asks the
// credential's store whether it shows the rotation, and refuses the
// rotation when it does not, after saying so on the ticket once (not in a
// dry run; a rerun finds its comment and does not repeat it). A store that
// cannot be asked refuses the rotation too, without a comment: nothing on
// the ticket can fix it.
func checkStore(ctx context.Context, tk Tickets, cfg Config, cred *rotation.Credential, key string, done rotation.Date, r *Result, step func(string)) error {
	step("asking the secret store about " + cred.ID + " (verify.require_for_record)")
	sc, err := cfg.VerifyStore(ctx, cred, done)
	if err != nil {
		return refuse("verify.require_for_record: rotor could not ask the secret store of %s (%s), so it cannot confirm the rotation: %v", cred.ID, cred.Source, err)
	}
	r.Store = &sc
	if sc.Confirmed {
		return nil
	}
	text := fmt.Sprintf("rotor did not record this rotation: the secret store does not show it.\n\n"+
		"%s: %s; the register's last rotation is %s.\n\n"+
		"Rotate the secret in the store (a new version written after %s), then run rotor record again.",
		sc.Source, sc.Evidence, cred.LastChanged, cred.LastChanged)
	if !cfg.DryRun {
		commented, err := commentUnless(ctx, tk, key, sc.Source+": "+sc.Evidence, text)
		if err != nil {
			return fmt.Errorf("the secret store does not show the rotation, and commenting on %s failed: %w", key, err)
		}
		if commented {
			step("said so on " + key)
		}
	}
	return refuse("verify.require_for_record: the secret store does not show a rotation of %s after %s (%s: %s): rotate the secret in the store, then run rotor record again",
		cred.ID, cred.LastChanged, sc.Source, sc.Evidence)
}

// commentUnless posts text on the ticket unless a comment already holds
// marker. It reports whether it posted.
func commentUnless(ctx context.Context, tk Tickets, key, marker, text string) (bool, error) {
	comments, err := tk.Comments(ctx, key)
	if err != nil {
		return false, err
	}
	for _, c := range comments {
		if strings.Contains(c, marker) {
			return false, nil
		}
	}
	return true, tk.Comment(ctx, key, text)
}
