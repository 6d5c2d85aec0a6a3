package register

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// LockFile is the name of the file that serialises the writers of a
// register, in the register folder itself. It starts with a dot, so
// Discover skips it like any hidden file, and it exists only while a writer
// holds the lock: Unlock removes it, so nothing is left for git to see.
const LockFile = ".rotor.lock"

// ErrLockTimeout is what LockRegister returns, wrapped in a *LockTimeoutError,
// when another writer held the lock for the whole timeout.
var ErrLockTimeout = errors.New("timed out waiting for the register lock")

// LockTimeoutError says which lock could not be taken, for how long it was
// tried, and which process held it when the wait gave up.
type LockTimeoutError struct {
	Path    string
	Timeout time.Duration
	// Holder is the process id written in the lock file, 0 if unknown.
	Holder int
	// Stale reports whether a lock file can outlive its process on this
	// platform (no flock): then a crashed writer's lock file must be removed
	// by hand.
	Stale bool
}

func (e *LockTimeoutError) Error() string {
	holder := "another process"
	if e.Holder > 0 {
		holder = "process " + strconv.Itoa(e.Holder)
	}
	msg := fmt.Sprintf("the register lock %s was held by %s for more than %s; wait for it to finish and try again", e.Path, holder, e.Timeout)
	if e.Stale {
		msg += fmt.Sprintf(" (if no rotor new is running, a crashed run left the lock behind: remove %s)", e.Path)
	}
	return msg
}

// Is makes errors.Is(err, ErrLockTimeout) true.
func (e *LockTimeoutError) Is(target error) bool { return target == ErrLockTimeout }

// Lock is an exclusive lock on a whole register, held by this process.
type Lock struct {
	path string
	f    *os.File
}

// Path returns the lock file's path.
func (l *Lock) Path() string { return l.path }

// Poll intervals while another writer holds the lock: short at first,
// since a writer holds it for milliseconds (read, validate, rename).
const (
	firstPoll = 2 * time.Millisecond
	maxPoll   = 20 * time.Millisecond
)

// errBusy means another writer holds the lock; errRetry means the attempt
// lost a race that a new attempt resolves at once.
var (
	errBusy  = errors.New("lock is held")
	errRetry = errors.New("lock file was replaced")
)

// LockRegister takes the exclusive lock of the register at root, waiting up
// to timeout while another writer holds it, and giving up early when ctx is
// done (SIGINT and SIGTERM reach rotor as a cancelled context). waiting,
// when not nil, is called once, the first time the lock is found taken.
//
// Every process that changes the register takes this lock around its whole
// read-check-write cycle, so two writers never work from the same old
// content. On unix the lock is flock(2) on LockFile, which the kernel
// releases when the process ends, however it ends. Elsewhere it is the
// existence of LockFile (created with O_EXCL), which a crashed process
// leaves behind; the timeout error then says to remove it.
func LockRegister(ctx context.Context, root string, timeout time.Duration, waiting func()) (*Lock, error) {
	path := filepath.Join(root, LockFile)
	deadline := time.Now().Add(timeout)
	poll := firstPoll
	for {
		l, err := tryLock(path)
		switch {
		case err == nil:
			return l, nil
		case errors.Is(err, errRetry):
			continue
		case !errors.Is(err, errBusy):
			return nil, fmt.Errorf("lock the register: %w", err)
		}
		if waiting != nil {
			waiting()
			waiting = nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, &LockTimeoutError{Path: path, Timeout: timeout, Holder: lockHolder(path), Stale: !lockDiesWithProcess}
		}
		t := time.NewTimer(min(poll, left))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("stopped waiting for the register lock %s: %w", path, context.Cause(ctx))
		case <-t.C:
		}
		poll = min(2*poll, maxPoll)
	}
}

// Unlock removes the lock file and releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	errRemove, errClose := release(l.path, l.f)
	l.f = nil
	if errRemove != nil {
		return fmt.Errorf("release the register lock: %w; remove %s by hand if it is still there", errRemove, l.path)
	}
	if errClose != nil {
		return fmt.Errorf("release the register lock %s: %w", l.path, errClose)
	}
	return nil
}

// writeHolder records this process's id in the lock file, for the message
// of whoever has to wait.
func writeHolder(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return err
}

// lockHolder returns the process id written in the lock file at path, or 0.
func lockHolder(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(data)))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}
