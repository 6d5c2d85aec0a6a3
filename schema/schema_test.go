package schema_test

import (
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/schema"
)

// The domain's limits and the schema state the same bounds; this keeps
// them in step.
func TestSchemaMatchesTheDomain(t *testing.T) {
	var doc struct {
		Defs struct {
			Credential struct {
				Properties map[string]struct {
					Pattern   string  `json:"pattern"`
					MaxLength int     `json:"maxLength"`
					Minimum   float64 `json:"minimum"`
					Maximum   float64 `json:"maximum"`
				} `json:"properties"`
			} `json:"credential"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Credential, &doc); err != nil {
		t.Fatal(err)
	}
	props := doc.Defs.Credential.Properties
	if p := props["period_days"]; p.Minimum != rotation.MinPeriodDays || p.Maximum != rotation.MaxPeriodDays {
		t.Errorf("period_days %v..%v, domain %d..%d", p.Minimum, p.Maximum, rotation.MinPeriodDays, rotation.MaxPeriodDays)
	}
	if p := props["id"]; p.MaxLength != rotation.MaxIDLength || p.Pattern != rotation.IDPattern {
		t.Errorf("id pattern %q max %d, domain %q max %d", p.Pattern, p.MaxLength, rotation.IDPattern, rotation.MaxIDLength)
	}
}

func TestSchemasAreJSON(t *testing.T) {
	for name, raw := range map[string][]byte{"credential": schema.Credential, "settings": schema.Settings} {
		var v map[string]any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		if v["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
			t.Errorf("%s: $schema = %v", name, v["$schema"])
		}
	}
}

// The schema's text patterns are the domain's, and the domain's rule
// (rotation.ControlRune) refuses exactly the runes the patterns refuse.
func TestTextPatternsAgreeWithTheRule(t *testing.T) {
	var doc struct {
		Defs map[string]struct {
			Pattern string `json:"pattern"`
		} `json:"$defs"`
	}
	for name, raw := range map[string][]byte{"credential": schema.Credential, "settings": schema.Settings} {
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatal(err)
		}
		if got := doc.Defs["line"].Pattern; got != rotation.LinePattern {
			t.Errorf("%s schema $defs/line pattern %q, domain %q", name, got, rotation.LinePattern)
		}
		if name == "credential" && doc.Defs["text"].Pattern != rotation.TextPattern {
			t.Errorf("credential schema $defs/text pattern %q, domain %q", doc.Defs["text"].Pattern, rotation.TextPattern)
		}
	}
	line, text := regexp.MustCompile(rotation.LinePattern), regexp.MustCompile(rotation.TextPattern)
	for r := rune(0); r <= 0x3000; r++ {
		s := "a" + string(r) + "b"
		_, _, lineRefused := rotation.ControlRune(s, false)
		_, _, textRefused := rotation.ControlRune(s, true)
		if line.MatchString(s) == lineRefused {
			t.Errorf("U+%04X: line pattern matches %v, rule refuses %v", r, line.MatchString(s), lineRefused)
		}
		if text.MatchString(s) == textRefused {
			t.Errorf("U+%04X: text pattern matches %v, rule refuses %v", r, text.MatchString(s), textRefused)
		}
	}
}

// The source: mapping names exactly the domain's store kinds, each a
// closed mapping, and at most one of them.
func TestSourceMatchesTheDomain(t *testing.T) {
	type object struct {
		MinProperties        int      `json:"minProperties"`
		MaxProperties        int      `json:"maxProperties"`
		AdditionalProperties *bool    `json:"additionalProperties"`
		Required             []string `json:"required"`
	}
	var doc struct {
		Defs struct {
			Source struct {
				object
				Properties map[string]object `json:"properties"`
			} `json:"source"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Credential, &doc); err != nil {
		t.Fatal(err)
	}
	src := doc.Defs.Source
	if src.MinProperties != 1 || src.MaxProperties != 1 || src.AdditionalProperties == nil || *src.AdditionalProperties {
		t.Errorf("source: minProperties %d, maxProperties %d, additionalProperties %v; want 1, 1, false",
			src.MinProperties, src.MaxProperties, src.AdditionalProperties)
	}
	if len(src.Properties) != len(rotation.SourceKinds) {
		t.Errorf("source has %d stores, the domain %d", len(src.Properties), len(rotation.SourceKinds))
	}
	for _, k := range rotation.SourceKinds {
		p, ok := src.Properties[string(k)]
		if !ok {
			t.Errorf("source has no %s", k)
			continue
		}
		if p.AdditionalProperties == nil || *p.AdditionalProperties || len(p.Required) == 0 {
			t.Errorf("source.%s: additionalProperties %v, required %v; want false and at least one", k, p.AdditionalProperties, p.Required)
		}
	}
}

// The source's patterns hold the forms its stores give their names.
func TestSourcePatterns(t *testing.T) {
	var doc struct {
		Defs struct {
			VaultPath struct {
				Pattern string `json:"pattern"`
			} `json:"vaultPath"`
			Source struct {
				Properties map[string]struct {
					Properties map[string]struct {
						Pattern string `json:"pattern"`
					} `json:"properties"`
				} `json:"properties"`
			} `json:"source"`
		} `json:"$defs"`
	}
	if err := json.Unmarshal(schema.Credential, &doc); err != nil {
		t.Fatal(err)
	}
	pattern := func(kind, field string) *regexp.Regexp {
		if kind == "vault_kv" {
			return regexp.MustCompile(doc.Defs.VaultPath.Pattern)
		}
		return regexp.MustCompile(doc.Defs.Source.Properties[kind].Properties[field].Pattern)
	}
	tests := []struct {
		kind, field string
		ok, bad     []string
	}{
		{"aws_secrets_manager", "secret",
			[]string{"arn:aws:secretsmanager:eu-west-1:123456789012:secret:payments/db-AbCdEf", "arn:aws-cn:secretsmanager:cn-north-1:123456789012:secret:x", "payments/db", "a+b=c.d@e_f-g"},
			[]string{"", "payments db", "arn:aws:ssm:eu-west-1:123456789012:parameter/x", "arn:aws:secretsmanager:eu-west-1:12345:secret:x", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:", "rds!db-1"}},
		{"aws_secrets_manager", "region", []string{"eu-west-1", "us-gov-west-1", "ap-southeast-2"}, []string{"EU-WEST-1", "eu-west", "Frankfurt", "eu-west-1a"}},
		{"aws_iam_access_key", "user", []string{"ci-deployer", "a+b=c,d.e@f_g", strings.Repeat("u", 64)}, []string{"", "ci/deployer", "ci deployer", strings.Repeat("u", 65)}},
		{"aws_iam_access_key", "access_key_id", []string{"AKIA" + "IOSFODNN7EXAMPLE", "ASIA" + "IOSFODNN7EXAMPLE"}, []string{"AKIA" + "IOSFODNN7EXAMPL", "akia" + "iosfodnn7example", "AKIA" + "IOSFODNN7EXAMPLE1"}},
		{"vault_kv", "path", []string{"secret", "payments/db-admin", "a/b c/.d", "secret/"}, []string{"", " a", "a ", "a/../b", "..", "a\tb", "a\nb"}},
		{"tls", "endpoint", []string{"api.example.com:443", "192.0.2.1:1", "[2001:db8::1]:65535", "localhost:8443"},
			[]string{"api.example.com", "api.example.com:0", "api.example.com:65536", "2001:db8::1:443", "https://api.example.com:443", "-a.example.com:443", "a_b.example.com:443"}},
		{"tls", "server_name", []string{"api.example.com", "localhost"}, []string{"api.example.com:443", "*.example.com", "a b"}},
		{"azure_key_vault", "vault", []string{"https://acme.vault.azure.net", "https://acme-prod.vault.azure.cn/"}, []string{"http://acme.vault.azure.net", "https://acme", "https://acme.vault.azure.net/secrets/x"}},
		{"azure_key_vault", "secret", []string{"db-admin", strings.Repeat("s", 127)}, []string{"", "db_admin", strings.Repeat("s", 128)}},
	}
	for _, tt := range tests {
		re := pattern(tt.kind, tt.field)
		for _, s := range tt.ok {
			if !re.MatchString(s) {
				t.Errorf("%s.%s: %q refused", tt.kind, tt.field, s)
			}
		}
		for _, s := range tt.bad {
			if re.MatchString(s) {
				t.Errorf("%s.%s: %q accepted", tt.kind, tt.field, s)
			}
		}
	}
}

// The verify settings' bounds and defaults are the domain's.
func TestVerifySettingsMatchTheDomain(t *testing.T) {
	type bound struct {
		Minimum float64 `json:"minimum"`
		Maximum float64 `json:"maximum"`
		Default any     `json:"default"`
	}
	var doc struct {
		Properties struct {
			Verify struct {
				Properties map[string]bound `json:"properties"`
			} `json:"verify"`
		} `json:"properties"`
	}
	if err := json.Unmarshal(schema.Settings, &doc); err != nil {
		t.Fatal(err)
	}
	p := doc.Properties.Verify.Properties
	def := rotation.DefaultSettings().Verify
	if b := p["tolerance_days"]; b.Minimum != 0 || b.Maximum != rotation.MaxVerifyToleranceDays || b.Default != float64(def.ToleranceDays) {
		t.Errorf("tolerance_days %+v, domain 0..%d default %d", b, rotation.MaxVerifyToleranceDays, def.ToleranceDays)
	}
	if b := p["concurrency"]; b.Minimum != 1 || b.Maximum != rotation.MaxVerifyConcurrency || b.Default != float64(def.Concurrency) {
		t.Errorf("concurrency %+v, domain 1..%d default %d", b, rotation.MaxVerifyConcurrency, def.Concurrency)
	}
	if b := p["require_for_record"]; b.Default != def.RequireForRecord {
		t.Errorf("require_for_record default %v, domain %v", b.Default, def.RequireForRecord)
	}
}
