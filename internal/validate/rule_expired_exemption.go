package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleExpiredExemption reports, as a warning, an exemption that has ended.
const RuleExpiredExemption = "expired-exemption"

// expiredExemptionRule warns of an exemption whose last day (until) is
// before today: the credential is tracked again, and the block left in the
// register misleads its reader. A warning, not an error: rotor already
// does the right thing.
type expiredExemptionRule struct{}

func (expiredExemptionRule) name() string { return RuleExpiredExemption }

func (expiredExemptionRule) checkCredential(c *fileChecker, d decoded) {
	ex := d.cred.Exemption
	if ex == nil || !ex.Until.Before(c.today) {
		return
	}
	c.add(d.until, register.SeverityWarning, RuleExpiredExemption,
		fmt.Sprintf("exemption ended on %s; the credential is tracked again", ex.Until),
		"remove the exemption block, or renew it with a new until date and approval")
}
