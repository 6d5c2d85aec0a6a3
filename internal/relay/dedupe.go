package relay

import (
	"crypto/sha256"
	"sync"
	"time"
)

// dedupe remembers the deliveries forwarded within a window, so that a
// repeat is acknowledged without a second dispatch. A delivery is known by
// two keys: Jira's delivery id, which is not signed (anyone who replays a
// signed body may change or drop it), and the SHA-256 of the body, which
// is: distinct Jira events differ in their timestamp, and a retry resends
// the same bytes. Either key seen within the window makes a duplicate.
//
// Only a forward GitHub accepted is remembered, so that a delivery that
// failed is forwarded on Jira's retry. It is bounded: at most size
// forwards, the oldest evicted first. Every forward has the same lifetime,
// so forwarding order is expiry order and a ring buffer suffices; it grows
// with use up to size instead of being allocated at its bound, and an
// entry is 56 bytes (10,000 forwards: about 2 MiB with the maps).
type dedupe struct {
	mu     sync.Mutex
	window int64 // nanoseconds
	now    func() time.Time
	size   int

	ids     map[string]int64            // delivery id → when it was forwarded (Unix ns)
	sums    map[[sha256.Size]byte]int64 // body digest → when it was forwarded
	ring    []dedupeEntry               // forwarding order: ring[(head+i)%len(ring)], i < n
	head, n int

	busyIDs  map[string]struct{} // being forwarded right now
	busySums map[[sha256.Size]byte]struct{}
}

type dedupeEntry struct {
	id  string
	sum [sha256.Size]byte
	at  int64
}

// dedupeState is what begin found.
type dedupeState int

const (
	dedupeNew      dedupeState = iota // go ahead; call finish afterwards
	dedupeSeenID                      // the delivery id was forwarded within the window
	dedupeSeenBody                    // the same body was forwarded within the window
	dedupeBusy                        // the id or the body is being forwarded by another request
)

func newDedupe(size int, window time.Duration, now func() time.Time) *dedupe {
	return &dedupe{
		window:   int64(window),
		now:      now,
		size:     size,
		ids:      map[string]int64{},
		sums:     map[[sha256.Size]byte]int64{},
		busyIDs:  map[string]struct{}{},
		busySums: map[[sha256.Size]byte]struct{}{},
	}
}

// begin looks a delivery up by its id (empty: none) and its body's digest
// and, when it is new, marks both in flight.
func (d *dedupe) begin(id string, sum [sha256.Size]byte) dedupeState {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire(d.now().UnixNano())
	if _, ok := d.ids[id]; ok && id != "" {
		return dedupeSeenID
	}
	if _, ok := d.sums[sum]; ok {
		return dedupeSeenBody
	}
	if _, ok := d.busyIDs[id]; ok && id != "" {
		return dedupeBusy
	}
	if _, ok := d.busySums[sum]; ok {
		return dedupeBusy
	}
	if id != "" {
		d.busyIDs[id] = struct{}{}
	}
	d.busySums[sum] = struct{}{}
	return dedupeNew
}

// finish ends what begin started; forwarded (GitHub accepted the
// dispatch) remembers both keys.
func (d *dedupe) finish(id string, sum [sha256.Size]byte, forwarded bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	delete(d.busyIDs, id)
	delete(d.busySums, sum)
	if !forwarded {
		return
	}
	now := d.now().UnixNano()
	d.expire(now)
	if d.n == d.size {
		d.pop()
	}
	if d.n == len(d.ring) {
		d.grow()
	}
	d.ring[(d.head+d.n)%len(d.ring)] = dedupeEntry{id: id, sum: sum, at: now}
	d.n++
	if id != "" {
		d.ids[id] = now
	}
	d.sums[sum] = now
}

// grow doubles the ring, up to size.
func (d *dedupe) grow() {
	ring := make([]dedupeEntry, min(max(2*len(d.ring), 64), d.size))
	for i := range d.n {
		ring[i] = d.ring[(d.head+i)%len(d.ring)]
	}
	d.ring, d.head = ring, 0
}

// expire drops the entries older than the window.
func (d *dedupe) expire(now int64) {
	for d.n > 0 && now-d.ring[d.head].at >= d.window {
		d.pop()
	}
}

// pop evicts the oldest entry. The maps keep a newer record of the same
// key.
func (d *dedupe) pop() {
	e := d.ring[d.head]
	if at, ok := d.ids[e.id]; ok && at == e.at {
		delete(d.ids, e.id)
	}
	if at, ok := d.sums[e.sum]; ok && at == e.at {
		delete(d.sums, e.sum)
	}
	d.ring[d.head] = dedupeEntry{}
	d.head = (d.head + 1) % len(d.ring)
	d.n--
}

// len reports how many forwards are remembered.
func (d *dedupe) len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}
