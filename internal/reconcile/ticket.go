package reconcile

import (
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// ManagedLine closes every description rotor writes.
const ManagedLine = "Managed by rotor: edit the register, not this ticket; move it to Done when the credential is rotated."

// Summary is the summary of the ticket of c: "Rotate <name> (<id>)",
// on one line and within Jira's 255 characters.
func Summary(c *rotation.Credential) string {
	name := c.Name
	if !tidy(name) {
		name = strings.Join(strings.Fields(name), " ")
	}
	if name == "" {
		return "Rotate " + c.ID
	}
	suffix := " (" + c.ID + ")"
	const max = 255
	if room := max - len("Rotate ") - len(suffix); len(name) > room {
		name = truncate(name, room-len("…")) + "…"
	}
	return "Rotate " + name + suffix
}

// tidy reports whether s is a single line without leading, trailing or
// repeated spaces, as strings.Fields would leave it.
func tidy(s string) bool {
	prevSpace := true
	for i := 0; i < len(s); i++ {
		switch b := s[i]; {
		case b == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		case b < ' ' || b == 0x7f || b >= 0x80:
			return false // control characters, and non-ASCII spaces: take the slow path
		default:
			prevSpace = false
		}
	}
	return !prevSpace || s == ""
}

// dateText is d.String() without fmt: a first sync of a large register
// writes thousands of dates.
func dateText(d rotation.Date) string {
	if d.IsZero() || d.Year < 0 || d.Year > 9999 {
		return d.String()
	}
	b := [10]byte{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'}
	put := func(at, n, width int) {
		for i := at + width - 1; i >= at; i-- {
			b[i] = byte('0' + n%10)
			n /= 10
		}
	}
	put(0, d.Year, 4)
	put(5, int(d.Month), 2)
	put(8, d.Day, 2)
	return string(b[:])
}

// truncate cuts s to at most n bytes without splitting a character.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0) // an id too long to leave room for any name

	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n]
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// Description is the body of the ticket of c, one line per known field,
// closed by ManagedLine.
func Description(c *rotation.Credential) []rotation.Line {
	due := c.NextDue()
	lines := make([]rotation.Line, 0, 13)
	add := func(label, value string) {
		if value != "" {
			lines = append(lines, rotation.Line{Label: label, Value: value})
		}
	}
	add("Credential", c.ID)
	add("Name", c.Name)
	add("Owner", c.Owner)
	add("Team", c.Team)
	add("System", c.System)
	add("Environment", c.Environment)
	add("Criticality", string(c.Criticality))
	add("Description", c.Description)
	add("Last changed", dateText(c.LastChanged))
	if c.PeriodDays > 0 {
		add("Rotation period", days(c.PeriodDays))
	}
	add("Due date", dateText(due))
	if c.Runbook != "" {
		lines = append(lines, rotation.Line{Label: "Runbook", Value: c.Runbook, Link: c.Runbook})
	}
	lines = append(lines, rotation.Line{Value: ManagedLine})
	return lines
}

// customValues are the custom-field values of c's ticket.
func customValues(c *rotation.Credential, due rotation.Date) rotation.CustomValues {
	return rotation.CustomValues{CredentialName: c.Name, NextDueDate: due, ContactPerson: c.Owner}
}
