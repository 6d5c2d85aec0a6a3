package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleNoticePeriod reports a notice window as long as the period.
const RuleNoticePeriod = "notice-period"

// noticePeriodRule: a credential's notice_days is less than its
// period_days. With a notice window as long as the period, the ticket
// would open the day the credential is rotated. The register's default
// notice is never checked: decode shortens it to period_days-1.
type noticePeriodRule struct{}

func (noticePeriodRule) name() string { return RuleNoticePeriod }

func (noticePeriodRule) checkCredential(c *fileChecker, d decoded) {
	if d.notice == nil || d.period == nil || d.cred.NoticeDays < d.cred.PeriodDays {
		return
	}
	c.add(d.notice, register.SeverityError, RuleNoticePeriod,
		fmt.Sprintf("notice_days (%d) must be less than period_days (%d)", d.cred.NoticeDays, d.cred.PeriodDays),
		"with a notice window as long as the period, the ticket would open as soon as the credential is rotated; lower notice_days")
}
