package relay

import (
	"crypto/sha256"
	"fmt"
	"testing"
	"time"
)

// sum is the digest of a body named s.
func sum(s string) [sha256.Size]byte { return sha256.Sum256([]byte(s)) }

func TestDedupeWindow(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newDedupe(10, time.Minute, clock.Now)

	if got := d.begin("a", sum("A")); got != dedupeNew {
		t.Fatalf("first begin = %v, want new", got)
	}
	if got := d.begin("a", sum("B")); got != dedupeBusy {
		t.Errorf("begin of the id while in flight = %v, want busy", got)
	}
	if got := d.begin("b", sum("A")); got != dedupeBusy {
		t.Errorf("begin of the body while in flight = %v, want busy", got)
	}
	d.finish("a", sum("A"), true)
	clock.Advance(59 * time.Second)
	if got := d.begin("a", sum("B")); got != dedupeSeenID {
		t.Errorf("the id inside the window = %v, want seen id", got)
	}
	if got := d.begin("b", sum("A")); got != dedupeSeenBody {
		t.Errorf("the body inside the window = %v, want seen body", got)
	}
	if got := d.begin("", sum("A")); got != dedupeSeenBody {
		t.Errorf("the body without an id inside the window = %v, want seen body", got)
	}
	clock.Advance(time.Second)
	if got := d.begin("a", sum("A")); got != dedupeNew {
		t.Errorf("begin at the end of the window = %v, want new", got)
	}
	d.finish("a", sum("A"), false)
	if got := d.begin("a", sum("A")); got != dedupeNew {
		t.Errorf("begin after a failed forward = %v, want new", got)
	}
	d.finish("a", sum("A"), false)
	if n := d.len(); n != 0 {
		t.Errorf("%d forwards remembered, want 0", n)
	}
}

func TestDedupeWithoutIDUsesTheBody(t *testing.T) {
	d := newDedupe(4, time.Hour, time.Now)
	if got := d.begin("", sum("A")); got != dedupeNew {
		t.Fatalf("first = %v, want new", got)
	}
	if got := d.begin("", sum("B")); got != dedupeNew {
		t.Errorf("another body without an id while the first is in flight = %v, want new", got)
	}
	d.finish("", sum("B"), false)
	d.finish("", sum("A"), true)
	if got := d.begin("", sum("A")); got != dedupeSeenBody {
		t.Errorf("the same body again = %v, want seen body", got)
	}
	if got := d.begin("", sum("B")); got != dedupeNew {
		t.Errorf("another body = %v, want new", got)
	}
	d.finish("", sum("B"), false)
	if n := d.len(); n != 1 {
		t.Errorf("%d forwards remembered, want 1", n)
	}
}

func TestDedupeIsBounded(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	const size = 100
	d := newDedupe(size, time.Hour, clock.Now)
	for i := range 3 * size {
		id := fmt.Sprint("id-", i)
		if d.begin(id, sum(id)) != dedupeNew {
			t.Fatalf("%s is not new", id)
		}
		d.finish(id, sum(id), true)
		clock.Advance(time.Millisecond)
	}
	if n := d.len(); n != size {
		t.Errorf("%d forwards remembered, want %d", n, size)
	}
	if n := len(d.ids) + len(d.sums); n != 2*size {
		t.Errorf("%d keys remembered, want %d", n, 2*size)
	}
	if c := cap(d.ring); c != size {
		t.Errorf("the ring holds room for %d forwards, want %d", c, size)
	}
	if got := d.begin("id-0", sum("id-0")); got != dedupeNew {
		t.Errorf("oldest: %v, want evicted (new)", got)
	}
	d.finish("id-0", sum("id-0"), false)
	newest := fmt.Sprint("id-", 3*size-1)
	if got := d.begin(newest, sum("other")); got != dedupeSeenID {
		t.Errorf("newest id: %v, want seen id", got)
	}
	if got := d.begin("other", sum(newest)); got != dedupeSeenBody {
		t.Errorf("newest body: %v, want seen body", got)
	}
}

func TestDedupeRememberedAgainKeepsNewestRecord(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newDedupe(2, time.Minute, clock.Now)
	forward := func(id string) {
		t.Helper()
		if got := d.begin(id, sum(id)); got != dedupeNew {
			t.Fatalf("%s: %v, want new", id, got)
		}
		d.finish(id, sum(id), true)
	}
	forward("a")
	clock.Advance(time.Minute) // "a" expires
	forward("a")               // remembered again
	forward("b")
	forward("c") // evicts the older "a" record only
	for _, id := range []string{"b", "c"} {
		if got := d.begin(id, sum(id)); got != dedupeSeenID {
			t.Errorf("%s: %v, want seen id", id, got)
		}
	}
}

// The ring grows while its oldest entry is not at its start, and keeps the
// order.
func TestDedupeRingGrowsAcrossTheWrap(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newDedupe(1000, time.Minute, clock.Now)
	forward := func(from, to int) {
		for i := from; i < to; i++ {
			id := fmt.Sprint("id-", i)
			if got := d.begin(id, sum(id)); got != dedupeNew {
				t.Fatalf("%s: %v, want new", id, got)
			}
			d.finish(id, sum(id), true)
		}
	}
	forward(0, 32)
	clock.Advance(30 * time.Second)
	forward(32, 64) // the ring of 64 is full
	clock.Advance(31 * time.Second)
	forward(64, 200) // 0-31 expire; the ring wraps, then grows
	if n := d.len(); n != 168 {
		t.Errorf("%d forwards remembered, want 168", n)
	}
	for i := range 200 {
		id := fmt.Sprint("id-", i)
		want := dedupeSeenID
		if i < 32 {
			want = dedupeNew
		}
		if got := d.begin(id, sum("other")); got != want {
			t.Errorf("%s: %v, want %v", id, got, want)
		}
		d.finish(id, sum("other"), false)
	}
	// Oldest first: when the window moves on, 32-63 go, 64-199 stay.
	clock.Advance(30 * time.Second)
	if got := d.begin("id-63", sum("other")); got != dedupeNew {
		t.Errorf("id-63 after its window: %v, want new", got)
	}
	d.finish("id-63", sum("other"), false)
	if n := d.len(); n != 136 {
		t.Errorf("%d forwards remembered, want 136", n)
	}
}
