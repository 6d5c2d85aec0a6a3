package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/fakeapi"
	"github.com/rotor-dev/rotor/internal/github/githubtest"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/mail/mailtest"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
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
		// The register's check and Jira's seven.
		if n := strings.Count(r.stdout, "ok  "); n != 8 {
			t.Errorf("%d ok lines, want 8:\n%s", n, r.stdout)
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

// doctorOutput is what rotor doctor --format json writes.
type doctorOutput struct {
	Checks []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
		Fix    string `json:"fix"`
	} `json:"checks"`
	Counts map[string]int `json:"counts"`
}

func parseDoctor(t *testing.T, r result) doctorOutput {
	t.Helper()
	var out doctorOutput
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("doctor --format json: %v\n%s%s", err, r.stdout, r.stderr)
	}
	return out
}

// The secrets of TestDoctorChecks' environments; none may be printed.
const (
	smtpPassword = "Sm7pS3cretPassw0rd"
	wrongGitHub  = "ghs_notthetoken000000000000000000000"
	wrongJira    = "ATATT3xWrongJiraToken0000"
)

// everything is the environment with Jira, GitHub and e-mail configured
// against the fakes and a real SMTP server without TLS (the test has
// no CA for it: --smtp-insecure).
func everything(t *testing.T) (env map[string]string, jira *jiratest.Server, gh *githubtest.Server, smtp *mailtest.Server) {
	jira, gh = jiratest.New(t), githubtest.New(t)
	smtp = mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS})
	env = jiraEnv(jira)
	env["GITHUB_TOKEN"] = githubtest.Token
	env["ROTOR_GITHUB_REPOSITORY"] = gh.Repository()
	env["ROTOR_GITHUB_API_URL"] = gh.URL + "/"
	env["ROTOR_SMTP_URL"] = smtp.URL("", "")
	env["ROTOR_REPORT_FROM"] = "rotor@example.com"
	// The example register's two sources: a Vault secret and an IAM user.
	vault, iam := vaultfake.New(t), awsfake.NewIAM(t)
	vault.Put("secret", "payments/adyen-webhook-hmac", time.Date(2026, time.October, 1, 9, 0, 0, 0, time.UTC))
	iam.AddUser("partner-s3-upload", awsfake.AccessKey{ID: "AKIAIOSFODNN7EXAMPLE", Created: time.Date(2026, time.August, 31, 9, 0, 0, 0, time.UTC), Status: awsfake.StatusActive})
	awsfake.UseEnv(t, "eu-west-1", "", iam.URL)
	env["VAULT_ADDR"], env["VAULT_TOKEN"], env["AWS_ACCESS_KEY_ID"] = vault.URL, vaultfake.Token, awsfake.AccessKeyID
	return env, jira, gh, smtp
}

func TestDoctorNothingConfigured(t *testing.T) {
	r := runRotor(t, nil, "", "doctor", "--register", example)
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"ok    register: 12 credentials in 3 files",
		"skip  Jira: not configured: set ROTOR_JIRA_URL, ROTOR_JIRA_EMAIL and ROTOR_JIRA_TOKEN",
		"skip  GitHub (rotor record): not configured: set GITHUB_TOKEN",
		"skip  e-mail (rotor report --email): not configured: set ROTOR_SMTP_URL",
		"skip  secret store: aws_iam_access_key: not configured\n      fix: set AWS_PROFILE, or AWS_ACCESS_KEY_ID",
		"skip  secret store: vault_kv: not configured\n      fix: set VAULT_ADDR and VAULT_TOKEN",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "1 check passed, 5 skipped") {
		t.Errorf("stderr: %s", r.stderr)
	}

	j := parseDoctor(t, runRotor(t, nil, "", "doctor", "--register", example, "--format", "json"))
	var got []string
	for _, c := range j.Checks {
		got = append(got, c.Name+"="+c.Status)
	}
	want := "register=ok Jira=skipped GitHub (rotor record)=skipped e-mail (rotor report --email)=skipped" +
		" secret store: aws_iam_access_key=skipped secret store: vault_kv=skipped"
	if strings.Join(got, " ") != want {
		t.Errorf("checks %q, want %q", strings.Join(got, " "), want)
	}
	if j.Counts["ok"] != 1 || j.Counts["skipped"] != 5 || j.Counts["fail"] != 0 || j.Counts["warn"] != 0 {
		t.Errorf("counts %v", j.Counts)
	}
}

func TestDoctorEverythingConfigured(t *testing.T) {
	env, jira, gh, smtp := everything(t)
	r := runRotor(t, env, "", "doctor", "--register", example, "--smtp-insecure")
	if r.code != ExitOK || strings.Contains(r.stdout, "FAIL") || strings.Contains(r.stdout, "warn") {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{
		"ok    register: ",
		"ok    issue type exists in the project",
		"ok    workflow statuses TO DO, IN PROGRESS and DONE",
		"ok    GitHub repository is reachable: " + gh.Repository(),
		"ok    SMTP server: " + smtp.Addr() + " answers (no TLS); no mail sent",
		"ok    report sender and recipients: from rotor@example.com to security-team@example.com (report.recipients in rotor.yaml)",
		"ok    secret store: aws_iam_access_key: asked about s3-partner-upload-key: active access key AKIAIOSFODNN7EXAMPLE of IAM user partner-s3-upload created 2026-08-31T09:00:00Z",
		"ok    secret store: vault_kv: asked about adyen-webhook-hmac: version 1 created 2026-10-01T09:00:00Z",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "all ") || !strings.Contains(r.stderr, " checks passed") {
		t.Errorf("stderr: %s", r.stderr)
	}
	if jira.Writes() != 0 || gh.Writes() != 0 || len(smtp.Messages()) != 0 {
		t.Errorf("doctor wrote: %d to Jira, %d to GitHub, %d mails", jira.Writes(), gh.Writes(), len(smtp.Messages()))
	}
	if smtp.Connections() != 1 {
		t.Errorf("%d SMTP connections, want 1", smtp.Connections())
	}
	// The order is the same in every run, whichever service answers first.
	first := parseDoctor(t, runRotor(t, env, "", "doctor", "--register", example, "--smtp-insecure", "--format", "json"))
	for range 3 {
		again := parseDoctor(t, runRotor(t, env, "", "doctor", "--register", example, "--smtp-insecure", "--format", "json"))
		for i := range first.Checks {
			if i >= len(again.Checks) || again.Checks[i].Name != first.Checks[i].Name {
				t.Fatalf("the order changed between runs")
			}
		}
	}
}

// TestDoctorChecks: each case fails one check (or more) and names what to
// do; every other check still runs; no secret is ever printed.
func TestDoctorChecks(t *testing.T) {
	tests := []struct {
		name    string
		setup   func(t *testing.T, env map[string]string)
		args    []string
		code    int
		want    []string // in stdout
		summary string   // in stderr
	}{
		{
			name: "Jira: the issue type is missing",
			args: []string{"--jira-issue-type", "Secret Rotation"},
			code: ExitFailed,
			want: []string{"FAIL  issue type exists in the project: SEC has no issue type \"Secret Rotation\"", "fix: add \"Secret Rotation\"", "jira.issue_type",
				"skip  workflow statuses", "ok    GitHub repository is reachable", "ok    SMTP server"},
			summary: "1 check failed",
		},
		{
			name: "SMTP: unreachable",
			setup: func(t *testing.T, env map[string]string) {
				env["ROTOR_SMTP_URL"] = "smtps://rotor:" + smtpPassword + "@" + fakeapi.ClosedAddr(t)
			},
			code:    ExitFailed,
			want:    []string{"FAIL  SMTP server: 127.0.0.1:", "cannot connect", "fix: check the host and port in ROTOR_SMTP_URL", "ok    report sender and recipients"},
			summary: "1 check failed",
		},
		{
			name: "GitHub: the token is refused",
			setup: func(t *testing.T, env map[string]string) {
				env["GITHUB_TOKEN"] = wrongGitHub
			},
			code:    ExitFailed,
			want:    []string{"FAIL  GitHub repository is reachable", "401", "fix: set GITHUB_TOKEN to a current token", "ok    API token works", "ok    SMTP server"},
			summary: "1 check failed",
		},
		{
			name: "Jira and GitHub tokens refused",
			setup: func(t *testing.T, env map[string]string) {
				env["GITHUB_TOKEN"] = wrongGitHub
				env["ROTOR_JIRA_TOKEN"] = wrongJira
			},
			code:    ExitFailed,
			want:    []string{"FAIL  GitHub repository is reachable", "FAIL  API token works", "skip  project exists"},
			summary: "2 checks failed",
		},
		{
			name: "e-mail: no sender",
			setup: func(t *testing.T, env map[string]string) {
				delete(env, "ROTOR_REPORT_FROM")
			},
			code:    ExitFailed,
			want:    []string{"FAIL  report sender and recipients: ROTOR_REPORT_FROM is not set", "fix: set ROTOR_REPORT_FROM to the sender's address"},
			summary: "1 check failed",
		},
		{
			name: "e-mail: a recipient that is no address",
			setup: func(t *testing.T, env map[string]string) {
				env["ROTOR_REPORT_TO"] = "security-team@example.com, not an address"
			},
			code:    ExitFailed,
			want:    []string{"FAIL  report sender and recipients: ROTOR_REPORT_TO: the recipient \"not an address\" is not an e-mail address"},
			summary: "1 check failed",
		},
		{
			name: "SMTP: a server that never answers",
			setup: func(t *testing.T, env map[string]string) {
				env["ROTOR_SMTP_URL"] = "smtp://" + fakeapi.SilentAddr(t)
			},
			args:    []string{"--timeout", "300ms"},
			code:    ExitFailed,
			want:    []string{"FAIL  SMTP server: 127.0.0.1:", "no answer within 300ms", "--timeout"},
			summary: "1 check failed",
		},
		{
			name: "Jira: a site that never answers",
			setup: func(t *testing.T, env map[string]string) {
				env["ROTOR_JIRA_URL"] = "http://" + fakeapi.SilentAddr(t)
			},
			args:    []string{"--timeout", "300ms"},
			code:    ExitFailed,
			want:    []string{"FAIL  Jira site answers: no answer within 300ms", "skip  API token works", "ok    GitHub repository is reachable"},
			summary: "1 check failed",
		},
		{
			name: "register with errors",
			args: []string{"--register", "testdata/bad"},
			code: ExitFailed,
			want: []string{"FAIL  register: 8 errors, 1 warning (3 credentials in 2 files)", "fix: run rotor validate --register testdata/bad",
				"skip  Jira: not checked: the register has errors", "FAIL  report sender and recipients: no recipients", "ok    SMTP server"},
			summary: "2 checks failed",
		},
		{
			name:    "register with a warning",
			args:    []string{"--register", "REGISTER_WITH_A_WARNING"},
			code:    ExitOK,
			want:    []string{"warn  register: 1 warning (1 credential in 1 file)", "fix: run rotor validate"},
			summary: "1 warning, ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, _, _, _ := everything(t)
			if tt.setup != nil {
				tt.setup(t, env)
			}
			args := append([]string{"doctor", "--register", example, "--smtp-insecure"}, tt.args...)
			for i, a := range args {
				if a == "REGISTER_WITH_A_WARNING" {
					args[i] = registerWithAWarning(t)
				}
			}
			start := time.Now()
			r := runRotor(t, env, "", args...)
			if d := time.Since(start); d > 8*time.Second {
				t.Errorf("doctor took %s", d)
			}
			if r.code != tt.code {
				t.Errorf("exit %d, want %d", r.code, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(r.stdout, w) {
					t.Errorf("stdout lacks %q", w)
				}
			}
			if !strings.Contains(r.stderr, tt.summary) {
				t.Errorf("stderr lacks %q", tt.summary)
			}
			checkNoDoctorSecret(t, env, r)
			// The same run as JSON: the same outcome, no secret either.
			j := runRotor(t, env, "", append(args, "--format", "json")...)
			out := parseDoctor(t, j)
			if j.code != r.code || (out.Counts["fail"] > 0) != (r.code == ExitFailed) {
				t.Errorf("--format json: exit %d, counts %v", j.code, out.Counts)
			}
			checkNoDoctorSecret(t, env, j)
			if t.Failed() {
				t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
			}
		})
	}
}

// checkNoDoctorSecret fails when the output shows a token or the SMTP
// password, or the SMTP URL with its user name.
func checkNoDoctorSecret(t *testing.T, env map[string]string, r result) {
	t.Helper()
	for _, secret := range []string{env["ROTOR_JIRA_TOKEN"], env["GITHUB_TOKEN"], githubtest.Token, jiratest.Token, smtpPassword, "notthetoken", "//rotor"} {
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("the output shows %q", secret)
		}
	}
}

// registerWithAWarning is a register whose one credential has an
// exemption that ended: valid, with one warning.
func registerWithAWarning(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	data, err := os.ReadFile(filepath.Join(example, "rotor.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "rotor.yaml"), string(data))
	writeFile(t, filepath.Join(root, "ops.yaml"), `credentials:
  - id: ops-key
    name: Ops key
    owner: ops@example.com
    period_days: 90
    last_changed: 2026-10-01
    exemption:
      until: 2026-11-01
      reason: vendor migration
      approved_by: ciso@example.com
`)
	return root
}

// TestDoctorConfiguration: a setting that is set but malformed is exit 2
// before any check, named, its value not shown; flags likewise.
func TestDoctorConfiguration(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"an SMTP URL that is no URL", map[string]string{"ROTOR_SMTP_URL": "smtps://rotor:" + smtpPassword + "@smtp.example.com:99999"}, nil, "ROTOR_SMTP_URL"},
		{"an SMTP URL with a password and no TLS", map[string]string{"ROTOR_SMTP_URL": "smtp://rotor:" + smtpPassword + "@smtp.example.com"}, []string{"--smtp-insecure"}, "ROTOR_SMTP_URL"},
		{"an unknown format", nil, []string{"--format", "yaml"}, "--format"},
		{"no time to answer", nil, []string{"--timeout", "0s"}, "--timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			jira := jiratest.New(t)
			env := jiraEnv(jira)
			for k, v := range tt.env {
				env[k] = v
			}
			r := runRotor(t, env, "", append([]string{"doctor", "--register", example}, tt.args...)...)
			if r.code != ExitUsage || !strings.Contains(r.stderr, tt.want) || r.stdout != "" {
				t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
			}
			if strings.Contains(r.stdout+r.stderr, smtpPassword) {
				t.Errorf("the output shows the password")
			}
			if jira.Total() != 0 {
				t.Errorf("%d Jira calls before the configuration was checked", jira.Total())
			}
		})
	}
}

func TestDoctorSummary(t *testing.T) {
	tests := []struct {
		ok, warn, fail, skipped int
		want                    string
	}{
		{ok: 5, want: "all 5 checks passed"},
		{ok: 1, want: "1 check passed"},
		{ok: 1, skipped: 3, want: "1 check passed, 3 skipped"},
		{ok: 10, warn: 1, skipped: 1, want: "1 warning, 10 checks passed, 1 skipped"},
		{warn: 2, want: "2 warnings"},
		{ok: 9, fail: 1, want: "1 check failed, 9 passed"},
		{ok: 4, warn: 2, fail: 1, want: "1 check failed, 2 warnings, 4 passed"},
		{ok: 4, fail: 2, skipped: 1, want: "2 checks failed, 4 passed, 1 skipped"},
		{fail: 1, want: "1 check failed"},
	}
	for _, tt := range tests {
		counts := map[doctorStatus]int{doctorOK: tt.ok, doctorWarn: tt.warn, doctorFail: tt.fail, doctorSkipped: tt.skipped}
		if got := doctorSummary(counts); got != tt.want {
			t.Errorf("%v: %q, want %q", counts, got, tt.want)
		}
	}
}

// TestDoctorRegisterUnreadable: a register that cannot be read fails its
// check; the checks that need it are skipped, the others still run.
func TestDoctorRegisterUnreadable(t *testing.T) {
	env, jira, _, _ := everything(t)
	env["ROTOR_REPORT_TO"] = "security-team@example.com"
	r := runRotor(t, env, "", "doctor", "--register", filepath.Join(t.TempDir(), "missing"), "--smtp-insecure")
	if r.code != ExitFailed {
		t.Errorf("exit %d, want %d", r.code, ExitFailed)
	}
	for _, want := range []string{"FAIL  register: ", "fix: run rotor doctor in the repository", "skip  Jira: not checked: the register could not be read",
		"ok    GitHub repository is reachable", "ok    SMTP server", "ok    report sender and recipients: from rotor@example.com to security-team@example.com (ROTOR_REPORT_TO)"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q", want)
		}
	}
	if !strings.Contains(r.stderr, "1 check failed") {
		t.Errorf("stderr lacks the summary")
	}
	if jira.Total() != 0 {
		t.Errorf("%d Jira calls without Jira settings", jira.Total())
	}
	if t.Failed() {
		t.Logf("stdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
}

// TestDoctorAddressesAreSafe: values from the environment and the register
// that aim at a terminal or the Actions runner are shown escaped in the
// text list, and the JSON stays valid.
func TestDoctorAddressesAreSafe(t *testing.T) {
	env, _, _, _ := everything(t)
	env["ROTOR_REPORT_FROM"] = "rotor@example.com"
	env["ROTOR_REPORT_TO"] = "security-team@example.com, " + strings.ReplaceAll(hostile, ",", ";")
	for _, format := range []string{"text", "json"} {
		r := runRotor(t, env, "", "doctor", "--register", example, "--smtp-insecure", "--format", format)
		if r.code != ExitFailed || !strings.Contains(r.stdout, "report sender and recipients") {
			t.Fatalf("%s: exit %d\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		checkStream(t, format+" stdout", r.stdout)
		checkStream(t, format+" stderr", r.stderr)
		if format == "json" {
			j := parseDoctor(t, r)
			if j.Counts["fail"] != 1 {
				t.Errorf("counts %v", j.Counts)
			}
		}
	}
}
