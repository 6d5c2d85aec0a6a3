package report_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

func crit(c rotation.Criticality) func(*rotation.Credential) {
	return func(cr *rotation.Credential) { cr.Criticality = c }
}

// ids returns the ids of xs in order.
func ids[T any](xs []T, id func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = id(x)
	}
	return out
}

// tieCreds are five credentials due on one day (one of each criticality,
// ids in the reverse order of it), plus one exempt credential.
func tieCreds(last string, period int) []*rotation.Credential {
	return []*rotation.Credential{
		cred("a-none", last, period),
		cred("b-low", last, period, crit(rotation.CriticalityLow)),
		cred("c-medium", last, period, crit(rotation.CriticalityMedium)),
		cred("d-high", last, period, crit(rotation.CriticalityHigh)),
		cred("e-critical", last, period, crit(rotation.CriticalityCritical)),
	}
}

var byCriticality = []string{"e-critical", "d-high", "c-medium", "b-low", "a-none"}

func TestStatusRowsOrderCriticalFirstAmongEquals(t *testing.T) {
	rows := report.StatusRows(register(tieCreds("2026-09-01", 90)...), today, nil, nil)
	if got := ids(rows, func(r report.StatusRow) string { return r.ID }); !slices.Equal(got, byCriticality) {
		t.Errorf("order %v, want %v", got, byCriticality)
	}
}

func TestReportOrdersCriticalFirstAmongEquals(t *testing.T) {
	tests := []struct {
		name string
		last string
		opts []func(*rotation.Credential)
		got  func(*report.Report) []string
	}{
		{name: "overdue", last: "2026-08-01", got: func(r *report.Report) []string {
			return ids(r.Overdue, func(o report.Overdue) string { return o.ID })
		}},
		{name: "due next 30", last: "2026-09-01", got: func(r *report.Report) []string {
			return ids(r.DueNext30, func(u report.Upcoming) string { return u.ID })
		}},
		{name: "due next 7", last: "2026-09-01", got: func(r *report.Report) []string {
			return ids(r.DueNext7, func(u report.Upcoming) string { return u.ID })
		}},
		{name: "exemptions", last: "2026-01-01", opts: []func(*rotation.Credential){exempt("2027-01-31")}, got: func(r *report.Report) []string {
			return ids(r.Exemptions, func(e report.Exemption) string { return e.ID })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			creds := tieCreds(tt.last, 90)
			for _, c := range creds {
				for _, o := range tt.opts {
					o(c)
				}
			}
			rep := report.Compute(report.Input{Today: today, Register: register(creds...)})
			if got := tt.got(rep); !slices.Equal(got, byCriticality) {
				t.Errorf("order %v, want %v", got, byCriticality)
			}
		})
	}
}

func TestStatusRowCarriesExemption(t *testing.T) {
	rows := report.StatusRows(register(
		cred("ok-key", "2026-11-01", 90),
		cred("frozen", "2026-01-01", 90, exempt("2027-01-31")),
		cred("lapsed", "2026-01-01", 90, exempt("2026-11-26")), // ended yesterday: overdue
	), today, nil, nil)
	got := map[string]*report.StatusExemption{}
	for _, r := range rows {
		got[r.ID] = r.Exemption
	}
	if e := got["frozen"]; e == nil || e.Until != date("2027-01-31") {
		t.Errorf("frozen: exemption %+v, want until 2027-01-31", e)
	}
	if got["ok-key"] != nil || got["lapsed"] != nil {
		t.Errorf("exemption on a row not exempt: ok-key %+v, lapsed %+v", got["ok-key"], got["lapsed"])
	}
}

func TestRotatedInOneCommitCriticalFirst(t *testing.T) {
	at := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	creds := tieCreds("2026-11-25", 90)
	var rotated []report.Rotation
	for _, c := range creds {
		rotated = append(rotated, report.Rotation{ID: c.ID, Name: c.Name, Old: date("2026-08-25"), New: c.LastChanged, Commit: "abc", By: "alice", At: at})
	}
	rep := report.Compute(report.Input{Today: today, Register: register(creds...), Rotated: rotated})
	if got := ids(rep.Rotated, func(r report.Rotated) string { return r.ID }); !slices.Equal(got, byCriticality) {
		t.Errorf("order %v, want %v", got, byCriticality)
	}
}
