package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValidateNeverPrintsAFlaggedSecretInAnyForm: the findings that quote
// a value (an owner that is not an email address, an unknown key) print
// no flagged secret however YAML quoted it, in text, JSON, annotations or
// the job summary; a short secret leaves the rest of each message as it was.
func TestValidateNeverPrintsAFlaggedSecretInAnyForm(t *testing.T) {
	root := filepath.Join(t.TempDir(), "credential_rotation")
	entry := func(id, owner string) string {
		return "  - id: " + id + "\n    name: Sample\n    owner: " + owner + "\n    period_days: 90\n    last_changed: 2026-09-01\n"
	}
	writeFile(t, filepath.Join(root, "a.yaml"), "credentials:\n"+
		entry("a", `'pwd=Winter''2024Pa55x'`)+
		entry("b", "postgres://app:p@db.internal/app")+
		`    "pwd=Summer\"2024Pa55y": x`+"\n"+
		"    description: \"token "+histToken[:22]+"\\\n      "+histToken[22:]+" for CI\"\n"+
		"    runbook: 'postgres://app:"+histURLPassword+"@db.internal/app'\n")
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	var all []string
	for _, format := range []string{"text", "json"} {
		r := runRotor(t, env, "", "validate", "--register", root, "--format", format)
		if r.code != ExitFailed {
			t.Fatalf("%s: exit %d, want 1\n%s%s", format, r.code, r.stdout, r.stderr)
		}
		all = append(all, r.stdout, r.stderr)
		if format == "text" {
			for _, want := range []string{
				`owner "pwd=[redacted]" is not an email address`,
				`owner "postgres://app:[redacted]@db.internal/app" is not an email address`,
				`unknown field "pwd=[redacted]" in a credential`,
				"the value of owner looks like a password in a URL [leak]",
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("text: no finding reads %q:\n%s", want, r.stdout)
				}
			}
		}
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	all = append(all, string(md))
	checkNoSecret(t, "validate", strings.Join(all, "\n"), histWinter, histSummer, histToken, histToken[:22], histToken[22:], histURLPassword)
}
