package rotation

import (
	"context"
	"time"
)

// PullRequest is a pull request as the code host holds it.
type PullRequest struct {
	Number int
	URL    string // the page a person opens
	State  string // "open" or "closed"
	Merged bool
	Head   string // the branch it proposes, e.g. rotor/record/payments-db-admin
	Base   string // the branch it merges into
	Title  string
	Body   string
	Labels []string
}

// NewPullRequest is what rotor opens.
type NewPullRequest struct {
	Head, Base  string
	Title, Body string
	Labels      []string
}

// CodeHost is where the register's repository lives (GitHub).
// Implementations retry transient failures themselves and return errors
// that say what the host answered and what to fix.
type CodeHost interface {
	// DefaultBranch returns the name of the repository's default branch.
	DefaultBranch(ctx context.Context) (string, error)
	// PullRequests returns the pull requests whose head is branch, open
	// and closed, newest first.
	PullRequests(ctx context.Context, head string) ([]PullRequest, error)
	// CreatePullRequest opens a pull request and adds its labels.
	CreatePullRequest(ctx context.Context, pr NewPullRequest) (PullRequest, error)
	// UpdatePullRequest sets the title and body of an open pull request.
	UpdatePullRequest(ctx context.Context, number int, title, body string) (PullRequest, error)
}

// Signature names who made a commit, and when.
type Signature struct {
	Name, Email string
	When        time.Time
}

// Commit is a new commit of one changed file on top of a base commit.
type Commit struct {
	Base    string // the parent commit's hash
	Path    string // slash-separated, relative to the repository root
	Content []byte
	Message string
	Author  Signature // also the committer
}

// Repository is the git repository of the register, in the working copy
// rotor runs in. Implementations never touch the working tree or the
// checked-out branch: a commit is built from the base commit's tree, and
// pushed by hash.
type Repository interface {
	// Root is the working copy's top folder.
	Root() string
	// Head returns the hash of the checked-out commit.
	Head() (string, error)
	// FileAt returns the content of path (slash-separated, relative to the
	// root) in commit.
	FileAt(commit, path string) ([]byte, error)
	// CreateCommit writes c's objects to the repository and returns the
	// commit's hash. Equal inputs give the same hash.
	CreateCommit(c Commit) (string, error)
	// RemoteBranch returns the hash origin's branch points at, or "" when
	// origin has no such branch.
	RemoteBranch(ctx context.Context, branch string) (string, error)
	// Push sets origin's branch to commit, replacing whatever it held:
	// rotor owns every branch it pushes.
	Push(ctx context.Context, commit, branch string) error
}
