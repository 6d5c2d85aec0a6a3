package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
)

// timezoneRule: rotor.yaml's timezone is an IANA time zone name
// (loadIANAZone), since today, and so every due date, is the date there.
// "Local" is refused: today would then depend on the machine rotor runs
// on, not on the reviewed settings. Reported under RuleSettings; the
// default zone stands in.
type timezoneRule struct{}

func (timezoneRule) name() string { return "timezone" }

func (timezoneRule) checkSettings(c *fileChecker, s decodedSettings) {
	if s.timezone == nil || s.zoneErr == nil {
		return
	}
	c.add(s.timezone, register.SeverityError, RuleSettings, fmt.Sprintf("timezone %q is not a known IANA time zone", s.timezone.Value),
		"use a name such as UTC, Europe/Berlin or America/New_York")
}
