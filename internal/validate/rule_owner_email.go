package validate

import (
	"fmt"
	"net/mail"
	"strings"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleOwnerEmail reports an owner that is not an email address.
const RuleOwnerEmail = "owner-email"

// ownerEmailRule: the owner is a bare email address (isEmailAddress), the
// one rotor writes to and assigns tickets by. A name or "Name <address>"
// reads well to a person and reaches no one.
type ownerEmailRule struct{}

func (ownerEmailRule) name() string { return RuleOwnerEmail }

func (ownerEmailRule) checkCredential(c *fileChecker, d decoded) {
	if d.owner != nil && !isEmailAddress(d.cred.Owner) {
		c.add(d.owner, register.SeverityError, RuleOwnerEmail, fmt.Sprintf("owner %q is not an email address", d.cred.Owner), fieldHints["owner"])
	}
}

// isEmailAddress reports whether s is a bare address, without a display
// name, whose domain has a dot.
func isEmailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}
