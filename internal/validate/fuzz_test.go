package validate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/leak"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// FuzzValidateFile runs every rule on arbitrary input: it must never panic,
// and every finding must be positioned inside the file. No credential it
// returns holds what the leak guard flags: no text field still reads as a
// secret, and none holds a flagged secret long enough to be searched for.
func FuzzValidateFile(f *testing.F) {
	examples, _ := filepath.Glob(filepath.Join("..", "..", "credential_rotation", "*.yaml"))
	for _, path := range examples {
		if data, err := os.ReadFile(path); err == nil {
			f.Add(string(data))
		}
	}
	for _, m := range mutations {
		f.Add("credentials:\n  - " + m + "\n")
	}
	f.Add("credentials:\n  - id: a\n    name: x\n    owner: a@b.c\n    period_days: 9\n    last_changed: 2026-02-30\n    notice_days: 9\n")
	f.Add("a: &a [*a, *a]\n")
	// Every secret of the leak corpus, in a register entry.
	if corpus, err := os.ReadFile(filepath.Join("..", "leak", "testdata", "positives.tsv")); err == nil {
		unescape := strings.NewReplacer(`\\`, `\`, `\n`, "\n")
		for _, line := range strings.Split(string(corpus), "\n") {
			if parts := strings.Split(line, "\t"); len(parts) == 3 && !strings.HasPrefix(line, "#") {
				f.Add("credentials:\n  - id: a\n    name: x\n" + unescape.Replace(parts[2]) + "\n")
			}
		}
	}
	f.Add("\xff\xfe")
	// A secret where a source names its secret.
	f.Add("credentials:\n  - id: a\n    name: x\n    owner: a@b.c\n    period_days: 9\n    last_changed: 2026-01-02\n" +
		"    source: {vault_kv: {mount: secret, path: ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5}}\n")
	f.Add("credentials:\n  - id: a\n    name: x\n    owner: a@b.c\n    period_days: 9\n    last_changed: 2026-01-02\n" +
		"    source:\n      aws_iam_access_key:\n        user: ci\n        access_key_id: AKIA" + "IOSFODNN7EXAMPLE\n")
	v := newTestValidator(f)
	settings := rotation.DefaultSettings()
	today := rotation.MustParseDate("2026-11-27")
	f.Fuzz(func(t *testing.T, data string) {
		creds, findings := v.ValidateFile("x.yaml", []byte(data), settings, today)
		var flagged []string
		for _, m := range leak.Scan([]byte(data)).Matches {
			if !m.Allowed && len(m.Secret) >= leak.MinSearchLen {
				flagged = append(flagged, m.Secret)
			}
		}
		for _, c := range creds {
			fields := []string{c.ID, c.Name, c.Owner, c.Team, c.System, c.Environment, c.Description, c.JiraAssignee, c.Runbook, c.LastTicket}
			if c.Exemption != nil {
				fields = append(fields, c.Exemption.Reason, c.Exemption.ApprovedBy)
			}
			fields = append(fields, sourceFieldValues(c.Source)...)
			for _, field := range fields {
				for _, m := range leak.Scan([]byte(field)).Matches {
					if !m.Allowed {
						t.Fatalf("a credential read from %q holds %s %q: %q", data, m.Kind, m.Secret, field)
					}
				}
				for _, secret := range flagged {
					if strings.Contains(field, secret) {
						t.Fatalf("a credential read from %q holds the flagged %q: %q", data, secret, field)
					}
				}
			}
		}
		lines := yamlBreaks(data) + 2
		for _, fd := range findings {
			if fd.File != "x.yaml" || fd.Line < 1 || fd.Line > lines || fd.Column < 1 || fd.Rule == "" || fd.Message == "" {
				t.Fatalf("badly positioned finding %+v for %q", fd, data)
			}
			if fd.Severity != register.SeverityError && fd.Severity != register.SeverityWarning {
				t.Fatalf("bad severity %+v", fd)
			}
		}
	})
}

// yamlBreaks counts the line breaks of data as YAML does (and so the line
// numbers findings use): \n, \r\n, a lone \r, NEL, LS and PS.
func yamlBreaks(data string) int {
	n := 0
	for i, r := range data {
		switch r {
		case '\n':
			if i == 0 || data[i-1] != '\r' {
				n++
			}
		case '\r', '\u0085', '\u2028', '\u2029':
			n++
		}
	}
	return n
}

// sourceFieldValues are the values of a source's fields, but an access
// key id, which the register holds by design (TestAccessKeyIDIsAnIdentifier).
func sourceFieldValues(s *rotation.Source) []string {
	switch {
	case s == nil:
		return nil
	case s.AWSSecretsManager != nil:
		return []string{s.AWSSecretsManager.Secret, s.AWSSecretsManager.Region}
	case s.AWSIAMAccessKey != nil:
		return []string{s.AWSIAMAccessKey.User}
	case s.VaultKV != nil:
		return []string{s.VaultKV.Mount, s.VaultKV.Path}
	case s.TLS != nil:
		return []string{s.TLS.Endpoint, s.TLS.ServerName}
	case s.AzureKeyVault != nil:
		return []string{s.AzureKeyVault.Vault, s.AzureKeyVault.Secret}
	}
	return nil
}
