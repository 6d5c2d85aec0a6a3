//go:build unix

package relay

import (
	"syscall"
	"testing"
)

// openFiles makes room for want more open files: it raises the soft
// RLIMIT_NOFILE towards the hard limit when it is lower, and returns how
// many of want fit (all of them, on any usual machine), keeping a margin
// for the test binary's own files and the other tests.
func openFiles(t testing.TB, want int) int {
	t.Helper()
	const margin = 256
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Logf("RLIMIT_NOFILE unknown (%v): assuming room for %d files", err, want)
		return want
	}
	if need := uint64(want + margin); lim.Cur < need && lim.Cur < lim.Max {
		raised := lim
		raised.Cur = min(need, lim.Max)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &raised); err == nil {
			t.Logf("raised RLIMIT_NOFILE from %d to %d", lim.Cur, raised.Cur)
			lim = raised
		}
	}
	if room := int(lim.Cur) - margin; room < want {
		t.Logf("RLIMIT_NOFILE is %d (hard %d): room for %d of %d files", lim.Cur, lim.Max, max(room, 0), want)
		return max(room, 0)
	}
	return want
}
