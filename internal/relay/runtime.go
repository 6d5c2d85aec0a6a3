package relay

import (
	"runtime"
	"runtime/debug"
)

// The relay is a long-running server that keeps little alive (a few MiB:
// the dedupe cache, pooled buffers, the connections), so the Go runtime's
// memory is mostly garbage between two collections. rotor's batch commands
// trade memory for speed (cmd/rotor starts with GOGC=400); the relay
// trades the other way, so that `rotor relay` and `rotor-relay` stay under
// 30 MB under load (scripts/bench-relay.sh measures it).
const (
	// RelayGCPercent is the relay's GOGC: collect when the heap has grown
	// by as much as survived the last collection.
	RelayGCPercent = 100
	// RelayMemoryLimit is the relay's soft memory limit (GOMEMLIMIT) for
	// what the Go runtime holds: past it the collector runs more often.
	// It is soft: a relay whose bodies being read fill MaxBodyMemory goes
	// above it, collecting harder.
	RelayMemoryLimit = 16 << 20
)

// TuneRuntime sets the Go runtime up for the relay: RelayGCPercent and
// RelayMemoryLimit unless GOGC or GOMEMLIMIT (read through getenv) say
// otherwise, and no heap profiling (nothing reads the profile, and its
// records cost more than a MiB under load). It returns a function that
// puts the previous settings back.
func TuneRuntime(getenv func(string) string) (restore func()) {
	var undo []func()
	if getenv("GOGC") == "" {
		prev := debug.SetGCPercent(RelayGCPercent)
		undo = append(undo, func() { debug.SetGCPercent(prev) })
	}
	if getenv("GOMEMLIMIT") == "" {
		prev := debug.SetMemoryLimit(RelayMemoryLimit)
		undo = append(undo, func() { debug.SetMemoryLimit(prev) })
	}
	prev := runtime.MemProfileRate
	runtime.MemProfileRate = 0
	undo = append(undo, func() { runtime.MemProfileRate = prev })
	return func() {
		for _, u := range undo {
			u()
		}
	}
}
