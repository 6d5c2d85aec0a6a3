package rotation

import (
	"archive/zip"
	"go/build"
	"io"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// goZones returns every zone of Go's own time zone database,
// $GOROOT/lib/time/zoneinfo.zip, by name. Each is read from the zip, so
// the tests do not depend on the machine's /usr/share/zoneinfo.
var goZones = sync.OnceValues(func() (map[string]*time.Location, error) {
	zr, err := zip.OpenReader(filepath.Join(build.Default.GOROOT, "lib", "time", "zoneinfo.zip"))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	zones := map[string]*time.Location{}
	for _, f := range zr.File {
		if f.FileInfo().IsDir() {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return nil, err
		}
		if zones[f.Name], err = time.LoadLocationFromTZData(f.Name, data); err != nil {
			return nil, err
		}
	}
	return zones, nil
})

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	zones, err := goZones()
	if err != nil {
		t.Fatalf("Go's time zone database: %v", err)
	}
	loc := zones[name]
	if loc == nil {
		t.Fatalf("Go's time zone database has no %s", name)
	}
	return loc
}

func TestStart(t *testing.T) {
	tests := []struct {
		name string
		zone string // "" for a nil location
		day  string
		want string // RFC 3339 with nanoseconds, in the zone
	}{
		{"nil is UTC", "", "2026-09-06", "2026-09-06T00:00:00Z"},
		{"UTC", "UTC", "2026-09-06", "2026-09-06T00:00:00Z"},
		{"an ordinary day", "Europe/Berlin", "2026-03-29", "2026-03-29T00:00:00+01:00"},
		{"the day after a change at 02:00", "Europe/Berlin", "2026-03-30", "2026-03-30T00:00:00+02:00"},
		// Clocks go from 2026-09-05 23:59:59 to 01:00: the 6th begins at
		// 01:00 (time.Date gives 23:00 on the 5th).
		{"midnight skipped", "America/Santiago", "2026-09-06", "2026-09-06T01:00:00-03:00"},
		{"the day before midnight is skipped", "America/Santiago", "2026-09-05", "2026-09-05T00:00:00-04:00"},
		{"midnight skipped in Cairo", "Africa/Cairo", "2026-04-24", "2026-04-24T01:00:00+03:00"},
		{"the day after", "Africa/Cairo", "2026-04-25", "2026-04-25T00:00:00+03:00"},
		// Clocks go from 2026-10-29 23:59:59 back to 23:00: the 29th has
		// 25 hours and the 30th begins at the one midnight.
		{"a day of 25 hours", "Africa/Cairo", "2026-10-29", "2026-10-29T00:00:00+03:00"},
		{"after a day of 25 hours", "Africa/Cairo", "2026-10-30", "2026-10-30T00:00:00+02:00"},
		// Clocks went from 00:00:59 back to 23:01 the day before: midnight
		// came twice, and the day began at the first.
		{"midnight twice", "America/St_Johns", "1987-10-25", "1987-10-25T00:00:00-02:30"},
		// Samoa skipped 2011-12-30: that day is empty, beginning and
		// ending where the 31st begins.
		{"a skipped day", "Pacific/Apia", "2011-12-30", "2011-12-31T00:00:00+14:00"},
		{"after a skipped day", "Pacific/Apia", "2011-12-31", "2011-12-31T00:00:00+14:00"},
		{"before a skipped day", "Pacific/Apia", "2011-12-29", "2011-12-29T00:00:00-10:00"},
		// Go's time.ZoneBounds puts the end of a period before the instant
		// on the last UTC day of a leap year served by a zone's TZ rule
		// (golang/go#81583).
		{"the last day of a leap year", "Europe/Warsaw", "2040-12-31", "2040-12-31T00:00:00+01:00"},
		{"the first day after a leap year", "Europe/Warsaw", "2041-01-01", "2041-01-01T00:00:00+01:00"},
		{"the last day of a leap year, south", "America/Santiago", "2036-12-31", "2036-12-31T00:00:00-03:00"},
		{"far west", "Etc/GMT+12", "2026-01-01", "2026-01-01T00:00:00-12:00"},
		{"far east", "Pacific/Kiritimati", "2026-01-01", "2026-01-01T00:00:00+14:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var loc *time.Location
			if tt.zone != "" {
				loc = zone(t, tt.zone)
			}
			got := MustParseDate(tt.day).Start(loc)
			if got.Format(time.RFC3339Nano) != tt.want {
				t.Fatalf("%s.Start(%s) = %s, want %s", tt.day, tt.zone, got.Format(time.RFC3339Nano), tt.want)
			}
			if loc != nil && got.Location() != loc {
				t.Fatalf("Start's location is %s, want %s", got.Location(), loc)
			}
		})
	}
}

func TestDays(t *testing.T) {
	santiago := zone(t, "America/Santiago")
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	week := Days(MustParseDate("2026-09-01"), MustParseDate("2026-09-06"), santiago)
	next := Days(MustParseDate("2026-09-07"), MustParseDate("2026-09-13"), santiago)
	if !week.To.Equal(next.From) {
		t.Fatalf("adjoining spans %v and %v do not meet", week, next)
	}
	tests := []struct {
		at         string
		week, next bool
	}{
		{"2026-08-31T23:59:59-04:00", false, false},
		{"2026-09-01T00:00:00-04:00", true, false},
		{"2026-09-05T23:30:00-04:00", true, false},
		{"2026-09-06T23:30:00-03:00", true, false},
		{"2026-09-06T23:59:59-03:00", true, false},
		{"2026-09-07T00:00:00-03:00", false, true},
		{"2026-09-13T23:59:59-03:00", false, true},
		{"2026-09-14T00:00:00-03:00", false, false},
	}
	for _, tt := range tests {
		if got := week.Contains(at(tt.at)); got != tt.week {
			t.Errorf("%v.Contains(%s) = %v", week, tt.at, got)
		}
		if got := next.Contains(at(tt.at)); got != tt.next {
			t.Errorf("%v.Contains(%s) = %v", next, tt.at, got)
		}
	}
	if one := Days(MustParseDate("2026-09-06"), MustParseDate("2026-09-06"), santiago); one.To.Sub(one.From) != 23*time.Hour {
		t.Errorf("2026-09-06 in Santiago lasts %s, want 23h", one.To.Sub(one.From))
	}
	if empty := Days(MustParseDate("2026-09-07"), MustParseDate("2026-09-06"), santiago); empty.Contains(at("2026-09-06T23:30:00-03:00")) || empty.To.After(empty.From) {
		t.Errorf("a span that ends before it begins holds instants: %v", empty)
	}
}

// transition is a change of a zone's offset.
type transition struct {
	at       time.Time
	from, to int // offsets, seconds east of UTC
}

// transitions lists loc's changes of offset from lo to hi, walking
// ZoneBounds. On the last UTC day of a leap year served by a zone's TZ
// rule, ZoneBounds may end a period before the instant asked about
// (golang/go#81583); the walk then steps on by an hour (the next change
// is months away).
func transitions(loc *time.Location, lo, hi time.Time) []transition {
	var out []transition
	at := lo
	for {
		_, end := at.In(loc).ZoneBounds()
		if end.IsZero() || end.After(hi) {
			return out
		}
		if !end.After(at) {
			end = at.Add(time.Hour)
		}
		_, from := end.Add(-time.Nanosecond).In(loc).Zone()
		_, to := end.In(loc).Zone()
		if from != to {
			out = append(out, transition{end, from, to})
		}
		at = end
	}
}

// midnightDays returns the days whose midnight a change of clocks jumps
// to, from or over: the wall clock at the change, in the old offset and
// the new, is at or across a midnight. Each day and the one before it is
// next to the change.
func midnightDays(tr transition) []Date {
	a, b := tr.at.Add(time.Duration(tr.from)*time.Second).UTC(), tr.at.Add(time.Duration(tr.to)*time.Second).UTC()
	if b.Before(a) {
		a, b = b, a
	}
	d := DateOf(a)
	if !a.Equal(d.Time()) {
		d = d.AddDays(1)
	}
	var out []Date
	for ; !d.Time().After(b); d = d.AddDays(1) {
		out = append(out, d)
	}
	return out
}

// TestStartInEveryZone holds Start to its definition, the first instant
// whose date in the zone is the day (or a later one, for a day the clocks
// skip), on every day of 1970–2037 next to a change of clocks at or
// across midnight, in every zone of Go's time zone database; and on the
// last day of each leap year, where Go's own zone bounds are off. For each
// day d it checks, from the clocks alone:
//   - Start(d) is on d, or on a later day when d is skipped and its span
//     is empty; the instant before it is on an earlier day;
//   - no instant before Start(d) is on d or later: within one offset the
//     date only grows, so it is enough to look just before each change in
//     the two days before;
//   - the instants of [Start(d), Start(d+1)) are on d: at both ends and
//     either side of each change inside; where a clock was turned back
//     across midnight the hour it repeats is on the day before, and is in
//     d's span because d had already begun.
func TestStartInEveryZone(t *testing.T) {
	zones, err := goZones()
	if err != nil {
		t.Fatalf("Go's time zone database: %v", err)
	}
	names := make([]string, 0, len(zones))
	for name := range zones {
		names = append(names, name)
	}
	slices.Sort(names)
	lo, hi := time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(2038, 1, 1, 0, 0, 0, 0, time.UTC)
	var zonesWith, days, leapDays, timeDateWrong, turnedBack int
	for _, name := range names {
		loc := zones[name]
		trs := transitions(loc, lo.Add(-72*time.Hour), hi.Add(72*time.Hour))
		check := map[Date]bool{}
		for _, tr := range trs {
			if tr.at.Before(lo) || !tr.at.Before(hi) {
				continue
			}
			for _, d := range midnightDays(tr) {
				check[d.AddDays(-1)], check[d] = true, true
			}
		}
		if len(check) > 0 {
			zonesWith++
			days += len(check)
		}
		n := len(check)
		for y := 1972; y < 2038; y += 4 {
			check[Date{y, time.December, 31}], check[Date{y + 1, time.January, 1}] = true, true
		}
		leapDays += len(check) - n
		for d := range check {
			s, e := d.Start(loc), d.AddDays(1).Start(loc)
			if got := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc); !got.Equal(s) {
				timeDateWrong++
			}
			back, ok := checkDay(t, loc, d, s, e, trs)
			if back {
				turnedBack++
			}
			if !ok {
				t.Errorf("%s %s: span [%s, %s)", name, d, s.Format(time.RFC3339Nano), e.Format(time.RFC3339Nano))
			}
		}
	}
	t.Logf("%d zones, %d with a change of clocks at or across midnight in 1970–2037; checked %d days next to one "+
		"(%d with a clock turned back across midnight) and %d more at the turn of a leap year; "+
		"on %d of them time.Date's midnight is not the first instant",
		len(zones), zonesWith, days, turnedBack, leapDays, timeDateWrong)
	if len(zones) < 400 || zonesWith < 100 || days < 1000 || timeDateWrong == 0 {
		t.Errorf("the database looks too small to test anything: %d zones, %d with midnight changes, %d days", len(zones), zonesWith, days)
	}
}

// checkDay checks the span [s, e) of day d in loc, whose changes of
// offset are trs (sorted); back says d's span holds an hour that a clock
// turned back across midnight repeats. It also checks trs against the
// clock every three hours from two days before s to e, so that a change
// the walk of ZoneBounds missed would show.
func checkDay(t *testing.T, loc *time.Location, d Date, s, e time.Time, trs []transition) (back, ok bool) {
	on := func(x time.Time) Date { return DateOf(x.In(loc)) }
	ok = true
	fail := func(format string, args ...any) {
		t.Errorf("%s %s: "+format, append([]any{loc, d}, args...)...)
		ok = false
	}
	if e.Before(s) {
		fail("the next day begins at %s, before this one", e)
	}
	if got := on(s); got.Before(d) || (s.Before(e) && got != d) {
		fail("Start = %s is on %s", s, got)
	}
	if got := on(s.Add(-time.Nanosecond)); !got.Before(d) {
		fail("the instant before Start = %s is on %s", s, got)
	}
	from := s.Add(-48 * time.Hour)
	first, _ := slices.BinarySearchFunc(trs, from, func(tr transition, x time.Time) int { return tr.at.Compare(x) })
	for x := from; x.Before(e); x = x.Add(3 * time.Hour) {
		i, _ := slices.BinarySearchFunc(trs, x, func(tr transition, x time.Time) int { return tr.at.Compare(x) })
		if i < len(trs) && trs[i].at.Equal(x) {
			i++
		}
		if _, got := x.In(loc).Zone(); i > 0 && got != trs[i-1].to || i == 0 && len(trs) > 0 && got != trs[0].from {
			fail("the offset at %s is %d, not what the list of changes says", x, got)
			return false, ok
		}
	}
	// No instant before Start is on d or later.
	for _, tr := range trs[first:] {
		if !tr.at.Before(s) {
			break
		}
		if got := on(tr.at.Add(-time.Nanosecond)); !got.Before(d) {
			fail("%s, before Start = %s, is on %s", tr.at.Add(-time.Nanosecond), s, got)
		}
	}
	if !s.Before(e) {
		return false, ok
	}
	// The span's instants are on d.
	turned := false
	inSpan := func(x time.Time) {
		switch got := on(x); {
		case got == d:
		case turned && got == d.AddDays(-1):
			back = true
		default:
			fail("%s, in the span [%s, %s), is on %s", x, s, e, got)
		}
	}
	inSpan(s)
	for _, tr := range trs[first:] {
		if !tr.at.After(s) {
			continue
		}
		if !tr.at.Before(e) {
			break
		}
		inSpan(tr.at.Add(-time.Nanosecond))
		turned = turned || tr.to < tr.from
		inSpan(tr.at)
	}
	inSpan(e.Add(-time.Nanosecond))
	return back, ok
}
