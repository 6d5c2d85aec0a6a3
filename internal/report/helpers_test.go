package report_test

import (
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

var date = rotation.MustParseDate

// today is the pinned day of the sample reports: a Friday, ISO week 48.
var today = date("2026-11-27")

// cet is the register's time zone in the samples; a fixed zone, so that
// the tests need no tz database.
var cet = time.FixedZone("CET", 3600)

// cred returns a credential last changed on last, rotated every period
// days, with a 14-day notice window.
func cred(id, last string, period int, opts ...func(*rotation.Credential)) *rotation.Credential {
	c := &rotation.Credential{
		ID:          id,
		Name:        strings.ToUpper(id[:1]) + strings.ReplaceAll(id[1:], "-", " "),
		Owner:       id + "-owner@example.com",
		PeriodDays:  period,
		LastChanged: date(last),
		NoticeDays:  14,
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

func team(name string) func(*rotation.Credential) {
	return func(c *rotation.Credential) { c.Team = name }
}

func exempt(until string) func(*rotation.Credential) {
	return func(c *rotation.Credential) {
		c.Exemption = &rotation.Exemption{Until: date(until), Reason: "vendor migration", ApprovedBy: "ciso@example.com"}
	}
}

func register(creds ...*rotation.Credential) *rotation.Register {
	s := rotation.DefaultSettings()
	s.Timezone = cet
	return &rotation.Register{Settings: s, Credentials: creds}
}

// sampleCreds is a small, realistic register on today: two overdue, two
// due within 7 days, one due in 19 days, three exempt (one expiring
// today), a team with only exempt credentials, a credential without a
// team, and each criticality on some of them.
func sampleCreds() []*rotation.Credential {
	return []*rotation.Credential{
		cred("payments-db-admin", "2026-09-01", 90, team("payments"), crit("critical")),             // due 2026-11-30: 3 days left
		cred("stripe-key", "2026-11-24", 45, team("payments"), crit("medium")),                      // rotated this week
		cred("payments-api-token", "2026-08-01", 90, team("payments")),                              // overdue 28 days
		cred("legacy-vpn", "2026-05-01", 180, team("platform"), crit("high")),                       // overdue 30 days
		cred("ci-deploy-key", "2026-11-01", 30, team("platform")),                                   // due 2026-12-01: 4 days left
		cred("k8s-admin", "2026-10-01", 365, team("platform")),                                      // ok
		cred("github-app-key", "2026-11-20", 90, team("platform")),                                  // rotated this week
		cred("warehouse-ro", "2026-08-28", 90, team("data"), crit("low")),                           // overdue by one day
		cred("analytics-key", "2026-01-10", 90, team("data"), exempt("2026-12-31")),                 // exempt
		cred("etl-key", "2026-10-17", 60, team("data")),                                             // 19 days left: ok
		cred("hsm-root", "2020-01-01", 365, team("security"), exempt("2026-11-27")),                 // exempt, last day
		cred("pki-ca", "2021-06-01", 730, team("security"), exempt("2027-03-01"), crit("critical")), // exempt
		cred("shared-smtp", "2026-06-01", 365),                                                      // no team, ok
	}
}

// lastWeek is the register seven days before today: stripe-key and
// github-app-key not yet rotated.
func lastWeek() *rotation.Register {
	creds := sampleCreds()
	for i, c := range creds {
		switch c.ID {
		case "stripe-key":
			creds[i] = cred("stripe-key", "2026-08-10", 45, team("payments"))
		case "github-app-key":
			creds[i] = cred("github-app-key", "2026-08-20", 90, team("platform"))
		}
	}
	return register(creds...)
}

// trendSnapshots are the registers of 2 to 6 weeks ago, in no particular
// order: the register was created six weeks ago, with fewer credentials.
// The snapshot of one week ago is lastWeek.
func trendSnapshots() []report.Snapshot {
	var out []report.Snapshot
	for _, weeks := range []int{3, 1, 6, 2, 5, 4} {
		reg := lastWeek()
		if weeks >= 4 {
			reg.Credentials = reg.Credentials[:9] // fewer entries then
		}
		out = append(out, report.Snapshot{Date: today.AddDays(-7 * weeks), Register: reg})
	}
	return out
}

func ticketURL(key string) string { return "https://example.atlassian.net/browse/" + key }

// sampleInput is the realistic report with history and Jira.
func sampleInput() report.Input {
	prev := &report.Snapshot{Date: today.AddDays(-7), Register: lastWeek()}
	return report.Input{
		Today:    today,
		Register: register(sampleCreds()...),
		Previous: prev,
		Trend:    trendSnapshots(),
		Rotated: []report.Rotation{
			{ID: "stripe-key", Name: "Stripe key", Team: "payments", Old: date("2026-08-10"), New: date("2026-11-24"),
				Ticket: "SEC-41", Commit: "4f2a9c0d1e2b3a4c5d6e7f8091a2b3c4d5e6f708", By: "Ada Lovelace",
				At: time.Date(2026, 11, 24, 10, 15, 0, 0, time.UTC)},
			{ID: "github-app-key", Name: "Github app key", Team: "platform", Old: date("2026-08-20"), New: date("2026-11-20"),
				Ticket: "SEC-38", Commit: "9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c", By: "Grace Hopper",
				At: time.Date(2026, 11, 21, 16, 2, 0, 0, time.FixedZone("EST", -5*3600))},
		},
		// A typo committed on 18 November and fixed since: named twice
		// (by last week's snapshot and by the rotations), shown once.
		Unreadable: []report.Unreadable{
			{Path: "credential_rotation/payments.yaml", Commit: "7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", At: time.Date(2026, 11, 18, 17, 30, 0, 0, time.UTC),
				Reason: "does not parse (line 12: YAML syntax error: mapping values are not allowed in this context)"},
			{Path: "credential_rotation/platform.yaml", CredentialID: "github-app-key", Commit: "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
				At: time.Date(2026, 11, 19, 8, 0, 0, 0, time.UTC), Reason: "has no readable last_changed"},
			{Path: "credential_rotation/payments.yaml", Commit: "7c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", At: time.Date(2026, 11, 18, 17, 30, 0, 0, time.UTC),
				Reason: "does not parse (line 12: YAML syntax error: mapping values are not allowed in this context)"},
		},
		OpenTickets: map[string]string{"payments-api-token": "SEC-35", "warehouse-ro": "SEC-44", "payments-db-admin": "SEC-45"},
		TicketURL:   ticketURL,
		Weeks:       8,
	}
}

// shallowNote is what the CLI says in a depth-1 checkout.
const shallowNote = "the checkout is shallow (fetch-depth: 1): the comparison with last week, the trend and the " +
	"rotations of the week were skipped; set fetch-depth: 0 in actions/checkout"

// noHistoryInput is the same register without history and without Jira.
func noHistoryInput() report.Input {
	return report.Input{Today: today, Register: register(sampleCreds()...), HistoryNote: shallowNote, Weeks: 8}
}

// hostileInput has values that would become links, HTML, code-span
// break-outs, table breaks, workflow commands and reversed text if they
// were not escaped.
func hostileInput() report.Input {
	named := func(name string) func(*rotation.Credential) {
		return func(c *rotation.Credential) { c.Name = name }
	}
	reg := register(
		cred("script-name", "2026-08-01", 90, named("<script>alert(1)</script>"), team("<b>red</b>")),
		cred("link-name", "2026-08-02", 90, named("[x](https://evil.example)"), team("`team` | break")),
		cred("image-name", "2026-11-01", 30, named("![p](https://evil.example/p.png) <img src=x onerror=alert(1)>"),
			func(c *rotation.Credential) { c.Owner = "evil@example.com | <a href=\"javascript:alert(1)\">x</a>" }),
		cred("bidi-name", "2026-10-01", 365, named("safe\u202egnp.exe ##[warning]hi"), team("\u202eevil")),
		cred("exempt-name", "2026-01-01", 90, named("**bold** _it_ ~~s~~"), func(c *rotation.Credential) {
			c.Exemption = &rotation.Exemption{Until: date("2027-01-01"), Reason: "line one\n::error::forged\n# heading",
				ApprovedBy: "<style>body{display:none}</style>"}
		}),
	)
	return report.Input{
		Today:    today,
		Register: reg,
		Previous: &report.Snapshot{Date: today.AddDays(-7), Register: reg},
		Rotated: []report.Rotation{{ID: "bidi-name", Name: "```` `x` ````", Team: "|||", Old: date("2025-10-01"), New: date("2026-10-01"),
			Ticket: "SEC-1](https://evil.example)", Commit: "<script>", By: "<img src=x onerror=alert(1)> [me](https://evil.example)",
			At: time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)}},
		OpenTickets: map[string]string{"script-name": "SEC-2)<b>", "link-name": "SEC-3"},
		TicketURL: func(key string) string {
			if key == "SEC-3" {
				return "javascript:alert(1)"
			}
			return "https://example.atlassian.net/browse/" + key
		},
		Unreadable: []report.Unreadable{{Path: "credential_rotation/<script>|[x](https://evil.example).yaml", CredentialID: "`x` | y",
			Commit: "<b>", At: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), Reason: "is binary\n::error::forged \u202e"}},
		HistoryNote: "",
		Weeks:       8,
	}
}
