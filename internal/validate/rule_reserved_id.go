package validate

import (
	"fmt"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// reservedIDRule refuses an id whose label is one rotor uses to mark its
// own tickets (rotation.ReservedID: rotor-overdue, rotor-orphaned): sync
// would take the credential's ticket for one of its markers. The schema
// cannot say so, as an id pattern cannot exclude a list of words; it is
// reported under RuleSchema, like any id of the wrong form. Decode finds
// it (decoded.reserved) and does not track the credential.
type reservedIDRule struct{}

func (reservedIDRule) name() string { return "reserved-id" }

func (reservedIDRule) checkCredential(c *fileChecker, d decoded) {
	if !d.reserved {
		return
	}
	c.add(d.id, register.SeverityError, RuleSchema,
		fmt.Sprintf("id %q is reserved: its label %s is the one rotor uses to mark tickets", d.cred.ID, rotation.IdentityLabel(d.cred.ID)),
		"choose another id, for example one that names the system too")
}
