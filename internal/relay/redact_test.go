package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// leakyURLs are values of ROTOR_GITHUB_API_URL that carry SECRET where a
// credential may sit: the user or password, the query, the fragment, or
// the GitHub token itself anywhere in the text.
var leakyURLs = []string{
	"ftp://x-access-token:SECRET@host",
	"https://x-access-token:SECRET@ghe.example.com/api/v3/",
	"https://SECRET@ghe.example.com/api/v3/",
	"https://ghe.example.com/api/v3/?access_token=SECRET",
	"https://ghe.example.com/api/v3/?SECRET",
	"ftp://host/?token=SECRET",
	"https://ghe.example.com/api/v3/#SECRET",
	"http://ghe.example.com/?token=SECRET",
	"ghe.example.com/?token=SECRET",
	"x-access-token:SECRET@ghe.example.com",
	"https://x-access-token:SECRET%40@ghe.example.com/",
	"https://ghe.example.com/%zz?token=SECRET",
	"https://ghe.example.com/api/v3/" + testToken + "/",
	" https://x-access-token:SECRET@ghe.example.com/ ",
	// A password with a ? or # in it: the user information ends at the
	// last @, not at the first ? or #.
	"https://x-access-token:SECRET?Zq@ghe.example.com/api/v3/",
	"https://x-access-token:SE#CRET-SECRET@ghe.example.com/api/v3/",
	// Text that is no URL, or whose host does not parse, is not shown at
	// all; nor is a query with an "@" in it.
	"SECRET",
	"x-access-token:SECRET",
	"https://%zzSECRET",
	"https://ghe.example.com/api/v3/?u=a@SECRET",
}

func secretIn(s string) bool {
	return strings.Contains(s, "SECRET") || strings.Contains(s, testToken)
}

// TestConfigErrorsRedactURLs: a refused API URL is named, never repeated
// with what may be a credential in it.
func TestConfigErrorsRedactURLs(t *testing.T) {
	for _, u := range leakyURLs {
		t.Run(u, func(t *testing.T) {
			e := goodEnv()
			e[EnvGitHubAPIURL] = u
			_, err := ConfigFromEnv(env(e))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), EnvGitHubAPIURL) {
				t.Errorf("the error does not name %s: %v", EnvGitHubAPIURL, err)
			}
			if secretIn(err.Error()) {
				t.Errorf("the error repeats a credential: %v", err)
			}
			// An embedder's Config says the same, in New and in every
			// rendering of the Config.
			cfg := Config{Addr: "127.0.0.1:0", WebhookSecret: testSecret, GitHubToken: testToken, Repository: "acme/register", GitHubAPIURL: u}
			_, err = New(cfg, nil)
			var logs lockedBuffer
			slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "config", cfg)
			for _, out := range []string{fmt.Sprint(err), fmt.Sprint(cfg), fmt.Sprintf("%#v", cfg), logs.String()} {
				if secretIn(out) {
					t.Errorf("%q repeats a credential", out)
				}
			}
		})
	}
}

// failingTransport fails every call with an error that names URLs with
// credentials, as a proxy or a wrapped *url.Error would.
type failingTransport struct{}

func (failingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, &url.Error{Op: "Post", URL: "https://x-access-token:SECRET@proxy.example/?token=SECRET",
		Err: errors.New(`proxy https://user:SECRET@proxy.example:3128/?auth=SECRET refused "http://u:SECRET@10.0.0.1/" via https://%zzSECRET and https://h/?u=a@SECRET`)}
}

// TestDispatchErrorsRedactURLs: what a failed forward logs names no
// credential of any URL in the error.
func TestDispatchErrorsRedactURLs(t *testing.T) {
	h := start(t, func(c *Config) { c.Transport = failingTransport{} })
	if r := h.postSigned(doneEvent(t), "d-1"); r.status != http.StatusBadGateway {
		t.Fatalf("got %d %+v, want 502", r.status, r.body)
	}
	h.relay.srv.ErrorLog.Printf("http: a server message about https://user:SECRET@example.com/?token=SECRET")
	out := h.logs.String()
	if secretIn(out) {
		t.Errorf("the log repeats a credential:\n%s", out)
	}
	if !strings.Contains(out, "proxy.example") || !strings.Contains(out, "example.com") {
		t.Errorf("the log lost the hosts:\n%s", out)
	}
}

// TestRunRedactsURLs: Run's error for a bad setting repeats no credential.
func TestRunRedactsURLs(t *testing.T) {
	cfg := Config{Addr: "127.0.0.1:0", WebhookSecret: testSecret, GitHubToken: testToken, Repository: "acme/register",
		GitHubAPIURL: "https://ghe.example.com/?token=SECRET"}
	var logs lockedBuffer
	err := Run(context.Background(), cfg, slog.New(slog.NewJSONHandler(&logs, nil)))
	if err == nil || secretIn(err.Error()) || secretIn(logs.String()) {
		t.Errorf("Run: %v\n%s", err, logs.String())
	}
}
