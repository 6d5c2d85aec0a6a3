package gitrepo

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Reading the register as it was.
//
// The weekly report compares the register today with the register at a few
// past instants (the end of a day a week ago, and the trend's days). Each
// past register is one tree read: CommitBefore finds the commit that was
// HEAD's state just before the instant (the first instant of the next
// day), TreeFiles lists the register's blobs in it, BlobContent reads a
// blob. Most files do not change between two dates, so TreeFiles answers
// with blob hashes and reads no content: the caller parses each distinct
// blob once, keyed by its hash. CommitsIn and ChangedFiles say what the
// commits of a span of days changed, without reading any content either.
// FileVersions lists one file's versions back along the chain, for the
// rare file whose version at a commit cannot be read and whose last
// readable version must be found; BlobContent refuses a blob too large to
// be a register file with ErrTooLarge, a version the caller skips.
//
// Instants bound spans the half-open way, as rotation.Span does: a span of
// days runs from the first instant of its first day up to the first
// instant of the day after its last, which it does not include. So
// adjoining days share no commit and miss none, and no caller needs "the
// last nanosecond of a day", which is not midnight minus a nanosecond
// where clocks change at midnight.
//
// "History" here is HEAD's first-parent chain: on the default branch, the
// commits as merges made them (a merge commit stands for its whole side
// branch, and its committer is who merged it). Time is the committer time,
// compared as an instant, so commits made in any time zone order correctly.
// A walk takes the chain to be in time order and stops at the first commit
// old enough, as git does (CommitBefore answers what `git rev-list -1
// --first-parent --before=<the second before instant> HEAD` answers;
// CommitsIn stops like --since): a commit whose clock was far behind hides
// the ones below it.
//
// In a shallow clone (actions/checkout's default fetch-depth: 1) the chain
// ends early. A walk that reaches that end before it has its answer fails
// with an error matching ErrShallow that names fetch-depth: 0; it never
// reports "no such commit" for history it cannot see.
//
// # Cost
//
// Nothing is cached here: every call walks from HEAD and decodes what it
// reads, through Repo's store and its object cache (go-git's default LRU).
// Measured on 365 daily commits of a 100-file register, 30 KiB a file, one
// pack (history_test.go, AMD EPYC, 2 cores): CommitBefore + TreeFiles a week
// back 0.5 ms, a year back 8 ms (~21 µs a commit); the report's reads for
// an 8-week trend (9 CommitBefore + TreeFiles, 156 distinct blobs, 3.8 MiB)
// 40 ms from a fresh Open, 17 ms warm, 23 MB allocated. Most of a walk's
// time is go-git opening and closing the pack file for every object it
// reads (storage Options.KeepDescriptors off, PlainOpen's default). Opening
// the store with KeepDescriptors on (which needs a Repo.Close) measured
// 0.7 ms for the year-deep lookup, 0.13 ms for the week, 29 ms cold: worth
// doing if history reads ever matter; against the report's 2 s they do not
// yet. A store opened per call to get that is slower (4 ms a week back):
// each reloads the pack index and starts with a cold delta cache.

// MaxBlobSize is the largest blob BlobContent reads: a register file is a
// few dozen KiB, and a bigger blob is not one rotor should hold in memory.
const MaxBlobSize = 4 << 20

// ErrTooLarge is matched (errors.Is) by the error of BlobContent for a blob
// larger than MaxBlobSize: a version of a file that history skips, not a
// repository it cannot read.
var ErrTooLarge = rotation.ErrTooLarge

// The history's types are the domain's (rotation), so that the use case
// that reads history (internal/history) needs no adapter.
type (
	CommitInfo  = rotation.CommitInfo
	Blob        = rotation.TreeFile
	Change      = rotation.FileChange
	FileVersion = rotation.FileVersion
)

// CommitBefore returns the last commit before instant on HEAD's
// first-parent chain: walking first parents from HEAD, the first commit
// whose committer time is before instant (a commit at instant is not).
// The register as it was at the end of a day is the one of the commit
// before the first instant of the next day. found is false when the
// history begins at or after instant. In a shallow clone whose history
// ends before such a commit, the error matches ErrShallow.
func (r *Repo) CommitBefore(instant time.Time) (info CommitInfo, found bool, err error) {
	op := "find the last commit before " + instant.Format(time.RFC3339Nano)
	err = r.walkFirstParents(op, func(c *object.Commit) bool {
		if !c.Committer.When.Before(instant) {
			return true
		}
		info, found = commitInfo(c), true
		return false
	})
	if err != nil {
		return CommitInfo{}, false, err
	}
	return info, found, nil
}

// CommitsIn returns the commits on HEAD's first-parent chain whose
// committer time is in span (span.From <= t < span.To), newest first. The
// walk passes over newer commits and stops at the first commit before
// span.From; reaching the root first is fine (the history began inside the
// span). In a shallow clone whose history ends before that commit, the
// error matches ErrShallow.
func (r *Repo) CommitsIn(span rotation.Span) ([]CommitInfo, error) {
	op := fmt.Sprintf("list the commits from %s until %s", span.From.Format(time.RFC3339Nano), span.To.Format(time.RFC3339Nano))
	var out []CommitInfo
	err := r.walkFirstParents(op, func(c *object.Commit) bool {
		t := c.Committer.When
		if t.Before(span.From) {
			return false
		}
		if span.Contains(t) {
			out = append(out, commitInfo(c))
		}
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// walkFirstParents calls visit for HEAD and then for each first parent in
// turn, while visit returns true and the chain goes on. A chain that leaves
// the clone while visit still wants more is an ErrShallow error; op says
// what the walk was for.
func (r *Repo) walkFirstParents(op string, visit func(*object.Commit) bool) error {
	head, err := r.Head()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	shallow, err := r.shallowSet()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	h := plumbing.NewHash(head)
	var child *object.Commit
	for {
		c, err := object.GetCommit(r.store, h)
		if errors.Is(err, plumbing.ErrObjectNotFound) && child != nil {
			return shallowError(op, child)
		}
		if err != nil {
			return fmt.Errorf("%s: read commit %s: %w", op, h, err)
		}
		if !visit(c) || len(c.ParentHashes) == 0 {
			return nil
		}
		if shallow[c.Hash] {
			return shallowError(op, c)
		}
		h, child = c.ParentHashes[0], c
	}
}

// shallowSet returns the commits whose parents the clone lacks
// (.git/shallow); none in a full clone.
func (r *Repo) shallowSet() (map[plumbing.Hash]bool, error) {
	list, err := r.store.Shallow()
	if err != nil {
		return nil, fmt.Errorf("read the shallow list: %w", err)
	}
	set := make(map[plumbing.Hash]bool, len(list))
	for _, h := range list {
		set[h] = true
	}
	return set, nil
}

// shallowError says that the history the caller needs is older than last,
// the oldest commit the clone holds on the chain.
func shallowError(op string, last *object.Commit) error {
	return &opError{
		msg: fmt.Sprintf("%s: this clone's history ends at commit %s of %s, and the answer lies further back: "+
			"the clone is shallow (actions/checkout fetches one commit by default); check out with full history (actions/checkout with fetch-depth: 0)",
			op, last.Hash, last.Committer.When.Format(time.RFC3339)),
		errs: []error{ErrShallow},
	}
}

func commitInfo(c *object.Commit) CommitInfo {
	parents := make([]string, len(c.ParentHashes))
	for i, p := range c.ParentHashes {
		parents[i] = p.String()
	}
	return CommitInfo{
		Hash:      c.Hash.String(),
		Parents:   parents,
		Author:    rotation.Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When},
		Committer: rotation.Signature{Name: c.Committer.Name, Email: c.Committer.Email, When: c.Committer.When},
		Message:   c.Message,
	}
}

// TreeFiles lists the regular files under dir (slash-separated, relative to
// the repository root; "" for the whole tree) in commit, at any depth,
// sorted by path, with their blob hashes; it reads no file content.
// Symbolic links and submodules are left out: a link's blob holds its
// target, not a register file. A dir the commit does not hold gives an
// empty list and no error; a dir that is a file is an error.
func (r *Repo) TreeFiles(commit, dir string) ([]Blob, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	h, err := r.dirTree(c, dir)
	if err != nil || h.IsZero() {
		return nil, err
	}
	var out []Blob
	if err := r.listTree(h, dir, &out); err != nil {
		return nil, fmt.Errorf("list %q in commit %s: %w", dir, c.Hash, err)
	}
	slices.SortFunc(out, func(a, b Blob) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

func (r *Repo) listTree(h plumbing.Hash, prefix string, out *[]Blob) error {
	t, err := object.GetTree(r.store, h)
	if err != nil {
		return fmt.Errorf("read tree %s: %w", h, err)
	}
	for _, e := range t.Entries {
		p := joinPath(prefix, e.Name)
		switch {
		case e.Mode == filemode.Dir:
			if err := r.listTree(e.Hash, p, out); err != nil {
				return err
			}
		case regular(e.Mode):
			*out = append(*out, Blob{Path: p, Hash: e.Hash.String()})
		}
	}
	return nil
}

// dirTree returns the hash of the tree at dir in c, or the zero hash when c
// holds nothing there.
func (r *Repo) dirTree(c *object.Commit, dir string) (plumbing.Hash, error) {
	if dir == "" {
		return c.TreeHash, nil
	}
	if err := checkPath(dir); err != nil {
		return plumbing.ZeroHash, err
	}
	h := c.TreeHash
	for _, name := range strings.Split(dir, "/") {
		t, err := object.GetTree(r.store, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read the tree of %q in commit %s: %w", dir, c.Hash, err)
		}
		i := slices.IndexFunc(t.Entries, func(e object.TreeEntry) bool { return e.Name == name })
		if i < 0 {
			return plumbing.ZeroHash, nil
		}
		if t.Entries[i].Mode != filemode.Dir {
			return plumbing.ZeroHash, fmt.Errorf("%q in commit %s is not a folder (mode %s)", dir, c.Hash, t.Entries[i].Mode)
		}
		h = t.Entries[i].Hash
	}
	return h, nil
}

func joinPath(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// BlobContent returns the content of the blob with the given full hash. It
// refuses a blob larger than MaxBlobSize before reading it.
func (r *Repo) BlobContent(hash string) ([]byte, error) {
	if !plumbing.IsHash(hash) {
		return nil, fmt.Errorf("%q is not a full blob hash", hash)
	}
	h := plumbing.NewHash(hash)
	size, err := r.store.EncodedObjectSize(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("blob %s is not in the repository at %s", hash, r.root)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", hash, err)
	}
	if size > MaxBlobSize {
		return nil, &opError{msg: fmt.Sprintf("blob %s holds %d bytes, more than the %d a register file may have", hash, size, MaxBlobSize),
			errs: []error{ErrTooLarge}}
	}
	b, err := object.GetBlob(r.store, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("object %s is not a blob", hash)
	}
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", hash, err)
	}
	return readBlob(b)
}

// ChangedFiles returns the regular files under dir ("" for the whole tree)
// that commit adds, modifies or removes relative to its first parent,
// sorted by path; a root commit adds every file. Only content counts: a
// mode change alone is no change, and a file that becomes a symbolic link
// is removed. When the first parent is beyond a shallow clone's history,
// the error matches ErrShallow.
func (r *Repo) ChangedFiles(commit, dir string) ([]Change, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	newTree, err := r.dirTree(c, dir)
	if err != nil {
		return nil, err
	}
	var oldTree plumbing.Hash
	if len(c.ParentHashes) > 0 {
		op := fmt.Sprintf("compare commit %s with its parent", c.Hash)
		shallow, err := r.shallowSet()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", op, err)
		}
		if shallow[c.Hash] {
			return nil, shallowError(op, c)
		}
		p, err := object.GetCommit(r.store, c.ParentHashes[0])
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, shallowError(op, c)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: read commit %s: %w", op, c.ParentHashes[0], err)
		}
		if oldTree, err = r.dirTree(p, dir); err != nil {
			return nil, err
		}
	}
	var out []Change
	if err := r.diffTrees(dir, oldTree, newTree, &out); err != nil {
		return nil, fmt.Errorf("compare %q in commit %s with its parent: %w", dir, c.Hash, err)
	}
	slices.SortFunc(out, func(a, b Change) int { return strings.Compare(a.Path, b.Path) })
	return out, nil
}

// FileVersions walks HEAD's first-parent chain back from commit and calls
// visit with each version of the regular file at path (slash-separated,
// relative to the repository root), newest first: the version commit
// holds, then the one before it, and so on, until visit returns false or
// the chain reaches its root (the last version is then the root's). A
// path under something that is not a folder, or that is not a regular
// file, is absent. It reads trees only, no content; it is meant for the
// few files whose versions must be looked at one by one, not for the
// whole register. When the chain leaves a shallow clone before visit is
// done, the error matches ErrShallow.
func (r *Repo) FileVersions(commit, path string, visit func(FileVersion) bool) error {
	c, err := r.commit(commit)
	if err != nil {
		return err
	}
	if err := checkPath(path); err != nil {
		return err
	}
	op := fmt.Sprintf("list the versions of %q before commit %s", path, c.Hash)
	shallow, err := r.shallowSet()
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	blob, err := r.pathBlob(c, path)
	if err != nil {
		return fmt.Errorf("%s: %w", op, err)
	}
	since := c // the oldest commit seen that holds blob
	for {
		if len(since.ParentHashes) == 0 {
			visit(FileVersion{Commit: commitInfo(since), Blob: hashString(blob)})
			return nil
		}
		if shallow[since.Hash] {
			return shallowError(op, since)
		}
		p, err := r.parent(op, since, since.ParentHashes[0])
		if err != nil {
			return err
		}
		pb, err := r.pathBlob(p, path)
		if err != nil {
			return fmt.Errorf("%s: %w", op, err)
		}
		if pb != blob {
			if !visit(FileVersion{Commit: commitInfo(since), Blob: hashString(blob)}) {
				return nil
			}
			blob = pb
		}
		since = p
	}
}

// pathBlob returns the blob of the regular file at path in c, or the zero
// hash when c holds none there.
func (r *Repo) pathBlob(c *object.Commit, path string) (plumbing.Hash, error) {
	h := c.TreeHash
	parts := strings.Split(path, "/")
	for i, name := range parts {
		t, err := object.GetTree(r.store, h)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read tree %s of commit %s: %w", h, c.Hash, err)
		}
		j := slices.IndexFunc(t.Entries, func(e object.TreeEntry) bool { return e.Name == name })
		if j < 0 {
			return plumbing.ZeroHash, nil
		}
		e := t.Entries[j]
		if i == len(parts)-1 {
			if !regular(e.Mode) {
				return plumbing.ZeroHash, nil
			}
			return e.Hash, nil
		}
		if e.Mode != filemode.Dir {
			return plumbing.ZeroHash, nil
		}
		h = e.Hash
	}
	return plumbing.ZeroHash, nil
}

func hashString(h plumbing.Hash) string {
	if h.IsZero() {
		return ""
	}
	return h.String()
}

// diffTrees appends the file changes from tree old to tree new (either the
// zero hash for no tree) under prefix. Equal subtrees are skipped unread.
func (r *Repo) diffTrees(prefix string, old, new plumbing.Hash, out *[]Change) error {
	if old == new {
		return nil
	}
	oldEntries, err := r.treeEntries(old)
	if err != nil {
		return err
	}
	newEntries, err := r.treeEntries(new)
	if err != nil {
		return err
	}
	byName := make(map[string]object.TreeEntry, len(oldEntries))
	for _, e := range oldEntries {
		byName[e.Name] = e
	}
	for _, n := range newEntries {
		o, ok := byName[n.Name]
		delete(byName, n.Name)
		if !ok {
			o = object.TreeEntry{}
		}
		if err := r.diffEntry(joinPath(prefix, n.Name), o, n, out); err != nil {
			return err
		}
	}
	for _, o := range byName {
		if err := r.diffEntry(joinPath(prefix, o.Name), o, object.TreeEntry{}, out); err != nil {
			return err
		}
	}
	return nil
}

// diffEntry compares one name's entries (a zero entry: absent).
func (r *Repo) diffEntry(path string, o, n object.TreeEntry, out *[]Change) error {
	oFile, nFile := o.Name != "" && regular(o.Mode), n.Name != "" && regular(n.Mode)
	if oFile && nFile {
		if o.Hash != n.Hash {
			*out = append(*out, Change{Path: path, OldHash: o.Hash.String(), NewHash: n.Hash.String()})
		}
		return nil
	}
	if oFile {
		*out = append(*out, Change{Path: path, OldHash: o.Hash.String()})
	}
	if nFile {
		*out = append(*out, Change{Path: path, NewHash: n.Hash.String()})
	}
	var oDir, nDir plumbing.Hash
	if o.Name != "" && o.Mode == filemode.Dir {
		oDir = o.Hash
	}
	if n.Name != "" && n.Mode == filemode.Dir {
		nDir = n.Hash
	}
	return r.diffTrees(path, oDir, nDir, out)
}

func (r *Repo) treeEntries(h plumbing.Hash) ([]object.TreeEntry, error) {
	if h.IsZero() {
		return nil, nil
	}
	t, err := object.GetTree(r.store, h)
	if err != nil {
		return nil, fmt.Errorf("read tree %s: %w", h, err)
	}
	return t.Entries, nil
}

// CommitSet is a set of commits: those a walk has already read.
type CommitSet struct{ m map[plumbing.Hash]struct{} }

// NewCommitSet returns an empty set.
func NewCommitSet() *CommitSet { return &CommitSet{m: map[plumbing.Hash]struct{}{}} }

// Add puts the commit named by its full hex hash in s.
func (s *CommitSet) Add(hash string) { s.m[plumbing.NewHash(hash)] = struct{}{} }

// Has reports whether s holds the commit.
func (s *CommitSet) Has(hash string) bool {
	_, ok := s.m[plumbing.NewHash(hash)]
	return ok
}

// Len is the number of commits in s.
func (s *CommitSet) Len() int { return len(s.m) }

// Ancestors returns hash and every commit reachable from it, each read
// once. A walk that leaves a shallow clone's history fails with an error
// matching ErrShallow.
func (r *Repo) Ancestors(hash string) (*CommitSet, error) {
	c, err := r.commit(hash)
	if err != nil {
		return nil, err
	}
	s := NewCommitSet()
	return s, r.walkNew(c, s, "list the ancestors of "+c.Hash.String(), nil)
}

// BroughtIn returns the commits a merge brought onto the first-parent
// chain: those reachable from its second and later parents and not from
// its first, what `git rev-list merge ^merge^1` lists but the merge
// itself, breadth first from the merge. known holds commits the caller
// knows to be reachable from the first parent (a caller walking the chain
// oldest first passes the same set each time, starting from the
// Ancestors of the commit before the chain); BroughtIn completes it with
// whatever of the first parent's history it lacks, then adds the commits
// it returns and the merge. So each commit is read once over a whole
// walk, no commit time is read (clocks that disagree do not matter), and
// a chain commit the caller skipped is still counted. A commit with one
// parent brings in nothing and changes nothing. In a shallow clone whose
// history ends before the walk does, the error matches ErrShallow.
func (r *Repo) BroughtIn(merge string, known *CommitSet) ([]CommitInfo, error) {
	c, err := r.commit(merge)
	if err != nil {
		return nil, err
	}
	if len(c.ParentHashes) < 2 {
		return nil, nil
	}
	op := "list the commits merge " + c.Hash.String() + " brought in"
	var out []CommitInfo
	for i, h := range c.ParentHashes {
		p, err := r.parent(op, c, h)
		if err != nil {
			return nil, err
		}
		var visit func(*object.Commit)
		if i > 0 {
			visit = func(sc *object.Commit) { out = append(out, commitInfo(sc)) }
		}
		if err := r.walkNew(p, known, op, visit); err != nil {
			return nil, err
		}
	}
	known.m[c.Hash] = struct{}{}
	return out, nil
}

// MergeWalk tells, commit by commit along the first-parent chain oldest
// first, what each merge brought in (BroughtIn), keeping the set of
// commits the chain already holds.
type MergeWalk struct {
	r     *Repo
	known *CommitSet
}

// WalkMerges starts a MergeWalk after base, the commit before the first
// one the caller will hand it; "" starts from an empty history.
func (r *Repo) WalkMerges(base string) (*MergeWalk, error) {
	w := &MergeWalk{r: r, known: NewCommitSet()}
	if base != "" {
		var err error
		if w.known, err = r.Ancestors(base); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// Next returns what commit c of the chain brought in (nothing unless it is
// a merge) and adds c to the commits the chain holds.
func (w *MergeWalk) Next(c CommitInfo) ([]CommitInfo, error) {
	var side []CommitInfo
	if len(c.Parents) > 1 {
		var err error
		if side, err = w.r.BroughtIn(c.Hash, w.known); err != nil {
			return nil, err
		}
	}
	w.known.Add(c.Hash)
	return side, nil
}

// walkNew walks breadth first from start through every commit not in
// seen, adding each to seen and handing it to visit when set.
func (r *Repo) walkNew(start *object.Commit, seen *CommitSet, op string, visit func(*object.Commit)) error {
	if _, ok := seen.m[start.Hash]; ok {
		return nil
	}
	seen.m[start.Hash] = struct{}{}
	queue := []*object.Commit{start}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if visit != nil {
			visit(c)
		}
		for _, h := range c.ParentHashes {
			if _, ok := seen.m[h]; ok {
				continue
			}
			seen.m[h] = struct{}{}
			p, err := r.parent(op, c, h)
			if err != nil {
				return err
			}
			queue = append(queue, p)
		}
	}
	return nil
}

// parent reads c's parent h; one beyond a shallow clone's history is an
// ErrShallow error.
func (r *Repo) parent(op string, c *object.Commit, h plumbing.Hash) (*object.Commit, error) {
	p, err := object.GetCommit(r.store, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, shallowError(op, c)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: read commit %s: %w", op, h, err)
	}
	return p, nil
}

// Branch returns the short name of the checked-out branch, or "" when HEAD
// is detached (actions/checkout of a tag or a pull request's merge).
func (r *Repo) Branch() (string, error) {
	ref, err := r.repo.Head()
	if err != nil {
		return "", fmt.Errorf("resolve HEAD: %w", err)
	}
	if !ref.Name().IsBranch() {
		return "", nil
	}
	return ref.Name().Short(), nil
}

// OriginName names origin for people: its URL without user information,
// query or fragment ("https://github.com/acme/register"), the host and
// path of an SSH address, or "" when there is no origin or it is a local
// path (which names a folder of one machine, not the repository).
func (r *Repo) OriginName() string {
	cfg, err := r.repo.Config()
	if err != nil {
		return ""
	}
	rc, ok := cfg.Remotes[remoteName]
	if !ok || len(rc.URLs) == 0 {
		return ""
	}
	raw := rc.URLs[0]
	if !strings.Contains(raw, "://") {
		if !isSCPLike(raw) {
			return ""
		}
		// Everything up to the last @ may be a user and a password (which
		// may hold a colon); a path with an @ loses a little more.
		if at := strings.LastIndexByte(raw, '@'); at >= 0 {
			raw = raw[at+1:]
		}
		return raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "file" || u.Host == "" {
		return ""
	}
	u.User, u.RawQuery, u.Fragment, u.ForceQuery = nil, "", "", false
	return strings.TrimSuffix(u.String(), ".git")
}
