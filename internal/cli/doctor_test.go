package cli

import (
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

func jiraEnv(fake *jiratest.Server) map[string]string {
	return map[string]string{
		"ROTOR_JIRA_URL":   fake.URL,
		"ROTOR_JIRA_EMAIL": jiratest.Email,
		"ROTOR_JIRA_TOKEN": jiratest.Token,
	}
}

func TestDoctor(t *testing.T) {
	t.Run("all good", func(t *testing.T) {
		fake := jiratest.New(t)
		r := runRotor(t, jiraEnv(fake), "", "doctor", "--register", example)
		if r.code != ExitOK {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if n := strings.Count(r.stdout, "ok  "); n != 7 {
			t.Errorf("%d ok lines, want 7:\n%s", n, r.stdout)
		}
		if fake.Writes() != 0 {
			t.Errorf("doctor wrote to Jira %d times", fake.Writes())
		}
	})
	t.Run("wrong project", func(t *testing.T) {
		fake := jiratest.New(t)
		r := runRotor(t, jiraEnv(fake), "", "doctor", "--register", example, "--jira-project", "NOPE")
		if r.code != ExitFailed || !strings.Contains(r.stdout, "FAIL  project exists") || !strings.Contains(r.stdout, "fix: ") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("bad token", func(t *testing.T) {
		fake := jiratest.New(t)
		env := jiraEnv(fake)
		env["ROTOR_JIRA_TOKEN"] = "wrong"
		r := runRotor(t, env, "", "doctor", "--register", example)
		if r.code != ExitFailed || !strings.Contains(r.stdout, "FAIL  API token works") || strings.Contains(r.stdout+r.stderr, "wrong") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("missing configuration names the variables", func(t *testing.T) {
		r := runRotor(t, map[string]string{"ROTOR_JIRA_URL": "https://example.atlassian.net"}, "", "doctor", "--register", example)
		if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_JIRA_EMAIL") || !strings.Contains(r.stderr, "ROTOR_JIRA_TOKEN") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
}

func TestDoctorGitHub(t *testing.T) {
	ghEnv := func(jira *jiratest.Server, gh *githubtest.Server, token string) map[string]string {
		env := jiraEnv(jira)
		env["GITHUB_TOKEN"] = token
		env["ROTOR_GITHUB_REPOSITORY"] = gh.Repository()
		env["ROTOR_GITHUB_API_URL"] = gh.URL + "/"
		return env
	}
	t.Run("ready", func(t *testing.T) {
		jira, gh := jiratest.New(t), githubtest.New(t)
		r := runRotor(t, ghEnv(jira, gh, githubtest.Token), "", "doctor", "--register", example)
		if r.code != ExitOK || !strings.Contains(r.stdout, "ok    GitHub repository is reachable: "+gh.Repository()) ||
			!strings.Contains(r.stdout, "ok    token may push") || !strings.Contains(r.stdout, "ok    token may open pull requests") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if gh.Writes() != 0 {
			t.Errorf("doctor wrote to GitHub %d times", gh.Writes())
		}
	})
	t.Run("no push permission", func(t *testing.T) {
		jira, gh := jiratest.New(t), githubtest.New(t)
		gh.SetPermissions(&githubtest.Permissions{Pull: true})
		r := runRotor(t, ghEnv(jira, gh, githubtest.Token), "", "doctor", "--register", example)
		if r.code != ExitFailed || !strings.Contains(r.stdout, "FAIL  token may push") || !strings.Contains(r.stdout, "Contents: read and write") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("bad token", func(t *testing.T) {
		jira, gh := jiratest.New(t), githubtest.New(t)
		r := runRotor(t, ghEnv(jira, gh, "ghs_notthetoken000000000000000000000"), "", "doctor", "--register", example)
		if r.code != ExitFailed || !strings.Contains(r.stdout, "FAIL  GitHub repository is reachable") || strings.Contains(r.stdout+r.stderr, "notthetoken") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("no token: skipped", func(t *testing.T) {
		jira := jiratest.New(t)
		r := runRotor(t, jiraEnv(jira), "", "doctor", "--register", example)
		if r.code != ExitOK || !strings.Contains(r.stdout, "skip  GitHub (rotor record)") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}

// badAPIURLs are values of ROTOR_GITHUB_API_URL that carry the token in
// some part; no message may show it.
var badAPIURLs = []string{
	"ftp://x-access-token:ghs_LEAKED0000000000000000000000000000@ghe.example.com",
	"https://x-access-token:ghs_LEAKED0000000000000000000000000000@ghe.example.com/api/v3/",
	"https://ghe.example.com/api/v3/?access_token=ghs_LEAKED0000000000000000000000000000",
	"https://ghe.example.com/api/v3/#ghs_LEAKED0000000000000000000000000000",
	"ftp://ghe.example.com/?token=ghs_LEAKED0000000000000000000000000000",
	"http://ghe.example.com/api/v3/?token=ghs_LEAKED0000000000000000000000000000",
	"ghs_LEAKED0000000000000000000000000000",
	"x-access-token:ghs_LEAKED0000000000000000000000000000",
}

func TestDoctorNeverShowsTheGitHubAPIURLsSecrets(t *testing.T) {
	for _, u := range badAPIURLs {
		jira := jiratest.New(t)
		env := jiraEnv(jira)
		env["GITHUB_TOKEN"] = githubtest.Token
		env["ROTOR_GITHUB_REPOSITORY"] = "acme/credential-register"
		env["ROTOR_GITHUB_API_URL"] = u
		r := runRotor(t, env, "", "doctor", "--register", example)
		// A malformed setting is exit 2 before any check, as in every command.
		if r.code != ExitUsage || !strings.Contains(r.stderr, "ROTOR_GITHUB_API_URL") || r.stdout != "" {
			t.Errorf("%q: exit %d\n%s%s", u, r.code, r.stdout, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, "LEAKED") {
			t.Errorf("%q: the output shows the token:\n%s%s", u, r.stdout, r.stderr)
		}
	}
}
