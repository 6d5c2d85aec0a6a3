package cli

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// Reading the register's history, for `rotor report` and `rotor audit`.

// history reads registers out of git, parsing each distinct file once.
type history struct {
	repo     *gitrepo.Repo
	dir      string
	settings rotation.Settings
	v        *validate.Validator
	cache    map[string][]*rotation.Credential // blob hash → its credentials
}

func (h *history) credentials(path, hash string) ([]*rotation.Credential, error) {
	if creds, ok := h.cache[hash]; ok {
		return creds, nil
	}
	data, err := h.repo.BlobContent(hash)
	if err != nil {
		return nil, err
	}
	// The day does not matter for reading the values; the rules that use
	// it only add findings, which history does not report. A file of the
	// past may hold a secret the leak guard would refuse today: the
	// validator hands back its credentials with what the guard flags
	// already taken out, so nothing read from history prints it.
	creds, _ := h.v.ValidateFile(path, data, h.settings, rotation.Date{Year: 9999, Month: time.December, Day: 31})
	h.cache[hash] = creds
	return creds, nil
}

// registerAt returns the register as it was in the last commit at or
// before instant; found is false when the history starts later.
func (h *history) registerAt(instant time.Time) (*rotation.Register, bool, error) {
	c, found, err := h.repo.CommitAt(instant)
	if err != nil || !found {
		return nil, found, err
	}
	blobs, err := h.repo.TreeFiles(c.Hash, h.dir)
	if err != nil {
		return nil, false, err
	}
	reg := &rotation.Register{Settings: h.settings}
	for _, b := range blobs {
		if !isCredentialFile(h.dir, b.Path) {
			continue
		}
		creds, err := h.credentials(b.Path, b.Hash)
		if err != nil {
			return nil, false, err
		}
		reg.Credentials = append(reg.Credentials, creds...)
	}
	return reg, len(reg.Credentials) > 0 || len(blobs) > 0, nil
}

// rotations returns the credentials whose last_changed moved in a commit
// of the default branch in (after, until].
func (h *history) rotations(after, until time.Time) ([]report.Rotation, error) {
	commits, err := h.repo.FirstParentLog(after, until)
	if err != nil {
		return nil, err
	}
	var out []report.Rotation
	for _, c := range commits {
		changes, err := h.repo.ChangedFiles(c.Hash, h.dir)
		if err != nil {
			return nil, err
		}
		for _, ch := range changes {
			if !isCredentialFile(h.dir, ch.Path) || ch.NewHash == "" {
				continue
			}
			var old map[string]*rotation.Credential
			if ch.OldHash != "" {
				creds, err := h.credentials(ch.Path, ch.OldHash)
				if err != nil {
					return nil, err
				}
				old = byID(creds)
			}
			creds, err := h.credentials(ch.Path, ch.NewHash)
			if err != nil {
				return nil, err
			}
			for _, n := range creds {
				o := old[n.ID]
				if o == nil || n.LastChanged == o.LastChanged || !n.LastChanged.After(o.LastChanged) {
					continue
				}
				out = append(out, report.Rotation{
					ID: n.ID, Name: n.Name, Team: n.Team, Old: o.LastChanged, New: n.LastChanged,
					Ticket: n.LastTicket, Commit: c.Hash, By: redactText(mergedBy(c)), At: c.Committer.When,
				})
			}
		}
	}
	return out, nil
}

// mergedBy names who put a commit on the default branch: its committer,
// or its author when GitHub committed it (a merge or squash through the
// web, where the author is who merged or wrote it).
func mergedBy(c gitrepo.CommitInfo) string {
	if c.Committer.Name == "GitHub" || c.Committer.Email == "noreply@github.com" {
		return c.Author.Name
	}
	return c.Committer.Name
}

func byID(creds []*rotation.Credential) map[string]*rotation.Credential {
	m := make(map[string]*rotation.Credential, len(creds))
	for _, c := range creds {
		m[c.ID] = c
	}
	return m
}

// isCredentialFile reports whether a repository path under the register
// folder dir holds credentials: *.yaml or *.yml, not hidden, not the
// settings or the template at the register's root.
func isCredentialFile(dir, path string) bool {
	rel := strings.TrimPrefix(path, strings.TrimSuffix(dir, "/")+"/")
	if dir == "" || dir == "." {
		rel = path
	}
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return false
		}
	}
	ext := strings.ToLower(filepath.Ext(rel))
	return (ext == ".yaml" || ext == ".yml") && rel != "rotor.yaml" && rel != "template.yaml"
}

// redactText takes out of s, where it finds it, whatever the leak guard
// finds in s: for a commit's subject, an author's name, an origin's name.
func redactText(s string) string {
	return leak.Scrub(s)
}
