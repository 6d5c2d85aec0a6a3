package validate

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/textsafe"
)

// FieldError is a credential field value that rotor validate would refuse.
type FieldError struct {
	Field   string
	Rule    string // RuleSchema, RuleOwnerEmail, RuleLeak, ...
	Message string // without a position: "owner \"bob\" is not an email address"
	Hint    string // what to write instead; may be empty
}

func (e *FieldError) Error() string { return e.Message }

// checkBase is a valid credential entry that CheckField puts the value
// under test into. Its period is the longest allowed, so that no notice
// window under test reaches it, and its last change is long past.
var checkBase = []register.Field{
	{Key: "id", Value: "field-check"},
	{Key: "name", Value: "Field check"},
	{Key: "owner", Value: "field.check@example.com"},
	{Key: "period_days", Value: "3650", Plain: true},
	{Key: "last_changed", Value: "2000-01-01", Plain: true},
}

// plainDecimal is how rotor writes a whole number: no sign, no leading
// zero, no 0x or 1_000 that YAML would also read as a number.
var plainDecimal = regexp.MustCompile(`^(0|[1-9][0-9]{0,8})$`)

// checkToday is far enough ahead that no date is in its future: CheckField
// knows neither the day nor the register's time zone, so the future-date
// rule is left to CheckFieldOn or to the check of the whole entry.
var checkToday = rotation.Date{Year: 9999, Month: 12, Day: 31}

// CheckField checks one value of a credential field the way rotor validate
// checks it in a file, and returns a *FieldError when it would be refused.
// The value is written into an otherwise valid entry exactly as rotor new
// writes it (register.AppendEntry) and the entry goes through the same
// path as any register file (ValidateFile: the compiled
// #/$defs/credential schema, the semantic rules such as the owner's email
// address and reserved ids, the leak guard), so a prompt that uses
// CheckField and rotor validate cannot disagree. What it cannot see: rules
// across fields (notice_days below period_days), across files (duplicate
// ids) and about the day (last_changed in the future: see CheckFieldOn).
//
// period_days and notice_days must be plain decimal ("90", not "090" or
// "+90"), the form rotor writes.
//
// A check costs one small parse and validation, well under a millisecond:
// cheap enough for every answer at a prompt.
func (v *Validator) CheckField(field, value string) error {
	return v.CheckFieldOn(field, value, checkToday, nil)
}

// CheckFieldOn is CheckField on the day today in the register's time zone
// tz (nil is UTC), so that a last_changed after today is refused too, with
// the message rotor validate gives.
func (v *Validator) CheckFieldOn(field, value string, today rotation.Date, tz *time.Location) error {
	switch {
	case field == "exemption":
		return &FieldError{Field: field, Rule: RuleSchema, Message: "exemption is a block of until, reason and approved_by, not a single value", Hint: fieldHints[field]}
	case !slices.Contains(credentialFields, field):
		hint := "the fields of a credential are: " + strings.Join(credentialFields, ", ")
		if s := textsafe.Suggest(field, credentialFields); s != "" {
			hint = fmt.Sprintf("did you mean %q?", s)
		}
		return &FieldError{Field: field, Rule: RuleUnknownField, Message: fmt.Sprintf("unknown field %q in a credential", field), Hint: hint}
	case isNumericField(field) && !plainDecimal.MatchString(value):
		return &FieldError{Field: field, Rule: RuleSchema, Message: fmt.Sprintf("%s: %q is not a whole number written in plain decimal", field, value), Hint: fieldHints[field]}
	}
	f := register.Field{Key: field, Value: value, Plain: isNumericField(field) || field == "last_changed" && rotation.ValidDateText(value)}
	fields := slices.Clone(checkBase)
	line := 0 // of the value under test: the entry starts on line 3
	if i := slices.IndexFunc(fields, func(b register.Field) bool { return b.Key == field }); i >= 0 {
		fields[i], line = f, 3+i
	} else {
		fields, line = append(fields, f), 3+len(fields)
	}
	data, err := register.AppendEntry(nil, fields, "credential.schema.json")
	if err != nil {
		return &FieldError{Field: field, Message: err.Error(), Hint: fieldHints[field]}
	}
	_, findings := v.ValidateFile("field-check.yaml", data, rotation.Settings{Timezone: tz}, today)
	var other *FieldError
	for _, fd := range findings {
		if fd.Severity != register.SeverityError {
			continue
		}
		fe := &FieldError{Field: field, Rule: fd.Rule, Message: fd.Message, Hint: fd.Hint}
		if fd.Line == line {
			return fe
		}
		if other == nil {
			other = fe
		}
	}
	// A finding elsewhere means the value broke the entry around it; it is
	// refused all the same.
	if other != nil {
		return other
	}
	return nil
}
