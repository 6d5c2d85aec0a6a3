package validate_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/validate"
)

// TestNumbersHaveOneReading: period_days and notice_days are plain decimal
// integers. Every other YAML spelling of a number is refused at its
// position, instead of being checked by the schema as one number and used
// by the rules as another (or as 0).
func TestNumbersHaveOneReading(t *testing.T) {
	for _, field := range []string{"period_days", "notice_days"} {
		for _, text := range []string{"90.0", "9e1", "0x5A", "0o132", "1_0", "07000", "0132", "+90", "-5", "00", "0b101", "1.", ".5", "0x10"} {
			t.Run(field+"="+text, func(t *testing.T) {
				file := entry
				if field == "period_days" {
					file = strings.Replace(file, "period_days: 90", "period_days: "+text, 1)
				} else {
					file += "    notice_days: " + text + "\n"
				}
				res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
				line := map[string]int{"period_days": 5, "notice_days": 7}[field]
				col := len("    "+field+": ") + 1
				var got []string
				for _, f := range res.Findings {
					got = append(got, f.String())
				}
				if len(res.Findings) != 1 {
					t.Fatalf("want one finding, got:\n%s", strings.Join(got, "\n"))
				}
				f := res.Findings[0]
				if f.Rule != validate.RuleNumber || f.Line != line || f.Column != col ||
					!strings.Contains(f.Message, field) || !strings.Contains(f.Message, "plain decimal") {
					t.Fatalf("want a [number] finding at %d:%d about %s, got %s", line, col, field, f)
				}
			})
		}
	}
	t.Run("plain decimals are read as written", func(t *testing.T) {
		file := strings.Replace(entry, "period_days: 90", "period_days: 3650", 1) + "    notice_days: 0\n"
		res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
		if len(res.Findings) != 0 {
			t.Fatalf("findings:\n%s", dump(res.Findings))
		}
		c := res.Register.ByID("db-admin")
		if c.PeriodDays != 3650 || c.NoticeDays != 0 {
			t.Fatalf("period %d notice %d, want 3650 and 0", c.PeriodDays, c.NoticeDays)
		}
	})
	t.Run("settings notice_days", func(t *testing.T) {
		res := run(t, writeRegister(t, map[string]string{"a.yaml": entry, "rotor.yaml": "notice_days: 0x10\n"}))
		if len(res.Findings) != 1 || res.Findings[0].Rule != validate.RuleNumber || res.Findings[0].Line != 1 {
			t.Fatalf("want one [number] finding in rotor.yaml, got:\n%s", dump(res.Findings))
		}
	})
}

func TestTimezoneMustBeAnIANAName(t *testing.T) {
	for _, tz := range []string{"Local", "", "local", "../etc/passwd", "Mars/Olympus"} {
		t.Run(tz, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry, "rotor.yaml": "timezone: \"" + tz + "\"\n"}))
			if res.Errors() != 1 || !strings.Contains(res.Findings[0].Message, "timezone") {
				t.Fatalf("want one timezone finding, got:\n%s", dump(res.Findings))
			}
		})
	}
}

func TestDatesBefore1970AreRefused(t *testing.T) {
	for _, d := range []string{"0000-01-01", "1969-12-31", "0001-01-01"} {
		t.Run(d, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", d, 1)}))
			if res.Errors() != 1 || res.Findings[0].Rule != validate.RuleDate || !strings.Contains(res.Findings[0].Message, "1970-01-01") {
				t.Fatalf("want one date finding naming 1970-01-01, got:\n%s", dump(res.Findings))
			}
		})
	}
	res := run(t, writeRegister(t, map[string]string{"a.yaml": strings.Replace(entry, "2026-09-01", "1970-01-01", 1)}))
	if len(res.Findings) != 0 {
		t.Fatalf("1970-01-01 refused:\n%s", dump(res.Findings))
	}
}

// TestSpecialFilesAreNotOpened: a FIFO where rotor.yaml or a register file
// should be (or a link to one) is refused at once, not waited on.
func TestSpecialFilesAreNotOpened(t *testing.T) {
	for _, name := range []string{"rotor.yaml", "team.yaml", "link-to-fifo"} {
		t.Run(name, func(t *testing.T) {
			root := writeRegister(t, map[string]string{"a.yaml": entry})
			fifo := filepath.Join(root, name)
			if name == "link-to-fifo" {
				fifo = filepath.Join(t.TempDir(), "fifo")
				if err := os.Symlink(fifo, filepath.Join(root, "rotor.yaml")); err != nil {
					t.Fatal(err)
				}
			}
			if err := syscall.Mkfifo(fifo, 0o644); err != nil {
				t.Skipf("mkfifo: %v", err)
			}
			v, err := validate.New()
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			done := make(chan error, 1)
			var res *validate.Result
			go func() {
				var err error
				res, err = v.Validate(ctx, validate.Options{Root: root, Today: today})
				done <- err
			}()
			select {
			case err := <-done:
				if name == "team.yaml" {
					// Discovery skips special files in the register.
					if err != nil || res.Errors() != 0 {
						t.Fatalf("err %v, findings:\n%s", err, dump(res.Findings))
					}
					return
				}
				if err == nil || !strings.Contains(err.Error(), "not a regular file") {
					t.Fatalf("err = %v, want one that says the settings are not a regular file", err)
				}
			case <-time.After(3 * time.Second):
				t.Fatal("validate hangs on a FIFO")
			}
		})
	}
}

func TestTextFieldsRefuseControlCharacters(t *testing.T) {
	tests := []struct {
		name, field, yaml string
		wantRune          string
	}{
		{"newline forging an annotation", "name", `"DB admin\n::error file=README.md,line=1::forged"`, "U+000A"},
		{"escape sequence", "name", `"DB \e[2J admin"`, "U+001B"},
		{"carriage return", "team", `"pay\rments"`, "U+000D"},
		{"tab in a single line", "system", `"a\tb"`, "U+0009"},
		{"bidi override", "environment", "\"prod\u202euction\"", "U+202E"},
		{"C1 control", "name", `"a\u009bb"`, "U+009B"},
		{"escape in a description", "description", `"a\e]8;;https://evil.example\e\\x"`, "U+001B"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := entry + "    " + tt.field + ": " + tt.yaml + "\n"
			if tt.field == "name" {
				file = strings.Replace(entry, "name: DB admin", "name: "+tt.yaml, 1)
			}
			res := run(t, writeRegister(t, map[string]string{"a.yaml": file}))
			if res.Errors() != 1 {
				t.Fatalf("want one error, got:\n%s", dump(res.Findings))
			}
			f := res.Findings[0]
			if !strings.Contains(f.Message, tt.field) || !strings.Contains(f.Message, tt.wantRune) || strings.ContainsAny(f.Message, "\n\r\x1b") {
				t.Fatalf("want a message naming %s and %s without raw control characters, got %q", tt.field, tt.wantRune, f.Message)
			}
		})
	}
	t.Run("line breaks and tabs in a description are fine", func(t *testing.T) {
		res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + "    description: |\n      step one\n      \tthen two\n"}))
		if len(res.Findings) != 0 {
			t.Fatalf("findings:\n%s", dump(res.Findings))
		}
	})
}
