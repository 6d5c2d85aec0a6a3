package validate

import (
	"errors"
	"fmt"
	"strconv"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// RuleDate reports a date that is not a calendar date written YYYY-MM-DD,
// or one before rotation.MinDate.
const RuleDate = "date"

// dateRule: last_changed and exemption.until are calendar dates written
// YYYY-MM-DD, from 1970-01-01 on. The schema checks the form, and this
// rule words its refusal; no pattern can check the calendar (2026-02-30,
// 2025-02-29), which this rule does on what decode read. A date before
// 1970 is a placeholder that hides a credential never rotated.
type dateRule struct{}

func (dateRule) name() string { return RuleDate }

func (dateRule) explainSchema(c *fileChecker, l schemaLeaf) bool {
	if (l.field != "last_changed" && l.field != "until") || (l.keyword != "pattern" && l.keyword != "type") {
		return false
	}
	c.add(l.node, register.SeverityError, RuleDate,
		fmt.Sprintf("%s: %s is not a date in YYYY-MM-DD form", l.field, quoteNode(l.node)), fieldHints[l.field])
	return true
}

func (dateRule) checkCredential(c *fileChecker, d decoded) {
	if d.lastChangedErr != nil {
		dateProblem(c, "last_changed", d.lastChanged, d.lastChangedErr)
	}
	if d.untilErr != nil {
		dateProblem(c, "exemption.until", d.until, d.untilErr)
	}
}

// dateProblem reports why the text of field at n is not a date rotor
// reads; err is rotation.ParseDate's.
func dateProblem(c *fileChecker, field string, n *yaml.Node, err error) {
	if errors.Is(err, rotation.ErrBeforeMinDate) {
		c.add(n, register.SeverityError, RuleDate, fmt.Sprintf("%s: %s is %v", field, n.Value, rotation.ErrBeforeMinDate),
			"write the real date of the last rotation; a placeholder date hides a credential that was never rotated")
		return
	}
	c.add(n, register.SeverityError, RuleDate, fmt.Sprintf("%s: %s", field, calendarProblem(n.Value, err)),
		"use a real calendar date as YYYY-MM-DD")
}

// calendarProblem explains why s, which has the YYYY-MM-DD shape, is not a
// date: "2026-02-30 is not a calendar date: February 2026 has 28 days".
func calendarProblem(s string, err error) string {
	y, errY := strconv.Atoi(s[0:4])
	m, errM := strconv.Atoi(s[5:7])
	if errY != nil || errM != nil {
		return err.Error()
	}
	if m < 1 || m > 12 {
		return fmt.Sprintf("%s is not a calendar date: there is no month %02d", s, m)
	}
	month := time.Month(m)
	days := time.Date(y, month+1, 0, 0, 0, 0, 0, time.UTC).Day()
	return fmt.Sprintf("%s is not a calendar date: %s %d has %d days", s, month, y, days)
}
