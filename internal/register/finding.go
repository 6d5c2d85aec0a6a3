// Package register reads rotor's credential register: it finds the register
// files, parses each into YAML nodes that remember their positions, turns them
// into plain values for schema validation, and edits files without
// disturbing their comments, order or formatting.
package register

import (
	"cmp"
	"fmt"
	"slices"
)

// Severity says whether a finding fails validation.
type Severity string

// Severities of findings.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	// SeverityNotice is for information a reviewer should see, such as a
	// leak-guard allowance that was honoured; it never fails validation.
	SeverityNotice Severity = "notice"
)

// Finding is one problem in the register, positioned in its source.
type Finding struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Severity Severity `json:"severity"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
}

// String formats f as path:line:col: message [rule].
func (f Finding) String() string {
	if f.Severity == SeverityWarning || f.Severity == SeverityNotice {
		return fmt.Sprintf("%s:%d:%d: %s: %s [%s]", f.File, f.Line, f.Column, f.Severity, f.Message, f.Rule)
	}
	return fmt.Sprintf("%s:%d:%d: %s [%s]", f.File, f.Line, f.Column, f.Message, f.Rule)
}

// SortFindings orders findings by file, line, column, rule, message,
// severity and hint, and
// drops exact duplicates, so output is deterministic.
func SortFindings(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.Severity, b.Severity),
			cmp.Compare(a.Hint, b.Hint),
		)
	})
	return slices.Compact(fs)
}

// CountErrors returns the number of error findings.
func CountErrors(fs []Finding) int { return count(fs, SeverityError) }

// CountWarnings returns the number of warning findings.
func CountWarnings(fs []Finding) int { return count(fs, SeverityWarning) }

func count(fs []Finding, sev Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == sev {
			n++
		}
	}
	return n
}
