package relay

import (
	"sync"
	"time"
)

// dedupe remembers the delivery ids forwarded within a window, so that
// Jira's retry of a delivery that did reach GitHub is acknowledged without
// a second dispatch. It is bounded: at most size ids, the oldest evicted
// first. Every id has the same lifetime, so insertion order is expiry
// order and a ring buffer suffices.
type dedupe struct {
	mu       sync.Mutex
	window   time.Duration
	now      func() time.Time
	seen     map[string]time.Time // id → when it was forwarded
	ring     []dedupeEntry        // insertion order; head is the oldest
	head, n  int
	inflight map[string]struct{} // ids being forwarded right now
}

type dedupeEntry struct {
	id string
	at time.Time
}

// dedupeState is what begin found.
type dedupeState int

const (
	dedupeNew       dedupeState = iota // go ahead; call finish afterwards
	dedupeDuplicate                    // forwarded within the window
	dedupeBusy                         // being forwarded by another request
)

func newDedupe(size int, window time.Duration, now func() time.Time) *dedupe {
	return &dedupe{
		window:   window,
		now:      now,
		seen:     make(map[string]time.Time, size),
		ring:     make([]dedupeEntry, size),
		inflight: map[string]struct{}{},
	}
}

// begin looks id up and, when it is new, marks it in flight. An empty id
// is always new and never tracked.
func (d *dedupe) begin(id string) dedupeState {
	if id == "" {
		return dedupeNew
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	now := d.now()
	d.expire(now)
	if at, ok := d.seen[id]; ok && now.Sub(at) < d.window {
		return dedupeDuplicate
	}
	if _, ok := d.inflight[id]; ok {
		return dedupeBusy
	}
	d.inflight[id] = struct{}{}
	return dedupeNew
}

// finish ends what begin started; forwarded records id as seen.
func (d *dedupe) finish(id string, forwarded bool) {
	if id == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.inflight, id)
	if !forwarded {
		return
	}
	now := d.now()
	d.expire(now)
	if d.n == len(d.ring) {
		d.pop()
	}
	d.ring[(d.head+d.n)%len(d.ring)] = dedupeEntry{id: id, at: now}
	d.n++
	d.seen[id] = now
}

// expire drops the entries older than the window.
func (d *dedupe) expire(now time.Time) {
	for d.n > 0 && now.Sub(d.ring[d.head].at) >= d.window {
		d.pop()
	}
}

// pop evicts the oldest entry. The map keeps a newer record of the same id.
func (d *dedupe) pop() {
	e := d.ring[d.head]
	if at, ok := d.seen[e.id]; ok && at.Equal(e.at) {
		delete(d.seen, e.id)
	}
	d.ring[d.head] = dedupeEntry{}
	d.head = (d.head + 1) % len(d.ring)
	d.n--
}

// len reports how many ids are remembered.
func (d *dedupe) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.seen)
}
