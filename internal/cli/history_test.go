package cli

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo"
	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
)

// tooLarge is a register file over the size limit: comments only.
func tooLarge() string {
	line := "# " + strings.Repeat("x", 77) + "\n"
	return "credentials: []\n" + strings.Repeat(line, gitrepo.MaxBlobSize/len(line)+1)
}

// gapRepo is a register repository whose history holds every kind of
// version rotor cannot read, each followed by a readable one: a YAML
// syntax error fixed by a commit that also rotates a; a file over the
// size limit committed and deleted; a binary file and a file that is not
// UTF-8; a top level that is a list, then a mapping without a credentials
// list, fixed by a commit that rotates c; and an entry whose last_changed
// is no date, fixed by a commit that rotates b.
func gapRepo(t *testing.T) (dir string, hashes map[string]string) {
	t.Helper()
	gittest.Require(t)
	dir = t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	a0 := auditEntry("a", 90, "2025-12-01", "")
	a1 := auditEntry("a", 90, "2026-02-02", "    last_ticket: SEC-1\n")
	b0 := auditEntry("b", 30, "2026-01-01", "")
	bTypo := auditEntry("b", 30, "2026-02-30", "")
	b1 := auditEntry("b", 30, "2026-05-01", "    last_ticket: SEC-2\n")
	c0 := auditEntry("c", 30, "2026-01-01", "")
	c1 := auditEntry("c", 30, "2026-06-01", "    last_ticket: SEC-3\n")
	d0 := auditEntry("d", 30, "2026-04-02", "")
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 9, 0, 0, 0, time.UTC) }
	names := []string{"register", "break-db", "fix-db", "add-huge", "remove-huge", "add-binary", "fix-binary",
		"typo-b", "fix-b", "list-other", "no-list-other", "fix-other"}
	h := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: day(1, 5), Message: "register\n", Files: map[string]string{
			reg + "db.yaml": registerFile(a0, b0), reg + "other.yaml": registerFile(c0)}},
		{When: day(2, 1), Message: "rotate a, with a typo\n", Files: map[string]string{
			reg + "db.yaml": registerFile(a1, b0) + "  - id: [unclosed\n"}},
		{When: day(2, 3), Message: "fix db.yaml\n", Files: map[string]string{reg + "db.yaml": registerFile(a1, b0)}},
		{When: day(3, 1), Message: "add huge\n", Files: map[string]string{reg + "huge.yaml": tooLarge()}},
		{When: day(3, 2), Message: "remove huge\n", Delete: []string{reg + "huge.yaml"}},
		{When: day(4, 1), Message: "add binary and latin-1\n", Files: map[string]string{
			reg + "bin.yaml": "\x00\x01\x02credentials:\n", reg + "latin.yaml": "credentials:\n  - id: d\n    name: Caf\xe9\n"}},
		{When: day(4, 2), Message: "fix them\n", Delete: []string{reg + "bin.yaml"}, Files: map[string]string{
			reg + "latin.yaml": registerFile(d0)}},
		{When: day(5, 1), Message: "rotate b, with a typo\n", Files: map[string]string{reg + "db.yaml": registerFile(a1, bTypo)}},
		{When: day(5, 2), Message: "fix b\n", Files: map[string]string{reg + "db.yaml": registerFile(a1, b1)}},
		{When: day(6, 1), Message: "a list\n", Files: map[string]string{reg + "other.yaml": "- id: c\n  period_days: 30\n"}},
		{When: day(6, 2), Message: "no list\n", Files: map[string]string{reg + "other.yaml": "credential:\n" + c1}},
		{When: day(6, 3), Message: "fix other\n", Files: map[string]string{reg + "other.yaml": registerFile(c1)}},
	})
	hashes = map[string]string{}
	for i, n := range names {
		hashes[n] = h[i]
	}
	gittest.Git(t, dir, "reset", "-q", "--hard")
	return dir, hashes
}

func TestAuditAcrossUnreadableVersions(t *testing.T) {
	dir, h := gapRepo(t)
	name := map[string]string{}
	for k, v := range h {
		name[v] = k
	}
	p := runAuditJSON(t, dir, "--from", "2026-01-01", "--to", "2026-06-30")
	var got []string
	for _, e := range p.Events {
		s := fmt.Sprintf("%s %s %s", e.CredentialID, e.Type, name[e.Commit])
		if e.Type == "rotation" {
			s += " " + e.OldLastChanged + "->" + e.NewLastChanged
		}
		got = append(got, s)
	}
	want := []string{
		"a added register", "b added register", "c added register",
		"a rotation fix-db 2025-12-01->2026-02-02",
		"d added fix-binary",
		"b rotation fix-b 2026-01-01->2026-05-01",
		"c rotation fix-other 2026-01-01->2026-06-01",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	got = got[:0]
	for _, o := range p.Observations {
		if !strings.HasPrefix(o.Kind, "unreadable") {
			if o.Kind == "backdated" {
				t.Errorf("observation %s: %s", o.Kind, o.Message)
			}
			continue
		}
		got = append(got, o.Kind+" "+o.CredentialID+" "+name[o.Commit])
		if !strings.Contains(o.Message, o.Commit[:12]) {
			t.Errorf("%q does not name commit %s", o.Message, o.Commit[:12])
		}
	}
	want = []string{
		"unreadable-file  break-db", "unreadable-file  add-huge", "unreadable-file  add-binary", "unreadable-file  add-binary",
		"unreadable-entry b typo-b", "unreadable-file  list-other", "unreadable-file  no-list-other",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	messages := map[string]string{}
	for _, o := range p.Observations {
		messages[name[o.Commit]+" "+o.CredentialID] += o.Message + "\n"
	}
	for key, parts := range map[string][]string{
		"break-db ":      {"credential_rotation/db.yaml", "does not parse", "YAML syntax error"},
		"add-huge ":      {"credential_rotation/huge.yaml", "too large"},
		"add-binary ":    {"credential_rotation/bin.yaml", "binary", "credential_rotation/latin.yaml", "not UTF-8"},
		"typo-b b":       {"credential_rotation/db.yaml", "last_changed"},
		"list-other ":    {"credential_rotation/other.yaml", "does not parse", "not a mapping"},
		"no-list-other ": {"credential_rotation/other.yaml", "does not parse", "no credentials: list"},
	} {
		for _, part := range parts {
			if !strings.Contains(messages[key], part) {
				t.Errorf("%s: %q does not say %q", key, messages[key], part)
			}
		}
	}
	if s := p.Summary; s.Credentials != 4 || s.Rotations != 3 {
		t.Errorf("summary %+v", s)
	}

	// Every format is made, and says what it could not read.
	for _, format := range []string{"markdown", "csv", "html"} {
		r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
			"--from", "2026-01-01", "--to", "2026-06-30", "--format", format)
		if r.code != ExitOK {
			t.Fatalf("%s: exit %d\n%s", format, r.code, r.stderr)
		}
		if format != "csv" && !strings.Contains(r.stdout, h["break-db"][:12]) {
			t.Errorf("%s: the pack does not name the unreadable commit", format)
		}
		if strings.Contains(r.stdout, "removed") && format == "csv" {
			t.Errorf("csv: a credential shows as removed:\n%s", r.stdout)
		}
	}
}

// TestAuditStartingInsideAGap: the register when the period began holds
// an unreadable version; its last readable one stands in, and the pack
// says so.
func TestAuditStartingInsideAGap(t *testing.T) {
	dir, h := gapRepo(t)
	for _, tc := range []struct {
		from, to string
		commit   string // of the unreadable version
		events   string
	}{
		{"2026-02-02", "2026-02-28", "break-db", "a rotation 2025-12-01->2026-02-02"},
		{"2026-03-02", "2026-03-31", "add-huge", ""},
		{"2026-05-02", "2026-05-31", "typo-b", "b rotation 2026-01-01->2026-05-01"},
	} {
		p := runAuditJSON(t, dir, "--from", tc.from, "--to", tc.to)
		var events []string
		for _, e := range p.Events {
			s := e.CredentialID + " " + e.Type
			if e.Type == "rotation" {
				s += " " + e.OldLastChanged + "->" + e.NewLastChanged
			}
			events = append(events, s)
		}
		if strings.Join(events, "|") != tc.events {
			t.Errorf("%s: events %q, want %q", tc.from, events, tc.events)
		}
		found := false
		for _, o := range p.Observations {
			found = found || (strings.HasPrefix(o.Kind, "unreadable") && o.Commit == h[tc.commit])
		}
		if !found {
			t.Errorf("%s: no observation names %s: %+v", tc.from, tc.commit, p.Observations)
		}
	}
}

func TestReportAcrossUnreadableVersions(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	p0 := reportEntry("p", "payments", "2026-09-20", "")
	p1 := reportEntry("p", "payments", "2026-11-22", "    last_ticket: SEC-7\n")
	q0 := reportEntry("q", "payments", "2026-11-01", "")
	qTypo := reportEntry("q", "payments", "2026-11-31", "")
	r0 := reportEntry("r", "platform", "2026-11-10", "")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	h := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC), Message: "register\n", Files: map[string]string{
			reg + "all.yaml": "credentials:\n" + p0 + q0, reg + "more.yaml": "credentials:\n" + r0}},
		// Two trend dates and last week fall on these versions.
		{When: day(12), Message: "break\n", Files: map[string]string{
			reg + "all.yaml": "credentials:\n" + p0 + qTypo, reg + "more.yaml": "credentials:\n  - id: [r\n",
			reg + "huge.yaml": tooLarge(), reg + "bin.yaml": "\x00\x00", reg + "latin.yaml": "# caf\xe9\ncredentials: []\n"}},
		{When: day(22), Author: "Alice <alice@example.com>", Message: "fix, and rotate p\n", Files: map[string]string{
			reg + "all.yaml": "credentials:\n" + p1 + q0, reg + "more.yaml": "credentials:\n" + r0}},
		{When: day(23), Message: "clean up\n", Delete: []string{reg + "huge.yaml", reg + "bin.yaml", reg + "latin.yaml"}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")
	r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--today", "2026-11-27", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Previous *struct {
			Total   int `json:"total"`
			Overdue int `json:"overdue"`
		} `json:"previous"`
		Rotated []struct {
			ID                  string `json:"id"`
			PreviousLastChanged string `json:"previous_last_changed"`
			LastChanged         string `json:"last_changed"`
		} `json:"rotated"`
		Trend []struct {
			Date  string `json:"date"`
			Total int    `json:"total"`
		} `json:"trend"`
		Observations []struct {
			Kind         string `json:"kind"`
			Date         string `json:"date"`
			Commit       string `json:"commit"`
			CredentialID string `json:"credential_id"`
			Message      string `json:"message"`
		} `json:"observations"`
		HistoryNote string `json:"history_note"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	// On 20 November: p overdue since 20 October, q and r on time, as
	// their last readable versions say.
	if rep.Previous == nil || rep.Previous.Total != 3 || rep.Previous.Overdue != 1 {
		t.Errorf("previous %+v", rep.Previous)
	}
	for _, pt := range rep.Trend {
		if pt.Total != 3 {
			t.Errorf("trend %s: %d credentials, want 3", pt.Date, pt.Total)
		}
	}
	if len(rep.Rotated) != 1 || rep.Rotated[0].ID != "p" || rep.Rotated[0].PreviousLastChanged != "2026-09-20" || rep.Rotated[0].LastChanged != "2026-11-22" {
		t.Errorf("rotated %+v", rep.Rotated)
	}
	var got []string
	for _, o := range rep.Observations {
		got = append(got, o.Kind+" "+regexp.MustCompile(`credential_rotation/[a-z]+\.yaml`).FindString(o.Message)+" "+o.CredentialID)
		if o.Commit != h[1] || o.Date != "2026-11-12" || !strings.Contains(o.Message, h[1][:12]) {
			t.Errorf("%+v does not name commit %s", o, h[1][:12])
		}
	}
	slices.Sort(got)
	want := []string{
		"unreadable-entry credential_rotation/all.yaml q",
		"unreadable-file credential_rotation/bin.yaml ",
		"unreadable-file credential_rotation/huge.yaml ",
		"unreadable-file credential_rotation/latin.yaml ",
		"unreadable-file credential_rotation/more.yaml ",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("observations:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if rep.HistoryNote != "" {
		t.Errorf("history note %q", rep.HistoryNote)
	}
	for _, format := range []string{"markdown", "text", "html"} {
		r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--today", "2026-11-27", "--format", format)
		if r.code != ExitOK || !strings.Contains(r.stdout, "huge.yaml at commit "+h[1][:12]+" is too large") {
			t.Errorf("%s: exit %d, the report does not note huge.yaml\n%s\n%s", format, r.code, r.stdout, r.stderr)
		}
	}
}

// TestHistoryAcrossAGapInsideTheWeek: a file broken twice and repaired in
// the same week, with a rotation in the repairing commit, and a broken
// file removed: the report lists the rotation against the last readable
// version; the pack removes the credentials where the file was removed.
func TestHistoryAcrossAGapInsideTheWeek(t *testing.T) {
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	p0 := reportEntry("p", "payments", "2026-11-01", "")
	p1 := reportEntry("p", "payments", "2026-11-24", "    last_ticket: SEC-9\n")
	x0 := reportEntry("x", "platform", "2026-11-01", "")
	day := func(d int) time.Time { return time.Date(2026, 11, d, 9, 0, 0, 0, time.UTC) }
	h := gittest.Import(t, dir, "main", []gittest.Commit{
		{When: day(1), Message: "register\n", Files: map[string]string{
			reg + "a.yaml": "credentials:\n" + p0, reg + "x.yaml": "credentials:\n" + x0}},
		{When: day(22), Message: "break\n", Files: map[string]string{reg + "a.yaml": "credentials:\n" + p1 + "  - [\n", reg + "x.yaml": "\x00"}},
		{When: day(23), Message: "break again\n", Files: map[string]string{reg + "a.yaml": "credentials: 1\n"}},
		{When: day(24), Message: "repair\n", Files: map[string]string{reg + "a.yaml": "credentials:\n" + p1}},
		{When: day(25), Message: "remove x\n", Delete: []string{reg + "x.yaml"}},
	})
	gittest.Git(t, dir, "reset", "-q", "--hard")

	r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir, "--today", "2026-11-27", "--format", "json")
	if r.code != ExitOK {
		t.Fatalf("report: exit %d\n%s", r.code, r.stderr)
	}
	var rep struct {
		Rotated []struct {
			ID, Commit          string
			PreviousLastChanged string `json:"previous_last_changed"`
		} `json:"rotated"`
		Observations []struct{ Commit string } `json:"observations"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Rotated) != 1 || rep.Rotated[0].ID != "p" || rep.Rotated[0].Commit != h[3] || rep.Rotated[0].PreviousLastChanged != "2026-11-01" {
		t.Errorf("rotated %+v, want p in the repairing commit", rep.Rotated)
	}
	var commits []string
	for _, o := range rep.Observations {
		commits = append(commits, o.Commit)
	}
	if want := []string{h[1], h[1], h[2]}; !slices.Equal(commits, want) {
		t.Errorf("observations of commits %v, want %v", commits, want)
	}

	p := runAuditJSON(t, dir, "--from", "2026-11-01", "--to", "2026-11-27")
	var got []string
	for _, e := range p.Events {
		got = append(got, e.CredentialID+" "+e.Type+" "+e.Commit[:7]+" "+e.OldLastChanged)
	}
	want := []string{"p added " + h[0][:7] + " ", "x added " + h[0][:7] + " ", "p rotation " + h[3][:7] + " 2026-11-01", "x removed " + h[4][:7] + " 2026-11-01"}
	if !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}
