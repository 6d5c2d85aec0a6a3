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
	// it only add findings, which history does not report.
	creds, _ := h.v.ValidateFile(path, data, h.settings, rotation.Date{Year: 9999, Month: time.December, Day: 31})
	// A file of the past may hold a secret the leak guard would refuse
	// today: nothing read from history prints it.
	if secrets := leakedSecrets(data); len(secrets) > 0 {
		for _, c := range creds {
			redactCredential(c, secrets)
		}
	}
	h.cache[hash] = creds
	return creds, nil
}

// registerBefore returns the register as it was just before instant, in
// the last commit before it (at the end of day d: before the first instant
// of d+1); found is false when the history starts at or after instant.
func (h *history) registerBefore(instant time.Time) (*rotation.Register, bool, error) {
	c, found, err := h.repo.CommitBefore(instant)
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
// of the default branch in span.
func (h *history) rotations(span rotation.Span) ([]report.Rotation, error) {
	commits, err := h.repo.CommitsIn(span)
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

// leakedSecrets returns what the leak guard finds in data, less the
// reviewed allowances.
func leakedSecrets(data []byte) []string {
	var out []string
	for _, m := range leak.Scan(data).Matches {
		if !m.Allowed {
			out = append(out, m.Secret)
		}
	}
	return out
}

// redactCredential replaces every secret in c's text fields.
func redactCredential(c *rotation.Credential, secrets []string) {
	for _, f := range []*string{&c.ID, &c.Name, &c.Owner, &c.Team, &c.System, &c.Environment, &c.Description,
		&c.JiraAssignee, &c.Runbook, &c.LastTicket} {
		*f = leak.Redact(*f, secrets)
	}
	if e := c.Exemption; e != nil {
		e.Reason, e.ApprovedBy = leak.Redact(e.Reason, secrets), leak.Redact(e.ApprovedBy, secrets)
	}
}

// redactText replaces whatever the leak guard finds in s.
func redactText(s string) string {
	return leak.Redact(s, leakedSecrets([]byte(s)))
}
