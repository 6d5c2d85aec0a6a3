package relay

import (
	"sync"
	"testing"
)

// TestMACPoolReuse checks that a pooled HMAC starts afresh every time,
// whatever the previous request left in it, also under concurrency.
func TestMACPoolReuse(t *testing.T) {
	m := newMACPool([]byte(testSecret))
	bodies := [][]byte{[]byte(`{"a":1}`), []byte(`{"b":2}`), {}}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for i := range 200 {
				b := bodies[i%len(bodies)]
				if err := m.verify(b, Sign([]byte(testSecret), b)); err != nil {
					t.Errorf("good signature: %v", err)
					return
				}
				if err := m.verify(b, Sign([]byte(testSecret), bodies[(i+1)%len(bodies)])); err != errBadSignature {
					t.Errorf("signature of another body: %v, want errBadSignature", err)
					return
				}
			}
		})
	}
	wg.Wait()
}
