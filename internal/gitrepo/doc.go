// Package gitrepo is rotor's git adapter: it implements
// rotation.Repository with go-git (github.com/go-git/go-git/v5), and is the
// only package that imports go-git.
//
// `rotor record` reads the register at HEAD, edits one line, commits that
// one file on top of HEAD and pushes the commit to origin as
// refs/heads/rotor/record/<credential-id>, from inside a GitHub Actions job.
//
// # Commits are built off the working tree
//
// CreateCommit writes a blob, the trees on the path to it and a commit
// straight into the object store, starting from the base commit's tree. The
// working tree, the index, HEAD and every local branch stay as they were:
// the job's checkout may hold files other steps changed, or be a detached
// pull-request merge, and none of that may leak into the commit or be
// disturbed by it. Building from objects alone also makes the result a pure
// function of its inputs: the same base, path, content, message and
// signature (time included) give the same hash, so a rerun of a job finds
// the commit it already made.
//
// # Pushes are forced
//
// Each branch rotor pushes belongs to rotor (one per credential, reused, as
// peter-evans/create-pull-request does), so Push replaces whatever the
// branch held. A forced update is also what works from actions/checkout's
// depth-1 clone: go-git v5 checks a non-forced push for fast-forward by
// walking the new commit's history without knowing the shallow boundary
// (remote.go, isFastForward), and that walk fails on the missing parents. A
// forced update skips the check. The update still names the old value origin
// advertised, so git on the server refuses it if the branch moved in
// between, rather than losing that change silently.
//
// The pack holds only what origin lacks: the object walk stops at every
// commit origin advertises and at the shallow boundary (.git/shallow), the
// way go-git's own push does (plumbing/revlist). A commit whose history
// leaves the clone before reaching either is refused before anything is
// sent, with an error that names fetch-depth: 0 ([ErrShallow]).
//
// # Transport and credentials
//
// Every network operation takes a context, and builds its own go-git HTTP
// transport from [Options.HTTPClient]: nothing is installed in go-git's
// global protocol table, so other code in the process is unaffected. The
// token is sent as HTTP basic auth (user x-access-token) to origin's host
// only: redirects are refused, both by go-git's policy (RedirectPolicy
// "false") and by the client's CheckRedirect, so no request ever reaches
// another host. Origin URLs that embed a password are refused, plain http is
// refused unless the host is loopback, and no error repeats the token or a
// URL's user information. An answer of 401, 403 or 404 becomes an error that
// says the token was refused and that it needs the repository permission
// Contents: read and write ([ErrAccessDenied]). Nothing is retried: a push
// is two requests (the ref advertisement and the pack), a listing one.
package gitrepo
