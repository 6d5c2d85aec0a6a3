package github

import (
	"errors"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/rotor-dev/rotor/internal/setting"
)

// DefaultAPIURL is the REST API root of github.com.
const DefaultAPIURL = "https://api.github.com/"

// repoPart is an owner or repository name as GitHub allows it.
var repoPart = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)

// SplitRepository splits "owner/name" and checks both parts. Its errors
// do not repeat s: a token may have been set in its place.
func SplitRepository(s string) (owner, name string, err error) {
	if s == "" {
		return "", "", errors.New(`not set: name the register's repository as "owner/name"`)
	}
	owner, name, ok := strings.Cut(s, "/")
	if !ok || !repoPart.MatchString(owner) || !repoPart.MatchString(name) || name == "." || name == ".." || owner == "." || owner == ".." {
		return "", "", errors.New(`not a repository: use "owner/name", e.g. "acme/credential-register"`)
	}
	return owner, name, nil
}

// CheckToken refuses a token that cannot be sent as it is. Its errors do
// not repeat the token.
func CheckToken(token string) error {
	if strings.ContainsFunc(token, unicode.IsSpace) {
		return errors.New("contains white space: remove it (a trailing newline from a file is the usual cause)")
	}
	return nil
}

// ParseAPIURL parses a GitHub REST API root. It must be https, except on
// a loopback host (tests, a local proxy); it may carry no user, password,
// query or fragment; the result always ends with "/". An error repeats no
// part of s: a user, password, path, query or fragment may hold a token,
// and text that is no URL at all may be a token set in the wrong
// variable. The caller names the setting and shows its scheme and host
// when they parse (setting.Invalid).
func ParseAPIURL(s string) (*url.URL, error) {
	const use = "an API URL is " + DefaultAPIURL + ", or https://HOST/api/v3/ for GitHub Enterprise Server"
	if strings.Contains(s, "@") {
		// Never echo it: the part before @ may be a token.
		return nil, errors.New("the API URL must not carry credentials (it contains @): give only the API URL, e.g. " + DefaultAPIURL + ", and the token separately")
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return nil, errors.New("not an http(s) URL (its text is not shown, in case it is a secret): " + use)
	}
	switch {
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, errors.New("not an http(s) URL: " + use)
	case u.RawQuery != "" || u.Fragment != "" || u.ForceQuery || strings.Contains(s, "#"):
		return nil, errors.New("the API URL must not carry credentials, a query or a fragment (not shown): give only the API URL, e.g. " + DefaultAPIURL)
	case u.Scheme == "http" && !setting.IsLoopbackHost(u.Hostname()):
		return nil, errors.New("plain http: the token would travel in clear; use an https API URL")
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, nil
}
