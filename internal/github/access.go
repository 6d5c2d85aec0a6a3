package github

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"

	gogithub "github.com/google/go-github/v60/github"
)

// Answer is a check's outcome: yes, no, or "GitHub does not say".
type Answer int

// The answers of a check.
const (
	Unknown Answer = iota
	Yes
	No
)

// String is "yes", "no" or "unknown".
func (a Answer) String() string {
	switch a {
	case Yes:
		return "yes"
	case No:
		return "no"
	}
	return "unknown"
}

// TokenKind is what kind of token rotor was given, told by its prefix.
type TokenKind string

// The kinds of token GitHub issues.
const (
	TokenInstallation TokenKind = "installation token (GITHUB_TOKEN or a GitHub App)" // ghs_
	TokenFineGrained  TokenKind = "fine-grained personal access token"                // github_pat_
	TokenClassic      TokenKind = "classic personal access token"                     // ghp_
	TokenOAuth        TokenKind = "OAuth or user-to-server token"                     // gho_, ghu_
	TokenOther        TokenKind = "token of an unknown kind"
)

// Kind tells the kind of token by its documented prefix.
func Kind(token string) TokenKind {
	switch {
	case strings.HasPrefix(token, "ghs_"):
		return TokenInstallation
	case strings.HasPrefix(token, "github_pat_"):
		return TokenFineGrained
	case strings.HasPrefix(token, "ghp_"):
		return TokenClassic
	case strings.HasPrefix(token, "gho_"), strings.HasPrefix(token, "ghu_"):
		return TokenOAuth
	}
	return TokenOther
}

// PullRequestAccess is what rotor can learn, without opening a pull
// request, about whether the token may open one.
type PullRequestAccess struct {
	Repository RepoInfo
	Token      TokenKind
	// List: GET /pulls answered, so the token may read pull requests.
	List Answer
	// Push: the token's user may push (permissions.push of the
	// repository). Unknown for installation tokens, whose answer carries
	// no permissions; for a fine-grained token it is the user's role, not
	// what the token was granted.
	Push Answer
	// Scope: a classic token carries the repo scope (public_repo for a
	// public repository). Unknown for other kinds, which have no scopes.
	Scope Answer
	// Unchecked says, one sentence each, what matters for opening a pull
	// request but cannot be read with this token.
	Unchecked []string
}

// CheckPullRequestAccess reads the repository and lists one pull request
// to tell `rotor doctor` whether the token may open pull requests. It
// writes nothing.
//
// What it can check: the token is valid (401), the repository exists and
// the token sees it (404), when the token expires, that pull requests can
// be read, the user's push permission (personal tokens) and a classic
// token's scopes.
//
// What it cannot: a fine-grained or installation token's own grants
// (Pull requests: write, Contents: write) are not readable with the token
// itself; GITHUB_TOKEN's are the workflow's permissions: block. The
// repository setting "Allow GitHub Actions to create and approve pull
// requests" is read by GET /repos/{owner}/{repo}/actions/permissions/
// workflow, which needs administration access that GITHUB_TOKEN never
// has; when it is off, the first CreatePullRequest fails with a 403 whose
// error says so. And a pull request opened with GITHUB_TOKEN starts no
// workflow run, so its checks never run. These go into Unchecked.
func (c *Client) CheckPullRequestAccess(ctx context.Context) (PullRequestAccess, error) {
	acc := PullRequestAccess{Token: Kind(c.token)}
	info, err := c.Repository(ctx)
	if err != nil {
		return acc, err
	}
	acc.Repository = info
	if p := info.Permissions; p != nil {
		acc.Push = answer(p.Push)
	}
	if info.Scopes != nil {
		acc.Scope = answer(slices.Contains(info.Scopes, "repo") || !info.Private && slices.Contains(info.Scopes, "public_repo"))
	}

	op := "list the pull requests of " + c.FullName()
	_, _, err = c.call(ctx, op, http.StatusOK, func(ctx context.Context) (*gogithub.Response, error) {
		list, r, err := c.api.ListPullRequests(ctx, c.owner, c.name, &gogithub.PullRequestListOptions{State: "open", ListOptions: gogithub.ListOptions{PerPage: 1}})
		if err == nil && list == nil {
			err = errors.New("not a list")
		}
		for _, p := range list {
			if err == nil {
				_, err = convert(p)
			}
		}
		return r, err
	})
	switch {
	case err == nil:
		acc.List = Yes
	case StatusCode(err) == http.StatusForbidden || StatusCode(err) == http.StatusNotFound:
		acc.List = No
	default:
		return acc, err
	}

	switch acc.Token {
	case TokenInstallation:
		acc.Unchecked = append(acc.Unchecked,
			"whether the token may write pull requests and contents: in a workflow, give the job permissions: contents: write and pull-requests: write (a GitHub App needs the same on its installation)",
			`whether "Allow GitHub Actions to create and approve pull requests" is on (Settings → Actions → General → Workflow permissions): GITHUB_TOKEN cannot read it; when it is off, opening a pull request fails with 403`,
			"a pull request opened with GITHUB_TOKEN starts no workflow run, so its checks never run: use a GitHub App installation token (actions/create-github-app-token) or a personal access token for them to run")
	case TokenFineGrained:
		acc.Unchecked = append(acc.Unchecked,
			"whether the token was granted Pull requests: read and write and Contents: read and write on "+c.FullName()+": GitHub shows the user's role, not the token's grants")
	case TokenClassic, TokenOAuth:
	default:
		acc.Unchecked = append(acc.Unchecked, "the token's kind and grants: it has none of GitHub's documented prefixes")
	}
	return acc, nil
}

func answer(b bool) Answer {
	if b {
		return Yes
	}
	return No
}
