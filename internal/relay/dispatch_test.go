package relay

import (
	"testing"
	"time"
)

func TestRetryDelay(t *testing.T) {
	d := &dispatcher{backoff: 100 * time.Millisecond}
	for attempt, base := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond, 3: 400 * time.Millisecond} {
		for range 50 {
			got := d.delay(attempt, 0)
			if got < base/2 || got > base {
				t.Fatalf("delay after attempt %d = %v, want within [%v, %v]", attempt, got, base/2, base)
			}
		}
	}
	if got := d.delay(1, 3*time.Second); got != 3*time.Second {
		t.Errorf("a longer Retry-After wins: got %v", got)
	}
}

func TestRetryAfter(t *testing.T) {
	tests := map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"7":                             7 * time.Second,
		" 2 ":                           2 * time.Second,
		"-1":                            0,
		"99999":                         time.Hour,
		"Wed, 21 Oct 2026 07:28:00 GMT": 0,
	}
	for in, want := range tests {
		if got := retryAfter(in); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", in, got, want)
		}
	}
}

func TestUntilReset(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	tests := map[string]time.Duration{
		"":           0,
		"soon":       0,
		"1799999990": 0,
		"1800000030": 30 * time.Second,
		"1900000000": time.Hour,
	}
	for in, want := range tests {
		if got := untilReset(in, now); got != want {
			t.Errorf("untilReset(%q) = %v, want %v", in, got, want)
		}
	}
}
