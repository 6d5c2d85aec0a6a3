package validate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// fieldCases are values of single fields, each with whether rotor validate
// refuses it in a file.
var fieldCases = []struct {
	name    string
	field   string
	value   string
	refused bool
	hint    string // part of the hint, when refused
	// inputOnly: refused by CheckField only, for a form YAML would still
	// read (a signed or zero-padded number) or no file can hold.
	inputOnly bool
}{
	{name: "id", field: "id", value: "payments-db-admin"},
	{name: "id with capitals", field: "id", value: "Payments-DB", refused: true, hint: "lower-case letters"},
	{name: "id with a double dash", field: "id", value: "a--b", refused: true, hint: "single dashes"},
	{name: "id too long", field: "id", value: strings.Repeat("a", 65), refused: true, hint: "at most 64"},
	{name: "id of 64 characters", field: "id", value: strings.Repeat("a", 64)},
	{name: "reserved id", field: "id", value: "overdue", refused: true, hint: "choose another id"},
	{name: "reserved id orphaned", field: "id", value: "orphaned", refused: true},
	{name: "empty id", field: "id", value: "", refused: true},
	{name: "name", field: "name", value: "Vault unseal key"},
	{name: "empty name", field: "name", value: "", refused: true},
	{name: "name too long", field: "name", value: strings.Repeat("x", 201), refused: true},
	{name: "name holding a token", field: "name", value: "key ghp_" + strings.Repeat("a1B2", 9), refused: true, hint: "never hold secret material"},
	{name: "name with a random string", field: "name", value: "key Zx8Qp2Lm9Rt4Vb7Nc1Wd6Ks3", refused: true},
	{name: "name of two lines", field: "name", value: "Vault\nkey", refused: true, hint: "remove it"},
	{name: "name with a bidirectional override", field: "name", value: "Vault \u202ekey", refused: true},
	{name: "team with a control character", field: "team", value: "ops\x01", refused: true},
	{name: "owner", field: "owner", value: "ops@example.com"},
	{name: "owner not an email", field: "owner", value: "not-an-email", refused: true, hint: "email address"},
	{name: "owner with a display name", field: "owner", value: "Bob <bob@example.com>", refused: true},
	{name: "owner without a dot in the domain", field: "owner", value: "bob@localhost", refused: true},
	{name: "owner too short", field: "owner", value: "a@", refused: true},
	{name: "period", field: "period_days", value: "90"},
	{name: "period of one day", field: "period_days", value: "1"},
	{name: "longest period", field: "period_days", value: "3650"},
	{name: "period zero", field: "period_days", value: "0", refused: true, hint: "from 1 to 3650"},
	{name: "period too long", field: "period_days", value: "3651", refused: true},
	{name: "period not a number", field: "period_days", value: "ninety", refused: true},
	{name: "period with a fraction", field: "period_days", value: "1.5", refused: true},
	{name: "period negative", field: "period_days", value: "-5", refused: true},
	{name: "period zero-padded", field: "period_days", value: "090", refused: true, inputOnly: true},
	{name: "period with a sign", field: "period_days", value: "+90", refused: true, inputOnly: true},
	{name: "period empty", field: "period_days", value: "", refused: true, inputOnly: true},
	{name: "notice zero", field: "notice_days", value: "0"},
	{name: "notice too long", field: "notice_days", value: "366", refused: true},
	{name: "last change", field: "last_changed", value: "2026-01-31"},
	{name: "last change not in the calendar", field: "last_changed", value: "2026-02-30", refused: true},
	{name: "last change not a date", field: "last_changed", value: "yesterday", refused: true},
	{name: "team", field: "team", value: "payments"},
	{name: "empty team", field: "team", value: "", refused: true},
	{name: "runbook", field: "runbook", value: "https://wiki.example.com/runbooks/x"},
	{name: "runbook not http", field: "runbook", value: "ftp://wiki.example.com/x", refused: true},
	{name: "criticality", field: "criticality", value: "high"},
	{name: "unknown criticality", field: "criticality", value: "urgent", refused: true, hint: "low, medium, high, critical"},
	{name: "jira assignee", field: "jira_assignee", value: "5b10ac8d82e05b22cc7d4ef5"},
	{name: "jira assignee with a space", field: "jira_assignee", value: "bob smith", refused: true},
	{name: "misspelt field", field: "perod_days", value: "90", refused: true, hint: `did you mean "period_days"?`, inputOnly: true},
	{name: "exemption", field: "exemption", value: "2026-12-31", refused: true, inputOnly: true},
}

func TestCheckField(t *testing.T) {
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range fieldCases {
		t.Run(tc.name, func(t *testing.T) {
			err := v.CheckField(tc.field, tc.value)
			if (err != nil) != tc.refused {
				t.Fatalf("CheckField(%q, %q) = %v, want refused %v", tc.field, tc.value, err, tc.refused)
			}
			if err == nil {
				return
			}
			var fe *validate.FieldError
			if !errors.As(err, &fe) || fe.Field != tc.field || fe.Message == "" {
				t.Fatalf("error %#v is not a *FieldError about %q", err, tc.field)
			}
			if !strings.Contains(fe.Hint, tc.hint) {
				t.Errorf("hint %q lacks %q", fe.Hint, tc.hint)
			}
		})
	}
}

// TestCheckFieldOn: on a given day in a given time zone, a last_changed
// after that day is refused with rotor validate's future-date message; the
// day itself and any day before it are not.
func TestCheckFieldOn(t *testing.T) {
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	today := rotation.Date{Year: 2026, Month: 11, Day: 27}
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip(err)
	}
	tests := []struct {
		value string
		tz    *time.Location
		want  string // part of the message; "" when accepted
	}{
		{value: "2026-11-27"},
		{value: "2026-09-01"},
		{value: "2026-11-28", want: "last_changed 2026-11-28 is in the future (today is 2026-11-27, UTC)"},
		{value: "2026-11-28", tz: berlin, want: "(today is 2026-11-27, Europe/Berlin)"},
		{value: "2026-02-30", want: "February 2026 has 28 days"},
		{value: "1969-12-31", want: "before 1970-01-01"},
	}
	for _, tc := range tests {
		t.Run(tc.value, func(t *testing.T) {
			err := v.CheckFieldOn("last_changed", tc.value, today, tc.tz)
			var fe *validate.FieldError
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.want == "":
			case !errors.As(err, &fe) || !strings.Contains(fe.Message, tc.want):
				t.Fatalf("got %v, want a *FieldError saying %q", err, tc.want)
			}
		})
	}
	if err := v.CheckField("last_changed", "2999-01-01"); err != nil {
		t.Errorf("CheckField knows no day, yet refused a future date: %v", err)
	}
}

// TestCheckFieldAgreesWithValidate holds CheckField to its oracle: every
// value goes into a register file, written independently of rotor's
// writer, and rotor validate's verdict on that line must be CheckField's.
func TestCheckFieldAgreesWithValidate(t *testing.T) {
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range fieldCases {
		if tc.inputOnly {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			file, line := fieldFile(tc.field, tc.value)
			root := t.TempDir()
			if err := os.WriteFile(filepath.Join(root, "check.yaml"), []byte(file), 0o644); err != nil {
				t.Fatal(err)
			}
			res, err := v.Validate(context.Background(), validate.Options{Root: root, Today: rotation.MustParseDate("2026-11-27")})
			if err != nil {
				t.Fatal(err)
			}
			var onLine []string
			for _, f := range res.Findings {
				if f.Line == line {
					onLine = append(onLine, f.String())
				}
			}
			if n := res.Errors(); n != len(onLine) {
				t.Fatalf("the test file has errors on other lines than %d:\n%s\n%v", line, file, res.Findings)
			}
			fieldErr := v.CheckField(tc.field, tc.value)
			if validated := len(onLine) > 0; validated != (fieldErr != nil) || validated != tc.refused {
				t.Fatalf("rotor validate refuses: %v %v; CheckField: %v; want refused %v\n%s", validated, onLine, fieldErr, tc.refused, file)
			}
		})
	}
}

// fieldFile returns a register file of one valid credential with field set
// to value, and the line of that value. Numbers are written plain, text
// double-quoted.
func fieldFile(field, value string) (string, int) {
	lines := []string{
		"id: fixture-key", "name: Fixture key", "owner: fixture@example.com",
		"period_days: 3650", "last_changed: 2020-01-01",
	}
	text := strconv.Quote(value)
	if field == "period_days" || field == "notice_days" {
		text = value
	}
	at := slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, field+":") })
	if at < 0 {
		lines, at = append(lines, ""), len(lines)
	}
	lines[at] = field + ": " + text
	var b strings.Builder
	b.WriteString("credentials:\n")
	for i, l := range lines {
		prefix := "    "
		if i == 0 {
			prefix = "  - "
		}
		fmt.Fprintf(&b, "%s%s\n", prefix, l)
	}
	return b.String(), 2 + at
}

func BenchmarkCheckField(b *testing.B) {
	v, err := validate.New()
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		_ = v.CheckField("owner", "ops@example.com")
	}
}

// FuzzCheckField holds CheckField to rotor validate for any text value of
// the string fields: whatever rotor new would write after CheckField
// accepts the value, rotor validate accepts too, and what CheckField
// refuses, rotor validate refuses in that file. The file is written the
// way rotor new writes it (register.AppendEntry), since some rules read the
// raw text: the leak scanner can judge "x" and x differently.
func FuzzCheckField(f *testing.F) {
	v, err := validate.New()
	if err != nil {
		f.Fatal(err)
	}
	fields := []string{"id", "name", "owner", "team", "system", "environment", "runbook", "criticality", "jira_assignee", "last_changed"}
	for _, tc := range fieldCases {
		if i := slices.Index(fields, tc.field); i >= 0 {
			f.Add(uint8(i), tc.value)
		}
	}
	f.Add(uint8(1), "000002897AB1CXYZab") // flagged as a leak quoted, not plain
	f.Fuzz(func(t *testing.T, i uint8, value string) {
		field := fields[int(i)%len(fields)]
		entry := []register.Field{
			{Key: "id", Value: "fuzz-key"}, {Key: "name", Value: "Fuzz key"}, {Key: "owner", Value: "fuzz@example.com"},
			{Key: "period_days", Value: "30", Plain: true}, {Key: "last_changed", Value: "2021-06-01", Plain: true},
		}
		at := slices.IndexFunc(entry, func(f register.Field) bool { return f.Key == field })
		if at < 0 {
			entry, at = append(entry, register.Field{}), len(entry)
		}
		entry[at] = register.Field{Key: field, Value: value, Plain: field == "last_changed" && rotation.ValidDateText(value)}
		data, err := register.AppendEntry(nil, entry, "credential.schema.json")
		if err != nil {
			if v.CheckField(field, value) == nil {
				t.Fatalf("CheckField(%q, %q) accepts a value rotor new cannot write: %v", field, value, err)
			}
			return
		}
		root := t.TempDir()
		if err := os.WriteFile(filepath.Join(root, "fuzz.yaml"), data, 0o644); err != nil {
			t.Fatal(err)
		}
		res, err := v.Validate(context.Background(), validate.Options{Root: root, Today: rotation.MustParseDate("9999-12-31")})
		if err != nil {
			t.Fatal(err)
		}
		line := 3 + at // after the schema line and "credentials:"
		refused := false
		for _, fd := range res.Findings {
			refused = refused || fd.Line == line && fd.Severity == register.SeverityError
		}
		if got := v.CheckField(field, value); (got != nil) != refused {
			t.Fatalf("CheckField(%q, %q) = %v, rotor validate refuses: %v\n%s%v", field, value, got, refused, data, res.Findings)
		}
	})
}
