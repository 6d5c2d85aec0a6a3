package verify

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
)

func TestJudge(t *testing.T) {
	auckland, err := time.LoadLocation("Pacific/Auckland")
	if err != nil {
		t.Fatal(err)
	}
	last := rotation.MustParseDate("2026-09-01")
	cases := []struct {
		name      string
		changed   string
		tolerance int
		loc       *time.Location
		want      Verdict
		wantDate  string
	}{
		{"same day", "2026-09-01T10:00:00Z", 1, time.UTC, VerdictConfirmed, "2026-09-01"},
		{"a day later within tolerance", "2026-09-02T23:59:59Z", 1, time.UTC, VerdictConfirmed, "2026-09-02"},
		{"two days later", "2026-09-03T00:00:00Z", 1, time.UTC, VerdictUnrecorded, "2026-09-03"},
		{"a day earlier within tolerance", "2026-08-31T00:00:00Z", 1, time.UTC, VerdictConfirmed, "2026-08-31"},
		{"two days earlier", "2026-08-30T23:59:59Z", 1, time.UTC, VerdictUnconfirmed, "2026-08-30"},
		{"zero tolerance, next day", "2026-09-02T00:00:00Z", 0, time.UTC, VerdictUnrecorded, "2026-09-02"},
		// 2026-08-30T13:00Z is 2026-08-31 01:00 in Auckland (NZST, +12):
		// the instant's UTC date is two days early, its local date one.
		{"the register's zone decides the date", "2026-08-30T13:00:00Z", 1, auckland, VerdictConfirmed, "2026-08-31"},
		{"and in UTC the same instant is too early", "2026-08-30T13:00:00Z", 1, time.UTC, VerdictUnconfirmed, "2026-08-30"},
		{"leap day", "2028-02-29T12:00:00Z", 0, time.UTC, VerdictUnrecorded, "2028-02-29"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changed, err := time.Parse(time.RFC3339, tc.changed)
			if err != nil {
				t.Fatal(err)
			}
			got, date := Judge(changed, last, tc.tolerance, tc.loc)
			if got != tc.want || date.String() != tc.wantDate {
				t.Errorf("Judge(%s, %s, %d, %s) = %s, %s; want %s, %s", tc.changed, last, tc.tolerance, tc.loc, got, date, tc.want, tc.wantDate)
			}
		})
	}
}

// TestShowsRotation: record's gate passes a store version written after
// the previous rotation (beyond the tolerance, or on the done date) and
// refuses the previous rotation's own version.
func TestShowsRotation(t *testing.T) {
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	previous, done := rotation.MustParseDate("2026-03-01"), rotation.MustParseDate("2026-11-25")
	cases := []struct {
		name      string
		changed   string
		previous  rotation.Date
		tolerance int
		loc       *time.Location
		want      bool
	}{
		{"written on the done date", "2026-11-25T09:00:00Z", previous, 1, time.UTC, true},
		{"written a week before the ticket was closed", "2026-11-18T09:00:00Z", previous, 1, time.UTC, true},
		{"written after the ticket was closed", "2026-11-27T09:00:00Z", previous, 1, time.UTC, true},
		{"the previous rotation's version", "2026-03-01T09:00:00Z", previous, 1, time.UTC, false},
		{"the previous rotation's version, a day late", "2026-03-02T09:00:00Z", previous, 1, time.UTC, false},
		{"older than the previous rotation", "2025-12-01T09:00:00Z", previous, 1, time.UTC, false},
		{"zero tolerance, the day after the previous rotation", "2026-03-02T00:00:00Z", previous, 0, time.UTC, true},
		// A rotation a day after the previous one: within the tolerance of
		// both, on the done date, and after the previous one.
		{"a day after a rotation the day before", "2026-11-25T09:00:00Z", rotation.MustParseDate("2026-11-24"), 1, time.UTC, true},
		{"the previous version when the two are a day apart", "2026-11-24T09:00:00Z", rotation.MustParseDate("2026-11-24"), 1, time.UTC, false},
		// 2026-03-01T16:00Z is 2026-03-02 01:00 in Tokyo: the zone decides.
		{"the register's zone decides, zero tolerance", "2026-03-01T16:00:00Z", previous, 0, tokyo, true},
		{"and in UTC it is the previous day", "2026-03-01T16:00:00Z", previous, 0, time.UTC, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			changed, err := time.Parse(time.RFC3339, tc.changed)
			if err != nil {
				t.Fatal(err)
			}
			if got, _ := ShowsRotation(changed, tc.previous, done, tc.tolerance, tc.loc); got != tc.want {
				t.Errorf("ShowsRotation(%s, %s, %s, %d, %s) = %v, want %v", tc.changed, tc.previous, done, tc.tolerance, tc.loc, got, tc.want)
			}
		})
	}
}

func TestVerdictFailed(t *testing.T) {
	for _, v := range Verdicts {
		want := v == VerdictError || v == VerdictUnconfirmed
		if v.Failed() != want {
			t.Errorf("%s.Failed() = %v, want %v", v, v.Failed(), want)
		}
	}
}

func TestReasonOf(t *testing.T) {
	se := Errorf(ReasonNotFound, errors.New("404"), "no secret %q", "payments/db")
	if got := ReasonOf(se); got != ReasonNotFound {
		t.Errorf("ReasonOf(StoreError) = %s", got)
	}
	if got := ReasonOf(errors.Join(errors.New("wrapped"), se)); got != ReasonNotFound {
		t.Errorf("ReasonOf(wrapped) = %s", got)
	}
	if got := ReasonOf(errors.New("dial tcp: refused")); got != ReasonUnreachable {
		t.Errorf("ReasonOf(plain) = %s", got)
	}
	if msg := se.Error(); msg != `not-found: no secret "payments/db"` {
		t.Errorf("Error() = %q", msg)
	}
}

func TestHTTPClientRefusesRedirects(t *testing.T) {
	var hits int
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits++
		if r.Header.Get("Authorization") != "" {
			t.Error("the redirect's target received the Authorization header")
		}
	}))
	defer target.Close()
	src := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/elsewhere", http.StatusTemporaryRedirect)
	}))
	defer src.Close()

	req, _ := http.NewRequest(http.MethodGet, src.URL+"/v1/secret/metadata/x", nil)
	req.Header.Set("Authorization", "Bearer s.abcdefgh")
	_, err := HTTPClient(nil, time.Second).Do(req)
	if !errors.Is(err, ErrRedirect) {
		t.Fatalf("err = %v, want ErrRedirect", err)
	}
	if hits != 0 {
		t.Errorf("the redirect was followed %d times", hits)
	}
}

func TestHTTPClientRefusesPlainHTTPToOtherHosts(t *testing.T) {
	_, err := HTTPClient(nil, time.Second).Get("http://vault.example.com:8200/v1/sys/health")
	if ReasonOf(err) != ReasonConfig || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a config error naming loopback", err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	resp, err := HTTPClient(nil, time.Second).Get(srv.URL) // 127.0.0.1: allowed
	if err != nil {
		t.Fatalf("loopback: %v", err)
	}
	resp.Body.Close()
}
