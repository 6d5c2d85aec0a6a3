package rotation

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    Date
		wantErr string
	}{
		{name: "plain", in: "2026-05-22", want: Date{2026, time.May, 22}},
		{name: "leap day in a leap year", in: "2024-02-29", want: Date{2024, time.February, 29}},
		{name: "leap day in a common year", in: "2025-02-29", wantErr: "not a calendar date"},
		{name: "february 30", in: "2026-02-30", wantErr: "not a calendar date"},
		{name: "april 31", in: "2026-04-31", wantErr: "not a calendar date"},
		{name: "month 13", in: "2026-13-01", wantErr: "not a calendar date"},
		{name: "day 0", in: "2026-01-00", wantErr: "not a calendar date"},
		{name: "short month", in: "2026-5-22", wantErr: "YYYY-MM-DD"},
		{name: "with time", in: "2026-05-22T10:00:00Z", wantErr: "YYYY-MM-DD"},
		{name: "slashes", in: "2026/05/22", wantErr: "YYYY-MM-DD"},
		{name: "empty", in: "", wantErr: "YYYY-MM-DD"},
		{name: "century leap year", in: "2000-02-29", want: Date{2000, time.February, 29}},
		{name: "century common year", in: "2100-02-29", wantErr: "not a calendar date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDate(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseDate(%q) error = %v, want one containing %q", tt.in, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseDate(%q): %v", tt.in, err)
			}
			if got != tt.want {
				t.Fatalf("ParseDate(%q) = %v, want %v", tt.in, got, tt.want)
			}
			if got.String() != tt.in {
				t.Fatalf("String() = %q, want %q", got.String(), tt.in)
			}
		})
	}
}

func TestDateArithmetic(t *testing.T) {
	tests := []struct {
		from string
		days int
		want string
	}{
		{"2026-01-31", 1, "2026-02-01"},
		{"2026-01-31", 30, "2026-03-02"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2024-02-29", 365, "2025-02-28"},
		{"2024-02-29", 366, "2025-03-01"},
		{"2026-12-31", 1, "2027-01-01"},
		{"2026-03-29", 1, "2026-03-30"}, // a DST change in Europe; dates do not care
		{"2026-11-27", -30, "2026-10-28"},
		{"2026-11-27", 3650, "2036-11-24"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s%+d", tt.from, tt.days), func(t *testing.T) {
			from := MustParseDate(tt.from)
			got := from.AddDays(tt.days)
			if got.String() != tt.want {
				t.Fatalf("%s + %d days = %s, want %s", tt.from, tt.days, got, tt.want)
			}
			if back := from.DaysUntil(got); back != tt.days {
				t.Fatalf("DaysUntil = %d, want %d", back, tt.days)
			}
		})
	}
}

func TestToday(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Skip("no time zone database:", err)
	}
	now := time.Date(2026, time.November, 27, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		loc  *time.Location
		want string
	}{
		{"nil is UTC", nil, "2026-11-27"},
		{"UTC", time.UTC, "2026-11-27"},
		{"Berlin is past midnight", berlin, "2026-11-28"},
		{"Tokyo is past midnight", tokyo, "2026-11-28"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Today(now, tt.loc).String(); got != tt.want {
				t.Fatalf("Today = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestDateTextRoundTrip(t *testing.T) {
	d := MustParseDate("2026-02-28")
	b, err := d.MarshalText()
	if err != nil || string(b) != "2026-02-28" {
		t.Fatalf("MarshalText = %q, %v", b, err)
	}
	var back Date
	if err := back.UnmarshalText(b); err != nil || back != d {
		t.Fatalf("UnmarshalText = %v, %v", back, err)
	}
	if err := back.UnmarshalText([]byte("2026-02-30")); err == nil {
		t.Fatal("UnmarshalText accepted 2026-02-30")
	}
}

func TestDaysUntilIsExactForAnySpan(t *testing.T) {
	tests := []struct {
		from, to string
		want     int
	}{
		{"1970-01-01", "9999-12-31", 2932896},
		{"9999-12-31", "1970-01-01", -2932896},
		{"2000-02-28", "2000-03-01", 2},
		{"1900-02-28", "1900-03-01", 1},
		{"2024-12-31", "2025-01-01", 1},
		{"0001-01-01", "9999-12-31", 3652058},
	}
	for _, tt := range tests {
		from, to := anyDate(t, tt.from), anyDate(t, tt.to)
		if got := from.DaysUntil(to); got != tt.want {
			t.Errorf("%s → %s = %d days, want %d", tt.from, tt.to, got, tt.want)
		}
	}
}

// anyDate reads YYYY-MM-DD for any year, below the register's 1970 floor too.
func anyDate(t *testing.T, s string) Date {
	t.Helper()
	tm, err := time.Parse(DateLayout, s)
	if err != nil {
		t.Fatal(err)
	}
	return DateOf(tm)
}

func TestParseDateRefusesDatesBefore1970(t *testing.T) {
	for _, s := range []string{"0000-01-01", "1969-12-31"} {
		if _, err := ParseDate(s); err == nil || !strings.Contains(err.Error(), "1970-01-01") {
			t.Errorf("ParseDate(%q) err = %v, want one naming 1970-01-01", s, err)
		}
	}
	if _, err := ParseDate("1970-01-01"); err != nil {
		t.Errorf("ParseDate(1970-01-01): %v", err)
	}
}

// TestDaysUntilAgreesWithTime holds the calendar arithmetic to time's own
// over every day of the years a register can hold within a Duration's range.
func TestDaysUntilAgreesWithTime(t *testing.T) {
	base := Date{Year: 2026, Month: time.November, Day: 27}
	for d := (Date{Year: 1970, Month: time.January, Day: 1}); d.Year < 2200; d = d.AddDays(1) {
		want := int(d.Time().Sub(base.Time()) / (24 * time.Hour))
		if got := base.DaysUntil(d); got != want {
			t.Fatalf("%s → %s = %d, want %d", base, d, got, want)
		}
	}
}
