package github

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
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
// repeats a user or password the text carried.
func ParseAPIURL(s string) (*url.URL, error) {
	if strings.Contains(s, "@") {
		// Never echo it: the part before @ may be a token.
		return nil, errors.New("the API URL must not carry credentials (it contains @): give only the API root, e.g. " + DefaultAPIURL + ", and the token separately")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" {
		return nil, fmt.Errorf("%q is not an http(s) URL: use %q, or https://HOST/api/v3/ for GitHub Enterprise Server", s, DefaultAPIURL)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("%q must not carry credentials, a query or a fragment", s)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("%q is plain http: the token would travel in clear; use https", s)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
