package schema_test

import (
	"encoding/json"
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
