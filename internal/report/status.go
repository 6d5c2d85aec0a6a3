package report

import (
	"cmp"
	"slices"

	"github.com/rotor-dev/rotor/internal/rotation"
)

// StatusRow is one credential as `rotor status --format json` lists it;
// its JSON keys are a stable interface for scripts, and status.json lists
// the same objects under "credentials".
type StatusRow struct {
	ID          string          `json:"id"`
	Name        string          `json:"name"`
	Owner       string          `json:"owner"`
	Team        string          `json:"team"`
	File        string          `json:"file"`
	Line        int             `json:"line"`
	PeriodDays  int             `json:"period_days"`
	NoticeDays  int             `json:"notice_days"`
	LastChanged rotation.Date   `json:"last_changed"`
	NextDueDate rotation.Date   `json:"next_due_date"`
	DaysLeft    int             `json:"days_left"`
	Status      rotation.Status `json:"status"`
	Criticality string          `json:"criticality,omitempty"`
	LastTicket  string          `json:"last_ticket,omitempty"`
	// Exemption is the exemption in force today; nil when the credential
	// is not exempt (an exemption that has ended is not shown).
	Exemption *StatusExemption `json:"exemption,omitempty"`
}

// StatusExemption is the exemption of an exempt StatusRow.
type StatusExemption struct {
	Until rotation.Date `json:"until"` // the last day of the exemption
}

// StatusRows evaluates every credential of reg on today, keeps those of
// the statuses and teams asked for (empty: all), and sorts them by due
// date, then criticality (critical first), then id: the rows of
// `rotor status`.
func StatusRows(reg *rotation.Register, today rotation.Date, statuses []rotation.Status, teams []string) []StatusRow {
	if reg == nil {
		return []StatusRow{}
	}
	rows := make([]StatusRow, 0, len(reg.Credentials))
	for _, c := range reg.Credentials {
		if c == nil {
			continue
		}
		ev := c.Evaluate(today)
		if len(statuses) > 0 && !slices.Contains(statuses, ev.Status) {
			continue
		}
		if len(teams) > 0 && !slices.Contains(teams, c.Team) {
			continue
		}
		var ex *StatusExemption
		if ev.Status == rotation.StatusExempt {
			ex = &StatusExemption{Until: c.Exemption.Until}
		}
		rows = append(rows, StatusRow{
			ID: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team, File: c.Pos.File, Line: c.Pos.Line,
			PeriodDays: c.PeriodDays, NoticeDays: c.NoticeDays, LastChanged: c.LastChanged,
			NextDueDate: ev.NextDue, DaysLeft: ev.DaysLeft, Status: ev.Status,
			Criticality: string(c.Criticality), LastTicket: c.LastTicket, Exemption: ex,
		})
	}
	slices.SortFunc(rows, func(a, b StatusRow) int {
		return cmp.Or(a.NextDueDate.Compare(b.NextDueDate),
			rotation.CompareCriticality(rotation.Criticality(a.Criticality), rotation.Criticality(b.Criticality)), cmp.Compare(a.ID, b.ID))
	})
	return rows
}
