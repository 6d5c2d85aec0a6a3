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

// Fake secrets, built from parts so that no scanner flags this file.
var (
	ghToken = "ghp_" + strings.Repeat("aB3x", 9)
	awsKey  = "AKIA" + "QYLPMN5HFIQR7XYZ"
)

// TestLeakGuardReadsEveryByte: comments anywhere, settings, the template
// and every other file under the register are scanned.
func TestLeakGuardReadsEveryByte(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		file  string
		line  int
	}{
		{"comment at the top, after a blank line", map[string]string{"a.yaml": "# old token: " + ghToken + "\n\n" + entry}, "a.yaml", 1},
		{"comment at the end, after a blank line", map[string]string{"a.yaml": entry + "\n# old token: " + ghToken + "\n"}, "a.yaml", 8},
		{"after a document end marker", map[string]string{"a.yaml": entry + "...\n" + ghToken + "\n"}, "a.yaml", 8},
		{"in a file that does not parse", map[string]string{"a.yaml": entry + "  - [unclosed " + ghToken + "\n"}, "a.yaml", 7},
		{"in rotor.yaml, top comment", map[string]string{"a.yaml": entry, "rotor.yaml": "# " + ghToken + "\n\nnotice_days: 14\n"}, "rotor.yaml", 1},
		{"in template.yaml", map[string]string{"a.yaml": entry, "template.yaml": "# example: " + awsKey + "\ncredentials: []\n"}, "template.yaml", 1},
		{"in a hidden .env", map[string]string{"a.yaml": entry, ".env": "GITHUB_TOKEN=" + ghToken + "\n"}, ".env", 1},
		{"in a note", map[string]string{"a.yaml": entry, "team/NOTES.md": "\n\nkey " + awsKey + "\n"}, "NOTES.md", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, tt.files))
			var leaks []string
			for _, f := range res.Findings {
				if f.Rule == validate.RuleLeak {
					leaks = append(leaks, f.String())
					if filepath.Base(f.File) != tt.file || f.Line != tt.line {
						t.Errorf("leak at %s:%d, want %s:%d", f.File, f.Line, tt.file, tt.line)
					}
				}
				if strings.Contains(f.Message+f.Hint, ghToken) || strings.Contains(f.Message+f.Hint, awsKey) {
					t.Errorf("a finding prints the secret: %s", f)
				}
			}
			if len(leaks) != 1 {
				t.Fatalf("want one leak finding, got:\n%s", dump(res.Findings))
			}
		})
	}
}

// TestLeakNeverPrinted: a value that trips the leak guard is redacted from
// every other finding about the same node or key.
func TestLeakNeverPrinted(t *testing.T) {
	tests := []struct {
		name, from, to string
		rule           string // the other finding that would print it
	}{
		{"owner", "owner: alice@example.com", "owner: " + ghToken, validate.RuleOwnerEmail},
		{"id", "id: db-admin", "id: " + awsKey, validate.RuleSchema},
		{"unknown key", "name: DB admin", "name: DB admin\n    " + awsKey + ": x", validate.RuleUnknownField},
		{"quoted with escapes", "owner: alice@example.com", `owner: "` + ghToken + `\"x"`, validate.RuleOwnerEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": strings.Replace(entry, tt.from, tt.to, 1)}))
			var sawLeak, sawOther bool
			for _, f := range res.Findings {
				sawLeak = sawLeak || f.Rule == validate.RuleLeak
				sawOther = sawOther || f.Rule == tt.rule
				for _, secret := range []string{ghToken, awsKey, ghToken[4:20], awsKey[4:]} {
					if strings.Contains(f.Message+f.Hint, secret) {
						t.Errorf("finding prints the secret: %s", f)
					}
				}
			}
			if !sawLeak || !sawOther {
				t.Fatalf("want a leak finding and a %s finding, got:\n%s", tt.rule, dump(res.Findings))
			}
		})
	}
}

func TestLeakAllowances(t *testing.T) {
	example := "    description: uses " + awsKey
	tests := []struct {
		name     string
		line     string
		severity string
		rule     string
		contains string
	}{
		{"honoured and listed", example + " # rotor:allow-leak AWS documentation example key", "notice", validate.RuleAllowLeak, "AWS documentation example key"},
		{"without a reason", example + " # rotor:allow-leak", "error", validate.RuleAllowLeak, "without a reason"},
		{"on a clean line", "    description: plain words # rotor:allow-leak nothing here", "warning", validate.RuleAllowLeak, "nothing against"},
		{"not on the line of the leak", "    # rotor:allow-leak wrong line\n" + example, "error", validate.RuleLeak, "looks like"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + tt.line + "\n"}))
			found := false
			for _, f := range res.Findings {
				if string(f.Severity) == tt.severity && f.Rule == tt.rule && strings.Contains(f.Message, tt.contains) {
					found = true
				}
				if strings.Contains(f.Message, awsKey) {
					t.Errorf("finding prints the secret: %s", f)
				}
			}
			if !found {
				t.Fatalf("want a %s [%s] finding containing %q, got:\n%s", tt.severity, tt.rule, tt.contains, dump(res.Findings))
			}
		})
	}
}

func TestAPrivateKeyBlockIsOneFinding(t *testing.T) {
	block := "    # -----BEGIN RSA " + "PRIVATE KEY-----\n" +
		"    # " + strings.Repeat("eHMsvKYEIlu7euAf", 4) + "\n" +
		"    # " + strings.Repeat("2DGmmPfKfjxhCjIZ", 4) + "\n" +
		"    # -----END RSA " + "PRIVATE KEY-----\n"
	res := run(t, writeRegister(t, map[string]string{"a.yaml": entry + block}))
	if len(res.Findings) != 1 || res.Findings[0].Rule != validate.RuleLeak || res.Findings[0].Line != 7 {
		t.Fatalf("want one leak finding at the block's header, line 7, got:\n%s", dump(res.Findings))
	}
}

// TestReportTargetPercent: report.target_percent is a whole percentage
// from 0 to 100, 95 when not set; a value out of range or not a plain
// whole number is a finding at its position, and the default stands in.
func TestReportTargetPercent(t *testing.T) {
	tests := []struct {
		name, value string
		want        int
		rule        string // the finding's rule; "" none
	}{
		{name: "not set", want: 95},
		{name: "set", value: "90", want: 90},
		{name: "zero", value: "0", want: 0},
		{name: "a hundred", value: "100", want: 100},
		{name: "above 100", value: "101", want: 95, rule: validate.RuleSchema},
		{name: "negative", value: "-5", want: 95, rule: validate.RuleNumber},
		{name: "a fraction", value: "99.5", want: 95, rule: validate.RuleNumber},
		{name: "a percent sign", value: "95%", want: 95, rule: validate.RuleNumber},
		{name: "text", value: `"ninety"`, want: 95, rule: validate.RuleSchema},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			settings := "report:\n  recipients:\n    - security@example.com\n"
			if tt.value != "" {
				settings += "  target_percent: " + tt.value + "\n"
			}
			res := run(t, writeRegister(t, map[string]string{"a.yaml": entry, "rotor.yaml": settings}))
			if got := res.Register.Settings.Report.TargetPercent; got != tt.want {
				t.Errorf("target %d, want %d", got, tt.want)
			}
			if tt.rule == "" {
				if len(res.Findings) != 0 {
					t.Fatalf("findings:\n%s", dump(res.Findings))
				}
				return
			}
			if len(res.Findings) != 1 {
				t.Fatalf("want one finding, got:\n%s", dump(res.Findings))
			}
			f := res.Findings[0]
			if f.Rule != tt.rule || f.Line != 4 || f.Column != len("  target_percent: ")+1 || !strings.Contains(f.Message, "target_percent") {
				t.Errorf("want a [%s] finding about target_percent at 4:%d, got %s", tt.rule, len("  target_percent: ")+1, f)
			}
		})
	}
}
