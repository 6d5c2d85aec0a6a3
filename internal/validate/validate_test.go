package validate_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

var today = rotation.MustParseDate("2026-11-27")

// want is an expected finding: where, which rule, and a part of the message.
type want struct {
	file     string
	line     int
	col      int
	rule     string
	contains string
	warning  bool
}

func (w want) matches(f register.Finding) bool {
	sev := register.SeverityError
	if w.warning {
		sev = register.SeverityWarning
	}
	return filepath.Base(f.File) == w.file && f.Line == w.line && f.Column == w.col && f.Rule == w.rule &&
		f.Severity == sev && strings.Contains(f.Message, w.contains)
}

// writeRegister writes files (name → content) into a new register folder.
func writeRegister(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func run(t *testing.T, root string) *validate.Result {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Validate(context.Background(), validate.Options{Root: root, Today: today})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// entry is a valid credential; cases replace or add lines to break it.
const entry = `credentials:
  - id: db-admin
    name: DB admin
    owner: alice@example.com
    period_days: 90
    last_changed: 2026-09-01
`

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []want
	}{
		{name: "valid", files: map[string]string{"a.yaml": entry}},
		{name: "quoted date is fine", files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", `"2026-09-01"`, 1)}},
		{
			name:  "missing required field",
			files: map[string]string{"a.yaml": strings.Replace(entry, "    owner: alice@example.com\n", "", 1)},
			want:  []want{{"a.yaml", 2, 5, validate.RuleSchema, `credential "db-admin" is missing required field "owner"`, false}},
		},
		{
			name:  "wrong type",
			files: map[string]string{"a.yaml": strings.Replace(entry, "period_days: 90", "period_days: ninety", 1)},
			want:  []want{{"a.yaml", 5, 18, validate.RuleSchema, "period_days: expected integer, but got string", false}},
		},
		{
			name:  "out of range",
			files: map[string]string{"a.yaml": strings.Replace(entry, "period_days: 90", "period_days: 0", 1)},
			want:  []want{{"a.yaml", 5, 18, validate.RuleSchema, "period_days: must be >= 1", false}},
		},
		{
			name:  "bad id",
			files: map[string]string{"a.yaml": strings.Replace(entry, "id: db-admin", "id: DB_Admin", 1)},
			want:  []want{{"a.yaml", 2, 9, validate.RuleSchema, `id: "DB_Admin" does not have the expected form`, false}},
		},
		{
			name:  "reserved id",
			files: map[string]string{"a.yaml": strings.Replace(entry, "id: db-admin", "id: overdue", 1)},
			want:  []want{{"a.yaml", 2, 9, validate.RuleSchema, `id "overdue" is reserved`, false}},
		},
		{
			name:  "bad criticality",
			files: map[string]string{"a.yaml": entry + "    criticality: severe\n"},
			want:  []want{{"a.yaml", 7, 18, validate.RuleSchema, "criticality: value must be one of", false}},
		},
		{
			name:  "credentials is not a list",
			files: map[string]string{"a.yaml": "credentials: db-admin\n"},
			want:  []want{{"a.yaml", 1, 14, validate.RuleSchema, "credentials: expected array", false}},
		},
		{
			name:  "YAML syntax error",
			files: map[string]string{"a.yaml": entry + "    name: [unclosed\n"},
			want:  []want{{"a.yaml", 7, 1, register.RuleYAML, "YAML syntax error", false}},
		},
		{
			name:  "date that does not exist",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-02-30", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleDate, "February 2026 has 28 days", false}},
		},
		{
			name:  "leap day in a common year",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2025-02-29", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleDate, "February 2025 has 28 days", false}},
		},
		{
			name:  "month 13",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-13-01", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleDate, "there is no month 13", false}},
		},
		{
			name:  "date not in YYYY-MM-DD form",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-9-1", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleDate, `last_changed: "2026-9-1" is not a date in YYYY-MM-DD form`, false}},
		},
		{
			name:  "date with a time",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-09-01T10:00:00Z", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleDate, "is not a date in YYYY-MM-DD form", false}},
		},
		{
			name:  "last_changed in the future",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-11-28", 1)},
			want:  []want{{"a.yaml", 6, 19, validate.RuleFutureDate, "last_changed 2026-11-28 is in the future (today is 2026-11-27", false}},
		},
		{
			name:  "last_changed today is fine",
			files: map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "2026-11-27", 1)},
		},
		{
			name:  "unknown field with a suggestion",
			files: map[string]string{"a.yaml": strings.Replace(entry, "period_days", "perod_days", 1)},
			want: []want{
				{"a.yaml", 2, 5, validate.RuleSchema, `missing required field "period_days"`, false},
				{"a.yaml", 5, 5, validate.RuleUnknownField, `unknown field "perod_days" in a credential`, false},
			},
		},
		{
			name:  "unknown top-level field",
			files: map[string]string{"a.yaml": strings.Replace(entry, "credentials:", "credential:", 1)},
			want: []want{
				{"a.yaml", 1, 1, validate.RuleSchema, `missing required field "credentials"`, false},
				{"a.yaml", 1, 1, validate.RuleUnknownField, `unknown field "credential"`, false},
			},
		},
		{
			name:  "notice_days as long as the period",
			files: map[string]string{"a.yaml": entry + "    notice_days: 90\n"},
			want:  []want{{"a.yaml", 7, 18, validate.RuleNoticePeriod, "notice_days (90) must be less than period_days (90)", false}},
		},
		{
			name: "expired exemption is a warning",
			files: map[string]string{"a.yaml": entry + `    exemption:
      until: 2026-11-26
      reason: migration
      approved_by: ciso@example.com
`},
			want: []want{{"a.yaml", 8, 14, validate.RuleExpiredExemption, "exemption ended on 2026-11-26", true}},
		},
		{
			name: "exemption until today is active",
			files: map[string]string{"a.yaml": entry + `    exemption:
      until: 2026-11-27
      reason: migration
      approved_by: ciso@example.com
`},
		},
		{
			name: "exemption with an unknown field",
			files: map[string]string{"a.yaml": entry + `    exemption:
      untill: 2027-01-01
      reason: migration
      approved_by: ciso@example.com
`},
			want: []want{
				{"a.yaml", 8, 7, validate.RuleSchema, `exemption is missing required field "until"`, false},
				{"a.yaml", 8, 7, validate.RuleUnknownField, `unknown field "untill" in an exemption`, false},
			},
		},
		{
			name:  "owner is not an email address",
			files: map[string]string{"a.yaml": strings.Replace(entry, "alice@example.com", "Alice Smith", 1)},
			want:  []want{{"a.yaml", 4, 12, validate.RuleOwnerEmail, `owner "Alice Smith" is not an email address`, false}},
		},
		{
			name:  "owner with a display name",
			files: map[string]string{"a.yaml": strings.Replace(entry, "alice@example.com", `"Alice <alice@example.com>"`, 1)},
			want:  []want{{"a.yaml", 4, 12, validate.RuleOwnerEmail, "is not an email address", false}},
		},
		{
			name:  "empty file",
			files: map[string]string{"a.yaml": "# nothing here yet\n"},
			want:  []want{{"a.yaml", 1, 1, register.RuleFile, "file is empty", false}},
		},
		{
			name:  "not UTF-8",
			files: map[string]string{"a.yaml": "credentials:\n  - id: caf\xe9\n"},
			want:  []want{{"a.yaml", 1, 1, register.RuleFile, "not UTF-8", false}},
		},
		{
			name:  "top level is a list",
			files: map[string]string{"a.yaml": "- id: db-admin\n"},
			want:  []want{{"a.yaml", 1, 1, register.RuleFile, "top level is a list, not a mapping", false}},
		},
		{
			name:  "duplicate key",
			files: map[string]string{"a.yaml": entry + "    name: Other\n"},
			want:  []want{{"a.yaml", 7, 5, register.RuleYAML, `key "name" appears twice in this mapping (first at line 3)`, false}},
		},
		{
			name:  "anchors are refused",
			files: map[string]string{"a.yaml": strings.Replace(entry, "owner: alice@example.com", "owner: &o alice@example.com", 1)},
			want:  []want{{"a.yaml", 4, 12, register.RuleYAML, "anchors and aliases are not allowed", false}},
		},
		{
			name: "duplicate ids across files name both places",
			files: map[string]string{
				"a.yaml":      entry,
				"team/b.yaml": strings.Replace(entry, "name: DB admin", "name: Copy", 1),
			},
			want: []want{
				{"a.yaml", 2, 9, validate.RuleDuplicateID, `duplicate id "db-admin": defined again at `, false},
				{"b.yaml", 2, 9, validate.RuleDuplicateID, `duplicate id "db-admin": already defined at `, false},
			},
		},
		{
			name: "settings and template at the root are not credentials",
			files: map[string]string{
				"a.yaml":        entry,
				"template.yaml": entry,
				"rotor.yaml":    "notice_days: 10\n",
			},
		},
		{
			name: "bad settings",
			files: map[string]string{
				"a.yaml":     entry,
				"rotor.yaml": "timezone: Mars/Olympus\nnotice_dayz: 3\njira:\n  project: sec\n",
			},
			want: []want{
				{"rotor.yaml", 1, 11, validate.RuleSettings, `timezone "Mars/Olympus" is not a known IANA time zone`, false},
				{"rotor.yaml", 2, 1, validate.RuleUnknownField, `unknown field "notice_dayz" in rotor.yaml`, false},
				{"rotor.yaml", 4, 12, validate.RuleSchema, `project: "sec" does not have the expected form`, false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, tt.files))
			if len(res.Findings) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(res.Findings), len(tt.want), dump(res.Findings))
			}
			for _, w := range tt.want {
				found := false
				for _, f := range res.Findings {
					found = found || w.matches(f)
				}
				if !found {
					t.Errorf("no finding %+v in:\n%s", w, dump(res.Findings))
				}
			}
		})
	}
}

func dump(fs []register.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "  %s (hint: %s)\n", f, f.Hint)
	}
	return b.String()
}

func TestEveryFindingHasAHint(t *testing.T) {
	root := writeRegister(t, map[string]string{"a.yaml": `credentials:
  - id: Bad_Id
    name: x
    owner: nobody
    perod_days: 0
    last_changed: 2026-02-30
    notice_days: 500
`})
	res := run(t, root)
	if len(res.Findings) == 0 {
		t.Fatal("no findings")
	}
	for _, f := range res.Findings {
		if f.Hint == "" {
			t.Errorf("finding without a hint: %s", f)
		}
	}
}

func TestLeakGuard(t *testing.T) {
	// Built from parts so that no secret scanner flags this file.
	secrets := map[string]string{
		"private key":      "-----BEGIN RSA " + "PRIVATE KEY-----",
		"openssh key":      "-----BEGIN OPENSSH " + "PRIVATE KEY-----",
		"aws key id":       "AKIA" + "IOSFODNN7EXAMPLE",
		"github token":     "ghp_" + strings.Repeat("aB3x", 9),
		"github pat":       "github_pat_" + strings.Repeat("11ABCDEFG0", 5),
		"slack token":      "xoxb-" + "1234567890-abcdefghij",
		"stripe key":       "sk_live_" + strings.Repeat("4eC39HqLyjWDarjtT1zdp7dc", 1),
		"google api key":   "AIza" + strings.Repeat("SyA1b2C3d4E5f6G7h8", 2) + "i",
		"jwt":              "eyJ" + "hbGciOiJIUzI1NiJ9.eyJ" + "zdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
		"password in url":  "https://svc:" + "hunter2secret@db.example.com/",
		"high entropy":     "rotated to " + "q8Zr3XbV9mKp2LwT7nYd4Hs6Jf1Gc5Ue",
		"atlassian token":  "ATATT" + strings.Repeat("3xFfGF0aB1c2D3e4", 3),
		"sendgrid api key": "SG." + strings.Repeat("a1B2c3D4e5", 3) + "." + strings.Repeat("f6G7h8I9j0", 4),
	}
	for name, secret := range secrets {
		t.Run(name, func(t *testing.T) {
			file := strings.Replace(entry, "name: DB admin", fmt.Sprintf("name: DB admin\n    description: %q", secret), 1)
			res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
			if len(res.Findings) != 1 || res.Findings[0].Rule != validate.RuleLeak || res.Findings[0].Line != 4 {
				t.Fatalf("want one leak finding on line 4, got:\n%s", dump(res.Findings))
			}
			f := res.Findings[0]
			if !strings.Contains(f.Message, "description") {
				t.Errorf("message does not name the field: %s", f.Message)
			}
			for _, part := range []string{secret, secret[len(secret)/2:]} {
				if strings.Contains(f.Message+f.Hint, part) {
					t.Errorf("finding prints the secret: %s", f)
				}
			}
		})
	}
	t.Run("in a comment", func(t *testing.T) {
		file := strings.Replace(entry, "    name: DB admin", "    # old value: "+secrets["github token"]+"\n    name: DB admin", 1)
		res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
		if len(res.Findings) != 1 || res.Findings[0].Rule != validate.RuleLeak || !strings.Contains(res.Findings[0].Message, "comment") {
			t.Fatalf("want one leak finding about a comment, got:\n%s", dump(res.Findings))
		}
	})
	t.Run("structured values are not entropy-checked", func(t *testing.T) {
		file := entry + `    jira_assignee: "557058:f58131cb-b67d-43c7-b30d-6b58d40bd077"
    runbook: https://docs.google.com/document/d/1aB2cD3eF4gH5iJ6kL7mN8oP9qR0sT1uV2wX3yZ4/edit
    description: Rotate in the vendor portal, then update the payments-service deployment secret.
`
		res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
		if len(res.Findings) != 0 {
			t.Fatalf("false positives:\n%s", dump(res.Findings))
		}
	})
}

func TestNoticeDefault(t *testing.T) {
	root := writeRegister(t, map[string]string{
		"rotor.yaml": "notice_days: 21\n",
		"a.yaml": entry + `  - id: daily
    name: Daily
    owner: bob@example.com
    period_days: 7
    last_changed: 2026-11-20
  - id: own-notice
    name: Own
    owner: bob@example.com
    period_days: 30
    notice_days: 0
    last_changed: 2026-11-20
`,
	})
	res := run(t, root)
	if len(res.Findings) != 0 {
		t.Fatalf("findings:\n%s", dump(res.Findings))
	}
	for id, want := range map[string]int{"db-admin": 21, "daily": 6, "own-notice": 0} {
		if got := res.Register.ByID(id).NoticeDays; got != want {
			t.Errorf("%s: NoticeDays = %d, want %d", id, got, want)
		}
	}
}

func TestTodayFollowsTheRegisterTimeZone(t *testing.T) {
	root := writeRegister(t, map[string]string{
		"rotor.yaml": "timezone: Pacific/Auckland\n",
		"a.yaml":     strings.Replace(entry, "2026-09-01", "2026-11-28", 1),
	})
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	// 2026-11-27 12:00 UTC is already 2026-11-28 in Auckland.
	now := today.Time().Add(12 * 60 * 60 * 1e9)
	res, err := v.Validate(context.Background(), validate.Options{Root: root, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if res.Today.String() != "2026-11-28" || len(res.Findings) != 0 {
		t.Fatalf("today = %s, findings:\n%s", res.Today, dump(res.Findings))
	}
}

func TestExampleRegisterIsValid(t *testing.T) {
	res := run(t, filepath.Join("..", "..", "credential_rotation"))
	if len(res.Findings) != 0 {
		t.Fatalf("the example register has findings:\n%s", dump(res.Findings))
	}
	counts := map[rotation.Status]int{}
	for _, c := range res.Register.Credentials {
		counts[c.Evaluate(today).Status]++
	}
	for _, s := range rotation.Statuses {
		if counts[s] == 0 {
			t.Errorf("no example credential is %s on %s", s, today)
		}
	}
}

func TestMissingRegister(t *testing.T) {
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	_, err = v.Validate(context.Background(), validate.Options{Root: filepath.Join(t.TempDir(), "nope"), Today: today})
	if err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("err = %v", err)
	}
}

func TestFindingsPerFileAreBounded(t *testing.T) {
	// 50,000 entries that are not mappings: each fails the schema.
	file := "credentials:\n" + strings.Repeat("  - not-a-mapping\n", 50000)
	res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
	if n := len(res.Findings); n > 201 || n < 100 {
		t.Fatalf("%d findings, want at most 201", n)
	}
	first := res.Findings[0]
	if first.Line != 1 || !strings.Contains(first.Message, "more problems in this file are not shown") {
		t.Fatalf("no summary of the suppressed findings: %s", first)
	}
}

// TestSourceIsDecoded: each store a source: can name is read into the
// credential's Source, positioned at the mapping; a source the schema
// refused is left unset.
func TestSourceIsDecoded(t *testing.T) {
	keyID := "AKIA" + "IOSFODNN7EXAMPLE"
	tests := []struct {
		name   string
		source string
		want   *rotation.Source
	}{
		{"aws secrets manager by name", "{aws_secrets_manager: {secret: payments/db, region: eu-west-1}}",
			&rotation.Source{AWSSecretsManager: &rotation.AWSSecretsManagerSource{Secret: "payments/db", Region: "eu-west-1"}}},
		{"iam access key", "{aws_iam_access_key: {user: ci-deployer, access_key_id: " + keyID + "}}",
			&rotation.Source{AWSIAMAccessKey: &rotation.AWSIAMAccessKeySource{User: "ci-deployer", AccessKeyID: keyID}}},
		{"vault kv", "{vault_kv: {mount: secret, path: payments/db-admin}}",
			&rotation.Source{VaultKV: &rotation.VaultKVSource{Mount: "secret", Path: "payments/db-admin"}}},
		{"tls", `{tls: {endpoint: "[2001:db8::1]:443", server_name: api.example.com}}`,
			&rotation.Source{TLS: &rotation.TLSSource{Endpoint: "[2001:db8::1]:443", ServerName: "api.example.com"}}},
		{"azure key vault", `{azure_key_vault: {vault: "https://acme.vault.azure.net", secret: db-admin}}`,
			&rotation.Source{AzureKeyVault: &rotation.AzureKeyVaultSource{Vault: "https://acme.vault.azure.net", Secret: "db-admin"}}},
		{"two stores", "{vault_kv: {mount: secret, path: p}, tls: {endpoint: 'a.example.com:443'}}", nil},
		{"a refused field", "{vault_kv: {mount: secret, path: ../p}}", nil},
		{"a missing field", "{vault_kv: {mount: secret}}", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + "    source: " + tt.source + "\n"}))
			if tt.want != nil && len(res.Findings) > 0 {
				t.Fatalf("findings:\n%s", dump(res.Findings))
			}
			if tt.want == nil && res.Errors() == 0 {
				t.Fatal("no error for a source rotor cannot use")
			}
			got := res.Register.Credentials[0].Source
			if tt.want == nil {
				if got != nil {
					t.Fatalf("Source = %v, want none", got)
				}
				return
			}
			if got == nil {
				t.Fatal("Source not set")
			}
			if got.Pos.Line != 7 || got.Pos.Column != 13 || filepath.Base(got.Pos.File) != "a.yaml" {
				t.Errorf("Pos = %+v, want a.yaml:7:13", got.Pos)
			}
			got.Pos = rotation.Position{}
			if got.String() != tt.want.String() || got.Kind() != tt.want.Kind() {
				t.Errorf("Source = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestTemplateSourcesAreValid: every source template.yaml shows, once
// uncommented, is valid and names the store it stands under; and it
// shows every store.
func TestTemplateSourcesAreValid(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "credential_rotation", "template.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	example := regexp.MustCompile(`^    #   ([a-z_]+): (\{.*\})$`)
	seen := map[rotation.SourceKind]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		m := example.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		kind := rotation.SourceKind(m[1])
		seen[kind] = true
		t.Run(m[1], func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + "    source: {" + m[1] + ": " + m[2] + "}\n"}))
			if len(res.Findings) > 0 {
				t.Fatalf("template.yaml's %s: findings:\n%s", m[1], dump(res.Findings))
			}
			if got := res.Register.Credentials[0].Source.Kind(); got != kind {
				t.Errorf("Source.Kind() = %q, want %q", got, kind)
			}
		})
	}
	for _, k := range rotation.SourceKinds {
		if !seen[k] {
			t.Errorf("template.yaml shows no %s source", k)
		}
	}
}

// TestAccessKeyIDIsAnIdentifier: an AWS access key id is the identifier
// source.aws_iam_access_key.access_key_id holds by design, quoted or not;
// anywhere else, or with more than the id in that field, it is a leak.
func TestAccessKeyIDIsAnIdentifier(t *testing.T) {
	keyID := "AKIA" + "IOSFODNN7EXAMPLE"
	tests := []struct {
		name  string
		lines string // appended to entry
		leaks int
	}{
		{"the id in its field", "    source: {aws_iam_access_key: {user: ci, access_key_id: " + keyID + "}}\n", 0},
		{"quoted", "    source:\n      aws_iam_access_key:\n        user: ci\n        access_key_id: \"" + keyID + "\"\n", 0},
		{"a temporary id", "    source: {aws_iam_access_key: {user: ci, access_key_id: ASIA" + keyID[4:] + "}}\n", 0},
		{"an ABIA or ACCA key, which the field does not hold", "    source: {aws_iam_access_key: {user: ci, access_key_id: ABIA" + keyID[4:] + "}}\n", 1},
		{"in the description", "    description: key " + keyID + "\n", 1},
		{"in a vault path", "    source: {vault_kv: {mount: secret, path: " + keyID + "}}\n", 1},
		{"in the user", "    source: {aws_iam_access_key: {user: " + keyID + "}}\n", 1},
		{"with the secret after it", "    source: {aws_iam_access_key: {user: ci, access_key_id: \"" + keyID + " wJalrXUtnFEMI/K7MDENG/bPxRfiCY\"}}\n", 2},
		{"outside a credential's source", "    exemption: {until: 2027-01-01, reason: r, approved_by: a}\n    aws_iam_access_key: {access_key_id: " + keyID + "}\n", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + tt.lines}))
			leaks := 0
			for _, f := range res.Findings {
				if f.Rule == validate.RuleLeak {
					leaks++
				}
				if strings.Contains(f.Message, keyID[4:]) {
					t.Errorf("a finding prints the id: %s", f)
				}
			}
			if leaks != tt.leaks {
				t.Errorf("%d leaks, want %d:\n%s", leaks, tt.leaks, dump(res.Findings))
			}
		})
	}
}

// TestVerifySettings: rotor.yaml's verify: block is read into
// Settings.Verify, its defaults stand in for what is not set or refused,
// and a refused value is a positioned finding.
func TestVerifySettings(t *testing.T) {
	defaults := rotation.DefaultSettings().Verify
	tests := []struct {
		name     string
		settings string
		want     rotation.VerifySettings
		findings []want
	}{
		{"no rotor.yaml values", "notice_days: 10\n", defaults, nil},
		{"every value", "verify:\n  tolerance_days: 0\n  concurrency: 256\n  require_for_record: true\n",
			rotation.VerifySettings{ToleranceDays: 0, Concurrency: 256, RequireForRecord: true}, nil},
		{"bounds", "verify: {tolerance_days: 30, concurrency: 1}\n",
			rotation.VerifySettings{ToleranceDays: 30, Concurrency: 1}, nil},
		{"out of range", "verify:\n  tolerance_days: 31\n  concurrency: 0\n  require_for_record: yes\n", defaults, []want{
			{"rotor.yaml", 2, 19, validate.RuleSchema, "tolerance_days", false},
			{"rotor.yaml", 3, 16, validate.RuleSchema, "concurrency", false},
			{"rotor.yaml", 4, 23, validate.RuleSchema, "require_for_record", false},
		}},
		{"not plain decimal", "verify:\n  tolerance_days: 0x5\n  concurrency: 16.0\n", defaults, []want{
			{"rotor.yaml", 2, 19, validate.RuleNumber, "tolerance_days: 0x5 is not a plain decimal whole number", false},
			{"rotor.yaml", 3, 16, validate.RuleNumber, "concurrency: 16.0 is not a plain decimal whole number", false},
		}},
		{"a typo", "verify:\n  tolerance: 3\n", defaults, []want{
			{"rotor.yaml", 2, 3, validate.RuleUnknownField, `unknown field "tolerance" in the verify settings`, false},
		}},
		{"not a mapping", "verify: true\n", defaults, []want{
			{"rotor.yaml", 1, 9, validate.RuleSchema, "verify", false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry, "rotor.yaml": tt.settings}))
			if got := res.Register.Settings.Verify; got != tt.want {
				t.Errorf("Verify = %+v, want %+v", got, tt.want)
			}
			if len(res.Findings) != len(tt.findings) {
				t.Fatalf("got %d findings, want %d:\n%s", len(res.Findings), len(tt.findings), dump(res.Findings))
			}
			for _, w := range tt.findings {
				found := false
				for _, f := range res.Findings {
					found = found || w.matches(f) && f.Hint != ""
				}
				if !found {
					t.Errorf("no finding %+v with a hint in:\n%s", w, dump(res.Findings))
				}
			}
		})
	}
}
