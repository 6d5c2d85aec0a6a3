package audit_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/audit"
	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
)

// at is an instant given in RFC 3339.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// kept is a store that keeps versions "1", "2", … written at the instants
// given, the last one current.
func kept(instants ...string) verify.Observation {
	var o verify.Observation
	for i, s := range instants {
		o.Versions = append(o.Versions, verify.Version{ID: string(rune('1' + i)), Created: at(s), Current: i == len(instants)-1})
	}
	if len(o.Versions) > 0 {
		o.Changed = o.Versions[len(o.Versions)-1].Created
	}
	return o
}

func TestMarkRotations(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	// want is one mark a rotation: "confirmed 2" (by version 2),
	// "unconfirmed", "unconfirmed near 2" (the nearest version is 2, and
	// confirms another rotation), "beyond-retention", "not-kept",
	// "confirmed current" (a store without history).
	tests := []struct {
		name  string
		dates []string
		obs   verify.Observation
		tol   int
		loc   *time.Location
		want  []string
	}{
		{name: "the same day", dates: []string{"2026-03-10"}, obs: kept("2026-02-01T10:00:00Z", "2026-03-10T10:00:00Z"), tol: 0,
			want: []string{"confirmed 2"}},
		{name: "within tolerance, the store a day earlier", dates: []string{"2026-03-10"}, obs: kept("2026-02-01T10:00:00Z", "2026-03-09T10:00:00Z"), tol: 1,
			want: []string{"confirmed 2"}},
		{name: "within tolerance, the store a day later", dates: []string{"2026-03-10"}, obs: kept("2026-02-01T10:00:00Z", "2026-03-11T10:00:00Z"), tol: 1,
			want: []string{"confirmed 2"}},
		{name: "outside tolerance, the store later", dates: []string{"2026-03-10"}, obs: kept("2026-02-01T10:00:00Z", "2026-03-12T10:00:00Z"), tol: 1,
			want: []string{"unconfirmed"}},
		{name: "outside tolerance, the store earlier", dates: []string{"2026-03-10"}, obs: kept("2026-02-01T10:00:00Z", "2026-03-08T10:00:00Z"), tol: 1,
			want: []string{"unconfirmed"}},
		{name: "no version after the rotation", dates: []string{"2026-06-01"}, obs: kept("2026-02-01T10:00:00Z"), tol: 3,
			want: []string{"unconfirmed"}},
		// 23:30 UTC on 28 February is 00:30 on 1 March in Berlin: the
		// register's zone decides the day.
		{name: "zone boundary: the instant's UTC day is earlier", dates: []string{"2026-03-01"}, obs: kept("2026-01-01T10:00:00Z", "2026-02-28T23:30:00Z"), tol: 0, loc: berlin,
			want: []string{"confirmed 2"}},
		{name: "zone boundary: the same instant in UTC", dates: []string{"2026-03-01"}, obs: kept("2026-01-01T10:00:00Z", "2026-02-28T23:30:00Z"), tol: 0, loc: time.UTC,
			want: []string{"unconfirmed"}},
		{name: "zone boundary: the instant's UTC day is the rotation's", dates: []string{"2026-03-01"}, obs: kept("2026-01-01T10:00:00Z", "2026-03-01T23:30:00Z"), tol: 0, loc: berlin,
			want: []string{"unconfirmed"}},
		{name: "zone boundary: summer time", dates: []string{"2026-07-01"}, obs: kept("2026-01-01T10:00:00Z", "2026-06-30T22:30:00Z"), tol: 0, loc: berlin,
			want: []string{"confirmed 2"}},
		{name: "leap day, the store the day after", dates: []string{"2028-02-29"}, obs: kept("2028-01-01T10:00:00Z", "2028-03-01T10:00:00Z"), tol: 1,
			want: []string{"confirmed 2"}},
		{name: "leap day, the store the day before", dates: []string{"2028-02-29"}, obs: kept("2028-01-01T10:00:00Z", "2028-02-28T10:00:00Z"), tol: 1,
			want: []string{"confirmed 2"}},
		{name: "leap day between: two days apart", dates: []string{"2028-02-28"}, obs: kept("2028-01-01T10:00:00Z", "2028-03-01T10:00:00Z"), tol: 1,
			want: []string{"unconfirmed"}},
		{name: "before the oldest version kept", dates: []string{"2026-01-10"}, obs: kept("2026-03-01T10:00:00Z", "2026-06-01T10:00:00Z"), tol: 1,
			want: []string{"beyond-retention"}},
		{name: "the oldest version less the tolerance", dates: []string{"2026-02-28"}, obs: kept("2026-03-01T10:00:00Z", "2026-06-01T10:00:00Z"), tol: 1,
			want: []string{"confirmed 1"}},
		{name: "a day before that", dates: []string{"2026-02-27"}, obs: kept("2026-03-01T10:00:00Z", "2026-06-01T10:00:00Z"), tol: 1,
			want: []string{"beyond-retention"}},
		{name: "rotations beyond retention, confirmed and unconfirmed", dates: []string{"2025-11-01", "2026-03-01", "2026-06-01", "2026-09-01"},
			obs: kept("2026-02-01T10:00:00Z", "2026-03-01T10:00:00Z", "2026-09-01T10:00:00Z"), tol: 1,
			want: []string{"beyond-retention", "confirmed 2", "unconfirmed near 2", "confirmed 3"}},
		// One version in the store, two rotations recorded a day apart:
		// the store saw one rotation. The nearer rotation is confirmed.
		{name: "one version, two rotations within tolerance", dates: []string{"2026-03-01", "2026-03-02"}, obs: kept("2026-01-01T10:00:00Z", "2026-03-02T10:00:00Z"), tol: 1,
			want: []string{"unconfirmed near 2", "confirmed 2"}},
		{name: "one version, two rotations, the older nearer", dates: []string{"2026-03-02", "2026-03-03"}, obs: kept("2026-01-01T10:00:00Z", "2026-03-02T10:00:00Z"), tol: 1,
			want: []string{"confirmed 2", "unconfirmed near 2"}},
		// The nearest pairing would confirm one; two are possible.
		{name: "as many confirmed as the versions allow", dates: []string{"2026-03-02", "2026-03-03"}, obs: kept("2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"), tol: 1,
			want: []string{"confirmed 1", "confirmed 2"}},
		{name: "at equal distance the older version", dates: []string{"2026-03-05"}, obs: kept("2026-03-04T10:00:00Z", "2026-03-06T10:00:00Z"), tol: 1,
			want: []string{"confirmed 1"}},
		{name: "several versions, the nearest", dates: []string{"2026-03-05"}, obs: kept("2026-03-02T10:00:00Z", "2026-03-05T10:00:00Z", "2026-03-07T10:00:00Z"), tol: 3,
			want: []string{"confirmed 2"}},
		{name: "dates given out of order keep their order", dates: []string{"2026-09-01", "2026-03-01"}, obs: kept("2026-03-01T10:00:00Z", "2026-09-01T10:00:00Z"), tol: 0,
			want: []string{"confirmed 2", "confirmed 1"}},
		// IAM access keys and TLS keep no history.
		{name: "no history: the newest rotation confirmed", dates: []string{"2026-01-01", "2026-04-01", "2026-07-01"},
			obs: verify.Observation{Changed: at("2026-07-01T23:30:00Z")}, tol: 1,
			want: []string{"not-kept", "not-kept", "confirmed current"}},
		{name: "no history: the current version older than the newest rotation", dates: []string{"2026-01-01", "2026-07-01"},
			obs: verify.Observation{Changed: at("2026-05-01T10:00:00Z")}, tol: 1,
			want: []string{"not-kept", "unconfirmed"}},
		{name: "no history: the current version newer", dates: []string{"2026-01-01", "2026-07-01"},
			obs: verify.Observation{Changed: at("2026-10-01T10:00:00Z")}, tol: 1,
			want: []string{"not-kept", "not-kept"}},
		{name: "no rotations", obs: kept("2026-03-01T10:00:00Z"), tol: 1, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dates := make([]rotation.Date, len(tt.dates))
			for i, d := range tt.dates {
				dates[i] = date(d)
			}
			marks := audit.MarkRotations(dates, tt.obs, tt.tol, tt.loc)
			got := make([]string, len(marks))
			for i, m := range marks {
				got[i] = m.Mark
				switch {
				case m.Mark == audit.MarkConfirmed && m.Version != nil && m.Version.ID == "":
					got[i] += " current"
				case m.Version != nil:
					got[i] += " " + m.Version.ID
				case m.NearestConfirms != nil:
					got[i] += " near " + m.Nearest.ID
				}
			}
			if strings.Join(got, ", ") != strings.Join(tt.want, ", ") {
				t.Errorf("marks = %q, want %q", got, tt.want)
			}
		})
	}
}

// FuzzMarkRotations checks what holds for any rotations and versions: a
// confirmed rotation's version is within the tolerance and confirms no
// other rotation; no rotation left unconfirmed has an unused version
// within the tolerance; beyond retention means older than every version
// less the tolerance.
func FuzzMarkRotations(f *testing.F) {
	f.Add([]byte{10, 11, 12}, []byte{11, 11, 30}, uint8(1))
	f.Add([]byte{2, 3}, []byte{1, 2}, uint8(1))
	f.Add([]byte{5}, []byte{}, uint8(0))
	f.Fuzz(func(t *testing.T, rot, ver []byte, tol uint8) {
		if len(rot) > 40 || len(ver) > 40 {
			return
		}
		tolerance := int(tol % 8)
		base := date("2026-01-01")
		dates := make([]rotation.Date, len(rot))
		for i, b := range rot {
			dates[i] = base.AddDays(int(b))
		}
		var obs verify.Observation
		for i, b := range ver {
			obs.Versions = append(obs.Versions, verify.Version{ID: string(rune('a' + i)), Created: base.Time().Add(time.Duration(b) * 24 * time.Hour).Add(10 * time.Hour)})
		}
		if len(ver) == 0 {
			obs.Changed = base.Time().AddDate(0, 0, int(tol))
		}
		marks := audit.MarkRotations(dates, obs, tolerance, time.UTC)
		if len(marks) != len(dates) {
			t.Fatalf("%d marks for %d rotations", len(marks), len(dates))
		}
		used := map[*verify.Version]bool{}
		for i, m := range marks {
			if m.Mark != audit.MarkConfirmed {
				continue
			}
			if used[m.Version] && m.Version.ID != "" {
				t.Fatalf("version %s confirms two rotations", m.Version.ID)
			}
			used[m.Version] = true
			if d := dates[i].DaysUntil(rotation.DateOf(m.Version.Created)); abs(d) > tolerance {
				t.Fatalf("rotation %s confirmed by a version %d days away", dates[i], d)
			}
		}
		if len(ver) == 0 {
			return
		}
		oldest := rotation.DateOf(obs.Versions[0].Created)
		for _, v := range obs.Versions {
			oldest = minDate(oldest, rotation.DateOf(v.Created))
		}
		for i, m := range marks {
			switch m.Mark {
			case audit.MarkConfirmed:
			case audit.MarkBeyondRetention, audit.MarkUnconfirmed:
				if (m.Mark == audit.MarkBeyondRetention) != (dates[i].DaysUntil(oldest) > tolerance) {
					t.Fatalf("rotation %s marked %s, the oldest version %s", dates[i], m.Mark, oldest)
				}
				for j := range obs.Versions {
					v := &obs.Versions[j]
					if !used[v] && abs(dates[i].DaysUntil(rotation.DateOf(v.Created))) <= tolerance {
						t.Fatalf("rotation %s %s, while version %s within tolerance confirms nothing", dates[i], m.Mark, v.ID)
					}
				}
			default:
				t.Fatalf("mark %q from a store that keeps versions", m.Mark)
			}
		}
	})
}

func abs(n int) int { return max(n, -n) }

func minDate(a, b rotation.Date) rotation.Date {
	if a.Before(b) {
		return a
	}
	return b
}
