package reconcile

import (
	"strings"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
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
		name = textsafe.TruncateBytes(name, room-len("…")) + "…"
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
	add("Last changed", c.LastChanged.String())
	if c.PeriodDays > 0 {
		add("Rotation period", textsafe.Days(c.PeriodDays))
	}
	add("Due date", due.String())
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
