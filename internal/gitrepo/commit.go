package gitrepo

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// ErrUnchanged is matched (errors.Is) by the error of CreateCommit when the
// new content equals the file's content in the base commit: there is
// nothing to record.
var ErrUnchanged = errors.New("content unchanged")

// CreateCommit writes a commit whose parent is c.Base and whose tree is the
// base's tree with the file at c.Path replaced by c.Content, and returns its
// hash. The file must already be a regular file in the base; it keeps its
// mode (executable or not). The trees on the path are rebuilt, every other
// entry is the base's, unchanged. Author and committer are both c.Author,
// time included, and the commit is not signed, so equal inputs give an
// equal hash. Only the object store changes: the working tree, the index,
// HEAD and the branches do not.
func (r *Repo) CreateCommit(c rotation.Commit) (string, error) {
	if err := checkSignature(c.Author); err != nil {
		return "", err
	}
	if strings.ContainsRune(c.Message, 0) {
		return "", errors.New("the commit message contains a NUL byte")
	}
	if strings.TrimSpace(c.Message) == "" {
		return "", errors.New("the commit message is empty")
	}
	if err := checkPath(c.Path); err != nil {
		return "", err
	}
	base, err := r.commit(c.Base)
	if err != nil {
		return "", err
	}
	tree, err := base.Tree()
	if err != nil {
		return "", fmt.Errorf("read the tree of commit %s: %w", base.Hash, err)
	}
	blob, err := r.writeBlob(c.Content)
	if err != nil {
		return "", err
	}
	root, err := r.replace(tree, strings.Split(c.Path, "/"), blob, c.Path, base.Hash)
	if err != nil {
		return "", err
	}
	sig := object.Signature{Name: c.Author.Name, Email: c.Author.Email, When: c.Author.When}
	commit := &object.Commit{
		Author:       sig,
		Committer:    sig,
		Message:      c.Message,
		TreeHash:     root,
		ParentHashes: []plumbing.Hash{base.Hash},
	}
	h, err := r.writeObject(commit)
	if err != nil {
		return "", fmt.Errorf("write the commit: %w", err)
	}
	return h.String(), nil
}

// replace returns the hash of a copy of t in which the blob at parts (the
// remaining path components) is blob, writing that copy and every rebuilt
// subtree. path and base are for messages.
func (r *Repo) replace(t *object.Tree, parts []string, blob plumbing.Hash, path string, base plumbing.Hash) (plumbing.Hash, error) {
	i := -1
	for j := range t.Entries {
		if t.Entries[j].Name == parts[0] {
			i = j
			break
		}
	}
	if i < 0 {
		return plumbing.ZeroHash, fmt.Errorf("%q is not in commit %s: rotor only changes files that exist: %w", path, base, ErrNotFound)
	}
	e := t.Entries[i]
	if len(parts) == 1 {
		if !regular(e.Mode) {
			return plumbing.ZeroHash, fmt.Errorf("%q in commit %s is not a regular file (mode %s)", path, base, e.Mode)
		}
		if e.Hash == blob {
			return plumbing.ZeroHash, fmt.Errorf("%q in commit %s: %w", path, base, ErrUnchanged)
		}
	} else {
		if e.Mode != filemode.Dir {
			return plumbing.ZeroHash, fmt.Errorf("%q in commit %s: %q is not a folder (mode %s)", path, base, e.Name, e.Mode)
		}
		sub, err := object.GetTree(r.store, e.Hash)
		if err != nil {
			return plumbing.ZeroHash, fmt.Errorf("read folder %q of commit %s: %w", e.Name, base, err)
		}
		blob, err = r.replace(sub, parts[1:], blob, path, base)
		if err != nil {
			return plumbing.ZeroHash, err
		}
	}
	// Only a hash changes, so the entries stay in git's order.
	entries := make([]object.TreeEntry, len(t.Entries))
	copy(entries, t.Entries)
	entries[i].Hash = blob
	h, err := r.writeObject(&object.Tree{Entries: entries})
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write a tree for %q: %w", path, err)
	}
	return h, nil
}

func (r *Repo) writeBlob(content []byte) (plumbing.Hash, error) {
	o := r.store.NewEncodedObject()
	o.SetType(plumbing.BlobObject)
	o.SetSize(int64(len(content)))
	w, err := o.Writer()
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write the file's blob: %w", err)
	}
	if _, err := w.Write(content); err != nil {
		w.Close()
		return plumbing.ZeroHash, fmt.Errorf("write the file's blob: %w", err)
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write the file's blob: %w", err)
	}
	h, err := r.store.SetEncodedObject(o)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write the file's blob: %w", err)
	}
	return h, nil
}

type encoder interface {
	Encode(plumbing.EncodedObject) error
}

func (r *Repo) writeObject(v encoder) (plumbing.Hash, error) {
	o := r.store.NewEncodedObject()
	if err := v.Encode(o); err != nil {
		return plumbing.ZeroHash, err
	}
	return r.store.SetEncodedObject(o)
}

// checkSignature refuses what would corrupt the commit header: git writes
// "name <email> time zone" on one line.
func checkSignature(s rotation.Signature) error {
	if strings.TrimSpace(s.Name) == "" || strings.TrimSpace(s.Email) == "" {
		return errors.New("the commit author needs a name and an email")
	}
	if strings.ContainsAny(s.Name, "<>\r\n\x00") || strings.ContainsAny(s.Email, "<>\r\n\x00") {
		return fmt.Errorf("the commit author %q <%q> contains <, >, a line break or NUL", s.Name, s.Email)
	}
	if s.When.IsZero() {
		return errors.New("the commit author has no time")
	}
	return nil
}
