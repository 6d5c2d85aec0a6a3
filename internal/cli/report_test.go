package cli

import (
	"encoding/json"
	"fmt"
	"html"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/mail/mailtest"
)

func reportEntry(id, team, lastChanged, extra string) string {
	return fmt.Sprintf("  - id: %s\n    name: Credential %s\n    owner: %s@example.com\n    team: %s\n    period_days: 30\n    last_changed: %s\n%s",
		id, id, id, team, lastChanged, extra)
}

// reportRepo is a register repository whose history has commits at chosen
// instants in several time zones: the register on 1 October, a rotation
// merged on 22 November, a credential removed on 25 November.
func reportRepo(t *testing.T) string {
	t.Helper()
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	settings := "timezone: Europe/Berlin\nreport:\n  recipients:\n    - security@example.com\n"
	v1 := "credentials:\n" + reportEntry("pay-db", "payments", "2026-09-01", "") + reportEntry("pay-api", "payments", "2026-11-10", "") +
		reportEntry("ops-vpn", "platform", "2026-11-01", "") + reportEntry("old-key", "platform", "2026-11-05", "")
	v2 := strings.Replace(v1, "last_changed: 2026-09-01\n", "last_changed: 2026-11-22\n    last_ticket: SEC-7\n", 1)
	v3 := strings.Replace(v2, reportEntry("old-key", "platform", "2026-11-05", ""), "", 1)
	auckland := time.FixedZone("+13", 13*3600)
	honolulu := time.FixedZone("-10", -10*3600)
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Message: "register", Files: map[string]string{
			"credential_rotation/rotor.yaml": settings, "credential_rotation/all.yaml": v1}},
		{When: time.Date(2026, 11, 22, 10, 0, 0, 0, auckland), Author: "Alice <alice@example.com>", Committer: "Merger <merger@example.com>",
			Message: "Record rotation of pay-db (SEC-7)", Files: map[string]string{"credential_rotation/all.yaml": v2}},
		{When: time.Date(2026, 11, 24, 20, 0, 0, 0, honolulu), Message: "remove old-key", Files: map[string]string{"credential_rotation/all.yaml": v3}},
	})
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	return dir
}

func TestReportFromHistory(t *testing.T) {
	dir := reportRepo(t)
	r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--today", "2026-11-27", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Total             int  `json:"total"`
		CompliancePercent *int `json:"compliance_percent"`
		Previous          *struct {
			Total             int  `json:"total"`
			CompliancePercent *int `json:"compliance_percent"`
		} `json:"previous"`
		Rotated []struct {
			ID, By, Ticket string
		} `json:"rotated"`
		Trend []struct {
			Date              string `json:"date"`
			CompliancePercent *int   `json:"compliance_percent"`
		} `json:"trend"`
		HistoryNote string `json:"history_note"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// Today: pay-db rotated, old-key removed: 3 credentials, all on time.
	// On 20 November: 4, pay-db overdue since 1 October.
	if rep.Total != 3 || rep.CompliancePercent == nil || *rep.CompliancePercent != 100 {
		t.Errorf("today: total %d, compliance %v", rep.Total, rep.CompliancePercent)
	}
	if rep.Previous == nil || rep.Previous.Total != 4 || rep.Previous.CompliancePercent == nil || *rep.Previous.CompliancePercent != 75 {
		t.Errorf("previous: %+v", rep.Previous)
	}
	if len(rep.Rotated) != 1 || rep.Rotated[0].ID != "pay-db" || rep.Rotated[0].By != "Merger" || rep.Rotated[0].Ticket != "SEC-7" {
		t.Errorf("rotated: %+v", rep.Rotated)
	}
	// 8 weeks back are all after 1 October: 8 points and today.
	if len(rep.Trend) != 9 || rep.Trend[0].Date != "2026-10-02" || rep.Trend[8].Date != "2026-11-27" {
		t.Errorf("trend: %+v", rep.Trend)
	}
	if rep.HistoryNote != "" {
		t.Errorf("history note %q", rep.HistoryNote)
	}
}

func TestReportInAShallowClone(t *testing.T) {
	dir := reportRepo(t)
	clone := filepath.Join(t.TempDir(), "clone")
	gittest.Git(t, dir, "clone", "-q", "--depth", "1", "file://"+dir, clone)
	summary := filepath.Join(t.TempDir(), "summary.md")
	env := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
	r := runRotor(t, env, "", "report", "--register", filepath.Join(clone, "credential_rotation"), "--repo", clone, "--today", "2026-11-27")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	md, err := os.ReadFile(summary)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "fetch-depth: 0") || !strings.Contains(string(md), "100%") {
		t.Errorf("summary does not say the history was skipped, or lacks the figures:\n%s", md)
	}
}

func TestReportEmail(t *testing.T) {
	dir := reportRepo(t)
	args := []string{"report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--today", "2026-11-27", "--email"}
	t.Run("sent", func(t *testing.T) {
		// A relay on a trusted network: the TLS and password paths are
		// tested in internal/mail, whose server certificate the CLI would
		// not trust. The first attempt gets a temporary refusal.
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS,
			Script: []mailtest.Failure{{Stage: mailtest.Mail, Code: 451, Message: "try again later"}}})
		env := map[string]string{"ROTOR_SMTP_URL": srv.URL("", ""), "ROTOR_REPORT_FROM": "rotor@example.com"}
		r := runRotor(t, env, "", append(args, "--smtp-insecure")...)
		if r.code != ExitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		msgs := srv.Messages()
		if len(msgs) != 1 || len(msgs[0].To) != 1 || msgs[0].To[0] != "security@example.com" {
			t.Fatalf("messages: %+v", msgs)
		}
		m, err := mail.ReadMessage(strings.NewReader(string(msgs[0].Data)))
		if err != nil {
			t.Fatal(err)
		}
		subject, _ := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if subject != "Secret rotation: 100% on time, 0 overdue (week 48)" {
			t.Errorf("subject %q", subject)
		}
		mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
		if err != nil || mt != "multipart/alternative" {
			t.Fatalf("content type %q: %v", mt, err)
		}
		mr := multipart.NewReader(m.Body, params["boundary"])
		var types []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
		}
		if strings.Join(types, ",") != "text/plain,text/html" {
			t.Errorf("parts %v", types)
		}
	})
	t.Run("dry run writes the message", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "report.eml")
		env := map[string]string{"ROTOR_REPORT_FROM": "rotor@example.com"}
		r := runRotor(t, env, "", append(args, "--dry-run", "--out", out)...)
		if r.code != ExitOK {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if m, err := mail.ReadMessage(strings.NewReader(string(data))); err != nil || !strings.HasPrefix(m.Header.Get("Content-Type"), "multipart/alternative") {
			t.Fatalf("the .eml does not parse as multipart/alternative: %v\n%s", err, data)
		}
	})
	t.Run("mail down: the summary is written, exit 1", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS, Script: []mailtest.Failure{
			{Stage: mailtest.Mail, Code: 451}, {Stage: mailtest.Mail, Code: 451}, {Stage: mailtest.Mail, Code: 451}, {Stage: mailtest.Mail, Code: 451}}})
		summary := filepath.Join(t.TempDir(), "summary.md")
		env := map[string]string{"ROTOR_SMTP_URL": srv.URL("", ""), "ROTOR_REPORT_FROM": "rotor@example.com",
			"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
		r := runRotor(t, env, "", append(args, "--smtp-insecure")...)
		if r.code != ExitFailed || !strings.Contains(r.stderr, "the e-mail was not sent") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
		if md, err := os.ReadFile(summary); err != nil || !strings.Contains(string(md), "100%") {
			t.Errorf("the summary was not written: %v\n%s", err, md)
		}
	})
	t.Run("a password over plain smtp is refused, and not printed", func(t *testing.T) {
		env := map[string]string{"ROTOR_SMTP_URL": "smtp://rotor:s3cret-smtp-pass@127.0.0.1:1", "ROTOR_REPORT_FROM": "rotor@example.com"}
		r := runRotor(t, env, "", append(args, "--smtp-insecure")...)
		if r.code != ExitUsage || strings.Contains(r.stdout+r.stderr, "s3cret-smtp-pass") {
			t.Fatalf("exit %d\n%s", r.code, r.stderr)
		}
	})
	t.Run("STARTTLS required but not offered", func(t *testing.T) {
		srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS})
		env := map[string]string{"ROTOR_SMTP_URL": srv.URL("", ""), "ROTOR_REPORT_FROM": "rotor@example.com"}
		r := runRotor(t, env, "", args...)
		if r.code != ExitFailed || !strings.Contains(r.stderr, "STARTTLS") || len(srv.Messages()) != 0 {
			t.Fatalf("exit %d, %d messages\n%s", r.code, len(srv.Messages()), r.stderr)
		}
	})
}

func TestReportInARepositoryWithoutCommits(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := filepath.Join(dir, "credential_rotation")
	if err := os.MkdirAll(reg, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(reg, "a.yaml"), []byte("credentials:\n"+reportEntry("pay-db", "payments", "2026-11-01", "")), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runRotor(t, nil, "", "report", "--register", reg, "--repo", dir, "--today", "2026-11-27", "--format", "json")
	if r.code != ExitOK || !strings.Contains(r.stdout, "no commits yet") {
		t.Fatalf("exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
	}
}

// TestReportFailBelow: --fail-below makes the report a gate; the report is
// written first and the last line of stderr says why.
func TestReportFailBelow(t *testing.T) {
	allExempt := t.TempDir()
	entry := reportEntry("frozen", "payments", "2026-01-01", "    exemption:\n      until: 2027-01-31\n      reason: vendor migration\n      approved_by: ciso@example.com\n")
	if err := os.WriteFile(filepath.Join(allExempt, "all.yaml"), []byte("credentials:\n"+entry), 0o644); err != nil {
		t.Fatal(err)
	}
	lowTarget := copyRegister(t)
	settings, err := os.ReadFile(filepath.Join(lowTarget, "rotor.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	settings = []byte(strings.Replace(string(settings), "# target_percent: 95", "target_percent: 70", 1))
	if err := os.WriteFile(filepath.Join(lowTarget, "rotor.yaml"), settings, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		register string
		args     []string
		wantCode int
		lastLine string // the last line of stderr
	}{
		{name: "the register's target", args: []string{"--fail-below", "target"}, wantCode: ExitFailed,
			lastLine: "rotor: compliance is 73%, below 95% (--fail-below target: report.target_percent in rotor.yaml)"},
		{name: "the register's target, met", register: lowTarget, args: []string{"--fail-below", "target"}},
		{name: "a number over the target", register: lowTarget, args: []string{"--fail-below", "95"}, wantCode: ExitFailed,
			lastLine: "rotor: compliance is 73%, below 95% (--fail-below 95)"},
		{name: "a word", args: []string{"--fail-below", "high"}, wantCode: ExitUsage,
			lastLine: `rotor: --fail-below "high": use a percentage from 0 to 100, or target for report.target_percent in rotor.yaml`},
		{name: "a fraction", args: []string{"--fail-below", "95.5"}, wantCode: ExitUsage,
			lastLine: `rotor: --fail-below "95.5": use a percentage from 0 to 100, or target for report.target_percent in rotor.yaml`},
		{name: "below", args: []string{"--fail-below", "95"}, wantCode: ExitFailed,
			lastLine: "rotor: compliance is 73%, below 95% (--fail-below 95)"},
		{name: "below as JSON", args: []string{"--fail-below", "95", "--format", "json"}, wantCode: ExitFailed,
			lastLine: "rotor: compliance is 73%, below 95% (--fail-below 95)"},
		{name: "at the bar", args: []string{"--fail-below", "73"}},
		{name: "no bar", args: []string{"--fail-below", "0"}},
		{name: "nothing rated", register: allExempt, args: []string{"--fail-below", "95"},
			lastLine: "rotor: nothing is rated (every credential is exempt, or there is none): --fail-below 95 passes"},
		{name: "above 100", args: []string{"--fail-below", "101"}, wantCode: ExitUsage,
			lastLine: "rotor: --fail-below 101: use a percentage from 0 to 100"},
		{name: "negative", args: []string{"--fail-below", "-1"}, wantCode: ExitUsage,
			lastLine: "rotor: --fail-below -1: use a percentage from 0 to 100"},
		{name: "with the e-mail written", args: []string{"--fail-below", "95", "--email", "--dry-run"}, wantCode: ExitFailed,
			lastLine: "rotor: compliance is 73%, below 95% (--fail-below 95)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := example
			if tt.register != "" {
				reg = tt.register
			}
			env := map[string]string{"ROTOR_REPORT_TO": "security@example.com", "ROTOR_REPORT_FROM": "rotor@example.com"}
			args := append([]string{"report", "--register", reg, "--repo", t.TempDir(), "--today", "2026-11-27"}, tt.args...)
			r := runRotor(t, env, "", args...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tt.wantCode, r.stdout, r.stderr)
			}
			if tt.wantCode != ExitUsage && r.stdout == "" {
				t.Errorf("the report was not written")
			}
			if tt.lastLine != "" {
				lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
				if got := lines[len(lines)-1]; got != tt.lastLine {
					t.Errorf("last line of stderr %q, want %q", got, tt.lastLine)
				}
			}
		})
	}
}

// TestReportFailBelowWhenMailFails: mail down and compliance below the bar
// are both said; the mail's failure is the last line.
func TestReportFailBelowWhenMailFails(t *testing.T) {
	srv := mailtest.Start(t, mailtest.Options{TLS: mailtest.NoTLS})
	env := map[string]string{"ROTOR_SMTP_URL": srv.URL("", ""), "ROTOR_REPORT_FROM": "rotor@example.com", "ROTOR_REPORT_TO": "security@example.com"}
	r := runRotor(t, env, "", "report", "--register", example, "--repo", t.TempDir(), "--today", "2026-11-27", "--email", "--fail-below", "95")
	if r.code != ExitFailed || r.stdout == "" {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	if !strings.Contains(r.stderr, "rotor: compliance is 73%, below 95% (--fail-below 95)\n") ||
		!strings.Contains(lines[len(lines)-1], "the e-mail was not sent") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
}

// TestReportRotatedIsEmptyWhenHistoryHasNone: history read and no rotation
// in the week is [], not null (which says history was not read), and the
// human formats keep the section.
func TestReportRotatedIsEmptyWhenHistoryHasNone(t *testing.T) {
	dir := reportRepo(t)
	reg := filepath.Join(dir, "credential_rotation")
	r := runRotor(t, nil, "", "report", "--register", reg, "--repo", dir, "--today", "2026-12-20", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"rotated": [],`) {
		t.Errorf("rotated is not an empty list:\n%s", r.stdout)
	}
	r = runRotor(t, nil, "", "report", "--register", reg, "--repo", dir, "--today", "2026-12-20", "--format", "text")
	if !strings.Contains(r.stdout, "No rotation was recorded this week.") {
		t.Errorf("the text does not say that nothing was rotated:\n%s", r.stdout)
	}
}

// TestReportOnARegisterYoungerThanAWeek: the trend is not left out in
// silence; every format says when history starts and what the trend needs.
func TestReportOnARegisterYoungerThanAWeek(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	v1 := "credentials:\n" + reportEntry("pay-db", "payments", "2026-11-01", "")
	gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC), Message: "register", Files: map[string]string{"credential_rotation/all.yaml": v1}},
		{When: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC), Message: "more", Files: map[string]string{
			"credential_rotation/all.yaml": v1 + reportEntry("ops-vpn", "platform", "2026-11-20", "")}},
	})
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	reg := filepath.Join(dir, "credential_rotation")
	const want = "the register's history starts on 2026-11-24; the trend needs one full week"
	for _, format := range []string{"text", "markdown", "html", "json"} {
		t.Run(format, func(t *testing.T) {
			r := runRotor(t, nil, "", "report", "--register", reg, "--repo", dir, "--today", "2026-11-27", "--format", format)
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			if !strings.Contains(html.UnescapeString(r.stdout), want) {
				t.Errorf("the %s report does not say %q:\n%s", format, want, r.stdout)
			}
			if format == "json" && !strings.Contains(r.stdout, `"history_start": "2026-11-24"`) {
				t.Errorf("the JSON has no history_start:\n%s", r.stdout)
			}
		})
	}
	// Asked for no trend, the report does not explain its absence.
	r := runRotor(t, nil, "", "report", "--register", reg, "--repo", dir, "--today", "2026-11-27", "--weeks", "0")
	if r.code != ExitOK || strings.Contains(r.stdout, "trend needs") {
		t.Errorf("exit %d, --weeks 0 explains a trend nobody asked for:\n%s", r.code, r.stdout)
	}
}
