package github

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/rotor-dev/rotor/internal/httpretry"
)

// DefaultAPIURL is the REST API root of github.com.
const DefaultAPIURL = "https://api.github.com/"

// repoPart is an owner or repository name as GitHub allows it.
var repoPart = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// SplitRepository splits "owner/name" and checks both parts.
func SplitRepository(s string) (owner, name string, err error) {
	if s == "" {
		return "", "", errors.New(`not set: name the register's repository as "owner/name"`)
	}
	owner, name, ok := strings.Cut(s, "/")
	if !ok || !repoPart.MatchString(owner) || !repoPart.MatchString(name) || name == "." || name == ".." || owner == "." || owner == ".." {
		return "", "", fmt.Errorf(`%q is not a repository: use "owner/name", e.g. "acme/credential-register"`, s)
	}
	return owner, name, nil
}

// ParseAPIURL parses a GitHub REST API root. It must be https, except on
// a loopback host (tests, a local proxy); it may carry no user, password,
// query or fragment; the result always ends with "/". An error never
// repeats more of the text than its scheme and host: a user, password,
// path, query or fragment may hold a token, and text that is no URL at
// all may be a token set in the wrong variable.
func ParseAPIURL(s string) (*url.URL, error) {
	const use = "use " + DefaultAPIURL + ", or https://HOST/api/v3/ for GitHub Enterprise Server"
	if strings.Contains(s, "@") {
		// Never echo it: the part before @ may be a token.
		return nil, errors.New("the API URL must not carry credentials (it contains @): give only the API root, e.g. " + DefaultAPIURL + ", and the token separately")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("the API URL is not an http(s) URL (its text is not shown, in case it is a secret): " + use)
	}
	site := u.Scheme + "://" + u.Host
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("the API URL (%s) is not an http(s) URL: %s", site, use)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.Contains(s, "#"):
		return nil, fmt.Errorf("the API URL (%s) must not carry credentials, a query or a fragment (not shown): give only the API root", site)
	case u.Scheme == "http" && !httpretry.IsLoopbackHost(u.Hostname()):
		return nil, fmt.Errorf("the API URL (%s) is plain http: the token would travel in clear; use https", site)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}
