package relay

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func goodEnv() map[string]string {
	return map[string]string{
		EnvWebhookSecret: testSecret,
		EnvGitHubToken:   testToken,
		EnvRepository:    "acme/credential-register",
	}
}

func TestConfigFromEnvDefaults(t *testing.T) {
	cfg, err := ConfigFromEnv(env(goodEnv()))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":8080" || cfg.GitHubAPIURL != "https://api.github.com/" || cfg.AutomationToken != "" {
		t.Errorf("defaults: %+v", cfg)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.gh.DispatchURL(), "https://api.github.com/repos/acme/credential-register/dispatches"; got != want {
		t.Errorf("dispatch URL = %q, want %q", got, want)
	}
	if s.cfg.ForwardTimeout != DefaultForwardTimeout || s.cfg.DedupeEntries != DefaultDedupeEntries {
		t.Errorf("tuning defaults not applied: %+v", s.cfg)
	}
}

func TestConfigFromEnvEnterpriseURL(t *testing.T) {
	e := goodEnv()
	e[EnvGitHubAPIURL] = "https://ghe.example.com/api/v3"
	cfg, err := ConfigFromEnv(env(e))
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.gh.DispatchURL(), "https://ghe.example.com/api/v3/repos/acme/credential-register/dispatches"; got != want {
		t.Errorf("dispatch URL = %q, want %q", got, want)
	}
}

func TestConfigFromEnvErrors(t *testing.T) {
	tests := []struct {
		name string
		set  map[string]string // "" deletes
		want string            // in the error
	}{
		{"no secret", map[string]string{EnvWebhookSecret: ""}, EnvWebhookSecret + " is not set"},
		{"short secret", map[string]string{EnvWebhookSecret: "a1b2c3d4e5"}, "too short"},
		{"repetitive secret", map[string]string{EnvWebhookSecret: "abababababababababababab"}, "too weak"},
		{"placeholder secret", map[string]string{EnvWebhookSecret: "MyJiraSecret2026!xyz"}, "hand-written"},
		{"secret with a newline", map[string]string{EnvWebhookSecret: testSecret + "\n"}, "white space"},
		{"weak automation token", map[string]string{EnvAutomationToken: "changeme"}, EnvAutomationToken + ": too short"},
		{"automation token equal to the secret", map[string]string{EnvAutomationToken: testSecret}, "must differ"},
		{"no GitHub token", map[string]string{EnvGitHubToken: ""}, EnvGitHubToken + " is not set"},
		{"GitHub token with a newline", map[string]string{EnvGitHubToken: testToken + "\n"}, "white space"},
		{"no repository", map[string]string{EnvRepository: ""}, EnvRepository + ": not set"},
		{"repository without owner", map[string]string{EnvRepository: "credential-register"}, `use "owner/name"`},
		{"repository with a path", map[string]string{EnvRepository: "acme/reg/x"}, `use "owner/name"`},
		{"plain http API", map[string]string{EnvGitHubAPIURL: "http://ghe.example.com/api/v3/"}, "plain http"},
		{"API URL with credentials", map[string]string{EnvGitHubAPIURL: "https://user:pw@ghe.example.com/"}, "must not carry credentials"},
		{"not a URL", map[string]string{EnvGitHubAPIURL: "ghe.example.com"}, "not an http(s) URL"},
		{"the token as the API URL", map[string]string{EnvGitHubAPIURL: testToken}, "holds the value of one of the relay's tokens"},
		{"the token in the API URL's user", map[string]string{EnvGitHubAPIURL: "https://x-access-token:" + testToken + "@ghe.example.com/api/v3/"}, "holds the value of one of the relay's tokens"},
		{"bad address", map[string]string{EnvAddr: "8080"}, EnvAddr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goodEnv()
			for k, v := range tt.set {
				e[k] = v
			}
			_, err := ConfigFromEnv(env(e))
			if err == nil {
				t.Fatalf("no error, want one containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not contain %q", err, tt.want)
			}
			for _, k := range []string{EnvWebhookSecret, EnvGitHubToken, EnvAutomationToken} {
				if v := strings.TrimSpace(tt.set[k]); v != "" && strings.Contains(err.Error(), v) {
					t.Errorf("error repeats the value of a secret: %q", err)
				}
			}
		})
	}
}

func TestConfigFromEnvListsEveryProblem(t *testing.T) {
	_, err := ConfigFromEnv(env(map[string]string{}))
	for _, name := range []string{EnvWebhookSecret, EnvGitHubToken, EnvRepository} {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("error %v does not name %s", err, name)
		}
	}
}

func TestConfigTuningIsChecked(t *testing.T) {
	cfg, err := ConfigFromEnv(env(goodEnv()))
	if err != nil {
		t.Fatal(err)
	}
	cfg.ForwardTimeout = 30 * time.Second
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "WriteTimeout") {
		t.Errorf("Validate = %v, want a WriteTimeout error", err)
	}
	cfg.ForwardTimeout, cfg.MaxAttempts = 0, 50
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "MaxAttempts") {
		t.Errorf("Validate = %v, want a MaxAttempts error", err)
	}
}

func TestConfigNeverPrintsSecrets(t *testing.T) {
	cfg, err := ConfigFromEnv(env(map[string]string{
		EnvWebhookSecret:   testSecret,
		EnvGitHubToken:     testToken,
		EnvRepository:      "acme/credential-register",
		EnvAutomationToken: testAutomation,
	}))
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "config", cfg)
	for _, out := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg), logs.String()} {
		for _, secret := range []string{testSecret, testToken, testAutomation} {
			if strings.Contains(out, secret) {
				t.Errorf("%q contains a secret", out)
			}
		}
	}
}
