package cli

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/gitrepo/gittest"
	"github.com/rotor-dev/rotor/internal/rotation"
)

// Days in a time zone whose clocks change at midnight. In
// America/Santiago clocks jump from 2026-09-05 23:59:59 (-04) to
// 2026-09-06 01:00 (-03): the 6th begins at 01:00 and has 23 hours. In
// Africa/Cairo they jump from 2026-04-23 23:59:59 (+02) to 2026-04-24
// 01:00 (+03), and go back from 2026-10-29 23:59:59 (+03) to 23:00
// (+02): the 29th has 25 hours. A period is the days from its first
// instant to the first instant of the day after it, whatever the clocks
// do at midnight.

var (
	santiagoStd = time.FixedZone("-04", -4*3600)
	santiagoDST = time.FixedZone("-03", -3*3600)
	cairoStd    = time.FixedZone("+02", 2*3600)
	cairoDST    = time.FixedZone("+03", 3*3600)
)

// dayCommit is a commit that sets credential a's last_changed.
type dayCommit struct {
	name        string
	when        time.Time
	lastChanged string
}

// zoneRepo is a register repository with timezone zone in its rotor.yaml:
// a first commit "base" on 2026-01-01 with credentials a (last changed
// 2026-01-01) and b (2026-01-01), then commits, each setting a's
// last_changed. It returns the repository and the commits' hashes by name.
func zoneRepo(t *testing.T, zone string, commits []dayCommit) (string, map[string]string) {
	t.Helper()
	gittest.Require(t)
	dir := t.TempDir()
	gittest.Git(t, dir, "init", "-q", "-b", "main")
	reg := "credential_rotation/"
	b := reportEntry("b", "platform", "2026-01-01", "")
	list := []gittest.Commit{{When: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC), Message: "register\n", Files: map[string]string{
		reg + "rotor.yaml": "timezone: " + zone + "\n", reg + "all.yaml": "credentials:\n" + reportEntry("a", "platform", "2026-01-01", "") + b}}}
	for _, c := range commits {
		list = append(list, gittest.Commit{When: c.when, Message: c.name + "\n", Files: map[string]string{
			reg + "all.yaml": "credentials:\n" + reportEntry("a", "platform", c.lastChanged, "") + b}})
	}
	hashes := gittest.Import(t, dir, "main", list)
	gittest.Git(t, dir, "checkout", "-q", "-f", "main")
	byName := map[string]string{"base": hashes[0]}
	for i, c := range commits {
		byName[c.name] = hashes[i+1]
	}
	return dir, byName
}

func TestAuditPeriodsAtAMidnightClockChange(t *testing.T) {
	type period struct {
		from, to string
		want     string // the period's events: "date commit", by date
		baseline string
	}
	tests := []struct {
		zone    string
		commits []dayCommit
		periods []period
	}{
		{
			zone: "America/Santiago",
			commits: []dayCommit{
				{"sat", time.Date(2026, 9, 5, 23, 30, 0, 0, santiagoStd), "2026-09-04"},
				{"sun-first", time.Date(2026, 9, 6, 1, 0, 0, 0, santiagoDST), "2026-09-05"},
				{"sun-last", time.Date(2026, 9, 6, 23, 30, 0, 0, santiagoDST), "2026-09-06"},
				{"mon", time.Date(2026, 9, 7, 0, 30, 0, 0, santiagoDST), "2026-09-07"},
			},
			periods: []period{
				// The commit at 23:30 on the 6th is in exactly one of two
				// adjoining periods.
				{"2026-09-01", "2026-09-06", "2026-09-05 sat|2026-09-06 sun-first|2026-09-06 sun-last", "base"},
				{"2026-09-07", "2026-09-30", "2026-09-07 mon", "sun-last"},
				// A one-day period begins at 01:00, not at 23:00 the day before.
				{"2026-09-06", "2026-09-06", "2026-09-06 sun-first|2026-09-06 sun-last", "sat"},
				{"2026-09-05", "2026-09-05", "2026-09-05 sat", "base"},
			},
		},
		{
			zone: "Africa/Cairo",
			commits: []dayCommit{
				{"thu", time.Date(2026, 4, 23, 23, 30, 0, 0, cairoStd), "2026-04-22"},
				{"fri-first", time.Date(2026, 4, 24, 1, 0, 0, 0, cairoDST), "2026-04-24"},
				{"sat", time.Date(2026, 4, 25, 0, 30, 0, 0, cairoDST), "2026-04-25"},
				// 23:30 after the clocks went back is still the 29th.
				{"oct-29", time.Date(2026, 10, 29, 23, 30, 0, 0, cairoStd), "2026-10-29"},
				{"oct-30", time.Date(2026, 10, 30, 0, 30, 0, 0, cairoStd), "2026-10-30"},
			},
			periods: []period{
				// The commit at 00:30 on the 25th is in exactly one of two
				// adjoining periods.
				{"2026-04-01", "2026-04-24", "2026-04-23 thu|2026-04-24 fri-first", "base"},
				{"2026-04-25", "2026-04-30", "2026-04-25 sat", "fri-first"},
				{"2026-04-24", "2026-04-24", "2026-04-24 fri-first", "thu"},
				{"2026-10-29", "2026-10-29", "2026-10-29 oct-29", "sat"},
				{"2026-10-30", "2026-10-31", "2026-10-30 oct-30", "oct-29"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.zone, func(t *testing.T) {
			dir, hashes := zoneRepo(t, tt.zone, tt.commits)
			name := map[string]string{}
			for k, v := range hashes {
				name[v] = k
			}
			for _, p := range tt.periods {
				r := runRotor(t, nil, "", "audit", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
					"--format", "json", "--from", p.from, "--to", p.to)
				if r.code != ExitOK {
					t.Fatalf("%s..%s: exit %d\n%s", p.from, p.to, r.code, r.stderr)
				}
				var pack struct {
					BaselineCommit *string `json:"baseline_commit"`
					Events         []struct {
						Type   string `json:"type"`
						Date   string `json:"date"`
						Commit string `json:"commit"`
					} `json:"events"`
				}
				if err := json.Unmarshal([]byte(r.stdout), &pack); err != nil {
					t.Fatalf("%v\n%s", err, r.stdout)
				}
				var got []string
				for _, e := range pack.Events {
					if e.Type == "rotation" {
						got = append(got, e.Date+" "+name[e.Commit])
					}
				}
				if strings.Join(got, "|") != p.want {
					t.Errorf("%s..%s: rotations %q, want %q", p.from, p.to, strings.Join(got, "|"), p.want)
				}
				if pack.BaselineCommit == nil || name[*pack.BaselineCommit] != p.baseline {
					t.Errorf("%s..%s: baseline %v, want %s", p.from, p.to, pack.BaselineCommit, p.baseline)
				}
			}
		})
	}
}

// TestReportWeekAtAMidnightClockChange: the comparison with last week is
// the register at the end of the day seven days ago, and the rotations of
// the week are those of the seven days after it; a commit is in one or
// the other, by its day in the register's zone.
func TestReportWeekAtAMidnightClockChange(t *testing.T) {
	tests := []struct {
		zone, today string
		commit      time.Time // the day seven days before today, or the day after
		inPrevious  bool
	}{
		// 23:30 on 2026-09-06 is the end of last week's day, not this week.
		{"America/Santiago", "2026-09-13", time.Date(2026, 9, 6, 23, 30, 0, 0, santiagoDST), true},
		// 01:00 is the first instant of 2026-09-06 in Santiago.
		{"America/Santiago", "2026-09-13", time.Date(2026, 9, 6, 1, 0, 0, 0, santiagoDST), true},
		{"America/Santiago", "2026-09-12", time.Date(2026, 9, 5, 23, 30, 0, 0, santiagoStd), true},
		{"America/Santiago", "2026-09-12", time.Date(2026, 9, 6, 1, 0, 0, 0, santiagoDST), false},
		// 00:30 on 2026-04-25 is this week, not the end of 2026-04-24.
		{"Africa/Cairo", "2026-05-01", time.Date(2026, 4, 25, 0, 30, 0, 0, cairoDST), false},
		{"Africa/Cairo", "2026-05-01", time.Date(2026, 4, 24, 23, 30, 0, 0, cairoDST), true},
		{"Africa/Cairo", "2026-05-06", time.Date(2026, 4, 29, 23, 30, 0, 0, cairoDST), true},
		{"Africa/Cairo", "2026-11-05", time.Date(2026, 10, 29, 23, 30, 0, 0, cairoStd), true},
		{"Africa/Cairo", "2026-11-05", time.Date(2026, 10, 30, 0, 0, 0, 0, cairoStd), false},
	}
	for _, tt := range tests {
		t.Run(tt.zone+" "+tt.commit.Format(time.RFC3339), func(t *testing.T) {
			// a is overdue (last changed 2026-01-01, 30 days) until the
			// commit rotates it.
			day := tt.commit.Format(time.DateOnly)
			dir, _ := zoneRepo(t, tt.zone, []dayCommit{{"rotate a", tt.commit, day}})
			r := runRotor(t, nil, "", "report", "--register", filepath.Join(dir, "credential_rotation"), "--repo", dir,
				"--today", tt.today, "--format", "json")
			if r.code != ExitOK {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			var rep struct {
				Previous *struct {
					Date    string `json:"date"`
					Overdue int    `json:"overdue"`
				} `json:"previous"`
				Trend []struct {
					Date    string `json:"date"`
					Overdue int    `json:"overdue"`
				} `json:"trend"`
				Rotated []struct {
					ID string `json:"id"`
				} `json:"rotated"`
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("%v\n%s", err, r.stdout)
			}
			// b was last changed 2026-01-01: overdue in the previous week
			// whatever a's state; a is overdue too before the commit.
			wantOverdue := 2
			if tt.inPrevious {
				wantOverdue = 1
			}
			if rep.Previous == nil || rep.Previous.Overdue != wantOverdue {
				t.Errorf("previous %+v, want %d overdue", rep.Previous, wantOverdue)
			}
			weekAgo := rotation.MustParseDate(tt.today).AddDays(-7).String()
			found := false
			for _, p := range rep.Trend {
				if p.Date == weekAgo {
					found = true
					if p.Overdue != wantOverdue {
						t.Errorf("trend point %+v, want %d overdue", p, wantOverdue)
					}
				}
			}
			if !found {
				t.Errorf("trend %+v has no point on %s", rep.Trend, weekAgo)
			}
			week := ""
			for _, x := range rep.Rotated {
				week += x.ID
			}
			if wantWeek := map[bool]string{true: "", false: "a"}[tt.inPrevious]; week != wantWeek {
				t.Errorf("rotations of the week %q, want %q", week, wantWeek)
			}
		})
	}
}
