package relay

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Reading a webhook body. A body must be in memory before its signature
// can be checked, so what an unauthenticated sender can make the relay
// hold is bounded three ways:
//
//   - in time: the body has BodyReadTimeout (2 s) from the end of the
//     headers, apart from the header deadline;
//   - in size: MaxBodyBytes (1 MiB) per body;
//   - in all: the bodies being read draw on one budget, MaxBodyMemory
//     (8 MiB by default), for the memory they hold, and past it the relay
//     answers 503.
//
// A body draws on the budget only for what it has sent, and only while it
// is read: nothing is allocated before its first byte arrives, its first
// freeBodyBytes are free (the order of what the connection itself costs),
// and its buffer at most doubles what arrived. So senders that announce a
// body and send nothing, or a trickle, hold next to nothing whatever their
// number, and cannot lock signed deliveries out; only senders that really
// push megabytes can fill the budget.

const (
	// freeBodyBytes is the buffer every body gets once its first byte is
	// in, without drawing on the budget; most Jira events fit in it.
	freeBodyBytes = 4 << 10
	// pooledBodyClasses are the buffer sizes kept for reuse: 4, 8, 16, 32
	// and 64 KiB. Larger buffers are allocated for the one body.
	pooledBodyClasses = 5

	// discardTooLargeBytes and discardTooLargeTime bound what the relay
	// reads and throws away of an oversized body before it answers 413
	// and closes: a client that sends its whole body before it reads (as
	// Python's urllib does) would otherwise see the connection reset
	// instead of the answer.
	discardTooLargeBytes = 4 << 20
	discardTooLargeTime  = time.Second
)

var (
	errBodyTooLarge = errors.New("body too large")
	errBodyBudget   = errors.New("the memory for bodies being read is in use")
)

// bodyBudget is the memory the bodies being read may hold at once.
type bodyBudget struct {
	max  int64
	used atomic.Int64
}

// take draws n bytes, if they are there.
func (b *bodyBudget) take(n int64) bool {
	for {
		used := b.used.Load()
		if used+n > b.max {
			return false
		}
		if b.used.CompareAndSwap(used, used+n) {
			return true
		}
	}
}

func (b *bodyBudget) give(n int64) { b.used.Add(-n) }

// bodyBuf is a pooled buffer of one of the classes.
type bodyBuf struct{ b []byte }

var bodyPools [pooledBodyClasses]sync.Pool

// getBodyBuf returns an empty buffer of class c (freeBodyBytes << c).
func getBodyBuf(c int) *bodyBuf {
	if v, ok := bodyPools[c].Get().(*bodyBuf); ok {
		return v
	}
	return &bodyBuf{b: make([]byte, 0, freeBodyBytes<<c)}
}

// bodyClass is the class of a buffer of capacity n, or -1.
func bodyClass(n int) int {
	for c := range pooledBodyClasses {
		if n == freeBodyBytes<<c {
			return c
		}
	}
	return -1
}

// body is a request body read into memory.
type body struct {
	data []byte
	buf  *bodyBuf // the pooled buffer data is in; nil when it is not
}

// free gives the buffer back for reuse; data must not be used afterwards.
func (b *body) free() {
	if b.buf == nil {
		return
	}
	if c := bodyClass(cap(b.data)); c >= 0 {
		b.buf.b = b.data[:0]
		bodyPools[c].Put(b.buf)
	}
	b.buf, b.data = nil, nil
}

// readBody reads r's body within BodyReadTimeout, drawing on the budget as
// it grows and giving all back when it returns. The error is
// errBodyTooLarge past MaxBodyBytes, errBodyBudget when the budget is out,
// and otherwise what stopped the read (a timeout, a sender that hung up).
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body, error) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Now().Add(s.cfg.BodyReadTimeout))

	// Wait for the first byte before anything is allocated for the body.
	var first [1]byte
	if _, err := io.ReadFull(r.Body, first[:]); err != nil {
		if err == io.EOF {
			_ = rc.SetReadDeadline(time.Time{})
			return body{}, nil
		}
		return body{}, err
	}

	// A Content-Length body cannot be longer (net/http stops it there),
	// so the buffer need not outgrow it.
	limit := MaxBodyBytes + 1
	if cl := r.ContentLength; cl > 0 && cl <= MaxBodyBytes {
		limit = int(cl)
	}
	var charged int64
	defer func() { s.budget.give(charged) }()
	b := body{buf: getBodyBuf(0)}
	b.data = append(b.buf.b[:0], first[0])
	var err error
	for {
		if len(b.data) > MaxBodyBytes {
			b.free()
			return body{}, errBodyTooLarge
		}
		if err == io.EOF || len(b.data) == limit {
			break
		}
		if err != nil {
			b.free()
			return body{}, err
		}
		if len(b.data) == cap(b.data) {
			if err := s.growBody(&b, limit, &charged); err != nil {
				b.free()
				return body{}, err
			}
		}
		var n int
		n, err = r.Body.Read(b.data[len(b.data):cap(b.data)])
		b.data = b.data[:len(b.data)+n]
	}
	// The body is all in: its deadline no longer applies, and what the
	// connection reads next has its own.
	_ = rc.SetReadDeadline(time.Time{})
	return b, nil
}

// growBody doubles b's full buffer (the pooled classes whole, larger
// buffers at most to limit) and draws what the new buffer holds beyond
// freeBodyBytes on the budget; charged is what b has drawn so far.
func (s *Server) growBody(b *body, limit int, charged *int64) error {
	size := 2 * cap(b.data)
	class := bodyClass(size)
	if class < 0 {
		size = min(size, limit)
	}
	need := int64(size-freeBodyBytes) - *charged
	if !s.budget.take(need) {
		return errBodyBudget
	}
	*charged += need
	var next *bodyBuf
	var data []byte
	if class >= 0 {
		next = getBodyBuf(class)
		data = append(next.b[:0], b.data...)
	} else {
		data = append(make([]byte, 0, size), b.data...)
	}
	b.free()
	b.data, b.buf = data, next
	return nil
}

// discardTooLarge reads and throws away what is left of an oversized body,
// at most discardTooLargeBytes within discardTooLargeTime, so that a client
// still sending reads the 413 instead of a reset; the connection is closed
// after the answer. A client that waits for 100 Continue before it sends
// the body (started is false) is not asked for it.
func discardTooLarge(w http.ResponseWriter, r *http.Request, started bool) {
	w.Header().Set("Connection", "close")
	if !started && strings.Contains(strings.ToLower(r.Header.Get("Expect")), "100-continue") {
		return
	}
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(discardTooLargeTime))
	_, _ = io.CopyN(io.Discard, r.Body, discardTooLargeBytes)
}
