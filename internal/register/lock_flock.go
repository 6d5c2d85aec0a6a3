//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package register

import (
	"errors"
	"os"
	"syscall"
)

// lockDiesWithProcess: the kernel drops a flock when its process ends, so
// a crashed rotor never leaves the register locked.
const lockDiesWithProcess = true

// tryLock takes flock(LOCK_EX|LOCK_NB) on the lock file at path, creating
// it if needed.
//
// Unlock removes the file before releasing it, so a waiter can win the
// flock of a file that no longer has a name, while a newcomer creates and
// locks a fresh one. The check that path still names the locked file
// closes that gap: the waiter then tries again on the new file.
func tryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, errBusy
		}
		return nil, err
	}
	held, err1 := f.Stat()
	named, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(held, named) {
		f.Close()
		return nil, errRetry
	}
	if err := writeHolder(f); err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{path: path, f: f}, nil
}

// release removes the lock file, then closes it, which drops the flock.
// The file goes first, while the lock is still held, so that a waiter that
// opened it meanwhile finds it was replaced and tries again (see tryLock).
func release(path string, f *os.File) (errRemove, errClose error) {
	errRemove = os.Remove(path)
	errClose = f.Close()
	return errRemove, errClose
}
