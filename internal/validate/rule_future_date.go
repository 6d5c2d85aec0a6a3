package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleFutureDate reports a last rotation after today.
const RuleFutureDate = "future-date"

// futureDateRule: last_changed is not after today, in the register's time
// zone. A rotation dated in the future would push the next due date out
// and keep an overdue credential quiet.
type futureDateRule struct{}

func (futureDateRule) name() string { return RuleFutureDate }

func (futureDateRule) checkCredential(c *fileChecker, d decoded) {
	if d.lastChanged == nil || d.lastChangedErr != nil || !d.cred.LastChanged.After(c.today) {
		return
	}
	c.add(d.lastChanged, register.SeverityError, RuleFutureDate,
		fmt.Sprintf("last_changed %s is in the future (today is %s, %s)", d.cred.LastChanged, c.today, c.settings.Timezone),
		"set it to the day the credential was actually rotated")
}
