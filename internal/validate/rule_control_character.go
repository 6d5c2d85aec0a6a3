package validate

import (
	"fmt"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// multilineFields are the text fields that may span lines.
var multilineFields = map[string]bool{"description": true, "reason": true}

// controlCharacterRule: text holds no control characters
// (rotation.ControlRune): no line break or tab in a single-line field such
// as name or team, none of the others anywhere (description and reason may
// span lines). Hidden and bidirectional characters make a value read
// differently from what it is, in a review and in a ticket. The schema's
// patterns refuse them; this rule names the character and where it is,
// under RuleSchema.
type controlCharacterRule struct{}

func (controlCharacterRule) name() string { return "control-character" }

func (controlCharacterRule) explainSchema(c *fileChecker, l schemaLeaf) bool {
	if l.keyword != "pattern" || l.node.Kind != yaml.ScalarNode {
		return false
	}
	multiline := multilineFields[l.field]
	r, at, found := rotation.ControlRune(l.node.Value, multiline)
	if !found {
		return false
	}
	what := "single-line text cannot hold line breaks, tabs or other control characters"
	if multiline {
		what = "text may hold line breaks and tabs, but no other control characters"
	}
	c.add(l.node, register.SeverityError, RuleSchema,
		fmt.Sprintf("%s: the value has the character U+%04X at byte %d; %s", l.field, r, at, what),
		"remove it; hidden and bidirectional characters make a value read differently from what it is")
	return true
}
