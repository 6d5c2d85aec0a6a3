package fakeapi

import (
	"context"
	"sync"
	"time"
)

// Sleeper is a retry policy's sleep for tests: it returns at once (with
// the context's error, as a real sleep would when the context ends) and
// records every wait it was asked for.
type Sleeper struct {
	// Hook, when set, runs on each wait and may fail it: a test uses it to
	// cancel a run mid-retry or to change the fake between attempts. Set
	// it before the first wait.
	Hook func(ctx context.Context, d time.Duration) error

	mu    sync.Mutex
	waits []time.Duration
}

// Sleep records d, runs Hook, and returns Hook's error or ctx.Err().
func (s *Sleeper) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	if s.Hook != nil {
		if err := s.Hook(ctx, d); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Waits returns the waits asked for, in order.
func (s *Sleeper) Waits() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// Total returns the sum of the waits asked for.
func (s *Sleeper) Total() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	var t time.Duration
	for _, w := range s.waits {
		t += w
	}
	return t
}
