// Package rotation holds rotor's domain: credentials, calendar dates, the
// due-date rules and the statuses derived from them, and the interfaces that
// adapters (Jira, GitHub, git, mail) implement. It imports only the standard
// library, so every other package can depend on it and none of it depends on
// an adapter.
package rotation

import (
	"errors"
	"fmt"
	"time"
)

// Date is a calendar date without a time of day or a time zone. Rotation
// periods are counted in calendar days, so a Date never drifts across
// daylight-saving changes or offsets the way a time.Time can.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateLayout is the only textual form of a Date rotor reads or writes.
const DateLayout = "2006-01-02"

// MinDate is the earliest date rotor accepts. No credential was rotated
// before it, and a date such as 0000-01-01 is a placeholder, not a rotation.
var MinDate = Date{Year: 1970, Month: time.January, Day: 1}

// ErrBeforeMinDate is the error of ParseDate for a date before MinDate.
var ErrBeforeMinDate = errors.New("before 1970-01-01, the earliest date rotor accepts")

// ParseDate parses s as YYYY-MM-DD and rejects dates that do not exist on
// the calendar, such as 2026-02-30 or 2025-02-29, and dates before MinDate.
func ParseDate(s string) (Date, error) {
	if len(s) != len(DateLayout) {
		return Date{}, fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		// time.Parse reports "day out of range" for 2026-02-30; keep the
		// message about the input, not about Go's layout string.
		if pe, ok := err.(*time.ParseError); ok && pe.Message != "" {
			return Date{}, fmt.Errorf("%q is not a calendar date (%s)", s, trimColon(pe.Message))
		}
		return Date{}, fmt.Errorf("%q is not a date in YYYY-MM-DD form", s)
	}
	d := DateOf(t)
	if d.Before(MinDate) {
		return Date{}, fmt.Errorf("%q is %w", s, ErrBeforeMinDate)
	}
	return d, nil
}

func trimColon(s string) string {
	for len(s) > 0 && (s[0] == ':' || s[0] == ' ') {
		s = s[1:]
	}
	return s
}

// MustParseDate is ParseDate for constants in tests and examples; it panics
// on a bad date.
func MustParseDate(s string) Date {
	d, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// Today returns the calendar date of now in loc (UTC when loc is nil).
func Today(now time.Time, loc *time.Location) Date {
	if loc == nil {
		loc = time.UTC
	}
	return DateOf(now.In(loc))
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Time returns midnight UTC at the start of d.
func (d Date) Time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

// Start returns the first instant of d in loc (UTC when loc is nil): the
// earliest instant whose date in loc is d, or a later day when the clocks
// skip d altogether (Samoa skipped 2011-12-30; that day's span is empty).
//
// That is midnight on most days, but not where clocks change at midnight,
// and time.Date's midnight is then no answer: where clocks jump from
// 23:59:59 to 01:00 (America/Santiago on 2026-09-06) the day begins at the
// jump, and time.Date may give 23:00 the day before; where midnight comes
// twice (clocks turned back from 01:00 to 00:00, Africa/Tunis 1977) the
// day begins at the first, and time.Date may give the second. Where a
// clock is turned back across midnight (America/St_Johns, from 00:01 to
// 23:01 the day before, until 2010), the day begins at the first midnight
// and its span holds the repeated hour of the day before.
func (d Date) Start(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	midnight := d.Time() // d's midnight on a clock at UTC+0
	// Walk the zone's periods of one offset from two days before, when
	// the date in loc is before d under any offset: within a period the
	// date only grows, so d begins in the first period whose clock reaches
	// d's midnight, at that midnight or at the period's start.
	at := midnight.Add(-48 * time.Hour)
	for {
		local := at.In(loc)
		_, offset := local.Zone()
		first := midnight.Add(-time.Duration(offset) * time.Second)
		if !first.After(at) {
			return local // clocks jumped over d's midnight at the start of this period
		}
		_, end := local.ZoneBounds()
		if !end.IsZero() && !end.After(at) {
			// ZoneBounds may end a period before the instant on the last
			// UTC day of a leap year served by a zone's TZ rule
			// (golang/go#81583); the offset holds until the rule's
			// next change, months away.
			end = at.Add(time.Hour)
		}
		if end.IsZero() || first.Before(end) {
			return first.In(loc)
		}
		at = end
	}
}

// Span is the instants from From up to To: From is in it, To is not. The
// spans of adjoining days meet without a gap and without overlapping.
type Span struct {
	From, To time.Time
}

// Days returns the span of the days first to last in loc, both included:
// from the first instant of first to the first instant of the day after
// last.
func Days(first, last Date, loc *time.Location) Span {
	return Span{From: first.Start(loc), To: last.AddDays(1).Start(loc)}
}

// Contains reports whether t is in s: From <= t < To.
func (s Span) Contains(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

// AddDays returns the date n calendar days after d (before, when n < 0).
func (d Date) AddDays(n int) Date { return DateOf(d.Time().AddDate(0, 0, n)) }

// DaysUntil returns the number of calendar days from d to e: positive when e
// is later, negative when it is earlier. It counts days on the calendar, so
// it is exact for any span (a time.Duration would saturate past 292 years).
func (d Date) DaysUntil(e Date) int { return e.dayNumber() - d.dayNumber() }

// dayNumber is the number of days from 1970-01-01 to d in the proleptic
// Gregorian calendar (Howard Hinnant's days_from_civil). Day and month out
// of range are normalised first, as time.Date does.
func (d Date) dayNumber() int {
	if d.Month < time.January || d.Month > time.December || d.Day < 1 || d.Day > 28 {
		d = DateOf(d.Time())
	}
	y, m, day := d.Year, int(d.Month), d.Day
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool { return d.Compare(e) < 0 }

// After reports whether d is later than e.
func (d Date) After(e Date) bool { return d.Compare(e) > 0 }

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return cmpInt(d.Year, e.Year)
	case d.Month != e.Month:
		return cmpInt(int(d.Month), int(e.Month))
	default:
		return cmpInt(d.Day, e.Day)
	}
}

func cmpInt(a, b int) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	if d.Year < 0 || d.Year > 9999 {
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
	}
	return string(d.appendTo(make([]byte, 0, len(DateLayout))))
}

// appendTo appends d as YYYY-MM-DD (years 0 to 9999).
func (d Date) appendTo(b []byte) []byte {
	y, m := d.Year, int(d.Month)
	return append(b, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d.Day/10), byte('0'+d.Day%10))
}

// MarshalText implements encoding.TextMarshaler (YYYY-MM-DD).
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler (YYYY-MM-DD).
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// ValidDateText reports whether s is a calendar date in YYYY-MM-DD form.
func ValidDateText(s string) bool {
	_, err := ParseDate(s)
	return err == nil
}
