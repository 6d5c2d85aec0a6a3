package golden

import (
	"os"
	"path/filepath"
	"testing"
)

// recorder is a testing.TB that keeps what Check reports.
type recorder struct {
	testing.TB
	failed bool
}

func (r *recorder) Helper()               {}
func (r *recorder) Errorf(string, ...any) { r.failed = true }
func (r *recorder) Fatalf(string, ...any) { r.failed = true }
func (r *recorder) Fatal(...any)          { r.failed = true }

func TestCheck(t *testing.T) {
	r := &recorder{TB: t}
	*update = true
	Check(r, filepath.Join(t.TempDir(), "out.txt"), []byte("x"))
	*update = false
	if !r.failed {
		t.Error("a golden file not named <name>.golden passed")
	}
	path := filepath.Join(t.TempDir(), "a", "out.txt.golden")
	r = &recorder{TB: t}
	Check(r, path, []byte("x"))
	if !r.failed {
		t.Error("a missing golden file passed")
	}
	*update = true
	r = &recorder{TB: t}
	Check(r, path, []byte("one\n"))
	*update = false
	if r.failed {
		t.Fatal("-update failed")
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "one\n" {
		t.Fatalf("-update wrote %q, %v", b, err)
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("one\n"))
	if r.failed {
		t.Error("equal bytes failed")
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("two\n"))
	if !r.failed {
		t.Error("different bytes passed")
	}
}
