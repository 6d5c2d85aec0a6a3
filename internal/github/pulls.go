package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	gogithub "github.com/google/go-github/v60/github"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// Pagination bounds of PullRequests: GitHub's largest page, and how many
// pages rotor reads for one branch before it calls the answer unusable.
const (
	pageSize = 100
	maxPages = 10
)

// Permissions are what the token's user may do in the repository, as
// GitHub's repository answer says.
type Permissions struct {
	Admin, Maintain, Push, Triage, Pull bool
}

// RepoInfo is what `rotor doctor` learns from the repository's answer.
type RepoInfo struct {
	FullName      string // "owner/name" as GitHub spells it
	DefaultBranch string
	Private       bool
	// Permissions are the token's user's, or nil when the answer carries
	// none (GITHUB_TOKEN and other installation tokens).
	Permissions *Permissions
	// TokenExpiration is when the token expires (the
	// GitHub-Authentication-Token-Expiration header); zero when GitHub
	// did not say (tokens without expiry, GITHUB_TOKEN).
	TokenExpiration time.Time
	// Scopes are a classic personal access token's OAuth scopes
	// (X-OAuth-Scopes); nil when GitHub sent none (other kinds of token).
	Scopes []string
}

// Repository reads the repository: GET /repos/{owner}/{repo}.
func (c *Client) Repository(ctx context.Context) (RepoInfo, error) {
	op := "read the repository " + c.FullName()
	var repo *gogithub.Repository
	resp, _, err := c.call(ctx, op, http.StatusOK, func(ctx context.Context) (r *gogithub.Response, err error) {
		repo, r, err = c.api.GetRepository(ctx, c.owner, c.name)
		return r, err
	})
	if err != nil {
		return RepoInfo{}, err
	}
	switch {
	case repo == nil || repo.GetFullName() == "":
		return RepoInfo{}, fmt.Errorf("github: %s: %w: no full_name", op, ErrUnexpectedAnswer)
	case repo.GetDefaultBranch() == "":
		return RepoInfo{}, fmt.Errorf("github: %s: %w: no default_branch", op, ErrUnexpectedAnswer)
	case !strings.EqualFold(repo.GetFullName(), c.FullName()):
		return RepoInfo{}, fmt.Errorf("github: %s: %w: it is %s", op, ErrUnexpectedAnswer, quote(repo.GetFullName()))
	}
	info := RepoInfo{FullName: repo.GetFullName(), DefaultBranch: repo.GetDefaultBranch(), Private: repo.GetPrivate()}
	if p := repo.Permissions; p != nil {
		info.Permissions = &Permissions{Admin: p["admin"], Maintain: p["maintain"], Push: p["push"], Triage: p["triage"], Pull: p["pull"]}
	}
	if resp != nil && resp.Response != nil {
		info.TokenExpiration = tokenExpiration(resp.Header.Get("GitHub-Authentication-Token-Expiration"))
		if v, ok := resp.Header["X-Oauth-Scopes"]; ok {
			info.Scopes = []string{}
			for _, s := range strings.Split(strings.Join(v, ","), ",") {
				if s = strings.TrimSpace(s); s != "" {
					info.Scopes = append(info.Scopes, s)
				}
			}
		}
	}
	return info, nil
}

// tokenExpiration reads "2026-12-31 10:00:00 UTC" (or with a numeric
// offset, which some tokens carry); zero when absent or unreadable.
func tokenExpiration(v string) time.Time {
	for _, layout := range []string{"2006-01-02 15:04:05 MST", "2006-01-02 15:04:05 -0700"} {
		if t, err := time.Parse(layout, strings.TrimSpace(v)); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// DefaultBranch returns the name of the repository's default branch.
func (c *Client) DefaultBranch(ctx context.Context) (string, error) {
	info, err := c.Repository(ctx)
	if err != nil {
		return "", err
	}
	return info.DefaultBranch, nil
}

// PullRequests returns the pull requests whose head is branch of this
// repository, open and closed, newest first: GET /pulls?state=all&head=
// owner:branch, every page (Link headers). Pull requests GitHub lists
// for another head (it ignores a head filter it cannot match) are left
// out.
func (c *Client) PullRequests(ctx context.Context, head string) ([]rotation.PullRequest, error) {
	if head == "" {
		return nil, errors.New("github: list pull requests: no branch given")
	}
	op := "list the pull requests of branch " + quote(head)
	opts := &gogithub.PullRequestListOptions{
		State:       "all",
		Head:        c.owner + ":" + head,
		Sort:        "created",
		Direction:   "desc",
		ListOptions: gogithub.ListOptions{PerPage: pageSize},
	}
	return c.listPulls(ctx, op, opts, head)
}

func (c *Client) listPulls(ctx context.Context, op string, opts *gogithub.PullRequestListOptions, head string) ([]rotation.PullRequest, error) {
	var out []rotation.PullRequest
	for pages := 1; ; pages++ {
		var list []*gogithub.PullRequest
		resp, _, err := c.call(ctx, op, http.StatusOK, func(ctx context.Context) (r *gogithub.Response, err error) {
			list, r, err = c.api.ListPullRequests(ctx, c.owner, c.name, opts)
			return r, err
		})
		if err != nil {
			return nil, err
		}
		if list == nil {
			return nil, fmt.Errorf("github: %s: %w: not a list", op, ErrUnexpectedAnswer)
		}
		for _, p := range list {
			pr, err := convert(p)
			if err != nil {
				return nil, fmt.Errorf("github: %s: %w", op, err)
			}
			if pr.Head == head && c.sameOwner(p.GetHead()) {
				out = append(out, pr)
			}
		}
		next := resp.NextPage
		switch {
		case next == 0:
			slices.SortStableFunc(out, func(a, b rotation.PullRequest) int { return b.Number - a.Number })
			return out, nil
		case next <= max(opts.Page, 1):
			return nil, fmt.Errorf("github: %s: %w: the Link header's next page (%d) does not follow page %d", op, ErrUnexpectedAnswer, next, max(opts.Page, 1))
		case pages >= maxPages:
			return nil, fmt.Errorf("github: %s: more than %d pages of pull requests for one branch", op, maxPages)
		}
		opts.Page = next
	}
}

// sameOwner reports whether a head branch lives in this repository's
// owner (not a fork's): its label is "owner:branch", when GitHub sends one.
func (c *Client) sameOwner(h *gogithub.PullRequestBranch) bool {
	label := h.GetLabel()
	if label == "" {
		return true
	}
	owner, _, _ := strings.Cut(label, ":")
	return strings.EqualFold(owner, c.owner)
}

// convert checks that p has the shape of GitHub's pull request and turns
// it into the domain's.
func convert(p *gogithub.PullRequest) (rotation.PullRequest, error) {
	if p == nil {
		return rotation.PullRequest{}, fmt.Errorf("%w: null instead of a pull request", ErrUnexpectedAnswer)
	}
	var missing []string
	if p.GetNumber() <= 0 {
		missing = append(missing, "number")
	}
	if u, err := url.Parse(p.GetHTMLURL()); p.GetHTMLURL() == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		missing = append(missing, "html_url")
	}
	if s := p.GetState(); s != "open" && s != "closed" {
		missing = append(missing, "state")
	}
	if p.GetHead().GetRef() == "" {
		missing = append(missing, "head.ref")
	}
	if p.GetBase().GetRef() == "" {
		missing = append(missing, "base.ref")
	}
	if len(missing) > 0 {
		return rotation.PullRequest{}, fmt.Errorf("%w: a pull request without a valid %s", ErrUnexpectedAnswer, strings.Join(missing, ", "))
	}
	pr := rotation.PullRequest{
		Number: p.GetNumber(),
		URL:    p.GetHTMLURL(),
		State:  p.GetState(),
		Merged: p.MergedAt != nil || p.GetMerged(),
		Head:   p.GetHead().GetRef(),
		Base:   p.GetBase().GetRef(),
		Title:  p.GetTitle(),
		Body:   p.GetBody(),
	}
	for _, l := range p.Labels {
		if l.GetName() != "" {
			pr.Labels = append(pr.Labels, l.GetName())
		}
	}
	return pr, nil
}

// CreatePullRequest opens a pull request (POST /pulls) and adds its
// labels (POST /issues/{number}/labels).
//
// The POST is retried after a 5xx or a lost answer, although it creates:
// GitHub refuses a second open pull request for the same head and base
// with 422 "A pull request already exists", so a retry cannot open two.
// When that refusal answers a retry, the first attempt landed: the pull
// request is looked up and carries on as if the first answer had arrived.
// When it answers the first attempt, the pull request existed before: the
// error matches ErrPullRequestExists, and PullRequests finds it.
//
// When the labels cannot be added, the pull request is open all the same:
// it is returned with the error.
func (c *Client) CreatePullRequest(ctx context.Context, npr rotation.NewPullRequest) (rotation.PullRequest, error) {
	op := "open a pull request from " + quote(npr.Head) + " into " + quote(npr.Base)
	switch {
	case npr.Head == "" || npr.Base == "":
		return rotation.PullRequest{}, fmt.Errorf("github: %s: head and base must be named", op)
	case npr.Title == "":
		return rotation.PullRequest{}, fmt.Errorf("github: %s: no title", op)
	}
	req := &gogithub.NewPullRequest{
		Title:               gogithub.String(npr.Title),
		Head:                gogithub.String(npr.Head),
		Base:                gogithub.String(npr.Base),
		Body:                gogithub.String(npr.Body),
		Draft:               gogithub.Bool(false),
		MaintainerCanModify: gogithub.Bool(false),
	}
	var created *gogithub.PullRequest
	_, rec, err := c.call(ctx, op, http.StatusCreated, func(ctx context.Context) (r *gogithub.Response, err error) {
		created, r, err = c.api.CreatePullRequest(ctx, c.owner, c.name, req)
		return r, err
	})
	var pr rotation.PullRequest
	switch {
	case err == nil:
		if pr, err = convert(created); err != nil {
			return rotation.PullRequest{}, fmt.Errorf("github: %s: %w", op, err)
		}
		if pr.Head != npr.Head || pr.Base != npr.Base {
			return rotation.PullRequest{}, fmt.Errorf("github: %s: %w: GitHub opened %s into %s", op, ErrUnexpectedAnswer, quote(pr.Head), quote(pr.Base))
		}
	case errors.Is(err, ErrPullRequestExists) && rec.Attempts > 1:
		found, ferr := c.openPull(ctx, op+": find the pull request an earlier attempt opened", npr.Head, npr.Base)
		if ferr != nil {
			return rotation.PullRequest{}, fmt.Errorf("%w; then: %w", err, ferr)
		}
		pr = found
	default:
		var e *Error
		if errors.As(err, &e) && e.StatusCode == http.StatusUnprocessableEntity && !e.pullRequestExists() && invalidHead(e) {
			e.Hint = "the branch " + quote(npr.Head) + " does not exist on GitHub: push it before opening the pull request"
		}
		return rotation.PullRequest{}, err
	}
	if len(npr.Labels) == 0 {
		return pr, nil
	}
	labels, err := c.addLabels(ctx, pr.Number, npr.Labels)
	if err != nil {
		return pr, fmt.Errorf("github: opened pull request #%d (%s), but could not add its labels: %w", pr.Number, pr.URL, err)
	}
	pr.Labels = labels
	return pr, nil
}

// invalidHead reports whether a 422 names the head as invalid.
func invalidHead(e *Error) bool {
	for _, d := range e.Details {
		if strings.Contains(d, "head") && strings.Contains(d, "invalid") {
			return true
		}
	}
	return false
}

// openPull finds the open pull request from head into base.
func (c *Client) openPull(ctx context.Context, op, head, base string) (rotation.PullRequest, error) {
	opts := &gogithub.PullRequestListOptions{
		State:       "open",
		Head:        c.owner + ":" + head,
		Base:        base,
		ListOptions: gogithub.ListOptions{PerPage: pageSize},
	}
	prs, err := c.listPulls(ctx, op, opts, head)
	if err != nil {
		return rotation.PullRequest{}, err
	}
	for _, pr := range prs {
		if pr.State == "open" && pr.Base == base {
			return pr, nil
		}
	}
	return rotation.PullRequest{}, fmt.Errorf("github: %s: GitHub says one exists, but lists none", op)
}

// addLabels adds labels to pull request number and returns all of its
// labels.
func (c *Client) addLabels(ctx context.Context, number int, labels []string) ([]string, error) {
	op := fmt.Sprintf("add labels %s to pull request #%d", strings.Join(labels, ", "), number)
	var got []*gogithub.Label
	_, _, err := c.call(ctx, op, http.StatusOK, func(ctx context.Context) (r *gogithub.Response, err error) {
		got, r, err = c.api.AddLabels(ctx, c.owner, c.name, number, labels)
		return r, err
	})
	if err != nil {
		return nil, err
	}
	var names []string
	for _, l := range got {
		if l.GetName() == "" {
			return nil, fmt.Errorf("github: %s: %w: a label without a name", op, ErrUnexpectedAnswer)
		}
		names = append(names, l.GetName())
	}
	for _, want := range labels {
		if !slices.Contains(names, want) {
			return nil, fmt.Errorf("github: %s: %w: the labels are %v, without %s", op, ErrUnexpectedAnswer, names, quote(want))
		}
	}
	return names, nil
}

// UpdatePullRequest sets the title and body of pull request number
// (PATCH /pulls/{number}); setting the same values twice is harmless, so a
// failed attempt is retried.
func (c *Client) UpdatePullRequest(ctx context.Context, number int, title, body string) (rotation.PullRequest, error) {
	op := fmt.Sprintf("update pull request #%d", number)
	switch {
	case number <= 0:
		return rotation.PullRequest{}, fmt.Errorf("github: %s: not a pull request number", op)
	case title == "":
		return rotation.PullRequest{}, fmt.Errorf("github: %s: no title", op)
	}
	var got *gogithub.PullRequest
	_, _, err := c.call(ctx, op, http.StatusOK, func(ctx context.Context) (r *gogithub.Response, err error) {
		got, r, err = c.api.EditPullRequest(ctx, c.owner, c.name, number, &gogithub.PullRequest{
			Title: gogithub.String(title),
			Body:  gogithub.String(body),
		})
		return r, err
	})
	if err != nil {
		return rotation.PullRequest{}, err
	}
	pr, err := convert(got)
	if err != nil {
		return rotation.PullRequest{}, fmt.Errorf("github: %s: %w", op, err)
	}
	if pr.Number != number {
		return rotation.PullRequest{}, fmt.Errorf("github: %s: %w: GitHub answered with #%d", op, ErrUnexpectedAnswer, pr.Number)
	}
	return pr, nil
}
