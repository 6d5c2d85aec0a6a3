package schema_test

import (
	"encoding/json"
	"regexp"
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
