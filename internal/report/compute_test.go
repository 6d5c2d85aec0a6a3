package report_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/rotor-dev/rotor/internal/report"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// kpis is what the KPI table tests compare: the counts, the percentage
// ("n/a" when there is none) and the ids of each list.
type kpis struct {
	total, exempt, onTime int
	pct                   string
	overdue               []string // "id:days"
	due7, due30           []string
	exemptions            []string
}

func kpisOf(r *report.Report) kpis {
	k := kpis{total: r.Total, exempt: r.Exempt, onTime: r.OnTime, pct: pct(r.CompliancePercent)}
	for _, o := range r.Overdue {
		k.overdue = append(k.overdue, o.ID+":"+strconv.Itoa(o.DaysOverdue))
	}
	for _, u := range r.DueNext7 {
		k.due7 = append(k.due7, u.ID)
	}
	for _, u := range r.DueNext30 {
		k.due30 = append(k.due30, u.ID)
	}
	for _, e := range r.Exemptions {
		k.exemptions = append(k.exemptions, e.ID)
	}
	return k
}

func pct(p *int) string {
	if p == nil {
		return "n/a"
	}
	return strconv.Itoa(*p)
}

func equalKPIs(a, b kpis) bool {
	return a.total == b.total && a.exempt == b.exempt && a.onTime == b.onTime && a.pct == b.pct &&
		slices.Equal(a.overdue, b.overdue) && slices.Equal(a.due7, b.due7) && slices.Equal(a.due30, b.due30) &&
		slices.Equal(a.exemptions, b.exemptions)
}

// many returns n credentials named prefix-0… last changed on last.
func many(prefix string, n int, last string, period int) []*rotation.Credential {
	out := make([]*rotation.Credential, n)
	for i := range out {
		out[i] = cred(prefix+"-"+strconv.Itoa(i), last, period)
	}
	return out
}

func TestKPIs(t *testing.T) {
	tests := []struct {
		name  string
		today string
		creds []*rotation.Credential
		want  kpis
	}{
		{"empty register", "2026-11-27", nil, kpis{pct: "n/a"}},
		{"exempt", "2026-11-27", []*rotation.Credential{
			cred("a", "2020-01-01", 30, exempt("2026-12-31")), cred("b", "2026-11-01", 90)},
			kpis{total: 2, exempt: 1, onTime: 1, pct: "100", exemptions: []string{"a"}}},
		{"exemption expiring today is still exempt", "2026-11-27", []*rotation.Credential{
			cred("a", "2020-01-01", 30, exempt("2026-11-27"))},
			kpis{total: 1, exempt: 1, pct: "n/a", exemptions: []string{"a"}}},
		{"the day after the exemption it counts again", "2026-11-28", []*rotation.Credential{
			cred("a", "2020-01-01", 30, exempt("2026-11-27"))},
			kpis{total: 1, pct: "0", overdue: []string{"a:2493"}}},
		{"due today is on time and due within 7 days", "2026-11-27", []*rotation.Credential{
			cred("a", "2026-08-29", 90)}, // due 2026-11-27
			kpis{total: 1, onTime: 1, pct: "100", due7: []string{"a"}, due30: []string{"a"}}},
		{"overdue by one day", "2026-11-28", []*rotation.Credential{
			cred("a", "2026-08-29", 90)},
			kpis{total: 1, pct: "0", overdue: []string{"a:1"}}},
		{"leap day plus 365 is due 2029-02-28", "2029-02-28", []*rotation.Credential{
			cred("a", "2028-02-29", 365)},
			kpis{total: 1, onTime: 1, pct: "100", due7: []string{"a"}, due30: []string{"a"}}},
		{"leap day plus 365, a day later", "2029-03-01", []*rotation.Credential{
			cred("a", "2028-02-29", 365)},
			kpis{total: 1, pct: "0", overdue: []string{"a:1"}}},
		{"days left 7, 8, 30 and 31", "2026-11-27", []*rotation.Credential{
			cred("d31", "2026-11-27", 31), cred("d30", "2026-11-27", 30), cred("d8", "2026-11-27", 8), cred("d7", "2026-11-27", 7)},
			kpis{total: 4, onTime: 4, pct: "100", due7: []string{"d7"}, due30: []string{"d7", "d8", "d30"}}},
		{"overdue sorted by days overdue, then id", "2026-11-27", []*rotation.Credential{
			cred("b", "2026-01-01", 30), cred("c", "2026-06-01", 30), cred("a", "2026-01-01", 30)},
			kpis{total: 3, pct: "0", overdue: []string{"a:300", "b:300", "c:149"}}},
		{"2 of 3 rounds to 67", "2026-11-27", append(many("ok", 2, "2026-11-01", 90), cred("late", "2026-01-01", 30)),
			kpis{total: 3, onTime: 2, pct: "67", overdue: []string{"late:300"}}},
		{"1 of 8 rounds half up to 13", "2026-11-27", append(many("late", 7, "2026-01-01", 30), cred("ok", "2026-11-01", 90)),
			kpis{total: 8, onTime: 1, pct: "13", overdue: []string{"late-0:300", "late-1:300", "late-2:300", "late-3:300",
				"late-4:300", "late-5:300", "late-6:300"}}},
		{"1999 of 2000 is 99, not 100", "2026-11-27", append(many("ok", 1999, "2026-11-01", 90), cred("late", "2026-01-01", 30)),
			kpis{total: 2000, onTime: 1999, pct: "99", overdue: []string{"late:300"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := report.Compute(report.Input{Today: date(tt.today), Register: register(tt.creds...)})
			if got := kpisOf(r); !equalKPIs(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
			if r.Overdue == nil || r.DueNext7 == nil || r.DueNext30 == nil || r.Exemptions == nil || r.Teams == nil {
				t.Error("a list is nil; JSON would show null instead of []")
			}
		})
	}
}

func TestOneOnTimeOfAThousandIsOnePercent(t *testing.T) {
	creds := append(many("late", 999, "2026-01-01", 30), cred("ok", "2026-11-01", 90))
	r := report.Compute(report.Input{Today: today, Register: register(creds...)})
	if got := pct(r.CompliancePercent); got != "1" {
		t.Errorf("compliance = %s, want 1 (never 0 while one is on time)", got)
	}
}

func TestTeams(t *testing.T) {
	r := report.Compute(sampleInput())
	var got []string
	for _, tm := range r.Teams {
		got = append(got, fmt.Sprintf("%s %d/%d/%d/%d %s", tm.Name, tm.Total, tm.Exempt, tm.OnTime, tm.Overdue, pct(tm.CompliancePercent)))
	}
	want := []string{
		"data 3/1/1/1 50",
		"payments 3/0/2/1 67",
		"platform 4/0/3/1 75",
		"security 2/2/0/0 n/a", // only exempt credentials: no percentage
		" 1/0/1/0 100",         // no team: last
	}
	if !slices.Equal(got, want) {
		t.Errorf("teams:\n got %q\nwant %q", got, want)
	}
}

func TestPreviousAndChange(t *testing.T) {
	r := report.Compute(sampleInput())
	if r.Previous == nil || r.Previous.Date != date("2026-11-20") || r.Previous.Total != 13 || pct(r.Previous.CompliancePercent) != "60" ||
		r.Previous.Overdue != 4 {
		t.Fatalf("previous = %+v", r.Previous)
	}
	if r.Change == nil || *r.Change != 10 {
		t.Errorf("change = %v, want +10", r.Change)
	}
	r = report.Compute(noHistoryInput())
	if r.Previous != nil || r.Change != nil || r.Rotated != nil {
		t.Errorf("without history: previous %v, change %v, rotated %v; want all nil", r.Previous, r.Change, r.Rotated)
	}
	// A figure missing on either side: no change.
	in := sampleInput()
	in.Previous = &report.Snapshot{Date: today.AddDays(-7), Register: register()}
	if r := report.Compute(in); r.Previous == nil || r.Previous.CompliancePercent != nil || r.Change != nil {
		t.Errorf("empty register last week: previous %+v, change %v", r.Previous, r.Change)
	}
}

func TestTrend(t *testing.T) {
	in := sampleInput()
	reg := lastWeek()
	in.Trend = append(in.Trend,
		report.Snapshot{Date: today, Register: reg},                     // today comes from Register
		report.Snapshot{Date: today.AddDays(3), Register: reg},          // the future
		report.Snapshot{Date: today.AddDays(-7 * 9), Register: reg},     // beyond --weeks 8
		report.Snapshot{Date: today.AddDays(-7 * 7)},                    // no register then
		report.Snapshot{Date: today.AddDays(-14), Register: register()}, // a second snapshot of one date: the first wins
	)
	r := report.Compute(in)
	var got []string
	for _, p := range r.Trend {
		got = append(got, p.Date.String()+" "+pct(p.CompliancePercent))
	}
	want := []string{"2026-10-16 88", "2026-10-23 88", "2026-10-30 75", "2026-11-06 70", "2026-11-13 70", "2026-11-20 60", "2026-11-27 70"}
	if !slices.Equal(got, want) {
		t.Errorf("trend:\n got %q\nwant %q", got, want)
	}

	r = report.Compute(noHistoryInput())
	if len(r.Trend) != 1 || r.Trend[0].Date != today {
		t.Errorf("without history the trend is today alone, got %+v", r.Trend)
	}
}

func TestRotatedOrderAndZone(t *testing.T) {
	r := report.Compute(sampleInput())
	if len(r.Rotated) != 2 || r.Rotated[0].ID != "github-app-key" || r.Rotated[1].ID != "stripe-key" {
		t.Fatalf("rotated = %+v", r.Rotated)
	}
	if got := r.Rotated[0].At.Format("2006-01-02 15:04 -0700"); got != "2026-11-21 22:02 +0100" {
		t.Errorf("commit time in the register's zone = %s", got)
	}
	in := sampleInput()
	in.Rotated = []report.Rotation{}
	if r := report.Compute(in); r.Rotated == nil {
		t.Error("history read, nothing rotated: want an empty list, not nil")
	}
}

func TestComputeDoesNotChangeItsInput(t *testing.T) {
	in := sampleInput()
	before := fmt.Sprintf("%+v %+v", in.Trend, in.Rotated)
	report.Compute(in)
	if after := fmt.Sprintf("%+v %+v", in.Trend, in.Rotated); after != before {
		t.Error("Compute reordered its input")
	}
}
