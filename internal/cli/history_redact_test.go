package cli

import (
	"encoding/json"
	"html"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

// Secrets as a file of the past could hold them, each written the way YAML
// makes its parsed value differ from its raw bytes. Built from parts so
// that no scanner flags this file.
var (
	// written 'pwd=Winter''2024Pa55x'
	histWinter = "Winter" + "'2024Pa55x"
	// written "pwd=Summer\"2024Pa55y"
	histSummer = "Summer" + `"2024Pa55y`
	// split by a double-quoted scalar's line continuation
	histToken = "ghp_Rk2mVw8TnQ4xLp7Zc1" + "Hd9sJf3Gy6Bu0Ea5Nq"
	// a URL password with an unencoded @ and /
	histURLPassword = "p@ss" + "/w0rd"
)

// secretForms are the ways a secret can read in an output: as it is, as
// YAML wrote it, and as each output escapes it (HTML, JSON, CSV, %q).
func secretForms(secrets ...string) []string {
	var out []string
	add := func(s string) {
		q := strconv.Quote(s)
		b, _ := json.Marshal(s)
		for _, f := range []string{s, html.EscapeString(s), strings.ReplaceAll(html.EscapeString(s), "&#39;", "&#x27;"),
			strings.ReplaceAll(s, `"`, `""`), q, q[1 : len(q)-1], string(b[1 : len(b)-1])} {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	for _, s := range secrets {
		add(s)
		add(strings.ReplaceAll(s, "'", "''"))
		add(strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`))
	}
	return out
}

// checkNoSecret fails when out holds any form of any secret, or a message
// mangled by a short secret replaced wherever it occurs.
func checkNoSecret(t *testing.T, name, out string, secrets ...string) {
	t.Helper()
	for _, f := range secretForms(secrets...) {
		if strings.Contains(out, f) {
			t.Errorf("%s prints %q", name, f)
		}
	}
	for _, mangled := range []string{"descri[redacted]", `descri\[redacted`, "[redacted]ostgres", `\[redacted\]ostgres`, "a[redacted][redacted]"} {
		if strings.Contains(out, mangled) {
			t.Errorf("%s is mangled (%q):\n%s", name, mangled, out)
		}
	}
}

// TestAuditNeverPrintsAFlaggedSecretInAnyForm: every secret the leak guard
// flags in a file of the past is absent from the audit pack in every
// format, however YAML quoted it; a short one is taken out where it was
// and the rest of the text reads as it was.
func TestAuditNeverPrintsAFlaggedSecretInAnyForm(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	exempt := func(reason string) string {
		return "    exemption:\n      until: 2026-03-01\n      reason: " + reason + "\n      approved_by: ciso@example.com\n"
	}
	leaky := registerFile(
		auditEntry("a", 30, "2026-01-01", exempt(`'pwd=Winter''2024Pa55x'`)),
		auditEntry("b", 30, "2026-01-01", exempt(`"pwd=Summer\"2024Pa55y"`)),
		auditEntry("c", 30, "2026-01-01", exempt("\"token "+histToken[:22]+"\\\n        "+histToken[22:]+" for CI\"")),
		auditEntry("d", 30, "2026-01-01", exempt("waiting for the vendor; old DSN postgres://app:p@db.internal/app")),
		auditEntry("e", 30, "2026-01-01", exempt("'description looks like a password: postgres://app:"+histURLPassword+"@db.internal/app'")),
	)
	clean := registerFile(
		auditEntry("a", 30, "2026-02-01", ""), auditEntry("b", 30, "2026-02-01", ""), auditEntry("c", 30, "2026-02-01", ""),
		auditEntry("d", 30, "2026-02-01", ""), auditEntry("e", 30, "2026-02-01", ""),
	)
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), Message: "add vendor credentials, DSN postgres://app:p@db.internal/app\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": leaky}},
		{When: time.Date(2026, 2, 1, 9, 0, 0, 0, time.UTC), Message: "rotate the vendor credentials\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": clean}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	for _, format := range []string{"markdown", "csv", "json", "html"} {
		r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--from", "2026-01-01", "--to", "2026-03-31", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		checkNoSecret(t, format, r.stdout+r.stderr, histWinter, histSummer, histToken, histToken[:22], histToken[22:], histURLPassword)
		wants := []string{"description looks like a password", "waiting for the vendor"}
		if format == "json" || format == "csv" {
			wants = append(wants, "add vendor credentials, DSN postgres://app:[redacted]@db.internal/app") // the commit's subject
		}
		for _, want := range wants {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("%s: the pack lacks %q", format, want)
			}
		}
		if format == "json" {
			for _, want := range []string{
				`"reason": "pwd=[redacted]"`,
				`"reason": "token [redacted] for CI"`,
				`"reason": "waiting for the vendor; old DSN postgres://app:[redacted]@db.internal/app"`,
				`"reason": "description looks like a password: postgres://app:[redacted]@db.internal/app"`,
			} {
				if !strings.Contains(r.stdout, want) {
					t.Errorf("json: the pack lacks %s:\n%s", want, r.stdout)
				}
			}
		}
	}
}

// TestReportNeverPrintsAFlaggedSecretInAnyForm: the rotations of the week,
// read from history, print no secret of the version that recorded them.
func TestReportNeverPrintsAFlaggedSecretInAnyForm(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	entry := func(name, team, last string) string {
		return "credentials:\n  - id: pay-db\n    name: " + name + "\n    owner: alice@example.com\n    team: " + team +
			"\n    period_days: 90\n    last_changed: " + last + "\n"
	}
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Message: "register",
			Files: map[string]string{"credential_rotation/all.yaml": entry("Payments DB", "payments", "2026-09-01")}},
		{When: time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC), Author: "Alice postgres://app:p@db.internal/app <alice@example.com>",
			Message: "Record rotation of pay-db",
			Files:   map[string]string{"credential_rotation/all.yaml": entry(`'pwd=Winter''2024Pa55x'`, `"pwd=Summer\"2024Pa55y"`, "2026-11-23")}},
		{When: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Message: "clean the name",
			Files: map[string]string{"credential_rotation/all.yaml": entry("Payments DB", "payments", "2026-11-23")}},
	})
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	for _, format := range []string{"json", "markdown", "html", "text"} {
		r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--today", "2026-11-27", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		checkNoSecret(t, format, r.stdout+r.stderr, histWinter, histSummer)
		if !strings.Contains(r.stdout, "pwd=") {
			t.Errorf("%s: the rotation of the week is not in the report:\n%s", format, r.stdout)
		}
		if format == "json" && !strings.Contains(r.stdout, "Alice postgres://app:[redacted]@db.internal/app") {
			t.Errorf("json: who merged the rotation does not read as it was, less the password:\n%s", r.stdout)
		}
	}
}

// TestAuditNeverPrintsASecretFlaggedInAnotherVersion: a secret the leak
// guard flags in one version of a file is absent from the pack wherever
// history shows it, also where another version holds it in words the
// guard does not flag on their own (the keyword dropped, the value moved
// to another field).
func TestAuditNeverPrintsASecretFlaggedInAnotherVersion(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	exempt := func(reason string) string {
		return "    exemption:\n      until: 2026-03-01\n      reason: " + reason + "\n      approved_by: ciso@example.com\n"
	}
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2025, 12, 2, 9, 0, 0, 0, time.UTC), Message: "add the vendor credential\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": registerFile(auditEntry("a", 30, "2025-12-01", exempt("waiting for the vendor")))}},
		{When: time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC), Message: "note the old password\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": registerFile(auditEntry("a", 30, "2025-12-01", exempt(`'pwd=Winter''2024Pa55x'`)))}},
		{When: time.Date(2026, 1, 9, 9, 0, 0, 0, time.UTC), Message: "reword the reason\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": registerFile(auditEntry("a", 30, "2025-12-01", exempt(`'vendor still uses Winter''2024Pa55x'`)))}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	for _, format := range []string{"markdown", "csv", "json", "html"} {
		r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--from", "2025-12-01", "--to", "2026-03-31", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		checkNoSecret(t, format, r.stdout+r.stderr, histWinter)
		if !strings.Contains(r.stdout, "vendor still uses") {
			t.Errorf("%s: the pack lacks the reworded reason", format)
		}
	}
}

// TestReportNeverPrintsASecretFlaggedInAnotherVersion: what the leak guard
// flagged in a version of last week is absent from the report, also where
// the register today holds it in words the guard does not flag.
func TestReportNeverPrintsASecretFlaggedInAnotherVersion(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	exempt := func(reason string) string {
		return "    exemption:\n      until: 2026-12-31\n      reason: " + reason + "\n      approved_by: ciso@example.com\n"
	}
	today := registerFile(auditEntry("a", 30, "2026-11-01", exempt(`'vendor still uses Winter''2024Pa55x'`)))
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC), Message: "add the vendor credential\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": registerFile(auditEntry("a", 30, "2026-11-01", exempt(`'pwd=Winter''2024Pa55x'`)))}},
		{When: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Message: "reword the reason\n",
			Files: map[string]string{"credential_rotation/vendor.yaml": today}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	for _, format := range []string{"markdown", "json", "html", "text"} {
		r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--today", "2026-11-27", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		checkNoSecret(t, format, r.stdout+r.stderr, histWinter)
		if !strings.Contains(r.stdout, "vendor still uses") {
			t.Errorf("%s: the report lacks the exemption's reason:\n%s", format, r.stdout)
		}
	}
}
