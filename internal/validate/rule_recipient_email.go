package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
)

// recipientEmailRule: each recipient of the weekly report (rotor.yaml's
// report.recipients) is a bare email address (isEmailAddress), as an
// owner is. Reported under RuleSettings; the report goes to the others.
type recipientEmailRule struct{}

func (recipientEmailRule) name() string { return "recipient-email" }

func (recipientEmailRule) checkSettings(c *fileChecker, s decodedSettings) {
	for _, n := range s.recipients {
		if !isEmailAddress(n.Value) {
			c.add(n, register.SeverityError, RuleSettings, fmt.Sprintf("report recipient %q is not an email address", n.Value), "")
		}
	}
}
