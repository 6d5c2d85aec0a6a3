package validate

import (
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/schema"
)

func newTestValidator(t testing.TB) *Validator {
	t.Helper()
	v, err := New()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// The quick check must compile for the shipped schema, or every run would
// silently take the slow path.
func TestQuickSchemaCompiles(t *testing.T) {
	for name, raw := range map[string][]byte{"credential": schema.Credential, "settings": schema.Settings} {
		if _, err := compileQuickSchema(raw); err != nil {
			t.Errorf("%s schema: %v", name, err)
		}
	}
	if newTestValidator(t).quick == nil {
		t.Fatal("the validator has no quick check")
	}
}

func TestQuickSchemaRefusesUnknownKeywords(t *testing.T) {
	for _, raw := range []string{
		`{"type": "object", "patternProperties": {"^x": {}}}`,
		`{"oneOf": [{"type": "string"}]}`,
		`{"additionalProperties": true}`,
		`{"$ref": "other.json#/x"}`,
	} {
		if _, err := compileQuickSchema([]byte(raw)); err == nil {
			t.Errorf("compiled %s", raw)
		}
	}
}

// quickAgrees reports whether the quick check and the full validator agree
// on a YAML document.
func quickAgrees(t testing.TB, v *Validator, doc string) (quick, full bool, ok bool) {
	d, _ := register.Parse("x.yaml", []byte(doc))
	if d == nil {
		return false, false, true
	}
	value := register.Value(d.Root, nil)
	quick = v.quick.valid(value)
	full = v.credential.Validate(value) == nil
	return quick, full, quick == full
}

// mutations turn one line of a valid entry into something else.
var mutations = []string{
	"id: ok-id", "id: Bad", "id: a--b", "id: " + strings.Repeat("a", 64), "id: " + strings.Repeat("a", 65), "id: 12", "id: ~", "id: [a]",
	"name: x", `name: ""`, "name: " + strings.Repeat("é", 200), "name: " + strings.Repeat("é", 201), "name: true", "name: 1.5",
	"owner: a@b.c", "owner: ab", "owner: {x: 1}",
	"period_days: 1", "period_days: 0", "period_days: 3650", "period_days: 3651", "period_days: 90.0", "period_days: 90.5",
	"period_days: -1", `period_days: "90"`, "period_days: 0x10", "period_days: 1_000", "period_days: .inf",
	"last_changed: 2026-01-01", `last_changed: "2026-01-01"`, "last_changed: 2026-1-1", "last_changed: 20260101",
	"notice_days: 0", "notice_days: 366", "criticality: high", "criticality: HIGH", "criticality: ~",
	"runbook: https://x", "runbook: ftp://x", "last_ticket: SEC-1", "last_ticket: sec-1", "jira_assignee: 'a:b'",
	"exemption: {until: 2027-01-01, reason: r, approved_by: a}", "exemption: {until: 2027-01-01}", "exemption: {}", "exemption: x",
	"extra: 1", "team: ''", "team: t", "description: " + strings.Repeat("d", 4097),
	"source: {vault_kv: {mount: secret, path: a/b}}", "source: {}", "source: x", "source: {vault_kv: x}",
	"source: {vault_kv: {mount: secret, path: a/b}, tls: {endpoint: 'a.b:1'}}", "source: {vault_kv: {mount: 'a..b', path: p}}",
	"source: {vault_kv: {mount: ' a', path: p}}", "source: {vault_kv: {mount: a}}", "source: {tls: {endpoint: 'a.b:443'}}",
	"source: {tls: {endpoint: 'a.b:0'}}", "source: {tls: {endpoint: '[::1]:65535'}}", "source: {tls: {endpoint: 'a.b:65536'}}",
	"source: {tls: {endpoint: 'a.b:443', server_name: 'a b'}}", "source: {aws_secrets_manager: {secret: x, region: eu-west-1}}",
	"source: {aws_secrets_manager: {secret: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x'}}",
	"source: {aws_iam_access_key: {user: u, access_key_id: " + "AKIA" + "IOSFODNN7EXAMPLE}}", "source: {aws_iam_access_key: {user: 'u/v'}}",
	"source: {azure_key_vault: {vault: 'https://acme.vault.azure.net', secret: s}}", "source: {azure_key_vault: {vault: 'http://x', secret: s}}",
	"source: {tls: {endpoint: 'a.b:1', password: x}}",
}

func TestQuickSchemaAgreesWithTheFullValidator(t *testing.T) {
	v := newTestValidator(t)
	lines := strings.Split(strings.TrimSpace(`id: db-admin
name: DB admin
owner: alice@example.com
period_days: 90
last_changed: 2026-09-01`), "\n")
	for i := range lines {
		for _, m := range mutations {
			entry := append([]string{}, lines...)
			entry[i] = m
			doc := "credentials:\n  - " + strings.Join(entry, "\n    ") + "\n"
			if q, f, ok := quickAgrees(t, v, doc); !ok {
				t.Errorf("quick=%v full=%v for:\n%s", q, f, doc)
			}
			doc = "credentials:\n  - " + strings.Join(append(lines, m), "\n    ") + "\n"
			if q, f, ok := quickAgrees(t, v, doc); !ok {
				t.Errorf("quick=%v full=%v for:\n%s", q, f, doc)
			}
		}
	}
	for _, doc := range []string{"credentials: []\n", "credentials: {}\n", "credentials: ~\n", "other: 1\n", "credentials:\n  - 1\n"} {
		if q, f, ok := quickAgrees(t, v, doc); !ok {
			t.Errorf("quick=%v full=%v for:\n%s", q, f, doc)
		}
	}
}

func FuzzQuickSchemaAgrees(f *testing.F) {
	f.Add("credentials:\n  - id: a\n    name: b\n    owner: c@d.e\n    period_days: 9\n    last_changed: 2026-01-01\n")
	for _, m := range mutations {
		f.Add("credentials:\n  - " + m + "\n")
	}
	v := newTestValidator(f)
	f.Fuzz(func(t *testing.T, doc string) {
		if q, full, ok := quickAgrees(t, v, doc); !ok {
			t.Fatalf("quick=%v full=%v for %q", q, full, doc)
		}
	})
}
