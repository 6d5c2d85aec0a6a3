package history

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Repository is the git history history reads: HEAD's first-parent chain
// (internal/gitrepo implements it). An error that matches ErrShallow of
// the implementation says the clone's history ends too early; BlobContent
// fails with an error matching rotation.ErrTooLarge for a blob too large
// to be a register file.
type Repository interface {
	// CommitBefore returns the last commit of the chain before instant;
	// found is false when the chain begins at or after it.
	CommitBefore(instant time.Time) (c rotation.CommitInfo, found bool, err error)
	// CommitsIn returns the chain's commits in span, newest first.
	CommitsIn(span rotation.Span) ([]rotation.CommitInfo, error)
	// TreeFiles lists the files under dir in commit.
	TreeFiles(commit, dir string) ([]rotation.TreeFile, error)
	// ChangedFiles lists the files under dir that commit changed against
	// its first parent.
	ChangedFiles(commit, dir string) ([]rotation.FileChange, error)
	// BlobContent reads a blob.
	BlobContent(hash string) ([]byte, error)
	// FileVersions calls visit with each version of the file at path back
	// along the chain from commit, newest first, until visit returns false.
	FileVersions(commit, path string, visit func(rotation.FileVersion) bool) error
	// WalkMerges starts telling what the merges of the chain after base
	// ("" for none) brought in.
	WalkMerges(base string) (MergeWalker, error)
}

// MergeWalker tells, commit by commit along the chain oldest first, what
// each merge brought in: Next returns the commits of a merge's side (none
// for a commit that is not a merge) and remembers the commit.
type MergeWalker interface {
	Next(c rotation.CommitInfo) ([]rotation.CommitInfo, error)
}

// Parser reads one version of a register file: its credentials, with
// what the leak guard flags already taken out; the findings that explain
// a version that is not a register file; and the secrets the leak guard
// flagged, in every form it found them.
type Parser func(path string, data []byte) (creds []*rotation.Credential, findings []register.Finding, secrets []string)

// New returns a Reader of the register in folder dir (slash-separated,
// relative to the repository's root; "" or "." for the root) with the
// settings in force today.
func New(repo Repository, dir string, settings rotation.Settings, parse Parser) *Reader {
	return &Reader{repo: repo, dir: dir, settings: settings, parse: parse, cache: map[string][]*rotation.Credential{}}
}

// Reader reads registers out of git, parsing each distinct file once.
//
// A version of a register file that cannot be read (too large, binary, not
// UTF-8, or not parsing as a register file: see unparsed) does not
// rewrite the evidence: the file counts as its last readable version held
// it, and the version is a gap the caller notes. The same holds for one
// entry whose last_changed or period_days cannot be read (see
// entryProblem): its last readable entry stands in. So a broken commit
// changes nothing, and the commit that repairs it is compared with the
// last readable version. Only the register of today can fail a run.
type Reader struct {
	repo     Repository
	dir      string
	settings rotation.Settings
	parse    Parser
	cache    map[string][]*rotation.Credential // blob hash → its credentials
	unread   map[string]string                 // blob hash → why it cannot be read; made on first use
	// secrets are what the leak guard flagged in any version read, for
	// RedactAcross.
	secrets map[string]bool
}

// gap is a version of a register file, or one entry of it, that history
// could not read.
type gap struct {
	path string
	id   string // the entry's; "" for the whole file
	why  string // "does not parse (…)", "is too large (…)", "has no readable last_changed"
	// commit made the version.
	commit string
	at     time.Time
}

// credentials returns the credentials of the blob hash as the register
// file path, and why the blob cannot be read as one ("" when it can; it
// then holds no credentials). Each blob is read once.
func (h *Reader) credentials(path, hash string) ([]*rotation.Credential, string, error) {
	if creds, ok := h.cache[hash]; ok {
		return creds, h.unread[hash], nil
	}
	data, err := h.repo.BlobContent(hash)
	if errors.Is(err, rotation.ErrTooLarge) {
		return nil, h.skip(hash, fmt.Sprintf("is too large (more than the %d MiB a register file may have)", register.MaxFileSize>>20)), nil
	}
	if err != nil {
		return nil, "", err
	}
	// A file of the past may hold a secret the leak guard would refuse
	// today: the parser hands back its credentials with what the guard
	// flags already taken out, so nothing read from history prints it.
	creds, findings, secrets := h.parse(path, data)
	for _, s := range secrets {
		if h.secrets == nil {
			h.secrets = map[string]bool{}
		}
		h.secrets[s] = true
	}
	if len(creds) == 0 {
		// A register file that holds none is rare: only then is it worth
		// a second parse to tell an empty list from a file that is none.
		if why := unparsed(path, data, findings); why != "" {
			return nil, h.skip(hash, why), nil
		}
	}
	h.cache[hash] = creds
	return creds, "", nil
}

// skip remembers that the blob hash cannot be read, and why.
func (h *Reader) skip(hash, why string) string {
	if h.unread == nil {
		h.unread = map[string]string{}
	}
	h.cache[hash], h.unread[hash] = nil, why
	return why
}

// unparsed says why data is not a register file history can read, or ""
// when it is one: a file that parses as a mapping with a credentials:
// list is read, whatever else the validator finds in it (its entries
// with an id count). What does not parse is a YAML syntax error, more
// than one document, anchors or aliases, nesting too deep, an empty file,
// a top level that is not a mapping, or a mapping without a credentials:
// list; a binary file or one that is not UTF-8 is named as such. findings
// are the validator's of data (with any secret redacted): the reason is
// taken from them.
func unparsed(path string, data []byte, findings []register.Finding) string {
	doc, fs := register.Parse(path, data)
	if doc != nil {
		_, list := register.MapGet(doc.Root, "credentials")
		if list == nil {
			return "does not parse (no credentials: list)"
		}
		if _, ok := register.Value(list, nil).([]any); !ok {
			return "does not parse (no credentials: list)"
		}
		return ""
	}
	if len(fs) == 0 {
		return "does not parse"
	}
	f := fs[0]
	// The validator's copy of the finding has any secret redacted.
	for _, g := range findings {
		if g.Rule == f.Rule && g.Line == f.Line && g.Column == f.Column {
			f = g
			break
		}
	}
	// What register.Parse refuses before it parses: binary, not UTF-8 (in
	// its words: "file is binary, not YAML text (…)").
	if bytes.IndexByte(data, 0) >= 0 || !utf8.Valid(data) {
		if rest, ok := strings.CutPrefix(f.Message, "file is "); ok {
			return "is " + rest
		}
	}
	if f.Rule == register.RuleYAML {
		return fmt.Sprintf("does not parse (line %d: %s)", f.Line, f.Message)
	}
	return "does not parse (" + f.Message + ")"
}

// entryProblem says why history cannot count an entry it read with an id,
// or "": without a last_changed or a period_days it has no due date.
func entryProblem(c *rotation.Credential) string {
	switch {
	case c.LastChanged.IsZero():
		return "has no readable last_changed"
	case c.PeriodDays <= 0:
		return "has no readable period_days"
	}
	return ""
}

// clean reports whether history counts creds as they are: none of them
// has an entryProblem.
func clean(creds []*rotation.Credential) bool {
	return !slices.ContainsFunc(creds, func(c *rotation.Credential) bool { return entryProblem(c) != "" })
}

// follow returns the register file path as history counts it once the
// blob hash replaced a version counted as prev ("" hash: the file is
// removed), and what of it could not be read (without commit: the
// caller's). An unreadable blob leaves prev as it is; an unreadable entry
// is its entry in prev, or nothing when prev has none.
func (h *Reader) follow(prev []*rotation.Credential, path, hash string) ([]*rotation.Credential, []gap, error) {
	if hash == "" {
		return nil, nil, nil
	}
	creds, why, err := h.credentials(path, hash)
	if err != nil {
		return nil, nil, err
	}
	if why != "" {
		return prev, []gap{{path: path, why: why}}, nil
	}
	if clean(creds) {
		return creds, nil, nil
	}
	old := byID(prev)
	out := make([]*rotation.Credential, 0, len(creds))
	var gaps []gap
	for _, c := range creds {
		why := entryProblem(c)
		if why == "" {
			out = append(out, c)
			continue
		}
		gaps = append(gaps, gap{path: path, id: c.ID, why: why})
		if o := old[c.ID]; o != nil {
			out = append(out, o)
		}
	}
	return out, gaps, nil
}

// version returns the register file path as history counts it in commit,
// where its blob is hash: the blob's credentials when they read, else
// what the file's history makes of it (see countedAt).
func (h *Reader) version(commit, path, hash string) ([]*rotation.Credential, []gap, error) {
	creds, why, err := h.credentials(path, hash)
	if err != nil || (why == "" && clean(creds)) {
		return creds, nil, err
	}
	return h.countedAt(commit, path)
}

// countedAt returns the register file path as history counts it in
// commit, whose version of it does not read in full: its versions are
// followed from the newest one that does (or from before the file
// existed), one FileVersions walk back along the file's own changes. The
// gaps are those of the commit's version and, when that one is unreadable
// as a whole, of the versions back to the last readable one: what stands
// in for it.
func (h *Reader) countedAt(commit, path string) ([]*rotation.Credential, []gap, error) {
	var versions []rotation.FileVersion
	var readErr error
	err := h.repo.FileVersions(commit, path, func(v rotation.FileVersion) bool {
		versions = append(versions, v)
		if v.Blob == "" {
			return false
		}
		creds, why, err := h.credentials(path, v.Blob)
		if err != nil {
			readErr = err
			return false
		}
		return why != "" || !clean(creds)
	})
	if err = cmp.Or(readErr, err); err != nil {
		return nil, nil, err
	}
	var counted []*rotation.Credential
	perVersion := make([][]gap, len(versions))
	for i := len(versions) - 1; i >= 0; i-- {
		v := versions[i]
		next, vg, err := h.follow(counted, path, v.Blob)
		if err != nil {
			return nil, nil, err
		}
		counted = next
		for j := range vg {
			vg[j].commit, vg[j].at = v.Commit.Hash, v.Commit.Committer.When
		}
		perVersion[i] = vg
	}
	var gaps []gap
	for _, vg := range perVersion {
		gaps = append(gaps, vg...)
		if len(vg) == 0 || vg[0].id != "" {
			break // readable as a file: what is older no longer stands in
		}
	}
	return counted, gaps, nil
}

// countedFile is a register file as history counts it in a commit.
type countedFile struct {
	path  string
	creds []*rotation.Credential
}

// filesAt returns the register's credential files in commit, by path, as
// history counts them, and what of them could not be read; exists says
// whether the register folder holds any file in commit.
func (h *Reader) filesAt(commit string) (files []countedFile, exists bool, gaps []gap, err error) {
	blobs, err := h.repo.TreeFiles(commit, h.dir)
	if err != nil {
		return nil, false, nil, err
	}
	files = make([]countedFile, 0, len(blobs))
	for _, b := range blobs {
		if !isCredentialFile(h.dir, b.Path) {
			continue
		}
		creds, g, err := h.version(commit, b.Path, b.Hash)
		if err != nil {
			return nil, false, nil, err
		}
		files = append(files, countedFile{path: b.Path, creds: creds})
		gaps = append(gaps, g...)
	}
	return files, len(blobs) > 0, gaps, nil
}

// RegisterBefore returns the register as it was just before instant, in
// the last commit before it (at the end of day d: before the first instant
// of d+1), and what of it could not be read; found is false when the
// history starts at or after instant.
func (h *Reader) RegisterBefore(instant time.Time) (reg *rotation.Register, found bool, gaps []gap, err error) {
	c, found, err := h.repo.CommitBefore(instant)
	if err != nil || !found {
		return nil, found, nil, err
	}
	files, exists, gaps, err := h.filesAt(c.Hash)
	if err != nil {
		return nil, false, nil, err
	}
	reg = &rotation.Register{Settings: h.settings}
	for _, f := range files {
		reg.Credentials = append(reg.Credentials, f.creds...)
	}
	return reg, exists, gaps, nil
}

// Rotations returns the credentials whose last_changed moved forward in a
// commit of the default branch in span ([] when none did: history was
// read), and what of the files it compared could not be read. The commits are read oldest first, so that a file's
// last readable version carries over a broken commit to the one that
// repairs it.
func (h *Reader) Rotations(span rotation.Span) ([]report.Rotation, []gap, error) {
	commits, err := h.repo.CommitsIn(span)
	if err != nil {
		return nil, nil, err
	}
	slices.Reverse(commits)
	counted := map[string][]*rotation.Credential{} // path → as counted after the last commit read
	out := []report.Rotation{}                     // none is [], not nil: history was read
	var gaps []gap
	for _, c := range commits {
		changes, err := h.repo.ChangedFiles(c.Hash, h.dir)
		if err != nil {
			return nil, nil, err
		}
		for _, ch := range changes {
			if !isCredentialFile(h.dir, ch.Path) {
				continue
			}
			old, ok := counted[ch.Path]
			if !ok && ch.OldHash != "" && len(c.Parents) > 0 {
				var g []gap
				if old, g, err = h.version(c.Parents[0], ch.Path, ch.OldHash); err != nil {
					return nil, nil, err
				}
				gaps = append(gaps, g...)
			}
			n, g, err := h.follow(old, ch.Path, ch.NewHash)
			if err != nil {
				return nil, nil, err
			}
			gaps = append(gaps, stamped(g, c)...)
			if ch.NewHash == "" {
				delete(counted, ch.Path)
				continue
			}
			counted[ch.Path] = n
			if len(old) == 0 {
				continue
			}
			before := byID(old)
			for _, nc := range n {
				o := before[nc.ID]
				if o == nil || !nc.LastChanged.After(o.LastChanged) {
					continue
				}
				out = append(out, report.Rotation{
					ID: nc.ID, Name: nc.Name, Team: nc.Team, Old: o.LastChanged, New: nc.LastChanged,
					Ticket: nc.LastTicket, Commit: c.Hash, By: leak.Scrub(c.MergedBy()), At: c.Committer.When,
				})
			}
		}
	}
	return out, gaps, nil
}

// stamped gives the gaps of commit c's versions their commit.
func stamped(gaps []gap, c rotation.CommitInfo) []gap {
	for i := range gaps {
		gaps[i].commit, gaps[i].at = c.Hash, c.Committer.When
	}
	return gaps
}

func byID(creds []*rotation.Credential) map[string]*rotation.Credential {
	m := make(map[string]*rotation.Credential, len(creds))
	for _, c := range creds {
		m[c.ID] = c
	}
	return m
}

// isCredentialFile reports whether a repository path under the register
// folder dir holds credentials (register.IsCredentialPath).
func isCredentialFile(dir, path string) bool {
	rel := path
	if dir != "" && dir != "." {
		var ok bool
		if rel, ok = strings.CutPrefix(path, strings.TrimSuffix(dir, "/")+"/"); !ok {
			return false
		}
	}
	return register.IsCredentialPath(rel)
}

// RedactAcross takes every secret the leak guard flagged in any version
// read out of the text of every credential read, and of more (the
// register today): a version may hold a secret that another version
// flagged, in words the guard does not flag on their own. Credentials are
// shared by pointer with what history returned, so the caller's inputs
// are redacted in place. Secrets shorter than leak.MinSearchLen were
// taken out where they were found and are not searched for.
func (h *Reader) RedactAcross(more ...*rotation.Credential) {
	if len(h.secrets) == 0 {
		return
	}
	r := leak.NewRedactor(slices.Sorted(maps.Keys(h.secrets)))
	if r.Empty() {
		return
	}
	seen := map[*rotation.Credential]bool{}
	redact := func(c *rotation.Credential) {
		if c == nil || seen[c] {
			return
		}
		seen[c] = true
		for _, f := range []*string{&c.ID, &c.Name, &c.Owner, &c.Team, &c.System, &c.Environment, &c.Description,
			&c.JiraAssignee, &c.Runbook, &c.LastTicket} {
			*f = r.Redact(*f)
		}
		if e := c.Exemption; e != nil {
			e.Reason, e.ApprovedBy = r.Redact(e.Reason), r.Redact(e.ApprovedBy)
		}
	}
	for _, creds := range h.cache {
		for _, c := range creds {
			redact(c)
		}
	}
	for _, c := range more {
		redact(c)
	}
}
