//go:build !(darwin || dragonfly || freebsd || linux || netbsd || openbsd)

package register

import (
	"errors"
	"io/fs"
	"os"
)

// lockDiesWithProcess: without flock the lock is the lock file's existence,
// which outlives a crashed process.
const lockDiesWithProcess = false

// tryLock creates the lock file at path with O_EXCL: whoever creates it
// holds the lock until Unlock removes it. This is the portable fallback
// (Windows, Plan 9, Solaris, AIX); a run killed before Unlock leaves the
// file behind, and LockRegister's timeout error says to remove it.
func tryLock(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil, errBusy
	}
	if err != nil {
		return nil, err
	}
	if err := writeHolder(f); err != nil {
		f.Close()
		os.Remove(path)
		return nil, err
	}
	return &Lock{path: path, f: f}, nil
}

// release closes the lock file, then removes it, which releases the lock
// (Windows cannot remove a file that is still open).
func release(path string, f *os.File) (errRemove, errClose error) {
	errClose = f.Close()
	errRemove = os.Remove(path)
	return errRemove, errClose
}
