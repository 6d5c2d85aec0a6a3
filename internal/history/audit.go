package history

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Period fills in with the register at the start of the period and every
// commit of it on HEAD's first-parent chain, oldest first, with the
// register files each changed. The period is its days in in.Location, from
// the first instant of in.From up to the first instant of the day after
// in.To; the register at its start is the one of the last commit before.
func (h *Reader) Period(ctx context.Context, in *audit.Input, progress func(string)) error {
	span := rotation.Days(in.From, in.To, in.Location)
	base, found, err := h.repo.CommitBefore(span.From)
	if err != nil {
		return err
	}
	// counted holds each register file of the commit at hand as history
	// counts it: its last readable version stands in for one that is not.
	counted := map[string][]*rotation.Credential{}
	// merges holds every commit reachable from the chain's commit before
	// the one at hand, so that a merge's side is told apart from what the
	// branch already held, exactly and whatever the commits' clocks say.
	baseHash := ""
	if found {
		baseHash = base.Hash
	}
	merges, err := h.repo.WalkMerges(baseHash)
	if err != nil {
		return err
	}
	if found {
		in.BaselineCommit = base.Hash
		files, _, gaps, err := h.filesAt(base.Hash)
		if err != nil {
			return err
		}
		for _, f := range files {
			counted[f.path] = f.creds
			in.Baseline = append(in.Baseline, f.creds...)
		}
		in.BaselineUnreadable = auditGaps(gaps)
	}
	commits, err := h.repo.CommitsIn(span)
	if err != nil {
		return err
	}
	slices.Reverse(commits)
	progress(fmt.Sprintf("reading %s of the default branch from %s to %s", commitCount(len(commits)), in.From, in.To))
	in.Commits = make([]audit.Commit, 0, len(commits))
	for i, c := range commits {
		if err := ctx.Err(); err != nil {
			return err
		}
		if i > 0 && i%1000 == 0 {
			progress(fmt.Sprintf("read %d of %d commits", i, len(commits)))
		}
		ac, err := h.auditCommit(c, merges, counted)
		if err != nil {
			return err
		}
		in.Commits = append(in.Commits, ac)
	}
	return nil
}

// auditCommit reads one commit of the chain; merges (see Period) learns
// the commit and what it brought in, and counted (see period) the files
// as the commit left them.
func (h *Reader) auditCommit(c rotation.CommitInfo, merges MergeWalker, counted map[string][]*rotation.Credential) (audit.Commit, error) {
	subject, _, _ := strings.Cut(c.Message, "\n")
	author, committer := c.Author, c.Committer
	author.Name, author.Email = leak.Scrub(author.Name), leak.Scrub(author.Email)
	committer.Name, committer.Email = leak.Scrub(committer.Name), leak.Scrub(committer.Email)
	ac := audit.Commit{
		Hash: c.Hash, Author: author, Committer: committer,
		Subject: leak.Scrub(strings.TrimSpace(subject)), MergedBy: leak.Scrub(c.MergedBy()),
		Recorded: rotation.ParseTrailers(c.Message),
	}
	side, err := merges.Next(c)
	if err != nil {
		return ac, err
	}
	for _, s := range side {
		ac.Recorded = append(ac.Recorded, rotation.ParseTrailers(s.Message)...)
	}
	changes, err := h.repo.ChangedFiles(c.Hash, h.dir)
	if err != nil {
		return ac, err
	}
	for _, ch := range changes {
		if !isCredentialFile(h.dir, ch.Path) {
			continue
		}
		old, ok := counted[ch.Path]
		if !ok && ch.OldHash != "" && len(c.Parents) > 0 {
			// Not on a chain read from its baseline; read the parent's.
			if old, _, err = h.version(c.Parents[0], ch.Path, ch.OldHash); err != nil {
				return ac, err
			}
		}
		n, gaps, err := h.follow(old, ch.Path, ch.NewHash)
		if err != nil {
			return ac, err
		}
		ac.Unreadable = append(ac.Unreadable, auditGaps(stamped(gaps, c))...)
		if ch.NewHash == "" {
			delete(counted, ch.Path)
		} else {
			counted[ch.Path] = n
		}
		ac.Files = append(ac.Files, audit.FileChange{Path: ch.Path, Old: old, New: n})
	}
	return ac, nil
}

// auditGaps are gaps as the pack takes them; a path from git, or a
// reason from the validator, goes through the leak guard like every
// value read from history.
func auditGaps(gaps []gap) []audit.Unreadable {
	var out []audit.Unreadable
	for _, g := range gaps {
		out = append(out, audit.Unreadable{Path: leak.Scrub(g.path), CredentialID: g.id, Commit: g.commit, Reason: leak.Scrub(g.why)})
	}
	return out
}

// commitCount renders n commits: "1 commit", "3 commits".
func commitCount(n int) string {
	if n == 1 {
		return "1 commit"
	}
	return fmt.Sprintf("%d commits", n)
}
