package mail

import (
	"fmt"
	netmail "net/mail"
)

// ParseAddress parses s, the sender or a recipient (role) of a message,
// as Send will: one address by net/mail, after refusing line breaks and
// other control characters that would let a value start a header of its
// own. rotor doctor checks the report's addresses with it before any
// message is sent. The error quotes s and says how to write it.
func ParseAddress(role, s string) (*netmail.Address, error) {
	if c, ok := control(s); ok {
		return nil, fmt.Errorf("the %s %q contains the control character %U", role, s, c)
	}
	a, err := netmail.ParseAddress(s)
	if err != nil {
		return nil, fmt.Errorf("the %s %q is not an e-mail address (%v); write addr@example.org or Name <addr@example.org>", role, s, err)
	}
	if c, ok := control(a.Name); ok {
		return nil, fmt.Errorf("the name of the %s %q contains the control character %U", role, s, c)
	}
	return a, nil
}
