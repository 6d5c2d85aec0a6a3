package report_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// largeInput is a register of n credentials in 100 teams, the first
// overdue of them overdue, every tenth of the others exempt, with an open
// ticket for each overdue one and eight weeks of trend. hostile gives every
// credential the longest values an entry can hold, made of characters that
// escape to the most bytes, and a team of its own.
func largeInput(n, overdue int, hostile bool) report.Input {
	long := func(unit string, runes int) string {
		return strings.Repeat(unit, runes/len([]rune(unit)))
	}
	creds := make([]*rotation.Credential, n)
	tickets := make(map[string]string, overdue)
	for i := range creds {
		id := "cred-" + strconv.Itoa(i)
		last := today.AddDays(-10 - i%50) // ok with a 90-day period
		if i < overdue {
			last = today.AddDays(-91 - i%400)
			tickets[id] = "SEC-" + strconv.Itoa(i+1)
		}
		c := &rotation.Credential{ID: id, Name: "Credential " + strconv.Itoa(i), Owner: "team-" + strconv.Itoa(i%100) + "@example.com",
			Team: "team-" + strconv.Itoa(i%100), PeriodDays: 90, LastChanged: last, NoticeDays: 14}
		if i >= overdue && i%10 == 0 {
			c.Exemption = &rotation.Exemption{Until: today.AddDays(i % 300), Reason: "legacy system", ApprovedBy: "ciso@example.com"}
		}
		if hostile {
			c.Name = long("\u202e|`<", 4096)
			c.Owner = long("\x1b|", 254)
			c.Team = strconv.Itoa(i) + long("\u2066*", 190)
			if c.Exemption != nil {
				c.Exemption.Reason = long("\u202e\n", 4096)
				c.Exemption.ApprovedBy = long("\x7f", 254)
			}
			tickets[id] = "SEC-" + long("9", 251) // linked: a long, URL-safe key
			if i%3 != 0 {
				tickets[id] = long("\x01|", 255)
			}
		}
		creds[i] = c
	}
	reg := register(creds...)
	in := report.Input{Today: today, Register: reg, OpenTickets: tickets, TicketURL: ticketURL, Weeks: 8, Rotated: []report.Rotation{}}
	if hostile {
		in.HistoryNote = long("\u202e|", 4096)
		for i := range 100 {
			in.Rotated = append(in.Rotated, report.Rotation{ID: creds[i].ID, Name: creds[i].Name, Team: creds[i].Team,
				Ticket: long("\x02", 255), Commit: long("`", 40), By: long("\x03|", 255)})
			in.Unreadable = append(in.Unreadable, report.Unreadable{Path: long("\u202e|`<", 4096), CredentialID: long("\x04|", 64),
				Commit: long("`", 39) + strconv.Itoa(i), Reason: long("\u202e\n|", 4096)})
		}
	}
	for w := 1; w <= 8; w++ {
		in.Trend = append(in.Trend, report.Snapshot{Date: today.AddDays(-7 * w), Register: reg})
	}
	in.Previous = &in.Trend[0]
	return in
}

// BenchmarkCompute: 10,000 credentials with an 8-week trend (nine
// evaluations of the register).
func BenchmarkCompute(b *testing.B) {
	in := largeInput(10_000, 300, false)
	b.ReportAllocs()
	for b.Loop() {
		report.Compute(in)
	}
}

// BenchmarkWriteMarkdown: the job summary of the same register.
func BenchmarkWriteMarkdown(b *testing.B) {
	r := report.Compute(largeInput(10_000, 300, false))
	b.ReportAllocs()
	for b.Loop() {
		var sb strings.Builder
		if err := r.WriteMarkdown(&sb); err != nil {
			b.Fatal(err)
		}
	}
}
