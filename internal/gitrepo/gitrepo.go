package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/setting"
)

// The remote rotor reads from and pushes to.
const remoteName = "origin"

// tokenUser is the basic-auth user name GitHub expects with an installation
// or Actions token.
const tokenUser = "x-access-token"

var _ rotation.Repository = (*Repo)(nil)

// Options configures how a Repo talks to origin.
type Options struct {
	// Token authenticates to origin over HTTPS as basic auth with the user
	// x-access-token. Empty: no authentication (file remotes, public reads).
	Token string
	// HTTPClient carries the smart-HTTP requests. Only its Transport and
	// Timeout are used: its CheckRedirect is replaced by one that refuses
	// every redirect, and its Jar is dropped. Nil: a client built on
	// http.DefaultTransport (proxy settings from the environment) with
	// connection, header and overall timeouts.
	HTTPClient *http.Client
	// LocalOnly opens a repository that is only read (history for the
	// report): origin is neither needed nor checked, and RemoteBranch and
	// Push fail.
	LocalOnly bool
}

// Repo is a working copy's repository and its origin remote. Its methods
// are safe to call one after the other, not concurrently.
type Repo struct {
	root    string
	repo    *git.Repository
	store   storage.Storer
	remote  remote
	token   string
	httpCli *http.Client
}

// remote is origin's URL, checked and split once by Open.
type remote struct {
	url   string // as the transport gets it: no user information
	shown string // what errors print
	file  bool   // a local path or file:// URL
}

// Open opens the repository that holds dir (dir itself or the nearest
// folder above it with a .git), and checks its origin remote: it must exist,
// have one URL, and that URL must be https (http only to a loopback host) or
// a local path, without a password in it.
func Open(dir string, opts Options) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open git repository at %q: %w", dir, err)
	}
	repo, err := git.PlainOpenWithOptions(abs, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%q is not in a git repository: run rotor inside the repository's working copy (in Actions, after actions/checkout)", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %q: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("the git repository at %q is bare: rotor needs a working copy", dir)
	}
	if err != nil {
		return nil, fmt.Errorf("open git repository at %q: %w", dir, err)
	}
	if opts.LocalOnly {
		return &Repo{root: wt.Filesystem.Root(), repo: repo, store: repo.Storer, remote: remote{shown: "(no remote: opened for reading)"}}, nil
	}
	cfg, err := repo.Config()
	if err != nil {
		return nil, fmt.Errorf("read git config of %q: %w", wt.Filesystem.Root(), err)
	}
	rc, ok := cfg.Remotes[remoteName]
	if !ok {
		return nil, fmt.Errorf("the git repository at %q has no remote %q: add it with `git remote add origin https://github.com/<owner>/<repo>`", wt.Filesystem.Root(), remoteName)
	}
	if len(rc.URLs) != 1 {
		return nil, fmt.Errorf("remote %q has %d URLs (url and pushurl entries): rotor reads and pushes through one, so leave a single url", remoteName, len(rc.URLs))
	}
	rem, err := checkRemoteURL(rc.URLs[0])
	if err != nil {
		return nil, fmt.Errorf("remote %q: %w", remoteName, err)
	}
	hc := opts.HTTPClient
	if hc == nil {
		hc = defaultHTTPClient()
	}
	return &Repo{
		root:    wt.Filesystem.Root(),
		repo:    repo,
		store:   repo.Storer,
		remote:  rem,
		token:   opts.Token,
		httpCli: hc,
	}, nil
}

// checkRemoteURL accepts https URLs, http URLs to a loopback host, file URLs
// and local paths. It refuses anything with a password in it, and drops a
// bare user name (the token, when set, names its own user).
func checkRemoteURL(raw string) (remote, error) {
	if !strings.Contains(raw, "://") {
		if isSCPLike(raw) {
			return remote{}, errors.New("its URL is an SSH address (user@host:path): rotor pushes over HTTPS, so set it to https://<host>/<owner>/<repo>")
		}
		return remote{url: raw, shown: raw, file: true}, nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the input, which may hold a password.
		return remote{}, errors.New("its URL does not parse as a URL")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return remote{}, errors.New("its URL embeds a password: remove the user information from the URL (`git remote set-url origin https://<host>/<path>`); rotor authenticates with its token")
		}
		u.User = nil
	}
	// A query or fragment may carry a token too: no message shows them.
	u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
	switch strings.ToLower(u.Scheme) {
	case "https":
	case "http":
		if !setting.IsLoopbackHost(u.Hostname()) {
			return remote{}, fmt.Errorf("its URL %s is plain http, which would send the token unencrypted: use https", u.Redacted())
		}
	case "file":
		return remote{url: u.String(), shown: u.String(), file: true}, nil
	default:
		return remote{}, fmt.Errorf("its URL uses %q: rotor pushes over https (or to a local path)", u.Scheme)
	}
	if u.Host == "" {
		return remote{}, errors.New("its URL has no host")
	}
	return remote{url: u.String(), shown: u.String()}, nil
}

// isSCPLike reports whether s has git's scp-like form user@host:path, which
// git reads as SSH.
func isSCPLike(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon <= 0 {
		return false
	}
	slash := strings.IndexByte(s, '/')
	if slash >= 0 && slash < colon {
		return false // a path such as ./a:b
	}
	return !(colon == 1 && len(s) > 2 && (s[2] == '\\' || s[2] == '/')) // C:\ on Windows
}

func defaultHTTPClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.ResponseHeaderTimeout = time.Minute
	tr.TLSHandshakeTimeout = 15 * time.Second
	return &http.Client{Transport: tr, Timeout: 5 * time.Minute}
}

// Root returns the working copy's top folder.
func (r *Repo) Root() string { return r.root }

// Head returns the hash of the checked-out commit (HEAD, attached or
// detached).
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", errors.New("HEAD names no commit: the repository has no commits yet")
	}
	if err != nil {
		return "", fmt.Errorf("resolve HEAD: %w", err)
	}
	return ref.Hash().String(), nil
}

// Shallow reports whether the clone is shallow (actions/checkout's default
// fetch-depth: 1 makes one): some commits' parents are not in it.
func (r *Repo) Shallow() (bool, error) {
	s, err := r.store.Shallow()
	if err != nil {
		return false, fmt.Errorf("read the shallow list: %w", err)
	}
	return len(s) > 0, nil
}

// FileAt returns the content of the regular file at path (slash-separated,
// relative to the root) in commit (a full hash).
func (r *Repo) FileAt(commit, path string) ([]byte, error) {
	c, err := r.commit(commit)
	if err != nil {
		return nil, err
	}
	if err := checkPath(path); err != nil {
		return nil, err
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read the tree of commit %s: %w", c.Hash, err)
	}
	e, err := tree.FindEntry(path)
	if errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, fmt.Errorf("%q is not in commit %s: %w", path, c.Hash, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("find %q in commit %s: %w", path, c.Hash, err)
	}
	if !regular(e.Mode) {
		return nil, fmt.Errorf("%q in commit %s is not a regular file (mode %s)", path, c.Hash, e.Mode)
	}
	blob, err := object.GetBlob(r.store, e.Hash)
	if err != nil {
		return nil, fmt.Errorf("read %q in commit %s: %w", path, c.Hash, err)
	}
	return readBlob(blob)
}

// ErrNotFound is matched (errors.Is) by the error of FileAt for a path the
// commit does not hold.
var ErrNotFound = errors.New("no such file")

func readBlob(b *object.Blob) ([]byte, error) {
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", b.Hash, err)
	}
	defer rd.Close()
	out, err := io.ReadAll(rd)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", b.Hash, err)
	}
	return out, nil
}

// commit resolves a full hex hash to a commit of this repository.
func (r *Repo) commit(hash string) (*object.Commit, error) {
	if !plumbing.IsHash(hash) {
		return nil, fmt.Errorf("%q is not a full commit hash", hash)
	}
	h := plumbing.NewHash(hash)
	c, err := object.GetCommit(r.store, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return nil, fmt.Errorf("commit %s is not in the repository at %s", hash, r.root)
	}
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", hash, err)
	}
	return c, nil
}

// checkPath accepts a clean, relative, slash-separated path that stays
// inside the repository and outside .git.
func checkPath(p string) error {
	if p == "" {
		return errors.New("empty path")
	}
	if strings.HasPrefix(p, "/") || strings.Contains(p, `\`) || strings.ContainsRune(p, 0) {
		return fmt.Errorf("path %q must be relative and slash-separated", p)
	}
	for _, part := range strings.Split(p, "/") {
		switch {
		case part == "", part == ".", part == "..":
			return fmt.Errorf("path %q must be clean (no empty, . or .. parts)", p)
		case strings.EqualFold(part, ".git"):
			return fmt.Errorf("path %q must not reach into .git", p)
		}
	}
	return nil
}

// regular reports whether m is a file mode git checks out as a plain file.
func regular(m filemode.FileMode) bool {
	return m == filemode.Regular || m == filemode.Executable || m == filemode.Deprecated
}
