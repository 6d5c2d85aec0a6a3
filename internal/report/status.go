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
}

// StatusRows evaluates every credential of reg on today, keeps those of
// the statuses and teams asked for (empty: all), and sorts them by due
// date, then id: the rows of `rotor status`.
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
		rows = append(rows, StatusRow{
			ID: c.ID, Name: c.Name, Owner: c.Owner, Team: c.Team, File: c.Pos.File, Line: c.Pos.Line,
			PeriodDays: c.PeriodDays, NoticeDays: c.NoticeDays, LastChanged: c.LastChanged,
			NextDueDate: ev.NextDue, DaysLeft: ev.DaysLeft, Status: ev.Status,
			Criticality: string(c.Criticality), LastTicket: c.LastTicket,
		})
	}
	slices.SortFunc(rows, func(a, b StatusRow) int {
		return cmp.Or(a.NextDueDate.Compare(b.NextDueDate), cmp.Compare(a.ID, b.ID))
	})
	return rows
}
