package relay

import (
	"runtime"
	"runtime/debug"
	"testing"
)

func TestTuneRuntime(t *testing.T) {
	gcPercent := func() int {
		p := debug.SetGCPercent(100)
		debug.SetGCPercent(p)
		return p
	}
	memoryLimit := func() int64 { return debug.SetMemoryLimit(-1) } // -1 reads it
	wasGC, wasLimit, wasRate := gcPercent(), memoryLimit(), runtime.MemProfileRate

	restore := TuneRuntime(func(string) string { return "" })
	if got := gcPercent(); got != RelayGCPercent {
		t.Errorf("GOGC %d, want %d", got, RelayGCPercent)
	}
	if got := memoryLimit(); got != RelayMemoryLimit {
		t.Errorf("memory limit %d, want %d", got, RelayMemoryLimit)
	}
	if runtime.MemProfileRate != 0 {
		t.Errorf("MemProfileRate %d, want 0", runtime.MemProfileRate)
	}
	restore()
	if gcPercent() != wasGC || memoryLimit() != wasLimit || runtime.MemProfileRate != wasRate {
		t.Errorf("after restore: GOGC %d, limit %d, MemProfileRate %d; want %d, %d, %d",
			gcPercent(), memoryLimit(), runtime.MemProfileRate, wasGC, wasLimit, wasRate)
	}

	// GOGC and GOMEMLIMIT in the environment win.
	debug.SetGCPercent(250)
	defer debug.SetGCPercent(wasGC)
	restore = TuneRuntime(func(k string) string { return map[string]string{"GOGC": "250", "GOMEMLIMIT": "1GiB"}[k] })
	defer restore()
	if got := gcPercent(); got != 250 {
		t.Errorf("GOGC %d with GOGC=250 set, want 250", got)
	}
	if got := memoryLimit(); got != wasLimit {
		t.Errorf("memory limit %d with GOMEMLIMIT set, want it left at %d", got, wasLimit)
	}
}
