package gitrepo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp"
	"github.com/go-git/go-git/v5/plumbing/protocol/packp/capability"
	"github.com/go-git/go-git/v5/plumbing/revlist"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/file"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/setting"
)

// Errors of RemoteBranch and Push match these with errors.Is, so the caller
// can pick its exit code and hint; the message already says what to do.
var (
	// ErrAccessDenied: origin answered 401, 403 or 404 (GitHub answers 404
	// when the token cannot see the repository), or refused the update.
	ErrAccessDenied = errors.New("origin refused the request")
	// ErrRedirect: origin answered with a redirect, which rotor does not
	// follow, so the token never reaches another host.
	ErrRedirect = errors.New("origin answered with a redirect")
	// ErrShallow: the commit's history leaves the clone before it reaches a
	// commit origin has; the job needs a deeper checkout.
	ErrShallow = errors.New("the clone lacks history the push needs")
	// ErrRejected: origin received the push and git there declined the
	// update (a hook, a ruleset, or the branch moved meanwhile).
	ErrRejected = errors.New("origin rejected the update")
)

// The permission a token needs to push, as GitHub names it.
const pushPermission = `the repository permission "Contents: read and write" (in a workflow: permissions: contents: write)`

// RemoteBranch returns the hash origin's refs/heads/<branch> points at, as
// `git ls-remote` sees it (one request), or "" when origin has no such
// branch.
func (r *Repo) RemoteBranch(ctx context.Context, branch string) (string, error) {
	name, err := branchRef(branch)
	if err != nil {
		return "", err
	}
	t, ep, auth, err := r.transport()
	if err != nil {
		return "", err
	}
	sess, err := t.NewUploadPackSession(ep, auth)
	if err != nil {
		return "", r.netError("list the branches of origin", err)
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if errors.Is(err, transport.ErrEmptyRemoteRepository) {
		return "", nil
	}
	if err != nil {
		return "", r.netError("list the branches of origin", err)
	}
	if h, ok := ar.References[name.String()]; ok {
		return h.String(), nil
	}
	return "", nil
}

// Push sets origin's refs/heads/<branch> to commit, whatever it held
// before (a forced update: rotor owns the branch). It sends the objects
// origin lacks, walking back from commit only until a commit origin
// advertises or the shallow boundary, so it works from a depth-1 clone
// (there the walk reads one tree; in a full clone it reads the history of
// every advertised commit the clone holds, as go-git's own push does). It
// makes two requests over HTTP, the ref advertisement and then the pack,
// and only the first when origin's branch already points at commit. Local
// refs, refs/remotes/origin/* included, are not changed.
func (r *Repo) Push(ctx context.Context, commit, branch string) error {
	name, err := branchRef(branch)
	if err != nil {
		return err
	}
	c, err := r.commit(commit)
	if err != nil {
		return err
	}
	t, ep, auth, err := r.transport()
	if err != nil {
		return err
	}
	op := "push to origin's branch " + branch
	sess, err := t.NewReceivePackSession(ep, auth)
	if err != nil {
		return r.netError(op, err)
	}
	defer sess.Close()
	ar, err := sess.AdvertisedReferencesContext(ctx)
	if err != nil {
		return r.netError(op, err)
	}
	old := plumbing.ZeroHash
	if h, ok := ar.References[name.String()]; ok {
		old = h
	}
	if old == c.Hash {
		return nil
	}

	haves := make([]plumbing.Hash, 0, len(ar.References)+len(ar.Peeled)+1)
	for _, h := range ar.References {
		haves = append(haves, h)
	}
	for _, h := range ar.Peeled {
		haves = append(haves, h)
	}
	if ar.Head != nil {
		haves = append(haves, *ar.Head)
	}
	shallow, err := r.store.Shallow()
	if err != nil {
		return fmt.Errorf("%s: read the shallow list: %w", op, err)
	}
	// The shallow commits came from origin, so it has them; stopping there
	// keeps the walk out of the parents the clone does not hold. Commits
	// origin advertises but this clone lacks are skipped by revlist.
	haves = append(haves, shallow...)
	objs, err := revlist.Objects(r.store, []plumbing.Hash{c.Hash}, haves)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return &opError{
			msg:  fmt.Sprintf("%s: commit %s descends from commits this clone does not have and origin does not advertise, so rotor cannot tell what to send; nothing was pushed. Check out with full history (actions/checkout with fetch-depth: 0), or base the commit on a commit origin has", op, c.Hash),
			errs: []error{ErrShallow, err},
		}
	}
	if err != nil {
		return fmt.Errorf("%s: list the objects to send: %w", op, err)
	}
	cfg, err := r.store.Config()
	if err != nil {
		return fmt.Errorf("%s: read git config: %w", op, err)
	}
	var pack bytes.Buffer
	enc := packfile.NewEncoder(&pack, r.store, !ar.Capabilities.Supports(capability.OFSDelta))
	if _, err := enc.Encode(objs, cfg.Pack.Window); err != nil {
		return fmt.Errorf("%s: pack %d objects: %w", op, len(objs), err)
	}

	req := packp.NewReferenceUpdateRequestFromCapabilities(ar.Capabilities)
	// Old is what origin advertised a moment ago: git on the server refuses
	// the update if the branch has moved since, instead of losing that.
	req.Commands = []*packp.Command{{Name: name, Old: old, New: c.Hash}}
	req.Packfile = io.NopCloser(&pack)
	// What origin's hooks and rulesets print ("remote: …") arrives on the
	// side band; keep its end for the error of a refused update.
	said := &tail{max: 2 << 10}
	if ar.Capabilities.Supports(capability.Sideband64k) {
		_ = req.Capabilities.Set(capability.Sideband64k)
		req.Progress = said
	} else if ar.Capabilities.Supports(capability.Sideband) {
		_ = req.Capabilities.Set(capability.Sideband)
		req.Progress = said
	}
	rs, err := sess.ReceivePack(ctx, req)
	if rs != nil && err != nil {
		return r.rejected(op, rs, said.String(), err)
	}
	if err != nil {
		return r.netError(op, err)
	}
	return nil
}

// rejected explains a report-status that refused the update: the pack did
// not unpack, or git on origin (a hook, a ruleset, a branch that moved since
// the advertisement) declined the ref.
func (r *Repo) rejected(op string, rs *packp.ReportStatus, remote string, err error) error {
	why := "unpack " + rs.UnpackStatus
	for _, cs := range rs.CommandStatuses {
		if cs.Error() != nil {
			why = cs.Status
		}
	}
	why = fmt.Sprintf("%q", setting.RedactURLs(why))
	if remote = strings.Join(strings.Fields(remote), " "); remote != "" {
		why += fmt.Sprintf("; origin said: %q", setting.RedactURLs(remote))
	}
	msg := fmt.Sprintf("%s (%s): origin refused the update: %s; a branch that moved between the two requests is refused too, so run rotor again; if it persists, check the repository's rulesets and branch protection for rotor/* branches", op, r.remote.shown, why)
	return &opError{msg: r.redact(msg), errs: []error{ErrRejected, err}}
}

// branchRef turns a branch name into refs/heads/<name>, refusing what git
// would refuse.
func branchRef(branch string) (plumbing.ReferenceName, error) {
	if strings.HasPrefix(branch, "refs/") {
		return "", fmt.Errorf("branch %q: give the branch name without refs/heads/", branch)
	}
	name := plumbing.NewBranchReferenceName(branch)
	if err := name.Validate(); err != nil {
		return "", fmt.Errorf("branch %q is not a valid git branch name", branch)
	}
	return name, nil
}

// transport builds a transport for one operation. Nothing is installed in
// go-git's global protocol table (client.InstallProtocol): the HTTP client
// is this Repo's, with redirects refused twice over, by go-git's policy and
// by CheckRedirect.
func (r *Repo) transport() (transport.Transport, *transport.Endpoint, transport.AuthMethod, error) {
	if r.remote.url == "" {
		return nil, nil, nil, errors.New("the repository was opened for reading only: it has no origin to talk to")
	}
	ep, err := transport.NewEndpoint(r.remote.url)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("origin's URL %s: %w", r.remote.shown, err)
	}
	if r.remote.file {
		return file.DefaultClient, ep, nil, nil
	}
	hc := &http.Client{
		Transport:     r.httpCli.Transport,
		Timeout:       r.httpCli.Timeout,
		CheckRedirect: refuseRedirect,
	}
	t := githttp.NewClientWithOptions(hc, &githttp.ClientOptions{RedirectPolicy: githttp.NoFollowRedirects})
	var auth transport.AuthMethod
	if r.token != "" {
		auth = &githttp.BasicAuth{Username: tokenUser, Password: r.token}
	}
	return t, ep, auth, nil
}

func refuseRedirect(req *http.Request, _ []*http.Request) error {
	return fmt.Errorf("%w to %s://%s", ErrRedirect, req.URL.Scheme, req.URL.Host)
}

// opError is an error whose message rotor wrote (and redacted) and which
// matches its sentinels and causes with errors.Is.
type opError struct {
	msg  string
	errs []error
}

func (e *opError) Error() string   { return e.msg }
func (e *opError) Unwrap() []error { return e.errs }

// netError explains a failed exchange with origin: which status, what the
// token needs. The token never appears in it, even if origin echoed it,
// nor a secret of a URL in what origin or the network said.
func (r *Repo) netError(op string, err error) error {
	where := r.remote.shown
	var msg string
	var kind error
	switch {
	case errors.Is(err, transport.ErrAuthenticationRequired):
		kind = ErrAccessDenied
		if r.token == "" {
			msg = fmt.Sprintf("%s (%s) was refused with HTTP 401: origin wants a token and none was given; pass one with %s%s", op, where, pushPermission, serverSaid(err, transport.ErrAuthenticationRequired))
		} else {
			msg = fmt.Sprintf("%s (%s) was refused with HTTP 401: origin did not accept the token (wrong, expired or revoked); use a token with %s%s", op, where, pushPermission, serverSaid(err, transport.ErrAuthenticationRequired))
		}
	case errors.Is(err, transport.ErrAuthorizationFailed):
		kind = ErrAccessDenied
		msg = fmt.Sprintf("%s (%s) was refused with HTTP 403: the token may not write to this repository; it needs %s%s", op, where, pushPermission, serverSaid(err, transport.ErrAuthorizationFailed))
	case errors.Is(err, transport.ErrRepositoryNotFound):
		kind = ErrAccessDenied
		msg = fmt.Sprintf("%s (%s) failed with HTTP 404: the repository does not exist or the token cannot see it (GitHub answers 404 then); check origin's URL, and that the token has %s%s", op, where, pushPermission, serverSaid(err, transport.ErrRepositoryNotFound))
	case isRedirect(err):
		kind = ErrRedirect
		msg = fmt.Sprintf("%s (%s): origin answered with a redirect%s, which rotor does not follow so that the token is sent to origin's host only; set origin to the repository's current URL (`git remote set-url origin <url>`)", op, where, redirectTarget(err))
	default:
		msg = fmt.Sprintf("%s (%s): %s", op, where, setting.RedactURLs(err.Error()))
	}
	errs := []error{err}
	if kind != nil {
		errs = []error{kind, err}
	}
	return &opError{msg: r.redact(msg), errs: errs}
}

// serverSaid returns ": origin said: …" with what origin wrote in the body
// of its error answer (what go-git put after the sentinel), quoted and
// capped, or "".
func serverSaid(err, sentinel error) string {
	s := err.Error()
	i := strings.Index(s, sentinel.Error())
	if i < 0 {
		return ""
	}
	s = strings.TrimSpace(strings.TrimPrefix(s[i+len(sentinel.Error()):], ":"))
	s = setting.RedactURLs(strings.Join(strings.Fields(s), " "))
	if s == "" {
		return ""
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return fmt.Sprintf(". Origin said: %q", s)
}

func isRedirect(err error) bool {
	if errors.Is(err, ErrRedirect) {
		return true
	}
	// go-git's own refusal (plumbing/transport/http/common.go, checkRedirect)
	// is a plain error inside net/http's *url.Error.
	var ue *url.Error
	return errors.As(err, &ue) && strings.HasPrefix(ue.Err.Error(), "http redirect")
}

// redirectTarget returns " to <url>" for the refused hop, redacted as
// setting.RedactURL shows a URL and without go-git's /info/refs (and its
// query), or "" when err names no URL that can be shown.
func redirectTarget(err error) string {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return ""
	}
	target := setting.RedactURL(ue.URL)
	if target == leak.Redacted {
		return ""
	}
	if repo, ok := strings.CutSuffix(target, "/info/refs?"+leak.Redacted); ok {
		return " to " + repo
	}
	return " to " + strings.TrimSuffix(target, "/info/refs")
}

// redact replaces the token in s by [redacted], as leak.Redact does: a
// token shorter than leak.MinSearchLen is not searched for (no real token
// is that short, and replacing a common word would garble the message).
func (r *Repo) redact(s string) string {
	return leak.Redact(s, []string{r.token})
}

// tail keeps the last max bytes written to it.
type tail struct {
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string { return strings.ToValidUTF8(string(t.buf), "\uFFFD") }
