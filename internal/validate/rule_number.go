package validate

import (
	"fmt"
	"strings"

	"github.com/rotor-dev/rotor/internal/register"
)

// RuleNumber reports a whole number not written in plain decimal.
const RuleNumber = "number"

// numericFields are the whole-number fields of the register and settings,
// each with a value in its range to show.
var numericFields = map[string]string{"period_days": "90", "notice_days": "90", "tolerance_days": "1", "concurrency": "16", "target_percent": "95"}

// numberRule: period_days and notice_days (of a credential and of
// rotor.yaml) and rotor.yaml's verify.tolerance_days and
// verify.concurrency and report.target_percent are written in plain
// decimal. YAML reads 090 as octal, 0x5A
// as hexadecimal and 1_0 as ten; register.Parse keeps numbers in any other
// spelling as text, so that the schema and the rules read one number, and
// the schema refuses the text with a type error. This rule says what is
// wrong with the spelling instead.
type numberRule struct{}

func (numberRule) name() string { return RuleNumber }

func (numberRule) explainSchema(c *fileChecker, l schemaLeaf) bool {
	example, ok := numericFields[l.field]
	if l.keyword != "type" || !ok || !register.LooksNumeric(l.node) {
		return false
	}
	c.add(l.node, register.SeverityError, RuleNumber,
		fmt.Sprintf("%s: %s is not a plain decimal whole number (%s)", l.field, l.node.Value, numberProblem(l.node.Value)),
		fmt.Sprintf("write it as digits only, without sign, point, exponent, prefix, underscore or leading zero, e.g. %s: %s", l.field, example))
	return true
}

// numberProblem says what keeps s from being a plain decimal whole number.
func numberProblem(s string) string {
	lower := strings.ToLower(s)
	switch {
	case strings.HasPrefix(lower, "0x"), strings.HasPrefix(lower, "+0x"), strings.HasPrefix(lower, "-0x"):
		return "it is hexadecimal"
	case strings.HasPrefix(lower, "0o"), strings.HasPrefix(lower, "0b"):
		return "it has a base prefix"
	case s[0] == '+' || s[0] == '-':
		return "it has a sign"
	case strings.Contains(s, "_"):
		return "it has an underscore"
	case strings.ContainsAny(lower, ".e"):
		return "it is a decimal fraction or has an exponent"
	case len(s) > 1 && s[0] == '0':
		return "a leading zero makes YAML read it as octal"
	}
	return "it is not made of digits"
}

// isNumericField reports whether field is a whole-number field.
func isNumericField(field string) bool {
	_, ok := numericFields[field]
	return ok
}
