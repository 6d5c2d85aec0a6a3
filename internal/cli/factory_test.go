package cli

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rotor-dev/rotor/internal/jira"
	"github.com/rotor-dev/rotor/internal/jira/jiratest"
	"github.com/rotor-dev/rotor/internal/relay"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func TestJiraConfigFromSettingsAndEnvironment(t *testing.T) {
	env := map[string]string{"ROTOR_JIRA_URL": "https://x.atlassian.net", "ROTOR_JIRA_EMAIL": "a@b", "ROTOR_JIRA_TOKEN": "tok"}
	e, _, _ := testEnv(env, "")
	fields := rotation.FieldMapping{CredentialName: "customfield_1", NextDueDate: "customfield_2", ContactPerson: "customfield_3"}
	cfg := newFactory(e).jiraConfig(rotation.JiraSettings{Project: "SEC", IssueType: "T", OverduePriority: "High", Fields: fields})
	if cfg.URL != env["ROTOR_JIRA_URL"] || cfg.Email != "a@b" || cfg.Token != "tok" || cfg.Project != "SEC" ||
		cfg.IssueType != "T" || cfg.OverduePriority != "High" || cfg.Fields != fields {
		t.Errorf("jiraConfig = %+v", cfg)
	}
	if want := (jira.Names{URL: "ROTOR_JIRA_URL", Email: "ROTOR_JIRA_EMAIL", Token: "ROTOR_JIRA_TOKEN"}); cfg.Names != want {
		t.Errorf("the settings are named %+v, want %+v", cfg.Names, want)
	}
}

func TestJiraOverridesApply(t *testing.T) {
	yaml := rotation.JiraSettings{Project: "SEC", IssueType: "Task", OverduePriority: "High",
		Fields: rotation.FieldMapping{CredentialName: "customfield_1", NextDueDate: "customfield_2"}}
	tests := []struct {
		name string
		o    jiraOverrides
		want rotation.JiraSettings
	}{
		{"none", jiraOverrides{}, yaml},
		{"blank ones leave rotor.yaml's", jiraOverrides{Project: "  ", Fields: rotation.FieldMapping{NextDueDate: "\t"}}, yaml},
		{"set ones win, trimmed", jiraOverrides{Project: " OPS ", OverduePriority: "Highest", Fields: rotation.FieldMapping{ContactPerson: "customfield_3"}},
			rotation.JiraSettings{Project: "OPS", IssueType: "Task", OverduePriority: "Highest",
				Fields: rotation.FieldMapping{CredentialName: "customfield_1", NextDueDate: "customfield_2", ContactPerson: "customfield_3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.o.apply(yaml); got != tt.want {
				t.Errorf("apply = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestRunSyncTakesItsOverridesAsData: the options of a command are plain
// values, so a test can hand runSync the overrides that flags and
// environment would give, without either.
func TestRunSyncTakesItsOverridesAsData(t *testing.T) {
	fake := jiratest.New(t)
	e, _, stderr := testEnv(jiraEnv(fake), "")
	o := syncOptions{
		registerOptions: registerOptions{Root: example, Today: rotation.MustParseDate("2026-11-27")},
		Format:          "text",
		JiraOverrides:   jiraOverrides{OverduePriority: "Highest", Fields: rotation.FieldMapping{CredentialName: jiratest.FieldCredentialName}},
	}
	if err := runSync(context.Background(), newFactory(e), o); err != nil {
		t.Fatalf("runSync: %v\n%s", err, stderr)
	}
	if len(fake.Issues()) != 7 {
		t.Fatalf("%d tickets, want 7", len(fake.Issues()))
	}
	for _, is := range fake.Issues() {
		if is.Custom[jiratest.FieldCredentialName] == nil {
			t.Errorf("%s has no Credential Name field: %v", is.Key, is.Custom)
		}
		if overdue := slices.Contains(is.Labels, "rotor-overdue"); overdue != (is.Priority == "Highest") {
			t.Errorf("%s: overdue %v, priority %q", is.Key, overdue, is.Priority)
		}
	}
}

// networkVars are the settings of rotor's network services: endpoints and
// credentials.
var networkVars = append(append(slices.Clone(jiraVars), githubVars...), envSMTPURL,
	relay.EnvWebhookSecret, relay.EnvAutomationToken, relay.EnvAddr)

// TestOfflineCommandsReadNoNetworkSetting: a command that does not go
// online never reads a setting of a network service, so it never needs
// one, and one set wrong never stops it.
func TestOfflineCommandsReadNoNetworkSetting(t *testing.T) {
	auditDir, _ := auditRepo(t)
	commands := [][]string{
		{"validate", "--register", example},
		{"status", "--register", example},
		{"new", "--register", example, "--id", "new-key", "--name", "New key", "--owner", "a@example.com", "--period", "90", "--last-changed", "2026-09-01", "--dry-run"},
		{"report", "--register", example, "--repo", t.TempDir()},
		{"audit", "--register", filepath.Join(auditDir, "credential_rotation"), "--repo", auditDir, "--from", "2026-01-01", "--to", "2026-06-30"},
	}
	for _, args := range commands {
		t.Run(args[0], func(t *testing.T) {
			e, stdout, stderr := testEnv(nil, "")
			var mu sync.Mutex
			var read []string
			e.Getenv = func(k string) string {
				mu.Lock()
				defer mu.Unlock()
				read = append(read, k)
				return ""
			}
			if code := Main(context.Background(), args, e); code != ExitOK {
				t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
			}
			for _, k := range read {
				if slices.Contains(networkVars, k) {
					t.Errorf("rotor %s read %s", args[0], k)
				}
			}
		})
	}
}

// envName is the form of the names of rotor's environment variables.
var envName = regexp.MustCompile(`(ROTOR|GITHUB)_[A-Z0-9_]+`)

// TestOnlyTheFactoryNamesEnvironmentVariables: the name of every variable
// rotor reads is a constant of factory.go (the relay's, of relay.Main,
// shared with rotor-relay); the CLI's other files, help texts included,
// and the adapters refer to those constants, and no adapter reads the
// environment. (The adapters' messages may speak of GITHUB_TOKEN, the
// token of Actions, in prose.)
func TestOnlyTheFactoryNamesEnvironmentVariables(t *testing.T) {
	dirs := []string{".", "../jira", "../github", "../gitrepo", "../mail", "../relay"}
	allowed := map[string]bool{"factory.go": true, filepath.Join("..", "relay", "main.go"): true}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range files {
			if strings.HasSuffix(path, "_test.go") || allowed[path] {
				continue
			}
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			fset := token.NewFileSet()
			file, err := parser.ParseFile(fset, path, src, 0)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(file, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.BasicLit:
					s, err := strconv.Unquote(n.Value)
					if err != nil || n.Kind != token.STRING {
						break
					}
					if name := envName.FindString(s); name != "" && (dir == "." || name == s) {
						t.Errorf("%s: %s: name it by its constant in factory.go", fset.Position(n.Pos()), name)
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						break
					}
					if id, ok := sel.X.(*ast.Ident); ok && id.Name == "os" && slices.Contains([]string{"Getenv", "LookupEnv", "Environ"}, sel.Sel.Name) {
						t.Errorf("%s: os.%s: read the environment through Env.Getenv", fset.Position(n.Pos()), sel.Sel.Name)
					}
				}
				return true
			})
		}
	}
}
