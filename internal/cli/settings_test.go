package cli

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"maps"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
)

// The secret every malformed value below embeds, in pieces that no
// message of rotor's holds: "Sm7p", "S3cret", "Passw0rd".
var secretPieces = []string{"sm7p", "s3cret", "passw0rd"}

// checkNoSecret fails when out shows any piece of the secret, in any case,
// or the secret percent-encoded, in base64 or in hex.
func checkNoSettingSecret(t *testing.T, name, value, out string) {
	t.Helper()
	lower := strings.ToLower(out)
	for _, p := range secretPieces {
		if strings.Contains(lower, p) {
			t.Errorf("%s: the output shows %q of the value %q:\n%s", name, p, value, out)
			return
		}
	}
	for _, s := range []string{"Sm7pS3cretPassw0rd", "Sm7p/S3cret#Passw0rd", strings.TrimSpace(value)} {
		for _, form := range []string{url.QueryEscape(s), url.PathEscape(s), base64.StdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s))} {
			if len(form) >= 8 && strings.Contains(out, form) {
				t.Errorf("%s: the output shows the value %q as %q:\n%s", name, value, form, out)
			}
		}
	}
}

// runRotorWithin is runRotor with a deadline, for commands that would
// serve (rotor relay) should a value be wrongly accepted.
func runRotorWithin(t *testing.T, d time.Duration, env map[string]string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	return runRotorContext(ctx, t, env, "", args...)
}

// Malformed values of every setting that can hold a secret, each
// embedding one. The SMTP shapes: the host forgotten, a key pasted in the
// URL's place, a password with "/" and "#" left unencoded; every other
// setting gets the same shapes and those its own checks refuse.
var (
	smtpURLValues = []string{
		"smtp://rotor:Sm7pS3cretPassw0rd",
		"SG.Sm7pS3cretPassw0rd.Xy9",
		"smtps://apikey:Sm7p/S3cret#Passw0rd",
		"smtp://Sm7pS3cretPassw0rd@smtp.example.com",
		"smtps://apikey:Sm7pS3cretPassw0rd@smtp.example.com/inbox",
		"smtps://apikey:Sm7pS3cretPassw0rd@smtp.example.com:99999",
		"smtp://apikey:Sm7pS3cretPassw0rd@smtp.example.com?tls=no",
	}
	jiraURLValues = []string{
		"https://bot:Sm7pS3cretPassw0rd",
		"ATATT3xSm7pS3cretPassw0rd",
		"https://bot:Sm7p/S3cret#Passw0rd",
		"https://bot%40example.com:Sm7pS3cretPassw0rd@example.atlassian.net",
		"http://example.atlassian.net/?token=Sm7pS3cretPassw0rd",
		"ftp://example.atlassian.net/Sm7pS3cretPassw0rd",
	}
	tokenValues = []string{
		"ATATT3xSm7pS3cret Passw0rd",
		"ATATT3xSm7pS3cretPassw0rd\n",
		"Bearer ATATT3xSm7pS3cretPassw0rd",
	}
	jiraEmailValues = []string{
		"ATATT3xSm7pS3cretPassw0rd",
		"bot@example.com ATATT3xSm7pS3cretPassw0rd",
	}
	githubAPIURLValues = []string{
		"https://x-access-token:Sm7pS3cretPassw0rd",
		"ghp_Sm7pS3cretPassw0rd",
		"https://x-access-token:Sm7p/S3cret#Passw0rd",
		"https://x-access-token:Sm7pS3cretPassw0rd@ghe.example.com/api/v3/",
		"http://ghe.example.com/api/v3/?access_token=Sm7pS3cretPassw0rd",
		"https://ghe.example.com/api/v3/#Sm7pS3cretPassw0rd",
	}
	repositoryValues = []string{
		"ghp_Sm7pS3cretPassw0rd",
		"https://x-access-token:Sm7pS3cretPassw0rd@github.com/acme/register",
		"acme/register Sm7pS3cretPassw0rd",
	}
	relaySecretValues = []string{
		"Sm7pS3cretPassw0rd\n",
		" 9f86d081Sm7pS3cretPassw0rd",
		"S3cret!",
		"aaaaaaaaaaaaS3cret",
		"changeme-Sm7pS3cretPassw0rd",
	}
	addrValues = []string{
		"Sm7pS3cretPassw0rd",
		"https://bot:Sm7pS3cretPassw0rd@relay.example.com:8080",
	}
)

// TestMalformedSettingsNeverShowTheirSecret feeds every setting that can
// hold a secret malformed values through the commands that read it: each
// run exits 2, names the setting, makes no call, and shows no piece of
// the secret on stdout or stderr.
func TestMalformedSettingsNeverShowTheirSecret(t *testing.T) {
	gittest.Require(t)
	auditDir, _ := auditRepo(t)
	noRepo := t.TempDir()

	type command struct {
		name string
		args []string
	}
	jiraCommands := []command{
		{"sync", []string{"sync", "--register", example}},
		{"sync --dry-run", []string{"sync", "--dry-run", "--register", example}},
		{"record", []string{"record", "--register", example, "--issue", "SEC-1"}},
		{"record --dry-run", []string{"record", "--dry-run", "--register", example, "--issue", "SEC-1"}},
		{"report --jira", []string{"report", "--register", example, "--repo", noRepo, "--jira"}},
		{"audit --jira", []string{"audit", "--register", filepath.Join(auditDir, "credential_rotation"), "--repo", auditDir,
			"--from", "2026-01-01", "--to", "2026-06-30", "--jira", "--jira-project", "SEC"}},
		{"doctor", []string{"doctor", "--register", example}},
	}
	githubCommands := []command{
		{"record", []string{"record", "--register", example, "--issue", "SEC-1"}},
		{"record --dry-run", []string{"record", "--dry-run", "--register", example, "--issue", "SEC-1"}},
		{"doctor", []string{"doctor", "--register", example}},
		{"relay", []string{"relay"}},
	}
	relayCommands := []command{{"relay", []string{"relay"}}}
	smtpCommands := []command{
		{"report --email", []string{"report", "--register", example, "--repo", noRepo, "--email"}},
		{"report --email --dry-run", []string{"report", "--register", example, "--repo", noRepo, "--email", "--dry-run"}},
	}

	groups := []struct {
		variable string // as the message names it
		set      string // the environment variable set; empty: a flag
		flag     string
		values   []string
		commands []command
	}{
		{variable: "ROTOR_SMTP_URL", set: "ROTOR_SMTP_URL", values: smtpURLValues, commands: smtpCommands},
		{variable: "ROTOR_JIRA_URL", set: "ROTOR_JIRA_URL", values: jiraURLValues, commands: jiraCommands},
		{variable: "ROTOR_JIRA_TOKEN", set: "ROTOR_JIRA_TOKEN", values: tokenValues, commands: jiraCommands},
		{variable: "ROTOR_JIRA_EMAIL", set: "ROTOR_JIRA_EMAIL", values: jiraEmailValues, commands: jiraCommands},
		{variable: "GITHUB_TOKEN", set: "GITHUB_TOKEN", values: tokenValues, commands: githubCommands},
		{variable: "ROTOR_GITHUB_API_URL", set: "ROTOR_GITHUB_API_URL", values: githubAPIURLValues, commands: githubCommands},
		{variable: "ROTOR_GITHUB_REPOSITORY", set: "ROTOR_GITHUB_REPOSITORY", values: repositoryValues, commands: githubCommands},
		{variable: "ROTOR_JIRA_WEBHOOK_SECRET", set: "ROTOR_JIRA_WEBHOOK_SECRET", values: relaySecretValues, commands: relayCommands},
		{variable: "ROTOR_AUTOMATION_TOKEN", set: "ROTOR_AUTOMATION_TOKEN", values: relaySecretValues, commands: relayCommands},
		{variable: "ROTOR_RELAY_ADDR", set: "ROTOR_RELAY_ADDR", values: addrValues, commands: relayCommands},
		{variable: "--addr", flag: "--addr", values: addrValues, commands: relayCommands},
	}
	for _, g := range groups {
		for _, c := range g.commands {
			for _, v := range g.values {
				name := g.variable + "/" + c.name + "/" + v
				t.Run(strings.ReplaceAll(name, "\n", `\n`), func(t *testing.T) {
					jira, gh := jiratest.New(t), githubtest.New(t)
					env := jiraEnv(jira)
					env["GITHUB_TOKEN"] = githubtest.Token
					env["ROTOR_GITHUB_REPOSITORY"] = gh.Repository()
					env["ROTOR_GITHUB_API_URL"] = gh.URL + "/"
					env["ROTOR_REPORT_TO"] = "security-team@example.com"
					env["ROTOR_REPORT_FROM"] = "rotor@example.com"
					env["ROTOR_SMTP_URL"] = "smtps://rotor:pw@smtp.example.com"
					env["ROTOR_JIRA_WEBHOOK_SECRET"] = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
					env["ROTOR_RELAY_ADDR"] = "127.0.0.1:0"
					args := c.args
					if g.set != "" {
						env[g.set] = v
					} else {
						args = append(append([]string(nil), args...), g.flag, v)
					}
					r := runRotorWithin(t, 20*time.Second, env, args...)
					if r.code != ExitUsage {
						t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, ExitUsage, r.stdout, r.stderr)
					}
					if !strings.Contains(r.stderr, g.variable) {
						t.Errorf("the message does not name %s:\n%s", g.variable, r.stderr)
					}
					checkNoSettingSecret(t, "stdout", v, r.stdout)
					checkNoSettingSecret(t, "stderr", v, r.stderr)
					if jira.Total() != 0 || gh.Total() != 0 {
						t.Errorf("%d Jira and %d GitHub calls before the configuration was checked", jira.Total(), gh.Total())
					}
				})
			}
		}
	}
}

// TestInvalidConfigurationIsAnErrorEvenInADryRun: configuration that is
// set but wrong exits 2 with the reason in every command that talks to
// Jira, GitHub or SMTP, --dry-run or not; only absent configuration is a
// dry run's default.
func TestInvalidConfigurationIsAnErrorEvenInADryRun(t *testing.T) {
	gittest.Require(t)
	auditDir, _ := auditRepo(t)
	noRepo := t.TempDir()
	const plainJira, plainAPI = "http://jira.example.com", "http://ghe.example.com/api/v3/"
	// What each case starts from, before its own settings.
	const (
		nothing = iota
		jiraOnly
		jiraAndGitHub
	)
	sync := []string{"sync", "--dry-run", "--register", example}
	record := []string{"record", "--dry-run", "--register", example, "--issue", "SEC-1"}
	report := func(flags ...string) []string {
		return append([]string{"report", "--register", example, "--repo", noRepo}, flags...)
	}
	doctor := []string{"doctor", "--register", example}
	audit := []string{"audit", "--jira", "--register", filepath.Join(auditDir, "credential_rotation"), "--repo", auditDir,
		"--from", "2026-01-01", "--to", "2026-06-30", "--jira-project", "SEC"}
	plainJiraSaid := []string{"ROTOR_JIRA_URL (http://jira.example.com)", "plain http"}
	plainAPISaid := []string{"ROTOR_GITHUB_API_URL (http://ghe.example.com)", "plain http"}
	tests := []struct {
		name string
		base int
		set  map[string]string
		args []string
		want []string // in stderr
	}{
		{"sync --dry-run, a plain-http Jira URL alone", nothing, map[string]string{"ROTOR_JIRA_URL": plainJira}, sync, plainJiraSaid},
		{"sync --dry-run, a plain-http Jira URL with credentials", jiraOnly, map[string]string{"ROTOR_JIRA_URL": plainJira}, sync, plainJiraSaid},
		{"sync --dry-run, the token alone", nothing, map[string]string{"ROTOR_JIRA_TOKEN": "t0ken"}, sync,
			[]string{"ROTOR_JIRA_URL", "ROTOR_JIRA_EMAIL", "or none of them for a dry run without Jira"}},
		{"sync --dry-run, a URL that does not parse", jiraOnly, map[string]string{"ROTOR_JIRA_URL": "https://example.atlassian.net:port"}, sync,
			[]string{"ROTOR_JIRA_URL", "not a site URL"}},
		{"record --dry-run, a plain-http GitHub API URL", jiraAndGitHub, map[string]string{"ROTOR_GITHUB_API_URL": plainAPI}, record, plainAPISaid},
		{"record --dry-run, a GitHub API URL without a token", jiraAndGitHub, map[string]string{"GITHUB_TOKEN": ""}, record,
			[]string{"GITHUB_TOKEN", "or none of them for a dry run without GitHub"}},
		{"record --dry-run, a plain-http Jira URL", jiraOnly, map[string]string{"ROTOR_JIRA_URL": plainJira}, record, plainJiraSaid},
		{"report --email --dry-run, an SMTP URL without a host", nothing,
			map[string]string{"ROTOR_SMTP_URL": "smtps://rotor:pw@", "ROTOR_REPORT_FROM": "rotor@example.com"},
			report("--email", "--dry-run"), []string{"ROTOR_SMTP_URL", "no host"}},
		{"report --email --dry-run, credentials without TLS", nothing,
			map[string]string{"ROTOR_SMTP_URL": "smtp://rotor:pw@relay.example.com:25", "ROTOR_REPORT_FROM": "rotor@example.com"},
			report("--email", "--dry-run", "--smtp-insecure"), []string{"ROTOR_SMTP_URL (smtp://relay.example.com:25)", "insecure mode takes no credentials"}},
		{"report --jira, a plain-http Jira URL", jiraOnly, map[string]string{"ROTOR_JIRA_URL": plainJira}, report("--jira"), plainJiraSaid},
		{"audit --jira, a plain-http Jira URL", jiraOnly, map[string]string{"ROTOR_JIRA_URL": plainJira}, audit, plainJiraSaid},
		{"doctor, a GitHub API URL without a token", jiraOnly, map[string]string{"ROTOR_GITHUB_API_URL": plainAPI}, doctor,
			[]string{"ROTOR_GITHUB_API_URL (http://ghe.example.com)", "plain http", "GITHUB_TOKEN is not set"}},
		{"doctor, a plain-http GitHub API URL", jiraAndGitHub, map[string]string{"ROTOR_GITHUB_API_URL": plainAPI}, doctor, plainAPISaid},
		{"relay, a plain-http GitHub API URL", nothing, map[string]string{
			"ROTOR_JIRA_WEBHOOK_SECRET": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			"GITHUB_TOKEN":              githubtest.Token, "ROTOR_GITHUB_REPOSITORY": "acme/register",
			"ROTOR_GITHUB_API_URL": plainAPI, "ROTOR_RELAY_ADDR": "127.0.0.1:0",
		}, []string{"relay"}, plainAPISaid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jira, gh := jiratest.New(t), githubtest.New(t)
			env := map[string]string{}
			if tt.base != nothing {
				maps.Copy(env, jiraEnv(jira))
			}
			if tt.base == jiraAndGitHub {
				env["GITHUB_TOKEN"], env["ROTOR_GITHUB_REPOSITORY"], env["ROTOR_GITHUB_API_URL"] = githubtest.Token, gh.Repository(), gh.URL+"/"
			}
			maps.Copy(env, tt.set)
			r := runRotorWithin(t, 20*time.Second, env, tt.args...)
			if r.code != ExitUsage {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, ExitUsage, r.stdout, r.stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, r.stderr)
				}
			}
			if r.stdout != "" {
				t.Errorf("a plan or report was printed:\n%s", r.stdout)
			}
			if jira.Total() != 0 || gh.Total() != 0 {
				t.Errorf("%d Jira and %d GitHub calls", jira.Total(), gh.Total())
			}
		})
	}
}

// TestAbsentConfigurationKeepsTheDryRun: without any Jira, GitHub or SMTP
// setting, the dry runs work as before.
func TestAbsentConfigurationKeepsTheDryRun(t *testing.T) {
	t.Run("sync", func(t *testing.T) {
		r := runRotor(t, nil, "", "sync", "--dry-run", "--register", example, "--today", "2026-11-27")
		if r.code != ExitOK || !strings.Contains(r.stderr, "dry run without Jira") || !strings.Contains(r.stdout, "7 to create") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
	t.Run("record without GitHub", func(t *testing.T) {
		w := newRecordWorld(t)
		for _, k := range []string{"GITHUB_TOKEN", "ROTOR_GITHUB_REPOSITORY", "ROTOR_GITHUB_API_URL"} {
			delete(w.env, k)
		}
		w.env["GITHUB_REPOSITORY"] = w.gh.Repository() // Actions sets it: not a setting of rotor's
		r := w.record(t, "--issue", w.key, "--dry-run")
		if r.code != ExitOK || !strings.Contains(r.stderr, "dry run without GitHub") || !strings.Contains(r.stdout, "dry run: would record") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		if w.gh.Total() != 0 || w.jira.Writes() != 0 {
			t.Errorf("GitHub calls %d, Jira writes %d", w.gh.Total(), w.jira.Writes())
		}
	})
	t.Run("report --email without SMTP", func(t *testing.T) {
		env := map[string]string{"ROTOR_REPORT_FROM": "rotor@example.com"}
		r := runRotor(t, env, "", "report", "--email", "--dry-run", "--register", example, "--repo", t.TempDir())
		if r.code != ExitOK || !strings.Contains(r.stdout, "Subject: ") {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
	})
}
