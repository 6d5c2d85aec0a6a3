package relay

import (
	"fmt"
	"testing"
	"time"
)

func TestDedupeWindow(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newDedupe(10, time.Minute, clock.Now)

	if got := d.begin("a"); got != dedupeNew {
		t.Fatalf("first begin = %v, want new", got)
	}
	if got := d.begin("a"); got != dedupeBusy {
		t.Errorf("begin while in flight = %v, want busy", got)
	}
	d.finish("a", true)
	clock.Advance(59 * time.Second)
	if got := d.begin("a"); got != dedupeDuplicate {
		t.Errorf("begin inside the window = %v, want duplicate", got)
	}
	clock.Advance(time.Second)
	if got := d.begin("a"); got != dedupeNew {
		t.Errorf("begin at the end of the window = %v, want new", got)
	}
	d.finish("a", false)
	if got := d.begin("a"); got != dedupeNew {
		t.Errorf("begin after a failed forward = %v, want new", got)
	}
	d.finish("a", false)
	if n := d.len(); n != 0 {
		t.Errorf("%d ids remembered, want 0", n)
	}
}

func TestDedupeEmptyIDIsNeverTracked(t *testing.T) {
	d := newDedupe(4, time.Hour, time.Now)
	for range 3 {
		if got := d.begin(""); got != dedupeNew {
			t.Fatalf("begin(\"\") = %v, want new", got)
		}
		d.finish("", true)
	}
	if n := d.len(); n != 0 {
		t.Errorf("%d ids remembered, want 0", n)
	}
}

func TestDedupeIsBounded(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	const size = 100
	d := newDedupe(size, time.Hour, clock.Now)
	for i := range 3 * size {
		id := fmt.Sprint("id-", i)
		if d.begin(id) != dedupeNew {
			t.Fatalf("%s is not new", id)
		}
		d.finish(id, true)
		clock.Advance(time.Millisecond)
	}
	if n := d.len(); n != size {
		t.Errorf("%d ids remembered, want %d", n, size)
	}
	if got := d.begin("id-0"); got != dedupeNew {
		t.Errorf("oldest id: %v, want evicted (new)", got)
	}
	d.finish("id-0", false)
	if got := d.begin(fmt.Sprint("id-", 3*size-1)); got != dedupeDuplicate {
		t.Errorf("newest id: %v, want duplicate", got)
	}
}

func TestDedupeRememberedAgainKeepsNewestRecord(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	d := newDedupe(2, time.Minute, clock.Now)
	d.begin("a")
	d.finish("a", true)
	clock.Advance(time.Minute) // "a" expires
	d.begin("a")
	d.finish("a", true) // remembered again
	d.begin("b")
	d.finish("b", true)
	d.begin("c")
	d.finish("c", true) // evicts the older "a" record only
	if got := d.begin("b"); got != dedupeDuplicate {
		t.Errorf("b: %v, want duplicate", got)
	}
	if got := d.begin("c"); got != dedupeDuplicate {
		t.Errorf("c: %v, want duplicate", got)
	}
}
