package validate_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

// Fake secrets, built from parts so that no scanner flags this file.
var (
	winter   = "Winter" + "'2024Pa55x" // written 'pwd=Winter''2024Pa55x'
	summer   = "Summer" + `"2024Pa55y` // written "pwd=Summer\"2024Pa55y"
	splitTok = "ghp_Rk2mVw8TnQ4xLp7Zc1" + "Hd9sJf3Gy6Bu0Ea5Nq"
	longPw   = "Xk9!mQ2#" + "vL8n"
)

// forms are the ways a secret can read in a message: as it is, and as %q
// and %+q print it.
func forms(secret string) []string {
	return []string{secret, strconv.Quote(secret), strconv.QuoteToASCII(secret),
		strconv.Quote(secret)[1 : len(strconv.Quote(secret))-1]}
}

func validateFile(t *testing.T, data string) ([]*rotation.Credential, []register.Finding) {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	return v.ValidateFile("a.yaml", []byte(data), rotation.DefaultSettings(), today)
}

// TestLeakRedactedAtTheSource: a value the leak guard flags comes back from
// the validator with the flagged span replaced, however YAML quoted, escaped
// or folded it; the rest of the value reads as it was.
func TestLeakRedactedAtTheSource(t *testing.T) {
	tests := []struct {
		name  string
		lines string // added to entry
		want  string // the description read back
		leak  int    // the line of the leak finding, 0 for none
	}{
		{"doubled single quote", "    description: 'pwd=Winter''2024Pa55x'\n", "pwd=[redacted]", 7},
		{"escaped double quote", "    description: \"pwd=Summer\\\"2024Pa55y\"\n", "pwd=[redacted]", 7},
		{"a one-character URL password", "    description: DSN postgres://app:p@db.internal/app\n", "DSN postgres://app:[redacted]@db.internal/app", 7},
		{"@ and / in a URL password", "    description: DSN postgres://app:p@ss/w0rd@db.internal/app\n", "DSN postgres://app:[redacted]@db.internal/app", 7},
		{"a token split by a line continuation", "    description: \"CI token " + splitTok[:22] + "\\\n      " + splitTok[22:] + " for the runbooks repo\"\n",
			"CI token [redacted] for the runbooks repo", 7},
		{"keyword and value on two lines of a plain scalar", "    description: the bind password is\n      " + longPw + " until the migration\n",
			"the bind password is [redacted] until the migration", 8},
		{"a literal block", "    description: |\n      pwd=" + longPw + "\n      second line\n", "pwd=[redacted]\nsecond line\n", 8},
		{"escapes around a token", "    description: \"old\\tkey " + awsKey + "\\n\"\n", "old\tkey [redacted]\n", 7},
		{"a copy of a long secret flagged in a comment", "    # password: " + longPw + "\n    description: was " + longPw + " until May\n", "was [redacted] until May", 7},
		{"a copy of a short secret is left alone", "    # pin: 4821\n    description: card 4821 is in the safe\n", "card 4821 is in the safe", 7},
		{"a match read through an escape that the value does not confirm", "    description: \"password: abc\\\"def\"\n", "[redacted]", 7},
		{"allowed", "    description: uses AKIAIOSFODNN7EXAMPLE # rotor:allow-leak AWS documentation example key\n", "uses AKIAIOSFODNN7EXAMPLE", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds, findings := validateFile(t, entry+tt.lines)
			if len(creds) != 1 {
				t.Fatalf("%d credentials, want 1:\n%s", len(creds), dump(findings))
			}
			if got := creds[0].Description; got != tt.want {
				t.Errorf("description = %q, want %q", got, tt.want)
			}
			var leaks []int
			for _, f := range findings {
				if f.Rule == validate.RuleLeak {
					leaks = append(leaks, f.Line)
				}
			}
			switch {
			case tt.leak == 0 && len(leaks) > 0:
				t.Errorf("leak findings on lines %v, want none:\n%s", leaks, dump(findings))
			case tt.leak > 0 && (len(leaks) != 1 || leaks[0] != tt.leak):
				t.Errorf("leak findings on lines %v, want one on line %d:\n%s", leaks, tt.leak, dump(findings))
			}
		})
	}
}

// TestFindingsNeverEchoAFlaggedSecret: findings that quote a value (an
// owner that is not an email address, an unknown key, an allowance's
// reason) print no flagged secret in any form, and a short secret does not
// mangle the rest of their text.
func TestFindingsNeverEchoAFlaggedSecret(t *testing.T) {
	tests := []struct {
		name, from, to string
		secrets        []string
		wantMessage    string // a message that must be there as it is, if set
	}{
		{"owner, doubled single quote", "owner: alice@example.com", "owner: 'pwd=Winter''2024Pa55x'", []string{winter, "Winter''2024Pa55x"},
			`owner "pwd=[redacted]" is not an email address`},
		{"owner, escaped double quote", "owner: alice@example.com", `owner: "pwd=Summer\"2024Pa55y"`, []string{summer, `Summer\"2024Pa55y`},
			`owner "pwd=[redacted]" is not an email address`},
		{"owner, a one-character URL password", "owner: alice@example.com", "owner: postgres://app:p@db.internal/app", nil,
			`owner "postgres://app:[redacted]@db.internal/app" is not an email address`},
		{"unknown key", "name: DB admin", "name: DB admin\n    'pwd=Winter''2024Pa55x': x", []string{winter, "Winter''2024Pa55x"},
			`unknown field "pwd=[redacted]" in a credential`},
		{"the reason of an allowance", "name: DB admin", "name: uses AKIAIOSFODNN7EXAMPLE # rotor:allow-leak documented; the real one was " + ghToken,
			[]string{ghToken}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, findings := validateFile(t, strings.Replace(entry, tt.from, tt.to, 1))
			seen := tt.wantMessage == ""
			for _, f := range findings {
				seen = seen || f.Message == tt.wantMessage
				for _, secret := range tt.secrets {
					for _, form := range forms(secret) {
						if strings.Contains(f.Message+f.Hint, form) {
							t.Errorf("finding prints %q: %s", form, f)
						}
					}
				}
				if strings.Contains(f.Message+f.Hint, leakRedactedTwice) || strings.Contains(f.Hint, "[redacted]") {
					t.Errorf("a finding is mangled: %s", f)
				}
			}
			if !seen {
				t.Errorf("no finding reads %q:\n%s", tt.wantMessage, dump(findings))
			}
		})
	}
}

// leakRedactedTwice is what a message looks like once a short secret was
// replaced wherever it occurs.
const leakRedactedTwice = "[redacted][redacted]"

// TestLeakRedactedWhereLinesCountDifferently: yaml.v3 counts U+2028 as a
// line break and the raw scan does not, so the values after one cannot be
// read back from the file; a value that holds what the raw scan flagged is
// then taken out whole.
func TestLeakRedactedWhereLinesCountDifferently(t *testing.T) {
	creds, findings := validateFile(t, "# a note\u2028# that goes on\n"+entry+"    description: 'pwd=Winter''2024Pa55x'\n    team: payments\n")
	if len(creds) != 1 {
		t.Fatalf("%d credentials, want 1:\n%s", len(creds), dump(findings))
	}
	if got := creds[0].Description; got != "[redacted]" {
		t.Errorf("description = %q, want the whole value redacted", got)
	}
	if got := creds[0].Team; got != "payments" {
		t.Errorf("team = %q, want it as it was", got)
	}
	leaks := 0
	for _, f := range findings {
		if f.Rule == validate.RuleLeak {
			leaks++
		}
	}
	if leaks != 1 {
		t.Errorf("%d leak findings, want 1:\n%s", leaks, dump(findings))
	}
}
